"""Temporal expressions on TempEval-3 (../shared/benchmarks/tempeval3), scored with its own score.py,
beside the published TempEval-3 results; and the dates component's own time per document.

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

from newscorpus.config import Settings
from newscorpus.nlp import Annotator

TEMPEVAL = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "tempeval3"
# UzZaman et al. 2013 (SemEval-2013 Task 1), Table 3, on platinum: strict F1, relaxed F1, value F1.
PUBLISHED = [("HeidelTime-t", 81.34, 90.30, 77.61), ("NavyTime-1,2", 79.57, 90.32, 70.97),
             ("ManTIME-4", 74.33, 89.66, 68.97), ("SUTime", 79.57, 90.32, 67.38), ("ClearTK-1,2", 82.71, 90.23, 64.66)]


def run_set(name: str, annotator: Annotator, show_errors: bool) -> tuple[dict[str, object], float, int, int]:
    """Score one set; returns the scorer's figures, the dates component's seconds, documents and characters."""
    scorer = [sys.executable, str(TEMPEVAL / "score.py")]
    component = annotator.nlp.get_pipe("newscorpus_dates")
    upstream = [n for n in annotator.nlp.pipe_names if not n.startswith("newscorpus_")]
    spent, count, chars = 0.0, 0, 0
    with tempfile.TemporaryDirectory() as folder:
        exported, system = Path(folder) / "text", Path(folder) / "system"
        system.mkdir()
        subprocess.run([*scorer, "export", str(TEMPEVAL / name), str(exported)], check=True, capture_output=True)
        for text_file in sorted(exported.glob("*.txt")):
            with open(text_file, encoding="utf-8", newline="") as handle:
                text = handle.read()
            dct = date.fromisoformat(text_file.with_suffix(".dct").read_text(encoding="utf-8").strip()[:10])
            doc = annotator.nlp.make_doc(text)
            doc._.newscorpus_dct = dct
            with annotator.nlp.select_pipes(enable=upstream):
                doc = annotator.nlp(doc)
            started = time.perf_counter()
            doc = component(doc)
            spent += time.perf_counter() - started
            count, chars = count + 1, chars + len(text)
            dates = [{"text": d.text, "start": d.start, "end": d.end, "value": d.value or "", "type": d.type}
                     for d in doc._.newscorpus_dates]
            (system / f"{text_file.stem}.json").write_text(json.dumps({"dates": dates}), encoding="utf-8")
        if show_errors:
            subprocess.run([*scorer, "score", str(TEMPEVAL / name), str(system), "--errors"], check=True)
        result = subprocess.run([*scorer, "score", str(TEMPEVAL / name), str(system), "--json"],
                                check=True, capture_output=True, text=True)
    return json.loads(result.stdout), spent, count, chars


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sets", nargs="*", default=["train", "platinum"])
    parser.add_argument("--errors", action="store_true", help="list every miss and wrong value (train only!)")
    args = parser.parse_args()
    annotator = Annotator(Settings().spacy_model)
    for name in args.sets:
        scores, spent, count, chars = run_set(name, annotator, args.errors)
        overall = scores["overall"] if "overall" in scores else scores
        strict, relaxed, value = (overall["strict"]["f1"], overall["relaxed"]["f1"], overall["value"]["f1"])  # type: ignore[index]
        print(f"\n{name}: {count} documents; newscorpus_dates component {1000 * spent / count:.3f} ms per document "
              f"({1000 * spent / chars * 5000:.3f} ms per 5,000 characters, a long news article)")
        print(f"{'system':16}{'strict F1':>10}{'relaxed F1':>11}{'value F1':>9}{'type acc':>9}")
        print(f"{'newscorpus':16}{100 * strict:10.2f}{100 * relaxed:11.2f}{100 * value:9.2f}"
              f"{100 * overall['type_accuracy']:9.2f}")  # type: ignore[index]
        if name == "platinum":
            for system, s, r, v in PUBLISHED:
                print(f"{system:16}{s:10.2f}{r:11.2f}{v:9.2f}{'':>9}")


if __name__ == "__main__":
    main()
