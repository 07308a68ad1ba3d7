"""ExactIndex: brute-force NumPy search, the reference every other backend is tested against.

Also a fine production choice for small vector families (a few tens of thousands of
vectors): a scan of 20k x 384 floats is one small matrix product, and always exact.
Stored as `vectors.<gen>.npy` + `ids.<gen>.npy`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from assetscout.errors import CatalogError, InvalidInput
from assetscout.index import storage
from assetscout.index.base import (
    GATHER_MAX_ROWS,
    SearchPlan,
    Strategy,
    VectorIndex,
    check_allowed,
    check_ids,
    check_k,
    check_vectors,
    padded,
    scan_chunk_rows,
    scan_top_k,
    selectivity,
)
from assetscout.index.idmap import IdMap


class ExactIndex(VectorIndex):
    """All vectors in one float32 array; every search is an exact scan."""

    backend = "exact"

    def __init__(self, dim: int, *, encoder: Mapping[str, Any] | None = None) -> None:
        super().__init__(dim, encoder=encoder)
        self._vectors = np.zeros((0, self.dim), np.float32)
        self._map = IdMap()

    @property
    def factory(self) -> str:
        return "exact"

    def __len__(self) -> int:
        return len(self._map)

    def ids(self) -> np.ndarray:
        return self._map.live_ids()

    def add(self, ids: object, vectors: object) -> None:
        id_arr = check_ids(ids)
        vec = check_vectors(vectors, self.dim)
        if len(id_arr) != len(vec):
            raise InvalidInput(f"ids: {len(id_arr)} ids for {len(vec)} vectors")
        self._map.check_absent(id_arr)
        self._vectors = np.concatenate([self._vectors, vec])
        self._map.append(id_arr)

    def remove(self, ids: object) -> int:
        rows = self._map.remove(check_ids(ids, unique=False))
        if len(rows):
            self._vectors = self._vectors[self._map.compact()]
        return len(rows)

    def vectors(self, ids: object) -> np.ndarray:
        """The stored (normalized) vectors of these ids, in order; unknown ids are refused."""
        id_arr = check_ids(ids, unique=False)
        rows, found = self._map.rows_of(id_arr)
        if not found.all():
            raise InvalidInput(f"ids: not in the index: {id_arr[~found][:5].tolist()}")
        return self._vectors[rows]

    def _chunks(self, rows: np.ndarray | None, step: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(vectors, ids) to scan: all rows, the gathered `rows`, or all rows with the others masked (-1)."""
        if rows is not None and len(rows) <= GATHER_MAX_ROWS:
            rows = np.sort(rows)
            for start in range(0, len(rows), step):
                part = rows[start:start + step]
                yield self._vectors[part], self._map.row_ids[part]
            return
        ids = self._map.row_ids
        if rows is not None:
            ids = np.full(len(ids), -1, np.int64)
            ids[rows] = self._map.row_ids[rows]
        for start in range(0, self._map.n_rows, step):
            yield self._vectors[start:start + step], ids[start:start + step]

    def search(
        self, queries: object, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        q = check_vectors(queries, self.dim, "queries")
        k = check_k(k)
        allowed_ids = check_allowed(allowed)
        rows = None if allowed_ids is None else self._map.rows_of(allowed_ids)[0]
        n_cand = len(self) if rows is None else len(rows)
        sel = selectivity(n_cand, len(self))
        if n_cand == 0:
            self.last_plan = SearchPlan("empty", len(q), k, 0, sel)
            return padded(len(q), k)
        step = scan_chunk_rows(len(q), self.dim)
        strategy: Strategy = "scan" if rows is None else "subset_scan" if n_cand <= GATHER_MAX_ROWS else "bitmap_scan"
        self.last_plan = SearchPlan(strategy, len(q), k, n_cand, sel)
        return scan_top_k(q, k, self._chunks(rows, step))

    # --- persistence --------------------------------------------------------------

    def _write_payload(self, directory: Path, generation: str) -> dict[str, str]:
        files = {"vectors": f"vectors.{generation}.npy", "ids": f"ids.{generation}.npy"}
        storage.write_npy(directory / files["vectors"], self._vectors)
        storage.write_npy(directory / files["ids"], self._map.row_ids)
        return files

    @classmethod
    def _read_payload(cls, directory: Path, manifest: Mapping[str, Any]) -> ExactIndex:
        index = cls(int(manifest["dim"]), encoder=manifest.get("encoder"))
        vectors = storage.read_npy(directory / manifest["files"]["vectors"])
        ids = storage.read_npy(directory / manifest["files"]["ids"])
        if vectors.dtype != np.float32 or vectors.shape != (len(ids), index.dim) or ids.dtype != np.int64:
            raise CatalogError(f"{directory}: vector or id file does not match the manifest; rebuild the index")
        try:
            index._map = IdMap(ids)
        except ValueError as exc:
            raise CatalogError(f"{directory}: {exc}; rebuild the index") from exc
        index._vectors = vectors
        return index
