"""The NLP layer: a spaCy pipeline with components for dates, places and law references, and the look-ups a
search filter needs (`lookup`), which load no spaCy."""

from typing import TYPE_CHECKING, Any

from newscorpus.nlp.lookup import find_law, find_place

if TYPE_CHECKING:
    from newscorpus.nlp.pipeline import Annotator, annotate_many, load_pipeline, reference_date

__all__ = ["Annotator", "annotate_many", "find_law", "find_place", "load_pipeline", "reference_date"]


def __getattr__(name: str) -> Any:
    # The pipeline (and spaCy under it) loads when first used, not for a search that only looks up a filter.
    if name in ("Annotator", "annotate_many", "load_pipeline", "reference_date"):
        from newscorpus.nlp import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'newscorpus.nlp' has no attribute {name!r}")
