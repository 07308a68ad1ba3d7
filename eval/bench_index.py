"""Vector index benchmark: build time, memory, latency and recall@k, unfiltered and filtered.

    python -m assetscout.eval.bench_index --n 1000000 --dim 384 [--factory HNSW32] [--json out.json]

Data: a two-level gaussian mixture on the unit sphere (topics -> clusters -> points,
power-law cluster sizes, per-cluster spread, a shared mean direction, noise with a
power-law spectrum so that the intrinsic dimension is low), calibrated on 3,000
all-MiniLM-L6-v2 embeddings of the Papers-with-Code dataset descriptions in
shared/data/retrieval: there, random pairs have cosine 0.23 +- 0.11 and a held-out
description's 1st / 10th / 100th neighbours 0.64 / 0.53 / 0.42 (median); this mixture
at the same size gives 0.17-0.19 +- 0.15 and 0.58-0.62 / 0.51-0.55 / 0.40-0.44 (seeds 0-2). Uniform random vectors
would be useless here: they have no neighbour structure and every ANN index looks
broken on them.

Filters: 'random' allows a uniform random subset (a facet unrelated to content, e.g.
license); 'topic' allows whole clusters (a facet that follows content, e.g. task), the
harder case for graph search. Recall@k is measured against an exact scan of the same
allowed set; latency is per single-query call, as an interactive search issues them.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from assetscout.errors import InvalidInput
from assetscout.index.base import VectorIndex, scan_top_k

FilterMode = Literal["random", "topic"]


@dataclass(frozen=True)
class Mixture:
    """Vectors, their cluster labels and held-out queries from the same distribution."""

    vectors: np.ndarray  # [n, dim] float32, unit norm
    labels: np.ndarray  # [n] cluster of each vector
    queries: np.ndarray  # [n_queries, dim] float32, unit norm
    n_clusters: int
    n_topics: int


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def clustered_vectors(
    n: int,
    dim: int,
    *,
    n_queries: int = 200,
    seed: int = 0,
    n_clusters: int | None = None,
    n_topics: int | None = None,
    shared: float = 1.3,
    center_spread: float = 0.6,
    point_spread: float = 1.35,
    spread_sigma: float = 0.25,
    decay: float = 1.0,
) -> Mixture:
    """A realistic stand-in for text embeddings (see the module docstring).

    Cluster centres sit around topic directions (cos ~ 1/sqrt(1 + center_spread^2)); points
    around their centre (cos ~ 1/sqrt(1 + s^2), s log-normal around point_spread);
    `shared` adds the common direction that real embedding spaces have.
    """
    if n < 1 or dim < 2:
        raise InvalidInput(f"n, dim: need n >= 1 and dim >= 2, got n={n}, dim={dim}")
    rng = np.random.default_rng(seed)
    n_clusters = n_clusters or max(32, n // 500)
    n_topics = n_topics or max(8, n_clusters // 20)
    # variation along a few directions much more than the rest (power-law spectrum in a
    # random basis): real embeddings have a low intrinsic dimension, isotropic noise does not
    scales = np.arange(1, dim + 1, dtype=np.float64) ** (-decay / 2)
    scales /= np.linalg.norm(scales)
    basis = np.linalg.qr(rng.standard_normal((dim, dim)))[0]
    shape = (scales[:, None] * basis.T).astype(np.float32)  # white noise @ shape -> that spectrum

    mean_dir = _unit(rng.standard_normal(dim))
    topics = _unit(_unit(rng.standard_normal((n_topics, dim))) + shared * mean_dir)
    parent = rng.integers(0, n_topics, n_clusters)
    centers = _unit(topics[parent] + center_spread * rng.standard_normal((n_clusters, dim)) @ shape)
    spread = point_spread * np.exp(rng.normal(0.0, spread_sigma, n_clusters))
    weights = rng.permutation(1.0 / (np.arange(n_clusters) + 10.0) ** 0.8)
    weights /= weights.sum()
    total = n + n_queries
    labels = rng.choice(n_clusters, size=total, p=weights)
    out = np.empty((total, dim), np.float32)
    step = 65536
    for start in range(0, total, step):
        lab = labels[start:start + step]
        noise = rng.standard_normal((len(lab), dim), dtype=np.float32) @ shape
        out[start:start + step] = _unit(centers[lab] + spread[lab, None] * noise)
    return Mixture(out[:n], labels[:n], out[n:], n_clusters, n_topics)


def allowed_ids(
    mixture: Mixture, ids: np.ndarray, fraction: float, mode: FilterMode, seed: int
) -> np.ndarray:
    """Ids passing a filter of `fraction` of the vectors (at least one)."""
    rng = np.random.default_rng(seed)
    n = len(ids)
    if mode == "random":
        return rng.choice(ids, size=max(1, int(round(n * fraction))), replace=False)
    # whole clusters in random order, the last one cut to size: a tight region of the space
    want = max(1, int(round(n * fraction)))
    picked: list[np.ndarray] = []
    for cluster in rng.permutation(mixture.n_clusters):
        members = ids[mixture.labels == cluster]
        picked.append(rng.permutation(members)[:want])
        want -= len(picked[-1])
        if want == 0:
            break
    return np.concatenate(picked)


def exact_top_k(
    vectors: np.ndarray, ids: np.ndarray, queries: np.ndarray, k: int, rows: np.ndarray | None = None
) -> np.ndarray:
    """Ground-truth ids [nq, k] by exact scan (chunked: no copy of the whole corpus)."""
    step = 65536
    if rows is None:
        chunks = ((vectors[s:s + step], ids[s:s + step]) for s in range(0, len(ids), step))
    else:
        chunks = ((vectors[rows[s:s + step]], ids[rows[s:s + step]]) for s in range(0, len(rows), step))
    return scan_top_k(queries, k, chunks)[1]


def recall_at_k(got: np.ndarray, truth: np.ndarray) -> float:
    """Mean over queries of |got ∩ truth| / |truth| (truth padded with -1 when short)."""
    total = 0.0
    for g, t in zip(got, truth):
        want = set(t[t >= 0].tolist())
        if want:
            total += len(want & set(g[g >= 0].tolist())) / len(want)
    return total / len(truth)


def _rss_mb() -> float:
    """Current resident memory (Linux /proc), else the peak."""
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        import os

        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return _peak_rss_mb()


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB on Linux


@dataclass
class FilterRow:
    filter: str
    fraction: float
    n_allowed: int
    plans: dict[str, int]
    n_fallback: int
    p50_ms: float
    p95_ms: float
    recall: float


@dataclass
class BenchResult:
    n: int
    dim: int
    backend: str
    factory: str
    k: int
    n_queries: int
    seed: int
    params: dict[str, Any]
    data: dict[str, float]
    build_s: float
    index_mb: float
    peak_rss_mb: float
    rows: list[FilterRow] = field(default_factory=list)


def run_benchmark(
    n: int,
    dim: int,
    *,
    backend: Literal["faiss", "exact"] = "faiss",
    factory: str | None = None,
    n_queries: int = 200,
    k: int = 10,
    fractions: Sequence[float] = (0.1, 0.01, 0.001),
    modes: Sequence[FilterMode] = ("random", "topic"),
    ef_search: int | None = None,
    exact_filter_min: int | None = None,
    batch_size: int = 100_000,
    seed: int = 0,
    log: Any = None,
) -> BenchResult:
    """Build an index over a synthetic mixture and measure it (see the module docstring)."""
    say = (lambda msg: print(msg, file=log, flush=True)) if log else (lambda msg: None)
    say(f"generating {n} x {dim} vectors ...")
    mix = clustered_vectors(n, dim, n_queries=n_queries, seed=seed)
    ids = np.random.default_rng(seed + 1).choice(np.int64(4) * n + 1000, size=n, replace=False).astype(np.int64)
    base_rss = _rss_mb()

    index: VectorIndex
    if backend == "faiss":
        from assetscout.index.faiss_index import FaissIndex

        extra = {} if exact_filter_min is None else {"exact_filter_min": exact_filter_min, "exact_filter_fraction": 0.0}
        index = FaissIndex(dim, factory=factory, expected_size=n, ef_search=ef_search, **extra)
    else:
        from assetscout.index.exact import ExactIndex

        index = ExactIndex(dim)
    say(f"building {backend} {index.factory} ...")
    t0 = time.perf_counter()
    for start in range(0, n, batch_size):
        index.add(ids[start:start + batch_size], mix.vectors[start:start + batch_size])
    build_s = time.perf_counter() - t0
    index_mb = _rss_mb() - base_rss
    say(f"built in {build_s:.1f} s")

    truth_all = exact_top_k(mix.vectors, ids, mix.queries, k)
    pair = np.random.default_rng(seed + 2).integers(0, n, size=(2000, 2))
    first = np.einsum("qd,qd->q", mix.queries, _vectors_of(mix.vectors, ids, truth_all[:, 0]))
    tenth = np.einsum("qd,qd->q", mix.queries, _vectors_of(mix.vectors, ids, truth_all[:, -1]))
    data = {
        "clusters": float(mix.n_clusters),
        "topics": float(mix.n_topics),
        "cos_random_pair_mean": float(np.einsum("pd,pd->p", mix.vectors[pair[:, 0]], mix.vectors[pair[:, 1]]).mean()),
        "cos_nn1_p50": float(np.median(first)),
        "cos_nn10_p50": float(np.median(tenth)),
    }

    result = BenchResult(
        n=n, dim=dim, backend=backend, factory=index.factory, k=k, n_queries=n_queries, seed=seed,
        params=_params(index), data=data, build_s=build_s,
        index_mb=index_mb, peak_rss_mb=0.0,
    )
    order = np.argsort(ids)
    cases: list[tuple[str, float, np.ndarray | None, np.ndarray]] = [("none", 1.0, None, truth_all)]
    for mode in modes:
        for fraction in fractions:
            # sorted, as the planner's SQL hands them over
            allowed = np.sort(allowed_ids(mix, ids, fraction, mode, seed + int(fraction * 1e6)))
            rows = np.sort(order[np.searchsorted(ids, allowed, sorter=order)])
            cases.append((mode, fraction, allowed, exact_top_k(mix.vectors, ids, mix.queries, k, rows)))
    # all ground truth first, so that no big multi-threaded product runs between timed calls
    time.sleep(0.5)
    for mode, fraction, allowed, truth in cases:
        got = np.empty((n_queries, k), np.int64)
        times = np.empty(n_queries)
        plans: Counter[str] = Counter()
        fallback = 0
        index.search(mix.queries[:1], k, allowed=allowed)  # warm-up, not timed
        for qi in range(n_queries):
            t = time.perf_counter()
            _, got[qi : qi + 1] = index.search(mix.queries[qi : qi + 1], k, allowed=allowed)
            times[qi] = time.perf_counter() - t
            plan = index.last_plan
            if plan is not None:
                plans[plan.strategy] += 1
                fallback += plan.n_fallback
        row = FilterRow(
            filter=mode, fraction=fraction, n_allowed=n if allowed is None else len(allowed), plans=dict(plans),
            n_fallback=fallback, p50_ms=float(np.percentile(times, 50) * 1e3),
            p95_ms=float(np.percentile(times, 95) * 1e3), recall=recall_at_k(got, truth),
        )
        result.rows.append(row)
        say(f"{mode} {fraction:g}: recall {row.recall:.3f}, p50 {row.p50_ms:.3f} ms")
    result.peak_rss_mb = _peak_rss_mb()
    return result


def _params(index: VectorIndex) -> dict[str, Any]:
    keys = ("effective_ef_search", "exact_filter_min", "exact_filter_fraction")
    return {key: getattr(index, key) for key in keys if hasattr(index, key)}


def _vectors_of(vectors: np.ndarray, ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    order = np.argsort(ids)
    return vectors[order[np.searchsorted(ids, wanted, sorter=order)]]


def format_table(result: BenchResult) -> str:
    """The human-readable report."""
    d = result.data
    params = " ".join(f"{key}={value}" for key, value in result.params.items())
    lines = [
        f"index benchmark: n={result.n} dim={result.dim} backend={result.backend} "
        f"factory={result.factory} {params} k={result.k} queries={result.n_queries} seed={result.seed}",
        f"data: {int(d['clusters'])} clusters in {int(d['topics'])} topics; cos random pair "
        f"{d['cos_random_pair_mean']:.2f}, query->1st neighbour p50 {d['cos_nn1_p50']:.2f}, "
        f"->10th p50 {d['cos_nn10_p50']:.2f}",
        f"build {result.build_s:.1f} s, index memory ~{result.index_mb:.0f} MB (RSS growth), "
        f"peak RSS {result.peak_rss_mb:.0f} MB (whole run)",
        "",
        f"{'filter':<13}{'allowed':>9}  {'plan':<28}{'p50 ms':>8}{'p95 ms':>8}{'recall@' + str(result.k):>11}",
    ]
    for row in result.rows:
        name = "none" if row.filter == "none" else f"{row.filter} {row.fraction * 100:g}%"
        plan = ",".join(f"{key}" if len(row.plans) == 1 else f"{key}:{val}" for key, val in row.plans.items())
        if row.n_fallback:
            plan += f" (+{row.n_fallback} fb)"
        lines.append(
            f"{name:<13}{row.n_allowed:>9}  {plan:<28}{row.p50_ms:>8.3f}{row.p95_ms:>8.3f}{row.recall:>11.4f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="assetscout eval index", description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="vectors in the index")
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--backend", choices=("faiss", "exact"), default="faiss")
    parser.add_argument("--factory", default=None, help="FAISS factory string (default: by size)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--fractions", default="0.1,0.01,0.001", help="filter selectivities, comma-separated")
    parser.add_argument("--filters", default="random,topic", help="filter kinds: random, topic")
    parser.add_argument("--ef-search", type=int, default=None, help="HNSW efSearch (default: grown with the index size)")
    parser.add_argument(
        "--exact-filter-min", type=int, default=None,
        help="scan filters of up to this many ids exactly, whatever the fraction (0: always FAISS)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", metavar="PATH", help="also write the result as JSON ('-' for stdout)")
    args = parser.parse_args(argv)
    modes = [m for m in args.filters.split(",") if m]
    if any(m not in ("random", "topic") for m in modes):
        parser.error(f"--filters: choose from random, topic; got {args.filters!r}")
    try:
        fractions = [float(f) for f in args.fractions.split(",") if f]
    except ValueError:
        parser.error(f"--fractions: comma-separated numbers, got {args.fractions!r}")
    result = run_benchmark(
        args.n, args.dim, backend=args.backend, factory=args.factory, n_queries=args.queries, k=args.k,
        fractions=fractions, modes=modes, ef_search=args.ef_search,
        exact_filter_min=args.exact_filter_min, seed=args.seed, log=sys.stderr,
    )
    print(format_table(result))
    if args.json:
        text = json.dumps(asdict(result), indent=2)
        if args.json == "-":
            print(text)
        else:
            with open(args.json, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
