"""Search at scale: corpora of realistic synthetic news, a mixed workload of 200 queries through newscorpus beside
the same queries straight against tantivy, indexing throughput, memory, and a Parquet export.

    python benchmarks/search.py [--sizes 100000 1000000] [--dir /tmp/newscorpus-bench] [--queries 200]

Documents are built from the 195 real newsmirror articles (../shared/benchmarks/newsmirror/truth): the articles
are annotated once by the newscorpus pipeline, split into sentences with their dates, places and laws, and each
synthetic story draws most of its sentences from one article and the rest from others, so words, phrases and
entities are distributed as in news. Each story gets one of 200 sources, an author, a publication time in
2019-2026, and 3% are near-copies of an earlier story (syndication). Stories are stored through the store
(SQLite), indexed through newscorpus's own path (index_pending, which refills an empty index in bulk), and the
index is then rebuilt (reindex).

Baseline, in the same run: a bare tantivy index of the same stories with the same analysis and fast fields, built
after the store from a JSON-lines file of the stories (written beside the store, untimed) with tantivy's default
indexing threads. All its work is timed, as newscorpus's is: reading the file, the documents, the indexing
threads, the commit and merges (built beside the store instead, tantivy's threads would work unseen while SQLite
writes). It is queried with tantivy's own query parser and aggregations, no newscorpus layer (no parsing of our
language, no store lookups, no collapsing of copies, no snippets). Latency is measured in a fresh process per
system, which also reports its peak memory.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TRUTH = ROOT.parent / "shared" / "benchmarks" / "newsmirror" / "truth"
SEED = 20261128


# --- building the corpus ----------------------------------------------------------------------------------------

def sentence_bank() -> list[list[dict[str, Any]]]:
    """Per newsmirror article: its sentences, each with the dates, places and laws found in it (offsets into
    the sentence)."""
    from newscorpus.config import Settings
    from newscorpus.nlp import Annotator

    annotator = Annotator(Settings().spacy_model)
    bank = []
    for path in sorted(TRUTH.glob("*.json")):
        truth = json.loads(path.read_text(encoding="utf-8"))
        text = " ".join(truth["body"].split())
        found = annotator.annotate(text)
        sentences = []
        for m in re.finditer(r"[^.!?]+[.!?]+(?:\s|$)|[^.!?]+$", text):
            start, end = m.start(), m.end()
            piece = text[start:end].strip()
            if len(piece) < 20:
                continue
            offset = start + (len(text[start:end]) - len(text[start:end].lstrip()))

            def inside(records: list[Any], offset: int = offset, piece: str = piece) -> list[dict[str, Any]]:
                return [dict(r.__dict__, start=r.start - offset, end=r.end - offset) for r in records
                        if offset <= r.start and r.end <= offset + len(piece)]
            sentences.append({"text": piece, "dates": inside(found.dates), "places": inside(found.places),
                              "laws": inside(found.laws)})
        if sentences:
            bank.append(sentences)
    return bank


def build(size: int, folder: Path, bank: list[list[dict[str, Any]]]) -> dict[str, float]:
    """A newscorpus data directory of `size` synthetic stories, and a bare tantivy index of the same stories.
    Returns the seconds each step took."""
    from newscorpus.app.indexing import index_pending, reindex
    from newscorpus.corpus import SearchIndex, open_store
    from newscorpus.corpus.dedup import signature
    from newscorpus.crawler.extract import content_hash
    from newscorpus.models import Annotations, Article, DateMention, LawReference, PlaceMention

    rng = random.Random(SEED)
    store = open_store(folder)
    sources = [store.add_source(f"https://news{n}.example/feed.xml", "feed", f"Example News {n}")[0].id
               for n in range(200)]
    source_weights = [1 / (n + 1) for n in range(200)]
    authors = [f"Reporter {n}" for n in range(2_000)]
    article_weights = [1 / (n + 1) ** 0.6 for n in range(len(bank))]
    start = datetime(2019, 1, 1, tzinfo=timezone.utc)
    span = (datetime(2026, 11, 1, tzinfo=timezone.utc) - start).total_seconds()
    kept: list[tuple[list[dict[str, Any]], str]] = []  # recent stories a copy may repeat
    stories = folder / "bare-stories.jsonl"
    bare_file = stories.open("w", encoding="utf-8")
    began = time.perf_counter()
    for n in range(size):
        copy_of = rng.random() < 0.03 and kept
        if copy_of:
            sentences, published = rng.choice(kept)
            sentences = sentences[:-1] + [rng.choice(rng.choice(bank))]
        else:
            topic = rng.choices(bank, article_weights)[0]
            sentences = [rng.choice(topic) if rng.random() < 0.7 else rng.choice(rng.choice(bank))
                         for _ in range(rng.randint(6, 20))]
            published = (start + timedelta(seconds=rng.random() * span)).isoformat(timespec="seconds")
            kept = (kept + [(sentences, published)])[-500:]
        text, dates, places, laws = "", [], [], []
        for sentence in sentences:
            shift = len(text) + (1 if text else 0)
            text += (" " if text else "") + sentence["text"]
            dates += [DateMention(**dict(d, start=d["start"] + shift, end=d["end"] + shift)) for d in sentence["dates"]]
            places += [PlaceMention(**dict(p, start=p["start"] + shift, end=p["end"] + shift))
                       for p in sentence["places"]]
            laws += [LawReference(**dict(law, start=law["start"] + shift, end=law["end"] + shift))
                     for law in sentence["laws"]]
        title = sentences[0]["text"][:90].rsplit(" ", 1)[0]
        source = rng.choices(sources, source_weights)[0]
        url = f"https://news{source}.example/story/{n}"
        article = Article(url, url, title, (rng.choice(authors),), published, "en", text)
        store.save_document(article, Annotations(dates=dates, places=places, laws=laws), source,
                            published, content_hash(text), signature=signature(text) if copy_of or n % 33 == 0
                            else None)
        bare_file.write(json.dumps([n, title, text, source, published, [p.country_code for p in places
                                                                         if p.country_code],
                                    [law.name for law in laws if law.name]]) + "\n")
        if n and n % 50_000 == 0:
            print(f"  stored {n:,} stories ({n / (time.perf_counter() - began):,.0f}/s)", flush=True)
    timings = {"store": time.perf_counter() - began}
    bare_file.close()
    started = time.perf_counter()
    bare = BareIndex(folder / "bare-index")
    with stories.open(encoding="utf-8") as lines:
        for line in lines:
            bare.add(*json.loads(line))
    bare.commit()
    timings["bare"] = time.perf_counter() - started
    stories.unlink()
    index = SearchIndex(folder)
    started = time.perf_counter()
    index_pending(store, index)
    timings["index"] = time.perf_counter() - started
    started = time.perf_counter()
    reindex(store, index)
    timings["reindex"] = time.perf_counter() - started
    store.close()
    return timings


class BareIndex:
    """The baseline: the same stories in a tantivy index with the same analysis and fast fields."""

    def __init__(self, path: Path) -> None:
        import tantivy

        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        builder = tantivy.SchemaBuilder()
        builder.add_integer_field("id", stored=True, indexed=True, fast=True)
        builder.add_text_field("title", stored=True, tokenizer_name="en_stem")
        builder.add_text_field("text", stored=False, tokenizer_name="en_stem")
        builder.add_date_field("published", stored=True, indexed=True, fast=True)
        for name in ("places", "laws", "countries", "law_names", "source_name"):
            builder.add_text_field(name, stored=False, tokenizer_name="raw", fast=True)
        self.schema = builder.build()
        self.index = tantivy.Index(self.schema, str(path))
        self.writer = self.index.writer(heap_size=200_000_000)  # one indexing thread per core

    def add(self, n: int, title: str, text: str, source: int, published: str, countries: list[str],
            laws: list[str]) -> None:
        import tantivy

        doc = tantivy.Document()
        doc.add_integer("id", n)
        doc.add_text("title", title)
        doc.add_text("text", text)
        doc.add_date("published", datetime.fromisoformat(published))
        doc.add_text("source_name", f"Example News {source}")
        for country in countries:
            doc.add_text("countries", country)
            doc.add_text("places", f"cc:{country}")
        for law in laws:
            doc.add_text("law_names", law)
            doc.add_text("laws", law.lower())
        self.writer.add_document(doc)

    def commit(self) -> None:
        self.writer.commit()
        self.writer.wait_merging_threads()


# --- the workload -----------------------------------------------------------------------------------------------

def workload(bank: list[list[dict[str, Any]]], count: int) -> list[dict[str, Any]]:
    """`count` queries: words, phrases, filters, facets and timelines, in the proportions of a news desk's day."""
    rng = random.Random(SEED + 1)
    words = [w for article in bank for s in article for w in re.findall(r"[a-z]{5,}", s["text"].lower())]
    common = [w for w, _ in sorted(((w, words.count(w)) for w in set(words[:60_000])), key=lambda x: (-x[1], x[0]))[:400]]  # ties by word: the same mix in every process
    countries = sorted({p["country_code"] for a in bank for s in a for p in s["places"] if p["country_code"]})
    laws = sorted({law["name"] for a in bank for s in a for law in s["laws"] if law["name"]})
    kinds = ["word"] * 25 + ["two words"] * 20 + ["phrase"] * 15 + ["filtered"] * 20 + ["facets"] * 10 + \
            ["timeline"] * 10
    queries = []
    for n in range(count):
        kind = kinds[n % len(kinds)]
        word, other = rng.choice(common), rng.choice(common)
        sentence = rng.choice(rng.choice(bank))["text"].split()
        at = rng.randrange(max(1, len(sentence) - 2))
        phrase = " ".join(re.sub(r"[^\w'-]", "", w) for w in sentence[at:at + 2]).strip()
        year = rng.randint(2019, 2026)
        query: dict[str, Any] = {"kind": kind, "ours": word, "bare": word}
        if kind == "two words":
            query.update(ours=f"{word} {other}", bare=f"+{word} +{other}")
        elif kind == "phrase" and len(phrase.split()) == 2:
            query.update(ours=f'"{phrase}"', bare=f'"{phrase}"')
        elif kind == "filtered":
            code = rng.choice(countries)
            query.update(ours=f"{word} country:{code} published:{year}",
                         bare=f"+{word} +places:\"cc:{code}\" +published:[{year}-01-01T00:00:00Z TO "
                              f"{year + 1}-01-01T00:00:00Z}}")
        elif kind == "facets":
            query.update(facet=rng.choice(["country", "law", "source"]))
        elif kind == "timeline":
            query.update(ours=f"{word} law:\"{rng.choice(laws)}\"" if laws and rng.random() < 0.3 else word)
            query["bare"] = word
        queries.append(query)
    return queries


def run_queries(folder: Path, system: str, queries: list[dict[str, Any]]) -> dict[str, Any]:
    """Run the workload in this process against one system; latencies in ms and peak memory in MB."""
    import tantivy

    latencies: list[float] = []
    if system == "newscorpus":
        from newscorpus import Corpus

        corpus = Corpus(folder)
        for query in queries:
            started = time.perf_counter()
            if query["kind"] == "facets":
                corpus.search(query["ours"], limit=10).facets(query["facet"])
            elif query["kind"] == "timeline":
                corpus.search(query["ours"], limit=10).timeline("month")
            else:
                corpus.search(query["ours"], limit=10)
            latencies.append(1000 * (time.perf_counter() - started))
    else:
        index = tantivy.Index.open(str(folder / "bare-index"))
        fields = {"country": "countries", "law": "law_names", "source": "source_name"}
        for query in queries:
            started = time.perf_counter()
            parsed = index.parse_query(query["bare"], ["title", "text"])
            searcher = index.searcher()
            hits = searcher.search(parsed, 10).hits
            [searcher.doc(address)["title"] for _, address in hits]
            if query["kind"] == "facets":
                searcher.aggregate(parsed, {"f": {"terms": {"field": fields[query["facet"]], "size": 10}}})
            elif query["kind"] == "timeline":
                searcher.aggregate(parsed, {"t": {"date_histogram": {"field": "published", "fixed_interval": "1d",
                                                                     "min_doc_count": 1}}})
            latencies.append(1000 * (time.perf_counter() - started))
    latencies.sort()
    return {"p50": statistics.median(latencies), "p95": latencies[int(0.95 * (len(latencies) - 1))],
            "mean": statistics.fmean(latencies), "peak_mb": peak_memory_mb()}


def export_parquet(folder: Path) -> dict[str, Any]:
    """Export every story to Parquet in this process: time, peak memory, and the manifest's verification."""
    from newscorpus import Corpus
    from newscorpus.app.export import manifest_path, verify_export

    with Corpus(folder) as corpus:
        output = folder / "export.parquet"
        started = time.perf_counter()
        manifest = corpus.export(output, "", format="parquet")
        seconds = time.perf_counter() - started
        verify_export(manifest_path(output))
    return {"rows": manifest["rows"], "seconds": seconds, "bytes": manifest["bytes"],
            "peak_mb": peak_memory_mb()}


def peak_memory_mb() -> float:
    """This process's peak resident memory since it started (VmHWM; ru_maxrss would count the parent's too)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_subprocess(*args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/newscorpus-bench"))
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--worker", nargs=3, metavar=("TASK", "FOLDER", "ARG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        task, folder, arg = args.worker
        if task == "export":
            print(json.dumps(export_parquet(Path(folder))))
        else:
            print(json.dumps(run_queries(Path(folder), task, json.loads(Path(arg).read_text()))))
        return
    print("annotating the newsmirror articles once for the sentence bank ...", flush=True)
    bank = sentence_bank()
    queries = workload(bank, args.queries)
    for size in args.sizes:
        folder = args.dir / f"corpus-{size}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        print(f"building {size:,} stories in {folder} ...", flush=True)
        timings = build(size, folder, bank)
        workload_file = folder / "queries.json"
        workload_file.write_text(json.dumps(queries))
        ours = in_subprocess("--worker", "newscorpus", str(folder), str(workload_file))
        bare = in_subprocess("--worker", "bare", str(folder), str(workload_file))
        print(f"\n{size:,} stories")
        print(f"  store (SQLite, through the store): {size / timings['store']:,.0f} stories/s")
        print(f"  index through newscorpus (index_pending): {size / timings['index']:,.0f} stories/s, "
              f"reindex: {size / timings['reindex']:,.0f} stories/s; bare tantivy: {size / timings['bare']:,.0f} "
              f"stories/s (newscorpus / bare: {timings['bare'] / timings['index']:.2f}x)")
        print(f"  {len(queries)} queries   {'p50 ms':>8}{'p95 ms':>8}{'mean ms':>8}{'peak MB':>9}")
        for name, result in (("newscorpus", ours), ("bare tantivy", bare)):
            print(f"  {name:14}{result['p50']:8.1f}{result['p95']:8.1f}{result['mean']:8.1f}{result['peak_mb']:9.0f}")
        print(f"  newscorpus / bare: p50 {ours['p50'] / bare['p50']:.2f}x, p95 {ours['p95'] / bare['p95']:.2f}x")
        if size <= 100_000:
            exported = in_subprocess("--worker", "export", str(folder), str(size))
            print(f"  Parquet export of {exported['rows']:,} stories: {exported['seconds']:.1f} s, "
                  f"{exported['bytes'] / 1e6:.0f} MB, peak memory {exported['peak_mb']:.0f} MB, manifest verified")


if __name__ == "__main__":
    main()
