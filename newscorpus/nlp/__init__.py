"""The NLP layer: a spaCy pipeline with components for dates, places and law references."""

from newscorpus.nlp.pipeline import Annotator, annotate_many, load_pipeline, reference_date

__all__ = ["Annotator", "annotate_many", "load_pipeline", "reference_date"]
