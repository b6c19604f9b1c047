"""`newscorpus extract`: the NLP on any text, storing nothing."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any

from newscorpus.config import Settings
from newscorpus.errors import ExtractionError
from newscorpus.models import Annotations
from newscorpus.nlp import Annotator, annotate_many, reference_date


def decode_text(raw: bytes, origin: str) -> str:
    """UTF-8 text for the NLP; raises ExtractionError for empty or binary input."""
    if b"\x00" in raw:
        raise ExtractionError(f"{origin} looks binary (it contains NUL bytes); give UTF-8 text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractionError(f"{origin} is not UTF-8 text (bad byte at offset {exc.start})") from None
    if not text.strip():
        raise ExtractionError(f"{origin} is empty: nothing to extract")
    return text


def annotate_text(text: str, published: date, settings: Settings) -> Annotations:
    """The dates, places, laws and entities of one text."""
    return Annotator(settings.spacy_model, settings.nlp_batch_size, settings.laws_registry).annotate(text, published)


def extract_jsonl(lines: Iterable[bytes], settings: Settings, default_day: date, workers: int,
                  write: Callable[[str], None]) -> int:
    """Annotate one {"id", "text", "published"} record per line, writing one JSON result per line, in order.

    A line that is not such a record yields {"id", "line", "error"} with empty lists; returns how many did.
    """
    empty = Annotations().to_dict()
    bad = 0

    def records() -> Iterator[tuple[tuple[int, Any, str | None], str, date | None]]:
        nonlocal bad
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            key, text, published, error = _parse_record(line)
            bad += error is not None
            yield (number, key, error), text, published or default_day

    for (number, key, error), found in annotate_many(records(), settings.spacy_model, workers,
                                                      settings.nlp_batch_size, settings.laws_registry):
        result = {"id": key, "line": number, "error": error, **empty} if error else {"id": key, **found.to_dict()}
        write(json.dumps(result, ensure_ascii=False))
    return bad


def _parse_record(line: bytes) -> tuple[Any, str, date | None, str | None]:
    """(id, text, publication date, error) of one JSON Lines record."""
    try:
        record = json.loads(line)
    except (ValueError, UnicodeDecodeError) as exc:
        return None, "", None, f"not JSON: {exc}"
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        return None, "", None, 'expected an object with a string "text"'
    published = record.get("published")
    day = reference_date(published) if isinstance(published, str) else None
    if published is not None and day is None:
        return record.get("id"), "", None, f"published is not an ISO date: {published!r}"
    return record.get("id"), record["text"], day, None
