"""Custom Doc attributes that the newscorpus components read and write (one `newscorpus_` prefix)."""

from __future__ import annotations

from spacy.tokens import Doc

# Read: the document creation time (a datetime.date) that relative dates resolve against.
# Written: one list of models dataclasses per component.
_DOC_ATTRIBUTES = ("newscorpus_dct", "newscorpus_dates", "newscorpus_places", "newscorpus_focus", "newscorpus_laws")


def register_extensions() -> None:
    """Declare the custom attributes once per process (idempotent)."""
    for name in _DOC_ATTRIBUTES:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)
