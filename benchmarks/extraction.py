"""Article extraction on the 195 newsmirror pages against their ground truth, beside trafilatura's default.

Body: bag-of-words token F1 against `body` (the README's measure). Title: exact match (white space folded)
against `title`. Date: same calendar day as `date`, over the pages whose truth has one.

    python benchmarks/extraction.py
"""

from __future__ import annotations

import json
import re
import statistics
import time
import warnings
from collections import Counter
from pathlib import Path

import trafilatura

from newscorpus.crawler import extract_article
from newscorpus.errors import ExtractionError

MIRROR = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "newsmirror"


def tokens(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.lower()))


def token_f1(found: str, truth: str) -> float:
    a, b = tokens(found), tokens(truth)
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def fold(text: str | None) -> str:
    return " ".join((text or "").split())


def main() -> None:
    rows = []
    ours_seconds = baseline_seconds = 0.0
    for truth_file in sorted((MIRROR / "truth").glob("*.json")):
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        html = (MIRROR / "pages" / f"{truth['id']}.html").read_bytes()
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            baseline = trafilatura.bare_extraction(html.decode("utf-8", "replace"), url=truth["url"], with_metadata=True)
        baseline_seconds += time.perf_counter() - started
        started = time.perf_counter()
        try:
            article = extract_article(html, truth["url"])
            text, title, published = article.text, article.title, article.published
        except ExtractionError:
            text, title, published = "", None, None
        ours_seconds += time.perf_counter() - started
        rows.append({
            "ours_f1": token_f1(text, truth["body"]),
            "base_f1": token_f1(baseline.text if baseline else "", truth["body"]),
            "ours_title": fold(title) == fold(truth["title"]),
            "base_title": fold(baseline.title if baseline else None) == fold(truth["title"]),
            "has_date": bool(truth.get("date")),
            "ours_date": bool(truth.get("date")) and (published or "")[:10] == truth["date"][:10],
            "base_date": bool(truth.get("date")) and ((baseline.date if baseline else None) or "")[:10] == truth["date"][:10],
        })
    dated = [r for r in rows if r["has_date"]]
    print(f"{len(rows)} pages ({len(dated)} with a truth date)")
    print(f"{'':26}{'newscorpus':>12}{'trafilatura':>13}")
    for label, key in [("body token F1, mean", "f1")]:
        print(f"{label:26}{statistics.mean(r['ours_' + key] for r in rows):12.3f}"
              f"{statistics.mean(r['base_' + key] for r in rows):13.3f}")
    print(f"{'body token F1, median':26}{statistics.median(r['ours_f1'] for r in rows):12.3f}"
          f"{statistics.median(r['base_f1'] for r in rows):13.3f}")
    print(f"{'title exact match':26}{sum(r['ours_title'] for r in rows) / len(rows):12.3f}"
          f"{sum(r['base_title'] for r in rows) / len(rows):13.3f}")
    print(f"{'date, same day':26}{sum(r['ours_date'] for r in dated) / len(dated):12.3f}"
          f"{sum(r['base_date'] for r in dated) / len(dated):13.3f}")
    print(f"{'pages per second':26}{len(rows) / ours_seconds:12.1f}{len(rows) / baseline_seconds:13.1f}")


if __name__ == "__main__":
    main()
