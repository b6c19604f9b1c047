"""newscorpus: turn the public news stream into a searchable, analysable corpus.

    from newscorpus import Corpus    # the Python API (newscorpus.api)
"""

from typing import Any

__version__ = "0.1.0"

__all__ = ["Corpus", "__version__"]


def __getattr__(name: str) -> Any:
    # Corpus is imported when first used: `import newscorpus` stays light (no spaCy, no index) for the CLI.
    if name == "Corpus":
        from newscorpus.api import Corpus

        return Corpus
    raise AttributeError(f"module 'newscorpus' has no attribute {name!r}")
