"""Law references on the law benchmark (../shared/benchmarks/laws): the component over all 120 articles, the DEV
half scored with the benchmark's own score.py beside its baseline; beside it, two sets of our own, annotated by
the benchmark's guidelines from news texts of the geoparsing corpora, newsmirror and TempEval-3 (ids and offsets
in benchmarks/checks/): a tune set (laws_tune.jsonl) and a check set that no rule was fitted to (laws.jsonl);
and the component's time per article beside the spaCy pipeline's on the same articles.

    python benchmarks/laws.py [--output laws.jsonl] [--errors]

--output writes every article's references (the HELDOUT half too, whose gold is not in the folder); --errors
lists the DEV and tune mentions that were missed, spurious or normalised differently. Tune only on DEV and the
tune set: the check set's errors are never listed.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import html
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from newscorpus.config import Settings
from newscorpus.nlp import Annotator, reference_date
from newscorpus.nlp.pipeline import annotations_of

LAWS = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "laws"
NEWSMIRROR = LAWS.parent / "newsmirror" / "truth"  # full-length news articles, for the component's speed
GEOPARSING = LAWS.parent / "geoparsing"
TEMPEVAL = LAWS.parent / "tempeval3"
CHECK = Path(__file__).resolve().parent / "checks" / "laws.jsonl"
TUNE = Path(__file__).resolve().parent / "checks" / "laws_tune.jsonl"
# The benchmark README's baseline on DEV: spaCy LAW entities plus an "<Capitalised words> Act <year>" pattern.
BASELINE = {"exact": 0.252, "overlap": 0.514, "full": 0.084, "name": 0.400, "year": 0.345, "section": 0.564,
            "jurisdiction": 0.018}
RECORD_FIELDS = ("start", "end", "text", "name", "year", "section", "jurisdiction", "alias")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """One record per line (split at newlines only: splitlines() also splits at the U+2028 some texts hold)."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


def run(annotator: Annotator, articles: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], float, float]:
    """Each article's references, and the seconds of the upstream pipeline and of the laws component."""
    component = annotator.nlp.get_pipe("newscorpus_laws")
    upstream = [n for n in annotator.nlp.pipe_names if n != "newscorpus_laws"]
    output, pipeline_seconds, own_seconds = [], 0.0, 0.0
    for article in articles:
        doc = annotator.nlp.make_doc(article["text"])
        published = reference_date(article.get("published"))
        doc._.newscorpus_dct = published.isoformat() if published else None
        started = time.perf_counter()
        with annotator.nlp.select_pipes(enable=upstream):
            doc = annotator.nlp(doc)
        pipeline_seconds += time.perf_counter() - started
        started = time.perf_counter()
        doc = component(doc)
        own_seconds += time.perf_counter() - started
        laws = [{k: v for k, v in dataclasses.asdict(law).items() if k in RECORD_FIELDS}
                for law in annotations_of(doc).laws]
        output.append({"id": article["id"], "laws": laws})
    return output, pipeline_seconds, own_seconds


def score(output: list[dict[str, Any]], gold: list[dict[str, Any]]) -> dict[str, Any]:
    """The benchmark's score.py on `output` against `gold` (records in its format)."""
    with tempfile.TemporaryDirectory() as folder:
        system, truth = Path(folder) / "sys.jsonl", Path(folder) / "gold.jsonl"
        system.write_text("".join(json.dumps(r) + "\n" for r in output), encoding="utf-8")
        truth.write_text("".join(json.dumps(r) + "\n" for r in gold), encoding="utf-8")
        done = subprocess.run([sys.executable, str(LAWS / "score.py"), "score", str(truth), str(system), "--json"],
                              check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout)["all"]
    return result


def our_set(path: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One of our sets: its texts (from ../shared) and its gold in the benchmark's format (the span text from the
    offsets)."""
    rows = read_jsonl(path)
    corpora = {corpus: {r["id"]: r["text"] for r in read_jsonl(GEOPARSING / corpus / "gold.jsonl")}
               for corpus in {row["corpus"] for row in rows} - {"newsmirror", "tempeval3"}}
    articles, gold = [], []
    for row in rows:
        if row["corpus"] == "newsmirror":
            text = json.loads((NEWSMIRROR / f"{row['id']}.json").read_text(encoding="utf-8"))["body"]
        elif row["corpus"] == "tempeval3":  # the text of the TEXT element, without its markup
            body = re.search(r"<TEXT>(.*?)</TEXT>", (TEMPEVAL / row["id"]).read_text(encoding="utf-8"), re.S)
            text = html.unescape(re.sub(r"<[^>]+>", "", body.group(1) if body else ""))
        else:
            text = corpora[row["corpus"]][row["id"]]
        if hashlib.sha1(text.encode()).hexdigest() != row["text_sha1"]:
            sys.exit(f"{row['id']}: the text is not the one annotated")
        articles.append({"id": row["id"], "text": text, "published": None})
        gold.append({"id": row["id"], "laws": [{**law, "text": text[law["start"]:law["end"]], "alias": None}
                                               for law in row["laws"]]})
    return articles, gold


def print_errors(output: list[dict[str, Any]], golds: list[dict[str, Any]]) -> None:
    """Gold mentions missed (-), spurious (+) or normalised differently (~), by article."""
    found = {r["id"]: r["laws"] for r in output}
    for gold in golds:
        ours = list(found.get(gold["id"], []))
        for law in gold["laws"]:
            match = next((o for o in ours if o["start"] < law["end"] and law["start"] < o["end"]), None)
            if match is None:
                print(f"- {gold['id']}: {law['text']!r} {law['name']!r} {law['year']} {law['jurisdiction']}")
                continue
            ours.remove(match)
            mine = (match["text"], match["name"], match["year"], match["section"], match["jurisdiction"])
            theirs = (law["text"], law["name"], law["year"], law["section"], law["jurisdiction"])
            if mine != theirs:
                print(f"~ {gold['id']}: gold {theirs}\n  {' ' * len(gold['id'])}  ours {mine}")
        for law in ours:
            print(f"+ {gold['id']}: {law['text']!r} {law['name']!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", type=Path, help="write all 120 articles' references here (JSON lines)")
    parser.add_argument("--errors", action="store_true", help="list DEV differences from the gold")
    args = parser.parse_args()
    articles = read_jsonl(LAWS / "texts.jsonl")
    annotator = Annotator(Settings().spacy_model)
    output, pipeline_seconds, own_seconds = run(annotator, articles)
    if args.output:
        args.output.write_text("".join(json.dumps(r) + "\n" for r in output), encoding="utf-8")
        print(f"wrote {len(output)} articles to {args.output}")
    dev_gold = read_jsonl(LAWS / "dev_gold.jsonl")
    dev = score(output, dev_gold)
    tune_articles, tune_gold = our_set(TUNE)
    tune_output = run(annotator, tune_articles)[0]
    tune = score(tune_output, tune_gold)
    if args.errors:
        print_errors(output, dev_gold)
        print_errors(tune_output, tune_gold)
    check_articles, check_gold = our_set(CHECK)
    check = score(run(annotator, check_articles)[0], check_gold)
    print(f"DEV: {dev['n_gold']} gold mentions, {dev['n_sys']} found; our tune set: {len(tune_articles)} news "
          f"texts, {tune['n_gold']} gold mentions, {tune['n_sys']} found; our check set: {len(check_articles)} news "
          f"texts, {check['n_gold']} gold mentions, {check['n_sys']} found")
    print(f"{'':22}{'exact F1':>9}{'overlap P':>10}{'R':>6}{'F1':>6}{'full F1':>8}{'name':>6}{'year':>6}"
          f"{'section':>8}{'jurisd.':>8}")
    for label, result in (("newscorpus, DEV", dev), ("newscorpus, tune", tune), ("newscorpus, check", check)):
        accuracy = result["attribute_accuracy"]
        print(f"{label:22}{result['exact']['F1']:9.3f}{result['overlap']['P']:10.3f}{result['overlap']['R']:6.3f}"
              f"{result['overlap']['F1']:6.3f}{result['full']['F1']:8.3f}{accuracy['name']:6.3f}"
              f"{accuracy['year']:6.3f}{accuracy['section']:8.3f}{accuracy['jurisdiction']:8.3f}")
    print(f"{'baseline, DEV':22}{BASELINE['exact']:9.3f}{'':10}{'':6}{BASELINE['overlap']:6.3f}"
          f"{BASELINE['full']:8.3f}{BASELINE['name']:6.3f}{BASELINE['year']:6.3f}{BASELINE['section']:8.3f}"
          f"{BASELINE['jurisdiction']:8.3f}")
    print_speed("benchmark articles", len(articles), pipeline_seconds, own_seconds)
    news = [{"id": path.stem, "text": json.loads(path.read_text(encoding="utf-8"))["body"]}
            for path in sorted(NEWSMIRROR.glob("*.json"))]
    _, pipeline_seconds, own_seconds = run(annotator, news)
    print_speed("newsmirror news articles", len(news), pipeline_seconds, own_seconds)


def print_speed(label: str, count: int, pipeline_seconds: float, own_seconds: float) -> None:
    print(f"component on {count} {label}: {1000 * own_seconds / count:.2f} ms per article; the spaCy pipeline "
          f"before it: {1000 * pipeline_seconds / count:.1f} ms ({100 * own_seconds / pipeline_seconds:.1f}%)")


if __name__ == "__main__":
    main()
