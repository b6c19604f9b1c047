"""Near-duplicate detection: MinHash signatures of word shingles (datasketch), banded for LSH.

Syndicated wire copy with another headline, other boilerplate, or a paragraph dropped, added or moved
keeps most of its word 4-grams; distinct stories on the same topic share few. Parameters:
128 permutations in 32 bands of 4 rows (candidates from a Jaccard similarity of about 0.42 up),
confirmed when the estimated similarity is at least 0.5.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
SHINGLE_WORDS = 4
THRESHOLD = 0.5
_SEED = 1
_WORD = re.compile(r"\w+")


@cache
def _permutations() -> Any:
    """One set of permutations for the whole process: building them is the costly part of a MinHash. (datasketch
    loads SciPy: it is imported here, when a crawl first needs it, not by every command that opens the store.)"""
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=_SEED, scheme="affine32").permutations


@dataclass(frozen=True)
class Signature:
    """A document's MinHash signature and the LSH bucket of each band."""

    values: np.ndarray
    buckets: list[int]

    def to_bytes(self) -> bytes:
        return self.values.astype(np.uint32).tobytes()

    @staticmethod
    def values_from(blob: bytes) -> np.ndarray:
        return np.frombuffer(blob, dtype=np.uint32)


def shingles(text: str) -> set[bytes]:
    """Word 4-grams of the lower-cased text (the whole text when it is shorter)."""
    words = _WORD.findall(text.lower())
    if len(words) <= SHINGLE_WORDS:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i:i + SHINGLE_WORDS]).encode() for i in range(len(words) - SHINGLE_WORDS + 1)}


def signature(text: str) -> Signature:
    """The MinHash signature of a text and its band buckets."""
    from datasketch import MinHash

    minhash = MinHash(num_perm=NUM_PERM, seed=_SEED, permutations=_permutations(), scheme="affine32")
    grams = shingles(text)
    if grams:
        minhash.update_batch(list(grams))
    values = minhash.hashvalues.astype(np.uint32)
    buckets = [_bucket(band, values[band * ROWS:(band + 1) * ROWS]) for band in range(BANDS)]
    return Signature(values, buckets)


def _bucket(band: int, rows: np.ndarray) -> int:
    digest = hashlib.blake2b(rows.tobytes(), digest_size=8, person=band.to_bytes(2, "little")).digest()
    return int.from_bytes(digest, "little", signed=True)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the shingle sets behind two signatures."""
    return float(np.count_nonzero(a == b)) / NUM_PERM
