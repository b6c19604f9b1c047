"""The NLP layer: a spaCy pipeline with components for dates, places and law references."""

from newscorpus.nlp._lawregistry import find_law
from newscorpus.nlp.components.places import find_place
from newscorpus.nlp.pipeline import Annotator, annotate_many, load_pipeline, reference_date

__all__ = ["Annotator", "annotate_many", "find_law", "find_place", "load_pipeline", "reference_date"]
