"""The vector index interface every backend implements, and what they share.

A `VectorIndex` holds L2-normalized float32 vectors under int64 ids chosen by the
caller (the catalog maps ids to assets and columns) and answers top-k inner-product
queries, optionally restricted to an allowed set of ids. Vectors and queries are
normalized on the way in, so scores are cosine similarities whatever the caller sends.

Results always have shape [n_queries, k]; when fewer than k vectors qualify, the tail is
padded with score -inf and id -1 (ids must therefore be >= 0). Every search records how
it ran in `last_plan` so that benchmarks and the planner's explain output can show it
(per index object: with concurrent searches it shows one of them). Searches may run
concurrently; add / remove / save need the caller to exclude other calls.

Persistence is a directory: `manifest.json` (format version, backend, factory string,
dim, count, the encoder that made the vectors, library versions) plus backend files, all
written atomically (see `storage`). `load(..., expect_encoder=...)` refuses an index made
by another encoder: its vectors would be silently meaningless to the new one.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeVar

import numpy as np

from assetscout.errors import CatalogError, InvalidInput
from assetscout.index import storage

METRIC = "inner_product"
VECTOR_KIND = "vector_index"

Strategy = Literal["empty", "scan", "subset_scan", "bitmap_scan", "faiss", "faiss_selector"]

T = TypeVar("T", bound="VectorIndex")

# An exact scan of more allowed rows than this reads the stored vectors in place and masks
# the others out instead of copying the allowed rows out first: past a few thousand rows
# the copy costs more than the arithmetic it saves.
GATHER_MAX_ROWS = 4096


class EncoderMismatch(CatalogError):
    """A stored index was built by another encoder than the one configured now."""


@dataclass(frozen=True)
class SearchPlan:
    """How one `search` call ran.

    strategy: "scan" (brute force over every vector), "subset_scan" (brute force over the
    gathered allowed vectors), "bitmap_scan" (brute force over the allowed vectors in
    place, skipping the others by a bitmap), "faiss" (the FAISS index as is),
    "faiss_selector" (FAISS with an id selector), "empty" (nothing could match).
    `n_fallback` counts queries whose FAISS answer came back short and were re-run by an
    exact scan.
    """

    strategy: Strategy
    n_queries: int
    k: int
    n_candidates: int
    selectivity: float
    n_fallback: int = 0
    params: Mapping[str, int] = field(default_factory=dict)


# --- input checks -----------------------------------------------------------------


def check_dim(dim: object) -> int:
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or not 1 <= int(dim) <= 65536:
        raise InvalidInput(f"dim: must be an integer in [1, 65536], got {dim!r}")
    return int(dim)


def check_k(k: object) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or int(k) < 1:
        raise InvalidInput(f"k: must be an integer >= 1, got {k!r}")
    return int(k)


def check_ids(ids: object, name: str = "ids", *, unique: bool = True) -> np.ndarray:
    """A 1-D int64 array of ids >= 0 (-1 is the padding id); duplicates refused if `unique`."""
    arr = np.asarray(ids)
    if arr.size == 0:
        return np.zeros(0, np.int64)
    if arr.ndim != 1:
        raise InvalidInput(f"{name}: must be one-dimensional, got shape {arr.shape}")
    if arr.dtype.kind not in "iu":
        raise InvalidInput(f"{name}: must be integers, got dtype {arr.dtype}")
    if arr.dtype.kind == "u" and arr.max() > np.iinfo(np.int64).max:
        raise InvalidInput(f"{name}: must fit in int64, got {int(arr.max())}")
    arr = arr.astype(np.int64, copy=False)
    if arr.min() < 0:
        raise InvalidInput(f"{name}: must be >= 0 (-1 marks padding), got {int(arr.min())}")
    if unique:
        uniq, counts = np.unique(arr, return_counts=True)
        if len(uniq) != len(arr):
            raise InvalidInput(f"{name}: duplicate ids, e.g. {uniq[counts > 1][:5].tolist()}")
    return arr


def check_allowed(allowed: object) -> np.ndarray | None:
    """The allowed ids as a sorted unique int64 array (negative ids can never match).

    Pass them sorted to skip a sort per call.
    """
    if allowed is None:
        return None
    arr = np.asarray(allowed)
    if arr.size == 0:
        return np.zeros(0, np.int64)
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        raise InvalidInput(f"allowed: must be a 1-D array of integer ids, got {arr.dtype} {arr.shape}")
    arr = arr.astype(np.int64, copy=False)
    if not np.all(arr[1:] > arr[:-1]):  # already sorted and unique (as SQL ORDER BY gives): no sort
        arr = np.unique(arr)
    return arr[np.searchsorted(arr, 0):]


def check_vectors(vectors: object, dim: int, name: str = "vectors") -> np.ndarray:
    """A C-contiguous float32 [n, dim] copy with finite, non-zero rows, L2-normalized."""
    try:
        arr = np.array(vectors, dtype=np.float32, ndmin=2, copy=True)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{name}: not a numeric array ({exc})") from exc
    if arr.ndim != 2 or arr.shape[1] != dim:
        raise InvalidInput(f"{name}: expected shape [n, {dim}], got {list(arr.shape)}")
    finite = np.isfinite(arr).all(axis=1)
    if not finite.all():
        raise InvalidInput(f"{name}: row {int(np.flatnonzero(~finite)[0])} has NaN or infinite values")
    norms = np.linalg.norm(arr, axis=1)
    if arr.shape[0] and norms.min() == 0.0:
        raise InvalidInput(f"{name}: row {int(np.argmin(norms))} is all zeros and has no direction")
    arr /= norms[:, None]
    return np.ascontiguousarray(arr)


def normalize_encoder(encoder: Mapping[str, Any], dim: int | None = None) -> dict[str, Any]:
    """Check an encoder description: model (str), dim (int), normalization (str), extras JSON scalars."""
    if not isinstance(encoder, Mapping):
        raise InvalidInput(f"encoder: must be a mapping with model, dim, normalization; got {encoder!r}")
    out = dict(encoder)
    missing = [key for key in ("model", "dim", "normalization") if key not in out]
    if missing:
        raise InvalidInput(f"encoder: missing {missing}; expected keys model, dim, normalization")
    if not isinstance(out["model"], str) or not out["model"]:
        raise InvalidInput(f"encoder: model must be a non-empty string, got {out['model']!r}")
    if isinstance(out["dim"], bool) or not isinstance(out["dim"], (int, np.integer)):
        raise InvalidInput(f"encoder: dim must be an integer, got {out['dim']!r}")
    out["dim"] = int(out["dim"])
    if dim is not None and out["dim"] != dim:
        raise InvalidInput(f"encoder: dim {out['dim']} differs from the index dim {dim}")
    if not isinstance(out["normalization"], str):
        raise InvalidInput(f"encoder: normalization must be a string such as 'l2', got {out['normalization']!r}")
    for key, value in out.items():
        if not isinstance(key, str) or not (value is None or isinstance(value, (str, int, float, bool))):
            raise InvalidInput(f"encoder: {key!r} must map a string to a JSON scalar, got {value!r}")
    return out


# --- top-k ------------------------------------------------------------------------


def padded(n_queries: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """An all-padding result."""
    return np.full((n_queries, k), -np.inf, np.float32), np.full((n_queries, k), -1, np.int64)


def top_k(scores: np.ndarray, ids: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Best k per row of scores [nq, m] with ids [m] or [nq, m], best first, padded."""
    nq, m = scores.shape
    ids = np.broadcast_to(ids, (nq, m))
    if m > k:
        part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        scores = np.take_along_axis(scores, part, axis=1)
        ids = np.take_along_axis(ids, part, axis=1)
    # best first; ties by smaller id so equal scores give one deterministic answer
    order = np.lexsort((ids, -scores), axis=1)
    out_s, out_i = padded(nq, k)
    width = min(k, m)
    out_s[:, :width] = np.take_along_axis(scores, order, axis=1)[:, :width]
    out_i[:, :width] = np.take_along_axis(ids, order, axis=1)[:, :width]
    out_i[~np.isfinite(out_s)] = -1
    return out_s, out_i


def scan_top_k(
    queries: np.ndarray, k: int, chunks: Iterable[tuple[np.ndarray, np.ndarray]]
) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-k over (vectors, ids) chunks, merging as it goes (bounded memory).

    An id of -1 masks its vector out (how a filter is applied without copying rows).
    """
    best_s, best_i = padded(len(queries), k)
    for vectors, ids in chunks:
        if len(ids) == 0:
            continue
        scores = inner_products(queries, vectors)
        skip = ids < 0
        if skip.any():
            scores[:, skip] = -np.inf
        best_s, best_i = top_k(
            np.concatenate([best_s, scores], axis=1),
            np.concatenate([best_i, np.broadcast_to(ids, scores.shape)], axis=1),
            k,
        )
    return best_s, best_i


def inner_products(queries: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """queries @ vectors.T, without BLAS for fewer than 20 queries (FAISS's own cut-off).

    OpenBLAS hands even a 1 x 384 x 2000 product to its worker threads; when the machine
    is busy every such call waits for a worker to be scheduled: a 0.04 ms product took
    12 ms (p50) on 2 loaded cores. Interactive searches send one query at a time.
    """
    if len(queries) < 20:
        return np.einsum("qd,nd->qn", queries, vectors)
    return queries @ vectors.T


def scan_chunk_rows(n_queries: int, dim: int) -> int:
    """Rows per scan chunk: ~16M scores and ~64 MB of gathered vectors at most."""
    by_scores = (16 << 20) // max(n_queries, 1)
    by_vectors = (64 << 20) // (4 * dim)
    return int(max(1024, min(by_scores, by_vectors)))


# --- the interface ----------------------------------------------------------------


class VectorIndex(ABC):
    """Top-k inner product over normalized vectors with caller-chosen int64 ids."""

    backend: ClassVar[str]
    metric: ClassVar[str] = METRIC

    def __init__(self, dim: int, *, encoder: Mapping[str, Any] | None = None) -> None:
        self._dim = check_dim(dim)
        self.encoder: dict[str, Any] | None = None if encoder is None else normalize_encoder(encoder, self._dim)
        self.last_plan: SearchPlan | None = None

    @property
    def dim(self) -> int:
        return self._dim

    @property
    @abstractmethod
    def factory(self) -> str:
        """The index description stored in the manifest (a FAISS factory string or 'exact')."""

    @abstractmethod
    def __len__(self) -> int:
        """Number of live vectors."""

    @abstractmethod
    def ids(self) -> np.ndarray:
        """The live ids, ascending."""

    @abstractmethod
    def vectors(self, ids: object) -> np.ndarray:
        """The stored (normalized) vectors of these ids, in order; unknown ids are refused."""

    @abstractmethod
    def add(self, ids: object, vectors: object) -> None:
        """Add vectors under new ids; an id already present is refused (remove it first)."""

    @abstractmethod
    def remove(self, ids: object) -> int:
        """Remove these ids; ids not present are ignored. Returns how many were removed."""

    @abstractmethod
    def search(
        self, queries: object, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(scores float32 [nq, k], ids int64 [nq, k]) best first, only among `allowed` if given."""

    # --- persistence --------------------------------------------------------------

    @abstractmethod
    def _write_payload(self, directory: Path, generation: str) -> dict[str, str]:
        """Write the backend files of one generation; return {role: file name}."""

    def _manifest_params(self) -> dict[str, Any]:
        """Backend settings to restore on load."""
        return {}

    @classmethod
    @abstractmethod
    def _read_payload(cls: type[T], directory: Path, manifest: Mapping[str, Any]) -> T:
        """Rebuild an index from its manifest and files."""

    def _library_versions(self) -> dict[str, str]:
        return storage.library_versions()

    def save(self, directory: str | os.PathLike[str]) -> Path:
        """Write the index to `directory` atomically; the encoder must be known."""
        if self.encoder is None:
            raise InvalidInput(
                "encoder: unknown for this index; pass encoder={'model', 'dim', 'normalization'} "
                "when creating it so that a later load can check the vectors still fit"
            )
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        files = self._write_payload(path, storage.new_generation())
        storage.commit(
            path,
            {
                "kind": VECTOR_KIND,
                "backend": self.backend,
                "factory": self.factory,
                "metric": self.metric,
                "dim": self.dim,
                "count": len(self),
                "encoder": self.encoder,
                "params": self._manifest_params(),
                "files": files,
                "library_versions": self._library_versions(),
            },
        )
        return path

    @classmethod
    def load(
        cls: type[T],
        directory: str | os.PathLike[str],
        *,
        expect_encoder: Mapping[str, Any] | None = None,
    ) -> T:
        """Open a saved index; with `expect_encoder`, refuse one built by another encoder."""
        path = Path(directory)
        manifest = storage.read_manifest(path, VECTOR_KIND)
        target: type[VectorIndex] = cls
        if cls is VectorIndex:
            from assetscout.index.factory import backend_class

            target = backend_class(str(manifest.get("backend")))
        elif manifest.get("backend") != cls.backend:
            raise CatalogError(
                f"{path} holds a {manifest.get('backend')!r} index, not {cls.backend!r}; "
                "open it with assetscout.index.factory.load_index"
            )
        if manifest.get("metric") != METRIC:
            raise CatalogError(f"{path}: metric {manifest.get('metric')!r} is not {METRIC!r}; rebuild the index")
        check_encoder(path, manifest.get("encoder"), expect_encoder)
        index = target._read_payload(path, manifest)
        if len(index) != manifest.get("count"):
            raise CatalogError(
                f"{path}: the manifest says {manifest.get('count')} vectors, the files hold {len(index)}; "
                "rebuild the index"
            )
        return index  # type: ignore[return-value]


def check_encoder(path: Path, stored: object, expected: Mapping[str, Any] | None) -> None:
    """Raise EncoderMismatch, saying what to do, when the stored encoder is not the expected one."""
    if expected is None:
        return
    want = normalize_encoder(expected)
    if stored == want:
        return
    have = stored if isinstance(stored, dict) else {}
    diff = sorted(key for key in set(have) | set(want) if have.get(key) != want.get(key))
    detail = ", ".join(f"{key}: stored {have.get(key)!r} vs configured {want.get(key)!r}" for key in diff)
    raise EncoderMismatch(
        f"the index in {path} was built with another encoder ({detail}). Its vectors cannot be "
        "compared with the configured encoder's: rebuild the index with the configured encoder "
        "(re-embed the catalog), or configure the encoder it was built with."
    )


def selectivity(n_candidates: int, n_total: int) -> float:
    return 1.0 if n_total == 0 else n_candidates / n_total

