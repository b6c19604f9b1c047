"""Custom Doc attributes that the newscorpus components read and write (one `newscorpus_` prefix).

Every value is plain data (strings, numbers, lists and dicts), so `Doc.to_bytes()`, `DocBin(store_user_data=True)`
and `nlp.pipe(n_process=...)` carry it; `records` turns a component's list back into `models` dataclasses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from functools import cache
from datetime import date, datetime
from typing import TYPE_CHECKING, TypeVar

from spacy.tokens import Doc, Span

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

# Read: the document creation time ("YYYY-MM-DD") that relative dates resolve against.
# Written: one list of records (dicts with the fields of a models dataclass) per component.
_DOC_ATTRIBUTES = ("newscorpus_dct", "newscorpus_dates", "newscorpus_places", "newscorpus_focus", "newscorpus_laws")


Record = TypeVar("Record", bound="DataclassInstance")

_last_text: list[tuple[Doc, str]] = []  # the last Doc whose text a component read, and that text


def doc_text(doc: Doc) -> str:
    """The Doc's text, built once for all the components that read it: spaCy joins it anew from the tokens at each
    access, which costs more than some components' own work."""
    last = _last_text[0] if _last_text else None  # one read: another thread may replace it
    if last is not None and last[0] is doc:
        return last[1]
    text = doc.text
    _last_text[:] = [(doc, text)]
    return text


def register_extensions() -> None:
    """Declare the custom attributes once per process (idempotent)."""
    for name in _DOC_ATTRIBUTES:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


def set_records(doc: Doc, attribute: str, records: Iterable[DataclassInstance]) -> None:
    """Keep a component's results on the Doc as plain dicts (their fields are plain values: no deep copy, which
    `dataclasses.asdict` would make)."""
    doc._.set(attribute, [{name: getattr(record, name) for name in _field_names(type(record))} for record in records])


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    """A dataclass's field names, looked up once per class."""
    return tuple(field.name for field in fields(kind))


def records(doc: Doc, attribute: str, kind: type[Record]) -> list[Record]:
    """A component's results as `kind` dataclasses (lists that serialisation made of tuples become tuples again)."""
    return [kind(**{key: tuple(value) if isinstance(value, list) else value for key, value in row.items()})
            for row in doc._.get(attribute) or []]


def document_date(doc: Doc) -> date | None:
    """The document creation time set on a Doc ("YYYY-MM-DD", or a date), or None.

    Raises ValueError when it is set to something that is not a date.
    """
    value = doc._.newscorpus_dct
    if isinstance(value, datetime):
        return value.date()
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ValueError(f"doc._.newscorpus_dct must be a date such as '2024-05-08', not {value!r}") from None


def sentence_start(span: Span) -> int:
    """Where the span's sentence starts; a Doc without sentence boundaries (no parser) is one sentence."""
    return span.sent.start if span.doc.has_annotation("SENT_START") else 0
