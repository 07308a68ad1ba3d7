"""A deterministic, model-free encoder for tests everywhere in the project.

Signed feature hashing of word n-grams (the "hashing trick"), which is a random
projection of the bag of n-grams into `dim` dimensions: texts sharing words get
correlated vectors, unrelated texts nearly orthogonal ones. Same text, same vector,
in every process and on every machine (blake2b, not Python's salted `hash`).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from functools import lru_cache

import numpy as np

from assetscout.embed.base import Encoder
from assetscout.errors import InvalidInput

_WORD = re.compile(r"[^\W_]+")
_EMPTY_FEATURE = "\x00empty"


@lru_cache(maxsize=1 << 17)
def _bucket(feature: str, salt: str, dim: int) -> tuple[int, float]:
    digest = hashlib.blake2b(f"{salt}\x1f{feature}".encode(), digest_size=8).digest()
    value = int.from_bytes(digest, "little")
    return value % dim, (1.0 if value >> 63 else -1.0)


def word_ngrams(text: str, max_n: int) -> Counter[str]:
    """Lower-cased word n-grams (n = 1..max_n) with counts; words split on non-alphanumerics."""
    words = _WORD.findall(text.lower())
    grams: Counter[str] = Counter(words)
    for n in range(2, max_n + 1):
        grams.update(" ".join(words[i:i + n]) for i in range(len(words) - n + 1))
    return grams


class HashingEncoder(Encoder):
    """Hashed bag of word n-grams, sublinear counts, longer n-grams weighted 1/n.

    dim: output size (8..65536). max_ngram: longest word n-gram hashed (1..5).
    seed: salt of the hash; a different seed is a different encoder (and name).
    """

    def __init__(self, dim: int = 384, *, max_ngram: int = 2, seed: int = 0) -> None:
        if isinstance(dim, bool) or not isinstance(dim, int) or not 8 <= dim <= 65_536:
            raise InvalidInput(f"dim must be an int in 8..65536, got {dim!r}")
        if isinstance(max_ngram, bool) or not isinstance(max_ngram, int) or not 1 <= max_ngram <= 5:
            raise InvalidInput(f"max_ngram must be an int in 1..5, got {max_ngram!r}")
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise InvalidInput(f"seed must be an int >= 0, got {seed!r}")
        self._dim = dim
        self._max_ngram = max_ngram
        self._seed = seed
        self._salt = f"assetscout-hashing-v1:{seed}"

    @property
    def name(self) -> str:
        return f"assetscout/hashing-v1-d{self._dim}-n{self._max_ngram}-s{self._seed}"

    @property
    def dim(self) -> int:
        return self._dim

    def _encode(self, texts: list[str], *, batch_size: int, progress: bool) -> np.ndarray:
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for row, text in enumerate(texts):
            grams = word_ngrams(text, self._max_ngram) or Counter({_EMPTY_FEATURE: 1})
            for gram, count in grams.items():
                index, sign = _bucket(gram, self._salt, self._dim)
                weight = (1.0 + math.log(count)) / (gram.count(" ") + 1)
                out[row, index] += sign * weight
            if not out[row].any():  # features cancelled out exactly: fall back to a fixed direction
                index, sign = _bucket(_EMPTY_FEATURE, self._salt, self._dim)
                out[row, index] = sign
        return out

    def _describe_extra(self) -> dict[str, object]:
        return {"max_ngram": self._max_ngram, "seed": self._seed}
