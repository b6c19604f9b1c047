"""Temporal expressions on TempEval-3 (../shared/benchmarks/tempeval3), scored with its own score.py,
beside the published TempEval-3 results; and the dates component's own time per real news article
(../shared/benchmarks/newsmirror), beside the spaCy pipeline's time on the same articles.

    python benchmarks/dates.py [train|platinum ...] [--errors]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from spacy.tokens import Doc

from newscorpus.config import Settings
from newscorpus.nlp import Annotator
from newscorpus.nlp.pipeline import annotations_of
from newscorpus.nlp._timex import normalise

TEMPEVAL = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "tempeval3"
NEWSMIRROR = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "newsmirror" / "truth"
# UzZaman et al. 2013 (SemEval-2013 Task 1), Table 3, on platinum: strict F1, relaxed F1, value F1.
PUBLISHED = [("HeidelTime-t", 81.34, 90.30, 77.61), ("NavyTime-1,2", 79.57, 90.32, 70.97),
             ("ManTIME-4", 74.33, 89.66, 68.97), ("SUTime", 79.57, 90.32, 67.38), ("ClearTK-1,2", 82.71, 90.23, 64.66)]


def parse(annotator: Annotator, text: str, dct: date) -> tuple[Doc, float]:
    """The text through the pipeline up to (not including) our components; and the seconds that took."""
    upstream = [n for n in annotator.nlp.pipe_names if not n.startswith("newscorpus_")]
    doc = annotator.nlp.make_doc(text)
    doc._.newscorpus_dct = dct.isoformat()
    started = time.perf_counter()
    with annotator.nlp.select_pipes(enable=upstream):
        doc = annotator.nlp(doc)
    return doc, time.perf_counter() - started


def component_seconds(annotator: Annotator, docs: list[Doc]) -> float:
    """The dates component's own time over parsed documents: best of three passes, each with a cold cache."""
    component = annotator.nlp.get_pipe("newscorpus_dates")
    best = float("inf")
    for _ in range(3):
        normalise.cache_clear()
        started = time.perf_counter()
        for doc in docs:
            component(doc)
        best = min(best, time.perf_counter() - started)
    return best


def run_set(name: str, annotator: Annotator, show_errors: bool) -> dict[str, object]:
    """Score one set with the scorer's own figures."""
    scorer = [sys.executable, str(TEMPEVAL / "score.py")]
    component = annotator.nlp.get_pipe("newscorpus_dates")
    with tempfile.TemporaryDirectory() as folder:
        exported, system = Path(folder) / "text", Path(folder) / "system"
        system.mkdir()
        subprocess.run([*scorer, "export", str(TEMPEVAL / name), str(exported)], check=True, capture_output=True)
        for text_file in sorted(exported.glob("*.txt")):
            with open(text_file, encoding="utf-8", newline="") as handle:
                text = handle.read()
            dct = date.fromisoformat(text_file.with_suffix(".dct").read_text(encoding="utf-8").strip()[:10])
            doc = component(parse(annotator, text, dct)[0])
            dates = [{"text": d.text, "start": d.start, "end": d.end, "value": d.value or "", "type": d.type}
                     for d in annotations_of(doc).dates]
            (system / f"{text_file.stem}.json").write_text(json.dumps({"dates": dates}), encoding="utf-8")
        if show_errors:
            subprocess.run([*scorer, "score", str(TEMPEVAL / name), str(system), "--errors"], check=True)
        result = subprocess.run([*scorer, "score", str(TEMPEVAL / name), str(system), "--json"],
                                check=True, capture_output=True, text=True)
    scores: dict[str, object] = json.loads(result.stdout)
    return scores


def speed(annotator: Annotator) -> None:
    """The component's time per real news article (the newsmirror ground-truth bodies), beside the time the
    pipeline's own tokeniser, tagger, parser and NER take on the same articles in the same run."""
    docs, upstream, chars = [], 0.0, 0
    for path in sorted(NEWSMIRROR.glob("*.json")):
        truth = json.loads(path.read_text(encoding="utf-8"))
        published = date.fromisoformat(truth["date"][:10]) if truth.get("date") else date(2025, 1, 1)
        doc, seconds = parse(annotator, truth["body"], published)
        docs.append(doc)
        upstream, chars = upstream + seconds, chars + len(truth["body"])
    own = component_seconds(annotator, docs)
    print(f"\nspeed on {len(docs)} real news articles (newsmirror, {chars / len(docs):,.0f} characters on average), "
          f"one core: newscorpus_dates {1000 * own / len(docs):.3f} ms per article; the spaCy pipeline before it "
          f"{1000 * upstream / len(docs):.1f} ms per article (the component adds {100 * own / upstream:.1f}%)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sets", nargs="*", default=["train", "platinum"])
    parser.add_argument("--errors", action="store_true", help="list every miss and wrong value (train only!)")
    args = parser.parse_args()
    annotator = Annotator(Settings().spacy_model)
    for name in args.sets:
        scores = run_set(name, annotator, args.errors)
        overall = scores["overall"] if "overall" in scores else scores
        strict, relaxed, value = (overall["strict"]["f1"], overall["relaxed"]["f1"], overall["value"]["f1"])  # type: ignore[index]
        print(f"\n{name}:")
        print(f"{'system':16}{'strict F1':>10}{'relaxed F1':>11}{'value F1':>9}{'type acc':>9}")
        print(f"{'newscorpus':16}{100 * strict:10.2f}{100 * relaxed:11.2f}{100 * value:9.2f}"
              f"{100 * overall['type_accuracy']:9.2f}")  # type: ignore[index]
        if name == "platinum":
            for system, s, r, v in PUBLISHED:
                print(f"{system:16}{s:10.2f}{r:11.2f}{v:9.2f}{'':>9}")
    speed(annotator)


if __name__ == "__main__":
    main()
