"""Places and dates on ordinary world news: newsmirror stories (../shared/benchmarks/newsmirror/truth) and, for
dates, the dated articles of the laws benchmark (../shared/benchmarks/laws/texts.jsonl: outlets in India,
Kenya, Nigeria, Pakistan and the Philippines) that we annotated by hand, scored the way users meet the results.

    python benchmarks/ordinary_news.py [--set check|tune] [--errors]

The gold is ids and character offsets into each story's text (benchmarks/checks/*.jsonl; the texts stay in
../shared). `check` (places.jsonl, dates.jsonl, dates_laws.jsonl: the laws benchmark's HELDOUT half) was
annotated by readers who never saw the system's output and is never tuned on, so --errors is refused for it;
`tune` (places_tune.jsonl, dates_tune.jsonl, dates_laws_tune.jsonl: its DEV half) is for looking at errors.
A year that is part of a law's name ("the Anti-Terrorism Act 1997") is a name, not a date.

Places: recognition precision and recall (spans exactly as annotated, and overlapping), and the right country
for the places found. Spans annotated "ignore" (a place inside an organisation's name, a capital standing for
its government, a facility) count neither way.
Dates: as the `mentions:` filter sees them. Only values that name a period of the calendar count (durations,
sets and PRESENT_REF-like references are left out), and a value is right when it falls in the same periods as
the gold one. Also: records with no value, and records that run across a paragraph break.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from newscorpus.config import Settings
from newscorpus.corpus.mentions import mention_terms
from newscorpus.models import Annotations
from newscorpus.nlp import Annotator

SHARED = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"
TRUTH = SHARED / "newsmirror" / "truth"
LAW_TEXTS = SHARED / "laws" / "texts.jsonl"
CHECKS = Path(__file__).resolve().parent / "checks"
# Each set: its places files, and its dates files (newsmirror stories; the laws benchmark's dated articles, a
# second kind of news: Indian, Kenyan, Nigerian, Pakistani and Philippine outlets).
SETS = {"check": (("places.jsonl",), ("dates.jsonl", "dates_laws.jsonl")),
        "tune": (("places_tune.jsonl",), ("dates_tune.jsonl", "dates_laws_tune.jsonl"))}


def load(name: str) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in (CHECKS / name).read_text(encoding="utf-8").split("\n") if line.strip()]
    laws = {}
    if any(row.get("corpus") == "laws" for row in rows):
        # split at newlines only: splitlines() also splits at the U+2028 some texts hold
        laws = {r["id"]: r for r in (json.loads(line) for line in LAW_TEXTS.read_text(encoding="utf-8").split("\n")
                                      if line.strip())}
    for row in rows:
        if row.get("corpus") == "laws":
            body, annotated = laws[row["id"]]["text"], row["text_sha1"]
        else:
            body, annotated = json.loads((TRUTH / f"{row['id']}.json").read_text(encoding="utf-8"))["body"], \
                row["body_sha1"]
        if hashlib.sha1(body.encode()).hexdigest() != annotated:
            sys.exit(f"{row['id']}: the story's text is not the one annotated")
        row["body"] = body
        if "dct" not in row:  # a story the truth gives no date has none: its relative dates stay unresolved
            row["dct"] = (json.loads((TRUTH / f"{row['id']}.json").read_text())["date"] or "")[:10] or None
    return rows


def _overlaps(a: dict[str, Any] | Any, start: int, end: int) -> bool:
    return bool(a["start"] < end and start < a["end"])


def score_places(rows: list[dict[str, Any]], found: list[Annotations], errors: bool) -> dict[str, float]:
    exact = overlapping = system = gold = right_country = exact_gold = overlapping_gold = 0
    for row, story in zip(rows, found, strict=True):
        places = [p for p in row["places"] if not p.get("ignore")]
        ignored = [p for p in row["places"] if p.get("ignore")]
        gold += len(places)
        exact_gold += sum(any((m.start, m.end) == (p["start"], p["end"]) for m in story.places) for p in places)
        overlapping_gold += sum(any(_overlaps(p, m.start, m.end) for m in story.places) for p in places)
        for mention in story.places:
            hits = [p for p in places if _overlaps(p, mention.start, mention.end)]
            if not hits and any(_overlaps(p, mention.start, mention.end) for p in ignored):
                continue
            system += 1
            if not hits:
                if errors:
                    print(f"  false place  {row['id']} {mention.text!r} -> {mention.name}, {mention.country_code}")
                continue
            overlapping += 1
            exact += any((p["start"], p["end"]) == (mention.start, mention.end) for p in hits)
            if (mention.country_code or "") == hits[0]["country"]:
                right_country += 1
            elif errors:
                print(f"  wrong country {row['id']} {mention.text!r} -> {mention.name}, {mention.country_code} "
                      f"(gold {hits[0]['country'] or 'none'})")
        if errors:
            for place in places:
                if not any(_overlaps(place, m.start, m.end) for m in story.places):
                    print(f"  missed       {row['id']} {row['body'][place['start']:place['end']]!r}")
    return {"precision": exact / max(system, 1), "recall": exact_gold / max(gold, 1),
            "overlap precision": overlapping / max(system, 1), "overlap recall": overlapping_gold / max(gold, 1),
            "right country": right_country / max(overlapping, 1), "gold": gold, "found": system}


def score_dates(rows: list[dict[str, Any]], found: list[Annotations], errors: bool) -> dict[str, float]:
    system = gold = matched = right = no_value = across = records = found_gold = right_gold = 0
    for row, story in zip(rows, found, strict=True):
        dates = [d for d in row["dates"] if mention_terms(d["value"])]
        gold += len(dates)
        visible = [m for m in story.dates if mention_terms(m.value)]
        found_gold += sum(any(_overlaps(d, m.start, m.end) for m in visible) for d in dates)
        right_gold += sum(any(_overlaps(d, m.start, m.end) and mention_terms(m.value) == mention_terms(d["value"])
                              for m in visible) for d in dates)
        for mention in story.dates:
            records += 1
            no_value += not mention.value
            across += "\n" in mention.text
            if not mention_terms(mention.value):
                continue
            system += 1
            hit = next((d for d in dates if _overlaps(d, mention.start, mention.end)), None)
            if hit is None:
                if errors:
                    print(f"  false date   {row['id']} {mention.text!r} -> {mention.value}")
                continue
            matched += 1
            right += mention_terms(mention.value) == mention_terms(hit["value"])
            if errors and mention_terms(mention.value) != mention_terms(hit["value"]):
                print(f"  wrong value  {row['id']} {mention.text!r} -> {mention.value} (gold {hit['value']}, "
                      f"published {row['dct']})")
        if errors:
            for gold_date in dates:
                if not any(_overlaps(gold_date, m.start, m.end) for m in story.dates):
                    print(f"  missed date  {row['id']} {row['body'][gold_date['start']:gold_date['end']]!r} "
                          f"({gold_date['value']})")
    precision, recall = right / max(system, 1), right_gold / max(gold, 1)
    return {"value F1": 2 * precision * recall / max(precision + recall, 1e-9), "value precision": precision,
            "value recall": recall, "right value of found": right / max(matched, 1),
            "detection recall": found_gold / max(gold, 1), "records": records, "records with no value": no_value,
            "records across a paragraph break": across}


def annotate(annotator: Annotator, rows: list[dict[str, Any]]) -> list[Annotations]:
    return list(annotator.annotate_batch((row["body"], date.fromisoformat(row["dct"]) if row["dct"] else None)
                                     for row in rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=sorted(SETS), default="check")
    parser.add_argument("--errors", action="store_true", help="list the errors (tune set only)")
    args = parser.parse_args()
    if args.errors and args.set == "check":
        parser.error("the check set is never tuned on: --errors works with --set tune only")
    settings = Settings()
    annotator = Annotator(settings.spacy_model, settings.nlp_batch_size, settings.laws_registry)
    places_files, dates_files = SETS[args.set]
    for places_file in places_files:
        rows = load(places_file)
        for name, value in score_places(rows, annotate(annotator, rows), args.errors).items():
            print(f"places {places_file} ({len(rows)} stories)  {name:>18}: "
                  + (f"{value:.3f}" if isinstance(value, float) else str(value)))
    for dates_file in dates_files:
        rows = load(dates_file)
        for name, value in score_dates(rows, annotate(annotator, rows), args.errors).items():
            print(f"dates  {dates_file} ({len(rows)} stories)  {name:>32}: "
                  + (f"{value:.3f}" if isinstance(value, float) else str(value)))


if __name__ == "__main__":
    main()
