"""Performance on a real indexed catalog: facet filters of a given selectivity, query latency
through the SearchEngine, and recall of the dense path under filters against exact search.

Pure measuring functions; `eval/perf.py` runs them and prints the report. Nothing here
writes to the catalog: the search index and the database are opened read-only.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from assetscout.errors import CatalogError, InvalidInput

if TYPE_CHECKING:
    from assetscout.catalog.store import Catalog

Log = Callable[[str], None]

# What users type into a model / dataset search box: names, tasks, domains, constraints.
QUERIES: tuple[str, ...] = (
    "sentence embedding model for semantic search", "multilingual text classification",
    "image classification pretrained on imagenet", "small fast model for mobile object detection",
    "speech recognition english", "question answering dataset", "named entity recognition german",
    "text generation chat instruction tuned", "code generation python", "summarization of news articles",
    "machine translation english to french", "sentiment analysis movie reviews",
    "zero-shot image classification CLIP", "vision transformer ViT", "bert-base-uncased", "resnet50",
    "COCO object detection", "semantic segmentation cityscapes", "biomedical text mining",
    "legal documents dataset", "dataset of tweets for hate speech detection", "reading comprehension benchmark",
    "image captioning", "text to image generation diffusion", "face detection", "human pose estimation",
    "audio classification environmental sounds", "low resource african languages", "chinese language model",
    "arabic dialect identification", "embedding model for retrieval with long context",
    "efficient model under 100M parameters", "commonsense reasoning multiple choice", "math word problems",
    "natural language inference", "paraphrase detection", "open domain dialogue", "table question answering",
    "document layout analysis OCR", "monocular depth estimation", "image super resolution",
    "recommendation dataset with user ratings", "time series forecasting", "protein structure prediction",
    "financial news sentiment", "toxic comment classification", "wikipedia text corpus for pretraining",
    "reranker cross-encoder", "knowledge distillation compressed model", "scientific papers citation dataset",
)

# filter key -> SQL listing (value, assets with it) over the catalog: candidates for a filter of
# a wanted size. Counts are approximate (the planner normalizes tasks and matches raw licenses
# too); the chosen filter's size is then counted exactly through the planner's own SQL.
FACET_SQL: dict[str, str] = {
    "task": "SELECT v, count(DISTINCT asset_id) FROM (SELECT asset_id, unnest(tasks) AS v FROM asset) GROUP BY v",
    "library": "SELECT lower(library), count(*) FROM asset WHERE library IS NOT NULL GROUP BY 1",
    "license": "SELECT license_spdx, count(*) FROM asset WHERE license_spdx IS NOT NULL GROUP BY 1",
    "language": "SELECT v, count(DISTINCT asset_id) FROM "
                "(SELECT asset_id, lower(unnest(languages)) AS v FROM asset) GROUP BY v",
    "tag": "SELECT v, count(DISTINCT asset_id) FROM (SELECT asset_id, lower(unnest(tags)) AS v FROM asset) GROUP BY v",
    "organization": "SELECT lower(organization), count(*) FROM asset WHERE organization IS NOT NULL GROUP BY 1",
    "license_class": "SELECT license_class, count(*) FROM asset GROUP BY 1",
}
_SAFE_VALUE = re.compile(r"^[^\x00-\x1f]{1,100}$")


@dataclass(frozen=True)
class FacetFilter:
    """One facet filter and how many indexed assets it lets through."""

    target: float  # the selectivity asked for (1.0: no filter)
    filters: dict[str, list[str]]
    n_allowed: int
    n_assets: int

    @property
    def selectivity(self) -> float:
        return self.n_allowed / self.n_assets if self.n_assets else 0.0

    @property
    def label(self) -> str:
        return "none" if not self.filters else " ".join(f"{k}={','.join(v)}" for k, v in self.filters.items())


def count_matching(con: Any, filters: dict[str, list[str]]) -> int:
    """Assets the planner lets through `filters` (its own SQL, so the count is exact)."""
    from assetscout.search.planner import build_where
    from assetscout.search.query import Query

    where = build_where(con, Query.build(filters=filters))
    return int(con.execute(f"SELECT count(*) FROM asset_view a WHERE {where.sql}", where.params).fetchone()[0])


def find_filters(con: Any, targets: Sequence[float], *, n_assets: int | None = None,
                 shortlist: int = 6) -> list[FacetFilter]:
    """For each target selectivity, the single-value facet filter whose exact size is closest.

    Distance is |log(count / wanted)|, so 0.1% of 50,000 prefers 40 over 70. Candidates come
    from FACET_SQL (keys in that order of preference on ties); the best `shortlist` of them
    are counted exactly through the planner. A target with no candidate at all is skipped.
    """
    n = n_assets if n_assets is not None else int(con.execute("SELECT count(*) FROM asset").fetchone()[0])
    candidates: list[tuple[str, str, int]] = []
    for key, sql in FACET_SQL.items():
        for value, count in con.execute(sql).fetchall():
            if isinstance(value, str) and _SAFE_VALUE.match(value) and value.strip() == value and count:
                candidates.append((key, value, int(count)))
    order = {key: i for i, key in enumerate(FACET_SQL)}
    out: list[FacetFilter] = []
    for target in targets:
        if not 0.0 < target < 1.0:
            raise InvalidInput(f"selectivity target must be in (0, 1), got {target!r}")
        wanted = max(1.0, target * n)
        ranked = sorted(candidates, key=lambda c: (abs(math.log(c[2] / wanted)), order[c[0]], c[1]))
        best: tuple[float, int, FacetFilter] | None = None
        for key, value, _ in ranked[:shortlist]:
            filters = {key: [value]}
            try:
                exact = count_matching(con, filters)
            except InvalidInput:
                continue
            if exact == 0:
                continue
            rank = (abs(math.log(exact / wanted)), order[key])
            if best is None or rank < best[:2]:
                best = (*rank, FacetFilter(target, filters, exact, n))
        if best is not None:
            out.append(best[2])
    return out


# --- latency through the engine ------------------------------------------------------


# the timings an engine plan reports, and "rest": metadata lookup, fusion and scoring
PHASES: tuple[str, ...] = ("filter", "encode", "dense", "lexical", "rest")


@dataclass
class LatencyRow:
    """Warm latency of `engine.search` for one filter, over every query text."""

    filter: str
    filters: dict[str, list[str]]
    target: float
    n_allowed: int
    selectivity: float
    strategies: dict[str, int]
    p50_ms: float
    p95_ms: float
    p50_facets_ms: float
    p95_facets_ms: float
    phase_p50_ms: dict[str, float]  # PHASES, from the engine's plan
    short_results: int  # queries that got fewer than min(k, total) hits: must be 0
    recall: dict[str, float] = field(default_factory=dict)  # cards, chunks, dense -> recall@k
    outside_filter: int = 0  # returned ids the filter does not allow: must be 0


def _percentiles(times: Sequence[float]) -> tuple[float, float]:
    arr = np.asarray(times) * 1e3
    return float(np.percentile(arr, 50)), float(np.percentile(arr, 95))


def measure_latency(engine: Any, cases: Sequence[FacetFilter], queries: Sequence[str], *, k: int = 10,
                    warmup: int = 5, log: Log = lambda _: None) -> list[LatencyRow]:
    """p50 / p95 of `engine.search` per filter, query encoding included, after `warmup` queries.

    Each query runs twice: as a text search alone and with the facet counts a search page
    shows (`with_facets`), both timed from the call to the returned result.
    """
    from assetscout.search.query import Query

    rows: list[LatencyRow] = []
    for case in cases:
        built = [Query.build(text=q, filters=case.filters, k=k) for q in queries]
        for q in built[:warmup]:
            engine.search(q, with_facets=True)
        plain: list[float] = []
        faceted: list[float] = []
        phases: dict[str, list[float]] = {name: [] for name in PHASES}
        strategies: dict[str, int] = {}
        short = 0
        for q in built:
            t = time.perf_counter()
            res = engine.search(q, with_facets=False)
            plain.append(time.perf_counter() - t)
            t = time.perf_counter()
            engine.search(q, with_facets=True)
            faceted.append(time.perf_counter() - t)
            if len(res.hits) < min(k, res.total):
                short += 1
            strategy = str(res.plan.get("strategy"))
            strategies[strategy] = strategies.get(strategy, 0) + 1
            timed = {name: float(res.plan[f"ms_{name}"]) for name in PHASES[:-1] if f"ms_{name}" in res.plan}
            for name, value in timed.items():
                phases[name].append(value)
            if "ms_total" in res.plan:
                phases["rest"].append(float(res.plan["ms_total"]) - sum(timed.values()))
        p50, p95 = _percentiles(plain)
        f50, f95 = _percentiles(faceted)
        row = LatencyRow(
            filter=case.label, filters=case.filters, target=case.target, n_allowed=case.n_allowed,
            selectivity=case.selectivity, strategies=strategies, p50_ms=p50, p95_ms=p95,
            p50_facets_ms=f50, p95_facets_ms=f95,
            phase_p50_ms={name: float(np.median(v)) for name, v in phases.items() if v}, short_results=short,
        )
        rows.append(row)
        log(f"latency {row.filter}: p50 {p50:.1f} ms, p95 {p95:.1f} ms (with facets {f50:.1f} / {f95:.1f})")
    return rows


# --- recall of the dense path -------------------------------------------------------


@dataclass
class DensePath:
    """The engine's two vector indexes and their stored vectors (for exact ground truth)."""

    cards: Any  # VectorIndex over asset int ids
    chunks: Any  # VectorIndex over chunk ids (asset id * CHUNK_STRIDE + chunk number)
    card_vectors: np.ndarray  # [n_assets, dim], row i = asset int id i
    chunk_ids: np.ndarray  # sorted
    chunk_vectors: np.ndarray  # rows follow chunk_ids
    asset_ids: dict[str, int]  # catalog asset id -> int id

    @classmethod
    def load(cls, catalog: Catalog) -> DensePath:
        """Open the indexes the way the engine does (`load_index` on the search folder)."""
        import pyarrow.parquet as pq

        from assetscout.index.factory import load_index
        from assetscout.search.build import search_dir

        root = search_dir(catalog)
        cards, chunks = load_index(root / "cards"), load_index(root / "chunks")
        card_ids = cards.ids()
        if not np.array_equal(card_ids, np.arange(len(card_ids))):
            raise CatalogError(f"{root / 'cards'}: asset int ids are not 0..n-1; rebuild the search index")
        names = pq.read_table(root / "assets.parquet").column("asset_id").to_pylist()
        chunk_ids = chunks.ids()
        return cls(cards, chunks, cards.vectors(card_ids), chunk_ids,
                   chunks.vectors(chunk_ids) if len(chunk_ids) else np.zeros((0, cards.dim), np.float32),
                   {a: i for i, a in enumerate(names)})

    def allowed(self, con: Any, filters: dict[str, list[str]]) -> np.ndarray | None:
        """Sorted int ids the filter lets through (None: no filter), as the engine computes them."""
        if not filters:
            return None
        from assetscout.search.planner import build_where
        from assetscout.search.query import Query

        where = build_where(con, Query.build(filters=filters))
        rows = con.execute(f"SELECT a.asset_id FROM asset_view a WHERE {where.sql}", where.params).fetchall()
        return np.asarray(sorted(self.asset_ids[r[0]] for r in rows if r[0] in self.asset_ids), np.int64)


def tie_aware_recall(got: np.ndarray, exact: np.ndarray, k: int, eps: float = 1e-5) -> float:
    """Mean over queries of |got ∩ true top k| / min(k, allowed), ties counted as hits.

    got: [nq, >=k] positions into the universe (-1: none); exact: [nq, n] exact scores,
    -inf where not allowed. A returned item is right when its exact score reaches the k-th
    best exact score (minus float noise): with equal vectors (duplicate cards) any of the
    tied items is a correct answer, which plain set overlap would count as a miss.
    """
    total = 0.0
    for g, scores in zip(got, exact):
        n_ok = int(np.isfinite(scores).sum())
        want = min(k, n_ok)
        if want == 0:
            total += 1.0
            continue
        kth = np.partition(scores, len(scores) - want)[len(scores) - want]
        picked = np.unique(g[:k][g[:k] >= 0])
        total += min(want, int((scores[picked] >= kth - eps).sum())) / want
    return total / len(got)


def measure_recall(path: DensePath, con: Any, qvecs: np.ndarray, rows: Sequence[LatencyRow], *, k: int = 10,
                   candidates: int = 200, log: Log = lambda _: None) -> None:
    """Fill `row.recall` for every filter: recall@k of each index and of the merged dense score.

    The indexes are searched as the engine does (cards at depth `candidates`, chunks at twice
    that, allowed chunks = chunks of allowed assets; each index at least k deep for its own
    recall), the top k kept; ground truth is a brute-force NumPy scan of the stored vectors
    restricted to the allowed ids. "dense" is the engine's dense score (best of the card and
    its chunks) ranked over the merged hits.
    """
    from assetscout.search.build import CHUNK_STRIDE

    n = len(path.card_vectors)
    card_scores = qvecs @ path.card_vectors.T  # [nq, n_assets]
    chunk_scores = qvecs @ path.chunk_vectors.T  # [nq, n_chunks]
    chunk_owner = path.chunk_ids // CHUNK_STRIDE
    for row in rows:
        allowed = path.allowed(con, row.filters)
        mask = np.ones(n, bool) if allowed is None else np.isin(np.arange(n), allowed)
        n_allowed = int(mask.sum())
        n_cand = min(max(candidates, k), n_allowed)
        exact_cards = np.where(mask, card_scores, -np.inf)
        chunk_mask = mask[chunk_owner]
        exact_chunks = np.where(chunk_mask, chunk_scores, -np.inf)
        exact_dense = exact_cards.copy()
        if len(chunk_owner):  # chunk ids are sorted, so each asset's chunks are one run
            owners, starts = np.unique(chunk_owner, return_index=True)
            exact_dense[:, owners] = np.maximum(exact_dense[:, owners],
                                                np.maximum.reduceat(exact_chunks, starts, axis=1))
        if n_allowed == 0:
            row.recall = {"cards": 1.0, "chunks": 1.0, "dense": 1.0}
            continue
        _, c_ids = path.cards.search(qvecs, n_cand, allowed)
        allowed_chunks = None if allowed is None else path.chunk_ids[chunk_mask]
        n_chunks = int(chunk_mask.sum())
        k_chunks = min(n_cand * 2, n_chunks)  # the engine's depth; below k when few assets are allowed
        if n_chunks:
            _, h_ids = path.chunks.search(qvecs, max(k_chunks, min(k, n_chunks)), allowed_chunks)
        else:
            h_ids = np.full((len(qvecs), 1), -1, np.int64)
        h_pos = np.where(h_ids >= 0, np.searchsorted(path.chunk_ids, np.maximum(h_ids, 0)), -1)
        merged = np.full((len(qvecs), k), -1, np.int64)
        outside = 0
        for qi in range(len(qvecs)):
            # the engine's merge: best score per asset over its card and chunk hits
            best: dict[int, float] = {}
            for i in c_ids[qi][c_ids[qi] >= 0]:
                best[int(i)] = float(card_scores[qi, i])
            for pos in h_pos[qi, :k_chunks][h_pos[qi, :k_chunks] >= 0]:
                aid = int(chunk_owner[pos])
                best[aid] = max(best.get(aid, -1.0), float(chunk_scores[qi, pos]))
            outside += sum(not mask[i] for i in best)
            top = sorted(best, key=lambda i: (-best[i], i))[:k]
            merged[qi, :len(top)] = top
        row.outside_filter = outside
        row.recall = {
            "cards": tie_aware_recall(c_ids[:, :k], exact_cards, k),
            "chunks": tie_aware_recall(h_pos[:, :k], exact_chunks, k) if n_chunks else 1.0,
            "dense": tie_aware_recall(merged, exact_dense, k),
        }
        log(f"recall {row.filter}: " + ", ".join(f"{key} {v:.4f}" for key, v in row.recall.items()))


def embedding_stats(qvecs: np.ndarray, card_vectors: np.ndarray, seed: int = 0) -> dict[str, float]:
    """How the real vectors look (to compare with the synthetic mixture): cosines of random
    card pairs and of a query to its 1st and 10th nearest card."""
    if len(card_vectors) < 2:
        return {}
    rng = np.random.default_rng(seed)
    pairs = rng.integers(0, len(card_vectors), size=(2000, 2))
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    sims = np.sort(qvecs @ card_vectors.T, axis=1)[:, ::-1]
    tenth = min(9, sims.shape[1] - 1)
    return {
        "cos_random_pair_mean": float(np.einsum("pd,pd->p", card_vectors[pairs[:, 0]], card_vectors[pairs[:, 1]]).mean()),
        "cos_nn1_p50": float(np.median(sims[:, 0])),
        "cos_nn10_p50": float(np.median(sims[:, tenth])),
    }
