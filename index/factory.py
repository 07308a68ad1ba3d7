"""Make or open a vector index by backend name; the one place that knows every backend."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal

from assetscout.errors import CatalogError, InvalidInput
from assetscout.index.base import VectorIndex

Backend = Literal["faiss", "exact"]
BACKENDS: tuple[Backend, ...] = ("faiss", "exact")


def backend_class(backend: str) -> type[VectorIndex]:
    """The class implementing `backend` (imports are local: FAISS loads only when used)."""
    if backend == "faiss":
        from assetscout.index.faiss_index import FaissIndex

        return FaissIndex
    if backend == "exact":
        from assetscout.index.exact import ExactIndex

        return ExactIndex
    raise CatalogError(f"unknown vector index backend {backend!r}; known: {', '.join(BACKENDS)}")


def create_index(
    backend: Backend,
    dim: int,
    *,
    factory: str | None = None,
    expected_size: int | None = None,
    encoder: Mapping[str, Any] | None = None,
) -> VectorIndex:
    """A new empty index.

    For 'faiss', `factory` is a FAISS factory string ('Flat', 'HNSW32', 'IVF1024,Flat');
    left out, it follows `expected_size`: 'Flat' below 50,000 vectors (or when the size
    is unknown), 'HNSW32' above. 'exact' takes neither.
    """
    if backend == "faiss":
        from assetscout.index.faiss_index import FaissIndex

        return FaissIndex(dim, factory=factory, expected_size=expected_size, encoder=encoder)
    if backend == "exact":
        if factory not in (None, "exact"):
            raise InvalidInput(f"factory: the exact backend takes no factory string, got {factory!r}")
        from assetscout.index.exact import ExactIndex

        return ExactIndex(dim, encoder=encoder)
    raise InvalidInput(f"backend: must be one of {', '.join(BACKENDS)}, got {backend!r}")


def load_index(
    directory: str | os.PathLike[str], *, expect_encoder: Mapping[str, Any] | None = None
) -> VectorIndex:
    """Open a saved vector index of any backend (see `VectorIndex.load`)."""
    return VectorIndex.load(directory, expect_encoder=expect_encoder)
