"""Throughput of `newscorpus extract --jsonl` against a bare `nlp.pipe` of the same spaCy pipeline; and, with
--baseline, of another checkout's (an earlier commit, e.g. a `git worktree`) in the same run.

Texts: the ground-truth bodies of the 195 newsmirror articles (../shared/benchmarks/newsmirror/truth),
repeated --repeat times. Every run includes loading the pipeline, as a user's run does; each checkout's
extract runs in a fresh process that imports newscorpus from that checkout.

    python benchmarks/nlp.py [--repeat 1] [--workers 1 2] [--baseline ../base-checkout]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import spacy

from newscorpus.config import Settings

TRUTH = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "newsmirror" / "truth"
HERE = Path(__file__).resolve().parents[1]
# Run in the checkout under test: extract every line, print the seconds and the number of results.
_EXTRACT = """
import sys, time
from datetime import date
from newscorpus.app.extract import extract_jsonl
from newscorpus.config import Settings
lines = open(sys.argv[1], "rb").read().splitlines()
written = []
started = time.perf_counter()
bad = extract_jsonl(iter(lines), Settings(), date.today(), int(sys.argv[2]), written.append)
print(time.perf_counter() - started, len(written) - bad)
"""


def load_texts(repeat: int) -> list[dict[str, object]]:
    records = []
    for path in sorted(TRUTH.glob("*.json")):
        truth = json.loads(path.read_text(encoding="utf-8"))
        records.append({"id": truth["id"], "text": truth["body"], "published": (truth.get("date") or "")[:10] or None})
    return [dict(r, id=f"{r['id']}#{i}") for i in range(repeat) for r in records]


def timed(run: Callable[[], int]) -> tuple[float, int]:
    started = time.perf_counter()
    count = run()
    return time.perf_counter() - started, count


def bare_pipe(model: str, texts: list[str], workers: int, batch_size: int) -> int:
    nlp = spacy.load(model)
    return sum(1 for _ in nlp.pipe(texts, batch_size=batch_size, n_process=workers))


def extract_in(checkout: Path, lines: Path, workers: int) -> tuple[float, int]:
    """Seconds `extract --jsonl` takes in `checkout`, and the number of articles it annotated."""
    env = dict(os.environ, PYTHONPATH=str(checkout))
    out = subprocess.run([sys.executable, "-c", _EXTRACT, str(lines), str(workers)], env=env, cwd=checkout,
                         check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), int(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="times each of the 195 texts is processed")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--baseline", type=Path, help="another checkout of newscorpus to time in the same run")
    args = parser.parse_args()
    settings = Settings()
    records = load_texts(args.repeat)
    texts = [str(r["text"]) for r in records]
    chars = sum(map(len, texts))
    print(f"{len(texts)} texts, {chars / len(texts):,.0f} characters on average; pipeline {settings.spacy_model}, "
          f"batch size {settings.nlp_batch_size}")
    checkouts = {"this": HERE, **({"baseline": args.baseline.resolve()} if args.baseline else {})}
    print(f"{'workers':>7}  {'bare nlp.pipe':>15}" + "".join(f"  {name + ' extract':>16}  {'ratio':>6}"
                                                        for name in checkouts))
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8") as lines:
        lines.write("".join(json.dumps(r) + "\n" for r in records))
        lines.flush()
        for workers in args.workers:
            bare, n_bare = timed(lambda w=workers: bare_pipe(settings.spacy_model, texts, w, settings.nlp_batch_size))
            row = f"{workers:>7}  {n_bare / bare:>11.1f} d/s"
            for checkout in checkouts.values():
                seconds, annotated = extract_in(checkout, Path(lines.name), workers)
                assert annotated == n_bare == len(texts)
                row += f"  {annotated / seconds:>12.1f} d/s  {seconds / bare:>5.2f}x"
            print(row)


if __name__ == "__main__":
    main()
