"""The encoder interface every vector family is made with (DESIGN.md section 3).

An encoder turns texts into float32, L2-normalized rows, so that inner product is
cosine similarity in every index. `describe()` is what an index manifest stores; an
index refuses to load under an encoder whose description differs (`check_compatible`),
because vectors of two models live in unrelated spaces even when their dimension agrees.
"""

from __future__ import annotations

import abc
import importlib.metadata
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from assetscout.errors import AssetScoutError, InvalidInput

NORMALIZATION = "l2"
MAX_BATCH_SIZE = 65_536

# Fields of `describe()` that must agree for vectors to be comparable. Library
# versions are recorded for the reader but do not refuse a load.
IDENTITY_FIELDS: tuple[str, ...] = ("model", "dim", "normalization", "fingerprint")


class MissingDependency(AssetScoutError, ImportError):
    """An optional library an encoder needs is not installed; the message says what to install."""


def library_versions(distributions: Sequence[str]) -> dict[str, str | None]:
    """Installed versions of the given distributions, read from metadata (imports nothing)."""
    out: dict[str, str | None] = {}
    for dist in distributions:
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[dist] = None
    return out


def check_texts(texts: Sequence[str], *, parameter: str = "texts") -> list[str]:
    """A list of str, or InvalidInput. A bare str is refused: it would be encoded per character."""
    if isinstance(texts, (str, bytes)):
        raise InvalidInput(f"{parameter} must be a list of str, not a single {type(texts).__name__}")
    try:
        items = list(texts)
    except TypeError:
        raise InvalidInput(f"{parameter} must be a list of str, got {type(texts).__name__}") from None
    for i, text in enumerate(items):
        if not isinstance(text, str):
            raise InvalidInput(f"{parameter}[{i}] must be str, got {type(text).__name__}")
    return items


def check_batch_size(batch_size: int) -> int:
    """Batch size in 1..MAX_BATCH_SIZE, or InvalidInput naming the parameter."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise InvalidInput(f"batch_size must be an int in 1..{MAX_BATCH_SIZE}, got {batch_size!r}")
    return batch_size


def l2_normalize(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (float32). An all-zero row stays zero rather than NaN."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, np.float32(1e-12))


class Encoder(abc.ABC):
    """Texts -> float32 [n, dim] rows of unit L2 norm.

    Subclasses implement `name`, `dim` and `_encode`; `encode` checks the input and the
    backend's output in one place so that every backend honours the same contract.
    """

    #: Distributions whose versions `describe()` records (subclasses extend it).
    libraries: tuple[str, ...] = ("numpy",)

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """Model identifier recorded in the catalog and in cache keys."""

    @property
    @abc.abstractmethod
    def dim(self) -> int:
        """Length of every vector this encoder returns."""

    @property
    def normalize(self) -> bool:
        """Always True: rows are L2-normalized so inner product is cosine."""
        return True

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, progress: bool = False) -> np.ndarray:
        """Encode `texts` into a float32 array [len(texts), dim] of unit-norm rows."""
        items = check_texts(texts)
        check_batch_size(batch_size)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        raw = self._encode(items, batch_size=batch_size, progress=bool(progress))
        out = np.asarray(raw, dtype=np.float32)
        if out.shape != (len(items), self.dim):
            raise AssetScoutError(
                f"encoder {self.name} returned shape {out.shape}, expected {(len(items), self.dim)}")
        if not np.isfinite(out).all():
            raise AssetScoutError(f"encoder {self.name} returned non-finite values")
        return np.ascontiguousarray(l2_normalize(out))

    @abc.abstractmethod
    def _encode(self, texts: list[str], *, batch_size: int, progress: bool) -> np.ndarray:
        """Backend work: `texts` is a non-empty, checked list."""

    def describe(self) -> dict[str, Any]:
        """How vectors are made: stored in index manifests and compared on load."""
        info: dict[str, Any] = {
            "model": self.name,
            "dim": self.dim,
            "normalization": NORMALIZATION,
            "encoder": type(self).__name__,
            "libraries": library_versions(self.libraries),
        }
        info.update(self._describe_extra())
        return info

    def _describe_extra(self) -> dict[str, Any]:
        """Backend-specific facts (max sequence length, weights fingerprint, ...)."""
        return {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


def check_compatible(stored: Mapping[str, Any], current: Mapping[str, Any], *, what: str = "index") -> None:
    """Refuse to use vectors made by another encoder than the configured one.

    Compares the identity fields of two `describe()` dicts; a field absent from either
    side is not compared (older manifests). Raises InvalidInput that names every
    difference and the way out (configure the recorded encoder, or rebuild).
    """
    diffs = [
        f"{key}: {what} has {stored[key]!r}, configured encoder has {current[key]!r}"
        for key in IDENTITY_FIELDS
        if key in stored and key in current and stored[key] != current[key]
    ]
    if diffs:
        raise InvalidInput(
            f"this {what} was built with another encoder ({'; '.join(diffs)}); "
            f"configure the encoder it was built with, or rebuild the {what}")
