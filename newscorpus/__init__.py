"""newscorpus: turn the public news stream into a searchable, analysable corpus."""

__version__ = "0.1.0"

__all__ = ["__version__"]
