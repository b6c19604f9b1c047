"""Law references on the law benchmark (../shared/benchmarks/laws): the component over all 120 articles, the DEV
half scored with the benchmark's own score.py beside its baseline, and the component's time per article beside
the spaCy pipeline's on the same articles.

    python benchmarks/laws.py [--output laws.jsonl] [--errors]

--output writes every article's references (the HELDOUT half too, whose gold is not in the folder); --errors
lists the DEV mentions that were missed, spurious or normalised differently. Tune only on DEV.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
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
# The benchmark README's baseline on DEV: spaCy LAW entities plus an "<Capitalised words> Act <year>" pattern.
BASELINE = {"exact": 0.252, "overlap": 0.514, "full": 0.084, "name": 0.400, "year": 0.345, "section": 0.564,
            "jurisdiction": 0.018}
RECORD_FIELDS = ("start", "end", "text", "name", "year", "section", "jurisdiction", "alias")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


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


def score(output: list[dict[str, Any]]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        system = Path(folder) / "sys.jsonl"
        system.write_text("".join(json.dumps(r) + "\n" for r in output), encoding="utf-8")
        done = subprocess.run([sys.executable, str(LAWS / "score.py"), "score", str(LAWS / "dev_gold.jsonl"),
                               str(system), "--json"], check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout)["all"]
    return result


def print_errors(output: list[dict[str, Any]]) -> None:
    """DEV mentions missed (-), spurious (+) or normalised differently (~), by article."""
    found = {r["id"]: r["laws"] for r in output}
    for gold in read_jsonl(LAWS / "dev_gold.jsonl"):
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
    if args.errors:
        print_errors(output)
    dev = score(output)
    accuracy = dev["attribute_accuracy"]
    print(f"DEV ({dev['n_gold']} gold mentions, {dev['n_sys']} found)")
    print(f"{'':12}{'exact F1':>9}{'overlap P':>10}{'R':>6}{'F1':>6}{'full F1':>8}{'name':>6}{'year':>6}"
          f"{'section':>8}{'jurisd.':>8}")
    print(f"{'newscorpus':12}{dev['exact']['F1']:9.3f}{dev['overlap']['P']:10.3f}{dev['overlap']['R']:6.3f}"
          f"{dev['overlap']['F1']:6.3f}{dev['full']['F1']:8.3f}{accuracy['name']:6.3f}{accuracy['year']:6.3f}"
          f"{accuracy['section']:8.3f}{accuracy['jurisdiction']:8.3f}")
    print(f"{'baseline':12}{BASELINE['exact']:9.3f}{'':10}{'':6}{BASELINE['overlap']:6.3f}{BASELINE['full']:8.3f}"
          f"{BASELINE['name']:6.3f}{BASELINE['year']:6.3f}{BASELINE['section']:8.3f}{BASELINE['jurisdiction']:8.3f}")
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
