"""FaissIndex: a FAISS index described by a factory string, with filtered search that keeps recall.

The FAISS index stores vectors by row (the order they were added); `IdMap` translates
rows to the caller's int64 ids. We do not wrap the index in IndexIDMap2 because HNSW
cannot remove vectors and IVF's removal does not renumber rows: removal here marks rows
dead (tombstones, excluded by a selector) and `compact()` rebuilds the index from the
live vectors, automatically once the dead fraction passes `compact_ratio`.

Filtered search is the known trap: post-filtering an ANN answer collapses recall when
the filter is selective, and even a selector inside HNSW loses recall and speed as the
allowed set shrinks (efSearch must grow like 1/selectivity). Measured at 200k x 384,
HNSW32, one query per call, p50 at 2 / 5 / 10 / 20% allowed (random filter):

    exact scan     0.49 / 2.5 / 4.4 / 6.7 ms, recall@10 1.0
    HNSW+selector  12.4 / 7.4 / 4.2 / 2.8 ms, recall@10 1.0 / 1.0 / 0.998 / 0.996
                   (a filter that follows topic: 0.990 / 0.976 / 0.975 / 0.963)

    python -m assetscout.eval.bench_index --n 200000 --fractions 0.02,0.05,0.1,0.2
        --exact-filter-min 1000000  (exact scan) / --exact-filter-min 0  (HNSW+selector)

So each call picks a strategy from the size of the allowed set:

- allowed <= max(exact_filter_min, exact_filter_fraction * len): exact scan, of the
  gathered vectors ("subset_scan") up to GATHER_MAX_ROWS of them, else of the flat
  storage in place with a bitmap selector ("bitmap_scan");
- more: FAISS search with an IDSelectorBitmap in SearchParameters ("faiss_selector"),
  with HNSW efSearch (IVF nprobe) raised by 1/selectivity so that k allowed vectors are
  reached; a bitmap is built with NumPy in O(n/8) and tests membership in O(1), where
  IDSelectorBatch would hash every allowed id per call;
- any query that still comes back with fewer than min(k, allowed) hits is re-run by an
  exact scan over the allowed vectors, so k hits come back whenever k exist.

The exact scans read the vectors from the index itself: zero-copy from a flat storage
(Flat, HNSW*,Flat), else `reconstruct_batch`, which is approximate for compressed codes
(PQ, SQ): there "exact" means exact over the stored codes.
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

HNSW_THRESHOLD = 50_000  # default factory: exact 'Flat' below this many vectors, 'HNSW32' above
MAX_EF_SEARCH = 4096


def default_factory(expected_size: int | None) -> str:
    """'Flat' (exact; ~5 ms/query at 1M x 384 per MACHINE-NOTES) below 50k vectors, 'HNSW32' above."""
    return "HNSW32" if expected_size is not None and expected_size >= HNSW_THRESHOLD else "Flat"


def _faiss() -> Any:
    """The faiss module, imported on first use so that importing assetscout stays light."""
    import faiss

    return faiss


def ef_search_for_size(n: int) -> int:
    """Default HNSW32 efSearch for n vectors: graph search needs a wider beam as n grows.

    Measured on 384-d clustered vectors (BENCHMARKS.md, `assetscout eval perf`): 128
    keeps recall@10 >= 0.99 up to ~2*10^5 vectors; at 10^6 it gives 0.958, 512 gives
    0.992 and 1024 0.997 (5.6 ms p50 on 2 cores).
    """
    if n <= 200_000:
        return 128
    if n <= 500_000:
        return 512
    return 1024


class FaissIndex(VectorIndex):
    """A FAISS index (inner product) under caller ids, with selectivity-aware filtered search."""

    backend = "faiss"

    def __init__(
        self,
        dim: int,
        *,
        factory: str | None = None,
        expected_size: int | None = None,
        encoder: Mapping[str, Any] | None = None,
        ef_search: int | None = None,
        ef_construction: int | None = None,
        nprobe: int | None = None,
        exact_filter_min: int = 20_000,
        exact_filter_fraction: float = 0.1,
        compact_ratio: float | None = None,
    ) -> None:
        super().__init__(dim, encoder=encoder)
        if expected_size is not None and (
            isinstance(expected_size, bool) or not isinstance(expected_size, (int, np.integer)) or expected_size < 0
        ):
            raise InvalidInput(f"expected_size: must be an integer >= 0 or None, got {expected_size!r}")
        if factory is None:
            factory = default_factory(None if expected_size is None else int(expected_size))
        if not isinstance(factory, str) or not factory.strip():
            raise InvalidInput(f"factory: must be a FAISS factory string such as 'Flat' or 'HNSW32', got {factory!r}")
        if "IDMap" in factory:
            raise InvalidInput(f"factory: {factory!r}: leave out IDMap, ids are mapped by FaissIndex itself")
        if ef_search is not None:
            _check_int("ef_search", ef_search, 1, MAX_EF_SEARCH)
        if ef_construction is not None:
            _check_int("ef_construction", ef_construction, 1, 4096)
        if nprobe is not None:
            _check_int("nprobe", nprobe, 1, 1 << 20)
        _check_int("exact_filter_min", exact_filter_min, 0, 1 << 40)
        _check_fraction("exact_filter_fraction", exact_filter_fraction)
        if compact_ratio is not None:
            _check_fraction("compact_ratio", compact_ratio)
        self._factory = factory.strip()
        self.ef_search = None if ef_search is None else int(ef_search)
        self.ef_construction = None if ef_construction is None else int(ef_construction)
        self.exact_filter_min = int(exact_filter_min)
        self.exact_filter_fraction = float(exact_filter_fraction)
        self._nprobe = None if nprobe is None else int(nprobe)
        self._compact_ratio = compact_ratio
        self._map = IdMap()
        self._index = self._new_index()

    # --- the FAISS object ---------------------------------------------------------

    def _new_index(self) -> Any:
        faiss = _faiss()
        try:
            index = faiss.index_factory(self.dim, self._factory, faiss.METRIC_INNER_PRODUCT)
        except RuntimeError as exc:
            first = str(exc).strip().splitlines()[-1] if str(exc).strip() else repr(exc)
            raise InvalidInput(f"factory: FAISS cannot build {self._factory!r}: {first}") from exc
        self._configure(index)
        return index

    def _configure(self, index: Any) -> None:
        faiss = _faiss()
        index = faiss.downcast_index(index)
        self._hnsw = index if isinstance(index, faiss.IndexHNSW) else None
        self._ivf = faiss.try_extract_index_ivf(index)
        if self._hnsw is not None:
            self._hnsw.hnsw.efSearch = self.effective_ef_search
            if self.ef_construction is not None and self._hnsw.ntotal == 0:
                self._hnsw.hnsw.efConstruction = self.ef_construction
        if self._ivf is not None:
            if self._nprobe is None:
                self._nprobe = int(min(self._ivf.nlist, max(8, self._ivf.nlist // 32)))
            self._ivf.nprobe = self._nprobe
            if self._ivf.direct_map.type == faiss.DirectMap.NoMap:
                self._ivf.make_direct_map()  # rows -> codes, for reconstruct_batch
        if isinstance(index, faiss.IndexFlat):
            self._flat = index
        elif self._hnsw is not None and isinstance(faiss.downcast_index(self._hnsw.storage), faiss.IndexFlat):
            self._flat = faiss.downcast_index(self._hnsw.storage)
        else:
            self._flat = None

    @property
    def factory(self) -> str:
        return self._factory

    @property
    def is_trained(self) -> bool:
        return bool(self._index.is_trained)

    @property
    def compact_ratio(self) -> float:
        """Dead fraction that triggers a rebuild: 0 for Flat (cheap), 0.2 otherwise."""
        if self._compact_ratio is not None:
            return float(self._compact_ratio)
        return 0.0 if self._flat is not None and self._hnsw is None else 0.2

    def __len__(self) -> int:
        return len(self._map)

    def ids(self) -> np.ndarray:
        return self._map.live_ids()

    # --- writes -------------------------------------------------------------------

    def add(self, ids: object, vectors: object) -> None:
        """Add vectors; an untrained index (IVF, PQ) is trained on the first batch added."""
        id_arr = check_ids(ids)
        vec = check_vectors(vectors, self.dim)
        if len(id_arr) != len(vec):
            raise InvalidInput(f"ids: {len(id_arr)} ids for {len(vec)} vectors")
        self._map.check_absent(id_arr)
        if len(vec) == 0:
            return
        if not self._index.is_trained:
            self._train(vec)
        self._index.add(vec)
        self._map.append(id_arr)

    def _train(self, vectors: np.ndarray) -> None:
        need = self._ivf.nlist if self._ivf is not None else 1
        if len(vectors) < need:
            raise InvalidInput(
                f"vectors: {self._factory!r} must be trained and its first batch has {len(vectors)} "
                f"vectors, fewer than the {need} it needs; add a larger first batch or use 'Flat'"
            )
        try:
            self._index.train(vectors)
        except RuntimeError as exc:
            raise InvalidInput(f"vectors: FAISS could not train {self._factory!r}: {exc}") from exc

    def remove(self, ids: object) -> int:
        rows = self._map.remove(check_ids(ids, unique=False))
        if len(rows) and self._map.n_dead > self.compact_ratio * self._map.n_rows:
            self.compact()
        return len(rows)

    def compact(self) -> None:
        """Rebuild the FAISS index from the live vectors, dropping removed rows."""
        if self._map.n_dead == 0:
            return
        faiss = _faiss()
        keep = np.flatnonzero(self._map.live)
        vectors = self._gather(keep)
        fresh = faiss.index_factory(self.dim, self._factory, faiss.METRIC_INNER_PRODUCT)
        if not fresh.is_trained:  # keep the trained quantizer / codebooks
            fresh = faiss.clone_index(self._index)
            fresh.reset()
        self._index = fresh
        self._configure(fresh)
        if len(vectors):
            self._index.add(vectors)
        self._map.compact()

    # --- reads --------------------------------------------------------------------

    def _gather(self, rows: np.ndarray) -> np.ndarray:
        """Stored vectors of these rows as float32 [len(rows), dim]."""
        rows = np.asarray(rows, np.int64)
        if self._flat is not None:
            faiss = _faiss()
            xb = faiss.rev_swig_ptr(self._flat.get_xb(), self._flat.ntotal * self.dim)
            return xb.reshape(self._flat.ntotal, self.dim)[rows]
        if len(rows) == 0:
            return np.zeros((0, self.dim), np.float32)
        return np.asarray(self._index.reconstruct_batch(rows), np.float32)

    def vectors(self, ids: object) -> np.ndarray:
        """The stored vectors of these ids, in order (approximate for compressed codes)."""
        id_arr = check_ids(ids, unique=False)
        rows, found = self._map.rows_of(id_arr)
        if not found.all():
            raise InvalidInput(f"ids: not in the index: {id_arr[~found][:5].tolist()}")
        return self._gather(rows)

    def _bitmap(self, rows: np.ndarray) -> tuple[Any, np.ndarray]:
        """An IDSelectorBitmap over storage rows, and the bytes it points into (keep them alive)."""
        faiss = _faiss()
        mask = np.zeros(self._map.n_rows, bool)
        mask[rows] = True
        bitmap = np.packbits(mask, bitorder="little")  # faiss reads bit (i & 7) of byte i >> 3
        return faiss.IDSelectorBitmap(self._map.n_rows, faiss.swig_ptr(bitmap)), bitmap

    def _scan_strategy(self, n_rows: int) -> Strategy:
        if self._flat is not None and n_rows > GATHER_MAX_ROWS:
            return "bitmap_scan"
        return "subset_scan"

    def _scan(self, queries: np.ndarray, k: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Exact top-k over these storage rows (see `_scan_strategy`)."""
        if self._scan_strategy(len(rows)) == "bitmap_scan":
            faiss = _faiss()
            selector, bitmap = self._bitmap(rows)
            scores, labels = self._flat.search(queries, k, params=faiss.SearchParameters(sel=selector))
            del bitmap
            return self._to_ids(scores, labels)
        rows = np.sort(rows)  # sequential reads
        step = scan_chunk_rows(len(queries), self.dim)

        def chunks() -> Iterator[tuple[np.ndarray, np.ndarray]]:
            for start in range(0, len(rows), step):
                part = rows[start:start + step]
                yield self._gather(part), self._map.row_ids[part]

        return scan_top_k(queries, k, chunks())

    def _to_ids(self, scores: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        valid = labels >= 0
        out_ids = np.where(valid, self._map.row_ids[np.where(valid, labels, 0)], -1)
        return np.where(valid, scores, -np.inf).astype(np.float32), out_ids.astype(np.int64)

    @property
    def effective_ef_search(self) -> int:
        """HNSW efSearch for an unfiltered query: the configured one, else grown with the size."""
        return self.ef_search if self.ef_search is not None else ef_search_for_size(len(self))

    def _exact_threshold(self) -> int:
        return max(self.exact_filter_min, int(self.exact_filter_fraction * len(self)))

    def search(
        self, queries: object, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top k per query; with `allowed`, only among those ids (see the module docstring)."""
        q = check_vectors(queries, self.dim, "queries")
        k = check_k(k)
        allowed_ids = check_allowed(allowed)
        nq, n_live = len(q), len(self)
        if allowed_ids is None:
            rows = None if self._map.n_dead == 0 else self._map.live_rows()
        else:
            rows = self._map.rows_of(allowed_ids)[0]
        n_cand = n_live if rows is None else len(rows)
        sel = selectivity(n_cand, n_live)
        if n_cand == 0:
            self.last_plan = SearchPlan("empty", nq, k, 0, sel)
            return padded(nq, k)
        if rows is not None and allowed_ids is not None and n_cand <= self._exact_threshold():
            self.last_plan = SearchPlan(self._scan_strategy(n_cand), nq, k, n_cand, sel)
            return self._scan(q, k, rows)
        return self._search_faiss(q, k, rows, n_cand, sel)

    def _search_faiss(
        self, q: np.ndarray, k: int, rows: np.ndarray | None, n_cand: int, sel: float
    ) -> tuple[np.ndarray, np.ndarray]:
        faiss = _faiss()
        # the fraction of stored rows a graph / list walk will find acceptable
        frac = n_cand / self._map.n_rows
        kw: dict[str, Any] = {}
        used: dict[str, int] = {}
        bitmap = None
        if rows is not None:
            kw["sel"], bitmap = self._bitmap(rows)
        if self._hnsw is not None:
            ef = min(MAX_EF_SEARCH, max(k, int(np.ceil(max(self.effective_ef_search, k) / frac))))
            kw["efSearch"] = used["efSearch"] = ef
            params = faiss.SearchParametersHNSW(**kw)
        elif self._ivf is not None:
            nprobe = int(min(self._ivf.nlist, np.ceil(self._nprobe / frac)))
            kw["nprobe"] = used["nprobe"] = nprobe
            params = faiss.SearchParametersIVF(**kw)
        else:
            params = faiss.SearchParameters(**kw) if kw else None
        all_rows = self._map.live_rows() if rows is None else rows
        try:
            scores, labels = self._index.search(q, k, params=params)
        except RuntimeError:
            # this index type takes no search parameters: scan what is allowed instead
            self.last_plan = SearchPlan(self._scan_strategy(n_cand), len(q), k, n_cand, sel, len(q), used)
            return self._scan(q, k, all_rows)
        del bitmap  # the selector pointed into it; not needed past the search
        out_scores, out_ids = self._to_ids(scores, labels)
        short = np.flatnonzero((out_ids >= 0).sum(axis=1) < min(k, n_cand))
        if len(short):
            out_scores[short], out_ids[short] = self._scan(q[short], k, all_rows)
        strategy: Strategy = "faiss" if rows is None else "faiss_selector"
        self.last_plan = SearchPlan(strategy, len(q), k, n_cand, sel, len(short), used)
        return out_scores, out_ids

    # --- persistence --------------------------------------------------------------

    def _manifest_params(self) -> dict[str, Any]:
        return {
            "ef_search": self.ef_search,
            "ef_construction": self.ef_construction,
            "nprobe": self._nprobe,
            "exact_filter_min": self.exact_filter_min,
            "exact_filter_fraction": self.exact_filter_fraction,
            "compact_ratio": self._compact_ratio,
        }

    def _library_versions(self) -> dict[str, str]:
        return storage.library_versions("faiss-cpu")

    def _write_payload(self, directory: Path, generation: str) -> dict[str, str]:
        faiss = _faiss()
        files = {
            "index": f"index.{generation}.faiss",
            "row_ids": f"row_ids.{generation}.npy",
            "live": f"live.{generation}.npy",
        }
        storage.write_atomic(directory / files["index"], lambda tmp: faiss.write_index(self._index, str(tmp)))
        storage.write_npy(directory / files["row_ids"], self._map.row_ids)
        storage.write_npy(directory / files["live"], self._map.live)
        return files

    @classmethod
    def _read_payload(cls, directory: Path, manifest: Mapping[str, Any]) -> FaissIndex:
        faiss = _faiss()
        params = dict(manifest.get("params") or {})
        index = cls(int(manifest["dim"]), factory=str(manifest["factory"]), encoder=manifest.get("encoder"), **params)
        files = manifest["files"]
        try:
            raw = faiss.read_index(str(directory / files["index"]))
        except RuntimeError as exc:
            raise CatalogError(f"{directory}: cannot read the FAISS file: {exc}; rebuild the index") from exc
        row_ids = storage.read_npy(directory / files["row_ids"])
        live = storage.read_npy(directory / files["live"])
        if raw.d != index.dim or row_ids.shape != (raw.ntotal,) or live.shape != row_ids.shape:
            raise CatalogError(f"{directory}: the FAISS file and the id files disagree; rebuild the index")
        try:
            index._map = IdMap(row_ids, live)
        except ValueError as exc:
            raise CatalogError(f"{directory}: {exc}; rebuild the index") from exc
        index._index = raw
        index._configure(raw)
        return index


def _check_int(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= int(value) <= high:
        raise InvalidInput(f"{name}: must be an integer in [{low}, {high}], got {value!r}")


def _check_fraction(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= float(value) <= 1.0:
        raise InvalidInput(f"{name}: must be a number in [0, 1], got {value!r}")
