"""One scenario, every vector backend: results checked against a plain NumPy brute force.

Data: seeded gaussian mixture (200 clusters, 64-d, normalized), so that neighbours exist
and an ANN index can be measured; ids are large random int64 so that row/id mix-ups show.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

from assetscout.errors import CatalogError, InvalidInput
from assetscout.index.base import EncoderMismatch, VectorIndex
from assetscout.index.exact import ExactIndex
from assetscout.index.factory import create_index, load_index
from assetscout.index.faiss_index import FaissIndex

DIM = 64
N = 20_000
NQ = 200
K = 10
ENCODER = {"model": "fake-hash-encoder", "dim": DIM, "normalization": "l2"}

# the exact-scan threshold scaled to this corpus (30% of it), so that every plan runs here
SCALED = {"exact_filter_min": 6000}
BACKENDS: dict[str, Callable[..., VectorIndex]] = {
    "exact": lambda **kw: ExactIndex(DIM, encoder=ENCODER),
    "faiss-flat": lambda **kw: FaissIndex(DIM, factory="Flat", encoder=ENCODER, **{**SCALED, **kw}),
    "faiss-hnsw": lambda **kw: FaissIndex(DIM, factory="HNSW32", encoder=ENCODER, **{**SCALED, **kw}),
}
MIN_RECALL = {"exact": 1.0, "faiss-flat": 1.0, "faiss-hnsw": 0.95}


def mixture(rng: np.random.Generator, n: int, centers: np.ndarray) -> np.ndarray:
    x = centers[rng.integers(0, len(centers), n)] + rng.normal(scale=0.12, size=(n, centers.shape[1]))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


class Data:
    def __init__(self, seed: int = 7, n: int = N) -> None:
        rng = np.random.default_rng(seed)
        centers = rng.normal(size=(200, DIM))
        centers /= np.linalg.norm(centers, axis=1, keepdims=True)
        self.x = mixture(rng, n, centers)
        self.ids = rng.choice(10**12, size=n, replace=False).astype(np.int64)
        self.q = mixture(rng, NQ, centers)
        self.rng = rng
        self.row = {int(i): r for r, i in enumerate(self.ids)}

    def brute(self, k: int, allowed: np.ndarray | None = None, present: np.ndarray | None = None):
        """Reference top-k ids per query (sets) and the k-th score, by plain NumPy."""
        mask = np.ones(len(self.ids), bool) if present is None else np.isin(self.ids, present)
        if allowed is not None:
            mask &= np.isin(self.ids, allowed)
        rows = np.flatnonzero(mask)
        scores = self.q @ self.x[rows].T
        order = np.argsort(-scores, axis=1)[:, :k]
        return self.ids[rows][order], np.take_along_axis(scores, order, axis=1)

    def recall(self, got: np.ndarray, k: int, allowed=None, present=None) -> float:
        """Mean recall@k; a hit tied (1e-5) with the k-th reference score counts as found."""
        ref_ids, ref_scores = self.brute(k, allowed, present)
        total = 0.0
        for qi in range(len(self.q)):
            want = set(ref_ids[qi].tolist())
            kth = ref_scores[qi, -1] if len(want) else np.inf
            found = 0
            for i in got[qi][got[qi] >= 0].tolist():
                if i in want or float(self.q[qi] @ self.x[self.row[i]]) >= kth - 1e-5:
                    found += 1
            total += min(found, len(want)) / max(len(want), 1)
        return total / len(self.q)


@pytest.fixture(scope="module")
def data() -> Data:
    return Data()


@pytest.fixture(scope="module", params=sorted(BACKENDS))
def built(request, data: Data) -> tuple[str, VectorIndex]:
    index = BACKENDS[request.param]()
    index.add(data.ids[: N // 2], data.x[: N // 2])  # two batches: adds must append
    index.add(data.ids[N // 2 :], data.x[N // 2 :])
    return request.param, index


@pytest.fixture(scope="module")
def forced(data: Data) -> FaissIndex:
    """HNSW that never gathers: every filtered search goes through FAISS with a selector."""
    index = BACKENDS["faiss-hnsw"](exact_filter_min=0, exact_filter_fraction=0.0)
    index.add(data.ids, data.x)
    return index


def small(name: str, data: Data, n: int = 3000) -> VectorIndex:
    index = BACKENDS[name]()
    index.add(data.ids[:n], data.x[:n])
    return index


# --- search -----------------------------------------------------------------------


def test_unfiltered_search_matches_the_reference(built, data: Data) -> None:
    name, index = built
    assert len(index) == N and index.dim == DIM
    scores, ids = index.search(data.q, K)
    assert scores.shape == ids.shape == (NQ, K)
    assert scores.dtype == np.float32 and ids.dtype == np.int64
    assert np.all(np.diff(scores, axis=1) <= 1e-6), "best first"
    # scores are the inner products of the stored (normalized) vectors
    true = np.einsum("qd,qkd->qk", data.q, data.x[np.vectorize(data.row.get)(ids)])
    np.testing.assert_allclose(scores, true, atol=1e-5)
    assert data.recall(ids, K) >= MIN_RECALL[name]


def test_single_query_vector_and_unnormalized_input(built, data: Data) -> None:
    _, index = built
    s1, i1 = index.search(data.q[0] * 3.0, K)  # a 1-D query, scaled: normalized on the way in
    s2, i2 = index.search(data.q[:1], K)
    assert s1.shape == (1, K)
    np.testing.assert_array_equal(i1, i2)
    np.testing.assert_allclose(s1, s2, atol=1e-6)
    # a few queries (computed without BLAS) answer as they do inside a large batch
    for allowed in (None, data.ids[:300], data.ids[:8000]):
        few_s, few_i = index.search(data.q[:5], K, allowed=allowed)
        many_s, many_i = index.search(data.q, K, allowed=allowed)
        np.testing.assert_array_equal(few_i, many_i[:5])
        np.testing.assert_allclose(few_s, many_s[:5], atol=1e-5)


@pytest.mark.parametrize("fraction", [0.5, 0.25, 0.1, 0.01, 0.001])
def test_filtered_search_returns_k_allowed_hits_with_high_recall(built, data: Data, fraction: float) -> None:
    name, index = built
    rng = np.random.default_rng(int(fraction * 1000))
    allowed = rng.choice(data.ids, size=int(N * fraction), replace=False)
    unknown = np.array([10**13, 10**13 + 1])  # ids the index never saw are ignored
    scores, ids = index.search(data.q, K, allowed=np.concatenate([allowed, unknown]))
    assert np.isin(ids, allowed).all(), "only allowed ids, and k of them"
    assert np.isfinite(scores).all()
    assert data.recall(ids, K, allowed=allowed) >= (0.99 if MIN_RECALL[name] < 1 else 1.0)
    plan = index.last_plan
    assert plan is not None and plan.n_candidates == len(allowed)
    assert plan.selectivity == pytest.approx(fraction)


def test_fewer_allowed_than_k_are_all_returned_then_padding(built, data: Data) -> None:
    _, index = built
    allowed = data.ids[[5, 17, 4242]]
    messy = np.concatenate([[10**13], allowed, allowed[:1], [-5]])  # unsorted, duplicated, foreign
    scores, ids = index.search(data.q[:20], K, allowed=messy)
    assert all(set(row[:3].tolist()) == set(allowed.tolist()) for row in ids)
    assert (ids[:, 3:] == -1).all() and np.isneginf(scores[:, 3:]).all()
    assert np.isfinite(scores[:, :3]).all()


def test_empty_allowed_and_empty_index_give_padding(built, data: Data) -> None:
    name, index = built
    scores, ids = index.search(data.q[:4], 3, allowed=np.array([], np.int64))
    assert (ids == -1).all() and np.isneginf(scores).all()
    assert index.last_plan.strategy == "empty"
    scores, ids = BACKENDS[name]().search(data.q[:4], 3)
    assert ids.shape == (4, 3) and (ids == -1).all()


def test_k_larger_than_the_index_pads(data: Data) -> None:
    for name in BACKENDS:
        index = small(name, data, n=7)
        scores, ids = index.search(data.q[:2], 10)
        assert sorted(ids[0, :7].tolist()) == sorted(data.ids[:7].tolist()), name
        assert (ids[:, 7:] == -1).all() and np.isneginf(scores[:, 7:]).all()


def test_plan_follows_selectivity(built, data: Data) -> None:
    name, index = built
    faiss = name.startswith("faiss")
    index.search(data.q, K)
    assert index.last_plan.strategy == ("faiss" if faiss else "scan")
    index.search(data.q, K, allowed=data.ids[:20])  # 0.1%: gather and scan
    assert index.last_plan.strategy == "subset_scan"
    index.search(data.q, K, allowed=data.ids[: N // 4])  # 25%: scan in place
    assert index.last_plan.strategy == "bitmap_scan"
    index.search(data.q, K, allowed=data.ids[: N // 2])  # 50%: FAISS with a selector
    assert index.last_plan.strategy == ("faiss_selector" if faiss else "bitmap_scan")
    if name == "faiss-hnsw":
        assert index.last_plan.params["efSearch"] >= 2 * index.effective_ef_search


@pytest.mark.parametrize("fraction", [0.5, 0.1, 0.01, 0.001])
def test_selector_path_alone_still_returns_k_hits(forced: FaissIndex, data: Data, fraction: float) -> None:
    """Forced onto FAISS + selector at every selectivity: the short-answer fallback keeps k hits."""
    index = forced
    allowed = np.random.default_rng(3).choice(data.ids, size=int(N * fraction), replace=False)
    scores, ids = index.search(data.q, K, allowed=allowed)
    assert index.last_plan.strategy == "faiss_selector"
    assert np.isin(ids, allowed).all()
    if fraction >= 0.1:
        assert data.recall(ids, K, allowed=allowed) >= 0.99


def test_short_ann_answers_fall_back_to_an_exact_scan(forced: FaissIndex, data: Data) -> None:
    """A filter concentrated far from most queries: HNSW + selector comes back short, the scan fills in."""
    index = forced
    region = data.x[123]
    allowed = data.ids[np.argsort(-(data.x @ region))[:30]]  # one tight region, 0.15%
    scores, ids = index.search(data.q, K, allowed=allowed)
    assert index.last_plan.n_fallback > 0
    assert np.isin(ids, allowed).all() and np.isfinite(scores).all()
    # the default plan scans such a small set exactly
    index.exact_filter_min = 2000
    try:
        _, ids = index.search(data.q, K, allowed=allowed)
    finally:
        index.exact_filter_min = 0
    assert index.last_plan.strategy == "subset_scan" and index.last_plan.n_fallback == 0
    assert data.recall(ids, K, allowed=allowed) == 1.0


# --- writes -----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(BACKENDS))
def test_remove_then_add_back(name: str, data: Data) -> None:
    n = 3000
    index = small(name, data, n)
    present = data.ids[:n]
    gone = data.ids[: n // 10]  # 10%: HNSW keeps tombstones
    assert index.remove(np.concatenate([gone, [10**13]])) == len(gone)
    assert index.remove(gone[:5]) == 0, "removing twice removes nothing"
    present = present[n // 10 :]
    assert len(index) == len(present)
    np.testing.assert_array_equal(index.ids(), np.sort(present))
    _, ids = index.search(data.q, K)
    assert not np.isin(ids, gone).any()
    assert data.recall(ids, K, present=present) >= MIN_RECALL[name]
    _, ids = index.search(data.q, K, allowed=data.ids[: n // 5])  # half of them removed
    assert not np.isin(ids, gone).any() and (ids >= 0).all()

    gone2 = data.ids[n // 10 : n // 2]  # past the compaction threshold
    assert index.remove(gone2) == len(gone2)
    present = data.ids[n // 2 : n]
    _, ids = index.search(data.q, K)
    assert data.recall(ids, K, present=present) >= MIN_RECALL[name]

    index.add(gone, data.x[: n // 10])  # removed ids may come back
    assert len(index) == len(present) + len(gone)
    _, ids = index.search(data.q, K, allowed=gone)
    assert np.isin(ids, gone).all()
    np.testing.assert_allclose(index.vectors(gone[:3]), data.x[:3], atol=1e-6)


# --- persistence ------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(BACKENDS))
def test_save_load_round_trip(name: str, data: Data, tmp_path: Path) -> None:
    index = small(name, data)
    index.remove(data.ids[:50])
    before = index.search(data.q, K)
    filtered = index.search(data.q, K, allowed=data.ids[:300])
    index.save(tmp_path / "idx")
    manifest = json.loads((tmp_path / "idx" / "manifest.json").read_text())
    assert manifest["format_version"] == 1
    assert manifest["backend"] == index.backend and manifest["factory"] == index.factory
    assert manifest["dim"] == DIM and manifest["count"] == len(index) == 2950
    assert manifest["encoder"] == ENCODER

    for loaded in (load_index(tmp_path / "idx", expect_encoder=ENCODER), type(index).load(tmp_path / "idx")):
        assert type(loaded) is type(index) and len(loaded) == len(index)
        assert loaded.encoder == ENCODER and loaded.factory == index.factory
        for got, want in zip(loaded.search(data.q, K), before):
            np.testing.assert_array_equal(got, want)
        for got, want in zip(loaded.search(data.q, K, allowed=data.ids[:300]), filtered):
            np.testing.assert_array_equal(got, want)

    # a second save replaces the first and leaves only the files its manifest names
    loaded.add(data.ids[5000:5010], data.x[5000:5010])
    loaded.save(tmp_path / "idx")
    manifest = json.loads((tmp_path / "idx" / "manifest.json").read_text())
    assert sorted(p.name for p in (tmp_path / "idx").iterdir()) == sorted(["manifest.json", *manifest["files"].values()])
    assert len(load_index(tmp_path / "idx")) == 2960


@pytest.mark.parametrize("name", sorted(BACKENDS))
def test_load_refuses_another_encoder(name: str, data: Data, tmp_path: Path) -> None:
    small(name, data, 100).save(tmp_path)
    other = {**ENCODER, "model": "sentence-transformers/all-mpnet-base-v2"}
    with pytest.raises(EncoderMismatch, match="rebuild the index") as err:
        load_index(tmp_path, expect_encoder=other)
    assert "all-mpnet-base-v2" in str(err.value) and "fake-hash-encoder" in str(err.value)
    with pytest.raises(EncoderMismatch, match="normalization"):
        load_index(tmp_path, expect_encoder={**ENCODER, "normalization": "none"})
    assert len(load_index(tmp_path, expect_encoder=dict(ENCODER))) == 100


def test_load_refuses_missing_or_foreign_directories(tmp_path: Path, data: Data) -> None:
    with pytest.raises(CatalogError, match="manifest.json is missing"):
        load_index(tmp_path)
    small("exact", data, 10).save(tmp_path / "e")
    with pytest.raises(CatalogError, match="load_index"):
        FaissIndex.load(tmp_path / "e")
    manifest = json.loads((tmp_path / "e" / "manifest.json").read_text())
    (tmp_path / "e" / "manifest.json").write_text(json.dumps({**manifest, "format_version": 99}))
    with pytest.raises(CatalogError, match="rebuild"):
        load_index(tmp_path / "e")


# --- bad arguments ----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(BACKENDS))
def test_bad_arguments_name_the_parameter(name: str, data: Data) -> None:
    index = small(name, data, 100)
    q = data.q[:2]
    cases: list[tuple[str, Callable[[], object]]] = [
        ("k", lambda: index.search(q, 0)),
        ("k", lambda: index.search(q, 2.5)),
        ("queries", lambda: index.search(np.ones((2, DIM + 1), np.float32), 3)),
        ("queries", lambda: index.search(np.full((1, DIM), np.nan, np.float32), 3)),
        ("allowed", lambda: index.search(q, 3, allowed=np.array([0.5, 1.5]))),
        ("vectors", lambda: index.add([10**13], np.ones((1, DIM - 1)))),
        ("vectors", lambda: index.add([10**13], np.full((1, DIM), np.inf))),
        ("vectors", lambda: index.add([10**13], np.zeros((1, DIM)))),
        ("ids", lambda: index.add([10**13, 10**13], data.x[:2])),  # duplicate in the batch
        ("ids", lambda: index.add(data.ids[:1], data.x[:1])),  # already in the index
        ("ids", lambda: index.add([-3], data.x[:1])),
        ("ids", lambda: index.add([10**13, 10**13 + 1], data.x[:1])),
        ("ids", lambda: index.add(np.array([1.0]), data.x[:1])),
    ]
    for param, call in cases:
        with pytest.raises(InvalidInput, match=rf"^{param}:"):
            call()
    assert len(index) == 100, "a refused add changes nothing"


def test_constructor_and_factory_arguments_are_checked(tmp_path: Path) -> None:
    cases: list[tuple[str, Callable[[], object]]] = [
        ("dim", lambda: ExactIndex(0)),
        ("dim", lambda: FaissIndex(-4)),
        ("factory", lambda: FaissIndex(8, factory="NoSuchIndex42")),
        ("factory", lambda: FaissIndex(8, factory="IDMap,Flat")),
        ("ef_search", lambda: FaissIndex(8, ef_search=0)),
        ("exact_filter_fraction", lambda: FaissIndex(8, exact_filter_fraction=1.5)),
        ("compact_ratio", lambda: FaissIndex(8, compact_ratio="half")),
        ("expected_size", lambda: FaissIndex(8, expected_size=-1)),
        ("backend", lambda: create_index("annoy", 8)),  # type: ignore[arg-type]
        ("factory", lambda: create_index("exact", 8, factory="HNSW32")),
        ("encoder", lambda: ExactIndex(8, encoder={"model": "m", "dim": 9, "normalization": "l2"})),
        ("encoder", lambda: ExactIndex(8, encoder={"model": "m"})),
        ("encoder", lambda: ExactIndex(8).save(tmp_path)),  # nothing to check a load against
    ]
    for param, call in cases:
        with pytest.raises(InvalidInput, match=rf"^{param}:"):
            call()


def test_factory_default_follows_expected_size() -> None:
    assert create_index("faiss", 8).factory == "Flat"
    assert create_index("faiss", 8, expected_size=49_999).factory == "Flat"
    assert create_index("faiss", 8, expected_size=50_000).factory == "HNSW32"
    assert create_index("faiss", 8, factory="HNSW32,Flat").factory == "HNSW32,Flat"
    assert isinstance(create_index("exact", 8), ExactIndex)


def test_ivf_trains_on_its_first_batch(data: Data, tmp_path: Path) -> None:
    index = FaissIndex(DIM, factory="IVF32,Flat", encoder=ENCODER)
    with pytest.raises(InvalidInput, match=r"^vectors:.*32"):
        index.add(data.ids[:10], data.x[:10])
    assert len(index) == 0 and not index.is_trained
    index.add(data.ids[:5000], data.x[:5000])
    assert index.is_trained
    allowed = data.ids[:2500]
    index.exact_filter_min = 0
    _, ids = index.search(data.q, K, allowed=allowed)
    assert index.last_plan.strategy == "faiss_selector" and np.isin(ids, allowed).all()
    index.remove(data.ids[:2000])  # rebuilt from the live vectors, training kept
    _, ids = index.search(data.q, K)
    assert data.recall(ids, K, present=data.ids[2000:5000]) >= 0.9
    index.save(tmp_path)
    np.testing.assert_array_equal(load_index(tmp_path).search(data.q, K)[1], ids)
