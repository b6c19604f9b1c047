"""Throughput of `newscorpus extract --jsonl` against a bare `nlp.pipe` of the same spaCy pipeline.

Texts: the ground-truth bodies of the 195 newsmirror articles (../shared/benchmarks/newsmirror/truth),
repeated --repeat times. Every run includes loading the pipeline, as a user's run does.

    python benchmarks/nlp.py [--repeat 1] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import io
import json
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import spacy

from newscorpus import ingest
from newscorpus.config import Settings

TRUTH = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "newsmirror" / "truth"


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


def newscorpus_extract(settings: Settings, lines: list[bytes], workers: int) -> int:
    sink = io.StringIO()
    bad = ingest.extract_jsonl(iter(lines), settings, date.today(), workers, lambda s: sink.write(s + "\n"))
    assert bad == 0
    return sink.getvalue().count("\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="times each of the 195 texts is processed")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    settings = Settings()
    records = load_texts(args.repeat)
    texts = [str(r["text"]) for r in records]
    lines = [json.dumps(r).encode() for r in records]
    chars = sum(map(len, texts))
    print(f"{len(texts)} texts, {chars / len(texts):,.0f} characters on average; pipeline {settings.spacy_model}, "
          f"batch size {settings.nlp_batch_size}")
    print(f"{'workers':>7}  {'bare nlp.pipe':>15}  {'extract --jsonl':>15}  {'time ratio':>10}")
    for workers in args.workers:
        bare, n_bare = timed(lambda w=workers: bare_pipe(settings.spacy_model, texts, w, settings.nlp_batch_size))
        ours, n_ours = timed(lambda w=workers: newscorpus_extract(settings, lines, w))
        assert n_bare == n_ours == len(texts)
        print(f"{workers:>7}  {n_bare / bare:>11.1f} d/s  {n_ours / ours:>11.1f} d/s  {ours / bare:>9.2f}x")


if __name__ == "__main__":
    main()
