"""Filtered vector search at a size the shared data does not reach (1M vectors by default).

The vectors are the calibrated gaussian mixture of `eval/bench_index.py` (real text
embeddings have neighbour structure; uniform random vectors have none and make every ANN
index look broken). The index is what the product builds for that size: the FAISS
backend with the factory string `index.factory.create_index` picks from the expected
size. Each filter is timed one query per call, as an interactive search sends them, and
checked against an exact scan of the same allowed ids: recall@k, k hits whenever k are
allowed, and no hit outside the filter.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assetscout.eval.bench_index import (
    FilterMode,
    _params,
    _peak_rss_mb,
    _rss_mb,
    allowed_ids,
    clustered_vectors,
    exact_top_k,
    recall_at_k,
)
from assetscout.errors import InvalidInput

Log = Callable[[str], None]


@dataclass
class SyntheticRow:
    filter: str  # "none", or the bench_index filter mode: "random" (unrelated to content) / "topic"
    fraction: float
    n_allowed: int
    strategies: dict[str, int]
    n_fallback: int  # queries re-run by an exact scan after FAISS came back short
    p50_ms: float
    p95_ms: float
    recall: float
    short_results: int  # queries with fewer than min(k, allowed) hits: must be 0
    outside_filter: int  # hits the filter does not allow: must be 0
    engine: dict[str, Any] = field(default_factory=dict)  # the same searched engine_depth deep, top k kept


@dataclass
class SyntheticResult:
    n: int
    dim: int
    factory: str
    params: dict[str, Any]
    k: int
    n_queries: int
    seed: int
    data: dict[str, float]
    generate_s: float
    build_s: float
    index_mb: float
    rows: list[SyntheticRow] = field(default_factory=list)
    peak_rss_mb: float = 0.0


def run_synthetic(
    n: int,
    dim: int = 384,
    *,
    n_queries: int = 200,
    k: int = 10,
    fractions: Sequence[float] = (0.1, 0.01, 0.001),
    modes: Sequence[FilterMode] = ("random", "topic"),
    engine_depth: int | None = 200,
    seed: int = 0,
    log: Log = lambda _: None,
) -> SyntheticResult:
    """Build the product's index over `n` mixture vectors and measure every filter.

    Each filter is searched for k hits, and again `engine_depth` deep with the top k kept:
    the search engine asks its vector index for that many candidates before fusion (its
    `Weights.candidates`), and HNSW finds the true top k more often from a deeper search.
    """
    from assetscout.index.factory import create_index

    if n < 2 * k:
        raise InvalidInput(f"synthetic n: need at least {2 * k} vectors for k={k}, got {n}")
    if n_queries < 1:
        raise InvalidInput(f"synthetic queries: need at least 1, got {n_queries}")
    log(f"synthetic: generating {n:,} x {dim} mixture vectors ...")
    t0 = time.perf_counter()
    mix = clustered_vectors(n, dim, n_queries=n_queries, seed=seed)
    # sparse sorted ids, as a catalog has after removals; sorted so that id -> row is a searchsorted
    ids = np.sort(np.random.default_rng(seed + 1).choice(np.int64(4) * n + 1000, size=n, replace=False))
    generate_s = time.perf_counter() - t0

    base_rss = _rss_mb()
    index = create_index("faiss", dim, expected_size=n)
    log(f"synthetic: building {index.factory} (the factory's choice for {n:,} vectors) ...")
    t0 = time.perf_counter()
    step = 100_000
    for start in range(0, n, step):
        index.add(ids[start:start + step], mix.vectors[start:start + step])
    build_s = time.perf_counter() - t0
    index_mb = _rss_mb() - base_rss
    log(f"synthetic: built in {build_s:.1f} s, ~{index_mb:.0f} MB")

    log("synthetic: exact ground truth ...")
    truth_all = exact_top_k(mix.vectors, ids, mix.queries, k)
    pair = np.random.default_rng(seed + 2).integers(0, n, size=(2000, 2))
    nn = mix.vectors[np.searchsorted(ids, truth_all[:, [0, -1]])]  # [nq, 2, dim]
    data = {
        "clusters": float(mix.n_clusters),
        "topics": float(mix.n_topics),
        "cos_random_pair_mean": float(np.einsum("pd,pd->p", mix.vectors[pair[:, 0]], mix.vectors[pair[:, 1]]).mean()),
        "cos_nn1_p50": float(np.median(np.einsum("qd,qd->q", mix.queries, nn[:, 0]))),
        "cos_nn10_p50": float(np.median(np.einsum("qd,qd->q", mix.queries, nn[:, 1]))),
    }
    cases: list[tuple[str, float, np.ndarray | None, np.ndarray]] = [("none", 1.0, None, truth_all)]
    for mode in modes:
        for fraction in fractions:
            allowed = np.sort(allowed_ids(mix, ids, fraction, mode, seed + int(fraction * 1e6)))
            rows = np.searchsorted(ids, allowed)
            cases.append((mode, fraction, allowed, exact_top_k(mix.vectors, ids, mix.queries, k, rows)))
    time.sleep(0.5)  # let the BLAS threads of the ground truth go idle before timing

    result = SyntheticResult(
        n=n, dim=dim, factory=index.factory, params=_params(index), k=k, n_queries=n_queries, seed=seed,
        data=data, generate_s=generate_s, build_s=build_s, index_mb=index_mb,
    )
    for mode, fraction, allowed, truth in cases:
        n_allowed = n if allowed is None else len(allowed)
        got, times, strategies, fallback = _timed_search(index, mix.queries, k, allowed)
        row = SyntheticRow(
            filter=mode, fraction=fraction, n_allowed=n_allowed, strategies=strategies, n_fallback=fallback,
            p50_ms=float(np.percentile(times, 50) * 1e3), p95_ms=float(np.percentile(times, 95) * 1e3),
            recall=recall_at_k(got, truth), short_results=_short(got, min(k, n_allowed)),
            outside_filter=_outside(got, allowed),
        )
        if engine_depth and engine_depth > k:
            deep, times, _, _ = _timed_search(index, mix.queries, engine_depth, allowed)
            row.engine = {
                "depth": engine_depth, "p50_ms": float(np.percentile(times, 50) * 1e3),
                "p95_ms": float(np.percentile(times, 95) * 1e3), "recall": recall_at_k(deep[:, :k], truth),
                "short_results": _short(deep, min(engine_depth, n_allowed)), "outside_filter": _outside(deep, allowed),
            }
        result.rows.append(row)
        name = "no filter" if allowed is None else f"{mode} {fraction:.1%}"
        log(f"synthetic {name}: recall {row.recall:.4f}, p50 {row.p50_ms:.2f} ms, p95 {row.p95_ms:.2f} ms"
            + (f"; at depth {engine_depth}: recall {row.engine['recall']:.4f}, p50 {row.engine['p50_ms']:.2f} ms"
               if row.engine else ""))
    result.peak_rss_mb = _peak_rss_mb()
    return result


def _timed_search(index: Any, queries: np.ndarray, depth: int, allowed: np.ndarray | None
                  ) -> tuple[np.ndarray, np.ndarray, dict[str, int], int]:
    """One query per call (as interactive search sends them): ids, seconds, plans, fallbacks."""
    got = np.empty((len(queries), depth), np.int64)
    times = np.empty(len(queries))
    strategies: dict[str, int] = {}
    fallback = 0
    index.search(queries[:1], depth, allowed=allowed)  # warm-up, not timed
    for qi in range(len(queries)):
        t = time.perf_counter()
        _, got[qi:qi + 1] = index.search(queries[qi:qi + 1], depth, allowed=allowed)
        times[qi] = time.perf_counter() - t
        plan = index.last_plan
        if plan is not None:
            strategies[plan.strategy] = strategies.get(plan.strategy, 0) + 1
            fallback += plan.n_fallback
    return got, times, strategies, fallback


def _short(got: np.ndarray, want: int) -> int:
    """Queries with fewer than `want` hits."""
    return int(((got >= 0).sum(axis=1) < want).sum())


def _outside(got: np.ndarray, allowed: np.ndarray | None) -> int:
    """Hits the filter does not allow."""
    return 0 if allowed is None else int((~np.isin(got[got >= 0], allowed)).sum())
