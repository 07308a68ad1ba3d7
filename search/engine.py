"""The search engine: facets -> allowed ids -> dense + lexical retrieval -> fusion -> boosts.

Filtered search never loses results: the filter is applied *before* retrieval. The
planner turns facets into SQL, DuckDB returns the allowed assets, and both retrievers
search only among those (the vector index picks an exact scan of the allowed vectors
or a FAISS search with an id selector from the filter's selectivity; BM25 masks the
scores exactly). So a query returns k hits whenever k assets match the filters.

Scores: dense = best cosine of the card header or one of its body chunks; lexical =
BM25 divided by a bound that depends on the corpus and the query's length only: the
number of the query's distinct known tokens times the largest score any single term
earns in any document (`LexicalIndex.query_bound`); hybrid = w_dense * dense +
w_lexical * lexical, then small boosts (exact name match, Hub downloads, how many other
catalog assets refer to the asset: `referenced_by`, catalog/references.py, and the
share of interpreted preferred facets the asset confirms). `explain` returns each.

Why that bound. Lexical evidence is worth what its terms are worth: matching the rare
name "ColPali" is strong evidence, matching "image classification" is weak, because half
the corpus says those words. Dividing by the candidates' maximum (min-max) gives the top
lexical match full weight whatever it matched; dividing by the query's own per-word
maxima (the previous bound) does the same for short queries of common words, which is
why hybrid lost to dense on DataFinder keyphrase queries (0.199 vs 0.213 nDCG@10, dev):
"classification, approximation" put an Amharic news dataset first on lexical 0.96.
Against the corpus-wide bound a common-word match scores low and a rare-name match
high, with no weight chosen per query set; lexical stays a property of the query and
the document alone, independent of filters and of the other candidates.

`mode` ("dense", "lexical") runs one retriever alone, ranked by its raw score without
boosts: the baselines the evaluation compares hybrid with.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pyarrow.parquet as pq

from assetscout.catalog.metrics import metric_info
from assetscout.catalog.queries import CatalogQueries
from assetscout.catalog.store import Catalog, open_catalog
from assetscout.embed.base import Encoder, check_compatible
from assetscout.embed.coalesce import QueryEncoder
from assetscout.errors import CatalogError, InvalidInput, NotFound, check_unicode
from assetscout.index.factory import load_index
from assetscout.index.lexical import LexicalIndex
from assetscout.search.build import CHUNK_STRIDE, read_search_manifest, search_dir
from assetscout.search.facets import facet_counts
from assetscout.search.planner import ORDER_BY, build_where
from assetscout.search.query import Query
from assetscout.search.results import FacetResult, Hit, SearchResult

if TYPE_CHECKING:
    from assetscout.search.interpret import Interpretation, Vocabulary

RetrievalMode = Literal["hybrid", "dense", "lexical"]
RETRIEVAL_MODES: tuple[str, ...] = ("hybrid", "dense", "lexical")

HIT_COLUMNS = ("asset_id", "kind", "name", "title", "summary", "license_spdx", "license_class", "non_commercial",
               "tasks", "library", "languages", "parameters", "downloads", "likes", "referenced_by", "source")


@dataclass(frozen=True)
class Weights:
    """Fusion weights and boosts, set a priori (not fitted to an evaluation set)."""

    dense: float = 0.6
    lexical: float = 0.4
    name_boost: float = 0.15  # the query names the asset exactly
    popularity_boost: float = 0.03  # times log10(1 + downloads) / 7
    # times min(1, log10(1 + referenced_by) / 3): 1,000 referring assets weigh as 10^7 downloads
    # (catalog/references.py; the prior for assets that have no download counts)
    reference_boost: float = 0.03
    # times the share of the query's preferred filters the asset's metadata confirms: an interpreted
    # task / language / modality / "small" leaves every asset in (most cards state none), this ranks
    # the assets that confirm it up
    facet_boost: float = 0.05
    candidates: int = 200  # per retriever, before fusion


def _default_encoder() -> Encoder:
    from assetscout.embed.text import SentenceTransformerEncoder

    return SentenceTransformerEncoder()


class SearchEngine:
    """Search over one catalog directory. Thread-safe for concurrent `search` calls."""

    def __init__(self, catalog: Catalog, encoder: Encoder | None = None, weights: Weights = Weights()) -> None:
        self.catalog = catalog
        self._ingest_roots: list[Path] | None = None  # folders and files ingest_run names, read on first use
        self.weights = weights
        self._encoder = encoder
        self._query_encoder: QueryEncoder | None = None
        self._query_encoder_lock = threading.Lock()
        self._lock = threading.RLock()
        self._open()

    @classmethod
    def open(cls, catalog_dir: Path | str | Catalog, *, encoder: Encoder | None = None) -> "SearchEngine":
        catalog = catalog_dir if isinstance(catalog_dir, Catalog) else open_catalog(catalog_dir)
        return cls(catalog, encoder)

    # ------------------------------------------------------------------ lifecycle

    def _open(self) -> None:
        self._con = self.catalog.connect()
        self._vocabulary = None
        self._recommender = None  # built on first use (search/recommend): benchmark vectors take seconds
        self._dataset_recommender = None
        self._recommend_lock = threading.Lock()
        self.manifest = read_search_manifest(self.catalog)
        self._cards = self._chunks = None
        self._lexical: LexicalIndex | None = None
        self._ids = np.zeros(0, dtype=object)
        self._index_of: dict[str, int] = {}
        if self.manifest is None:
            return  # no search index yet: listing and facets still work, text search says what to do
        root = search_dir(self.catalog)
        if self._encoder is not None:
            check_compatible(self.manifest["encoder"], self._encoder.describe(), what="search index")
        self._cards = load_index(root / "cards")
        self._chunks = load_index(root / "chunks")
        self._lexical = LexicalIndex.load(root / "lexical")
        ids = pq.read_table(root / "assets.parquet")
        self._ids = np.asarray(ids.column("asset_id").to_pylist(), dtype=object)
        self._index_of = {a: i for i, a in enumerate(self._ids)}
        chunk_tbl = pq.read_table(root / "chunks.parquet", columns=["chunk_id", "text"])
        self._chunk_ids = chunk_tbl.column("chunk_id").to_numpy()
        self._chunk_text = chunk_tbl.column("text").to_pylist()
        self._load_boost_inputs()

    def _load_boost_inputs(self) -> None:
        """What the boosts read, per index position, held in memory: fusion scores some 200-400
        candidates per query, and fetching their rows from DuckDB each time cost ~9 ms of ~35."""
        n = len(self._ids)
        self._name_keys: list[tuple[str, ...]] = [()] * n
        self._downloads = np.zeros(n, np.int64)
        self._references = np.zeros(n, np.int64)
        rows = self._con.execute("SELECT asset_id, name, title, downloads, referenced_by FROM asset_view").fetchall()
        for asset_id, name, title, downloads, refs in rows:
            i = self._index_of.get(asset_id)
            if i is None:
                continue
            self._name_keys[i] = _name_keys(name, title)
            self._downloads[i] = max(0, downloads or 0)
            self._references[i] = max(0, refs or 0)

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            self._encoder = _default_encoder()
            if self.manifest is not None:
                check_compatible(self.manifest["encoder"], self._encoder.describe(), what="search index")
        return self._encoder

    @property
    def query_encoder(self) -> QueryEncoder:
        """The encoder for query texts: concurrent queries batched, recent ones cached (embed/coalesce.py)."""
        if self._query_encoder is None or self._query_encoder.encoder is not self.encoder:
            with self._query_encoder_lock:
                if self._query_encoder is None or self._query_encoder.encoder is not self.encoder:
                    self._query_encoder = QueryEncoder(self.encoder)
        return self._query_encoder

    def reload(self) -> None:
        """Reopen the catalog and the search index (after an ingest replaced them)."""
        with self._lock:
            old = self._con
            self._open()
            old.close()

    def close(self) -> None:
        self._con.close()

    def _cursor(self):  # one DuckDB cursor per call: connections are not shared across threads
        with self._lock:
            return Catalog.cursor(self._con)

    # ------------------------------------------------------------------ search

    def search(self, query: Query, *, with_facets: bool = True, mode: RetrievalMode = "hybrid",
               weights: Weights | None = None) -> SearchResult:
        """Hits for `query`; `mode` picks the retrievers behind a text query (module docstring).

        `weights` replaces the engine's fusion weights for this call (ablations in eval).
        """
        if mode not in RETRIEVAL_MODES:
            raise InvalidInput(f"mode {mode!r} is not known; use one of {', '.join(RETRIEVAL_MODES)}")
        t0 = time.perf_counter()
        asked = query
        interpreted = self.interpret(query)
        if interpreted is not None and interpreted.enabled:
            query = interpreted.apply(query)
        cur = self._cursor()
        try:
            where = build_where(cur, query)
            plan: dict[str, Any] = {"filtered": not where.empty}
            if query.text:
                plan["mode"] = mode
                hits, total = self._text_search(cur, query, where, plan, mode, weights or self.weights)
            else:
                hits, total = self._listing(cur, query, where, plan)
            self._attach_metrics(cur, query, hits, plan)
            facets = facet_counts(cur, where) if with_facets else None
        finally:
            cur.close()
        plan["ms_total"] = round((time.perf_counter() - t0) * 1000, 2)
        result = SearchResult(query=_query_dict(query), total=total, hits=hits, facets=facets, plan=plan)
        if interpreted is not None:
            result.interpreted = interpreted.to_dict()
            if query is not asked:
                result.query["asked"] = _query_dict(asked)
        return result

    def interpret(self, query: Query) -> "Interpretation | None":
        """What the query's text says in constraints (None without text); disabled when query.interpret is False."""
        from assetscout.search.interpret import Interpretation, Interpreter

        if not query.text:
            return None
        if not query.interpret:
            return Interpretation(False, query.text, query.text)
        return Interpreter(self.vocabulary).interpret(query.text, literal=query.literal)

    @property
    def vocabulary(self) -> "Vocabulary":
        """The catalog's own names (benchmarks, tasks, hardware, families), read once per opened catalog."""
        from assetscout.search.interpret import Vocabulary

        with self._lock:
            if self._vocabulary is None:
                cur = Catalog.cursor(self._con)
                try:
                    self._vocabulary = Vocabulary.from_connection(cur)
                finally:
                    cur.close()
            return self._vocabulary

    def facets(self, query: Query, *, size: int = 20) -> FacetResult:
        if not 1 <= size <= 200:
            raise InvalidInput(f"size must be between 1 and 200, got {size}")
        cur = self._cursor()
        try:
            return facet_counts(cur, build_where(cur, query), size=size)
        finally:
            cur.close()

    def _listing(self, cur, query: Query, where, plan: dict[str, Any]) -> tuple[list[Hit], int]:
        total = cur.execute(f"SELECT count(*) FROM asset_view a WHERE {where.sql}", where.params).fetchone()[0]
        columns = ", ".join("a." + c for c in HIT_COLUMNS)
        sm = query.sort_metric
        if sm is None:
            rows = cur.execute(
                f"SELECT {columns} FROM asset_view a WHERE {where.sql} "
                f"ORDER BY {ORDER_BY[query.sort]} LIMIT ? OFFSET ?", [*where.params, query.k, query.offset],
            ).fetchall()
        else:  # best value of the metric first; equal values by popularity, then id (ties are marked)
            cond, params = CatalogQueries(cur).metric_condition(sm.metric, dataset=sm.dataset, hardware=sm.hardware)
            lower = metric_info(sm.metric).direction == "lower"
            rows = cur.execute(
                f"SELECT {columns} FROM asset_view a JOIN (SELECT e.asset_id, {'min' if lower else 'max'}"
                f"(e.value_norm) AS best FROM evaluation e WHERE {cond} GROUP BY e.asset_id) b "
                f"ON b.asset_id = a.asset_id WHERE {where.sql} ORDER BY b.best {'ASC' if lower else 'DESC'}, "
                f"{ORDER_BY['downloads']} LIMIT ? OFFSET ?", [*params, *where.params, query.k, query.offset],
            ).fetchall()
        plan["strategy"] = f"sql listing ordered by {query.sort}"
        hits = [Hit(**dict(zip(HIT_COLUMNS, r)), score=0.0) for r in rows]
        return hits, int(total)

    def _attach_metrics(self, cur, query: Query, hits: list[Hit], plan: dict[str, Any]) -> None:
        """Each hit's values behind the metric constraints and the metric sort, else headline evaluations."""
        if not hits:
            return
        ids = [h.asset_id for h in hits]
        q = CatalogQueries(cur)
        asked = list(query.metrics) + ([query.sort_metric] if query.sort_metric else [])
        if not asked:
            for h, rows in zip(hits, _headline_metrics(cur, ids)):
                h.metrics = rows
            return
        for m in asked:
            info = metric_info(m.metric)
            best = q.best_values(m.metric, dataset=m.dataset, hardware=m.hardware, asset_ids=ids)
            for h in hits:
                if h.asset_id in best:
                    norm, value, written, dataset = best[h.asset_id]
                    h.metrics.append({"metric": written, "key": info.key, "label": info.label, "dataset": dataset,
                                      "value": value, "value_norm": norm, "direction": info.direction,
                                      "hardware": m.hardware})
        if query.sort_metric is not None:
            sort_values = [h.metrics[-1]["value_norm"] if h.metrics else None for h in hits]
            for i, h in enumerate(hits):
                v = sort_values[i]
                h.tied = v is not None and ((i > 0 and sort_values[i - 1] == v)
                                            or (i + 1 < len(hits) and sort_values[i + 1] == v))
            info = metric_info(query.sort_metric.metric)
            plan["sort"] = {"metric": info.key, "label": info.label, "direction": info.direction,
                            "dataset": query.sort_metric.dataset, "hardware": query.sort_metric.hardware,
                            "note": "assets without this metric are left out"}

    def _allowed(self, cur, where) -> np.ndarray | None:
        if where.empty:
            return None
        rows = cur.execute(f"SELECT a.asset_id FROM asset_view a WHERE {where.sql}", where.params).fetchall()
        idx = [self._index_of[r[0]] for r in rows if r[0] in self._index_of]
        return np.asarray(sorted(idx), dtype=np.int64)

    def _text_search(self, cur, query: Query, where, plan: dict[str, Any],
                     mode: RetrievalMode, w: Weights) -> tuple[list[Hit], int]:
        if self.manifest is None:
            raise CatalogError(
                f"the catalog at {self.catalog.root} has no search index yet: run "
                f"'assetscout index --catalog {self.catalog.root}' (ingest builds it too)")
        t = time.perf_counter()
        allowed = self._allowed(cur, where)
        n_total = len(self._ids)
        total = n_total if allowed is None else len(allowed)
        plan["selectivity"] = round(total / n_total, 6) if n_total else 0.0
        plan["ms_filter"] = round((time.perf_counter() - t) * 1000, 2)
        need = query.offset + query.k
        if total == 0:
            return [], 0
        n_cand = min(max(w.candidates, need), total)
        dense: dict[int, float] = {}
        matched: dict[int, int] = {}
        if mode != "lexical":
            t = time.perf_counter()
            qvec = self.query_encoder.encode_one(query.text)
            plan["ms_encode"] = round((time.perf_counter() - t) * 1000, 2)
            t = time.perf_counter()
            plan["strategy"] = self._dense_search(qvec, n_cand, allowed, dense, matched)
            plan["ms_dense"] = round((time.perf_counter() - t) * 1000, 2)
        lex_all = np.zeros(0, np.float32)
        lex_ids: set[int] = set()
        if mode != "dense":
            t = time.perf_counter()
            lex_all = self._lexical.scores(query.text)
            _, l_ids = self._lexical.top(lex_all, n_cand, allowed)
            lex_ids = {int(i) for i in l_ids if i >= 0}
            plan["ms_lexical"] = round((time.perf_counter() - t) * 1000, 2)
        cand_arr = np.asarray(sorted(set(dense) | lex_ids), dtype=np.int64)
        missing = [i for i in cand_arr if i not in dense]
        if mode == "hybrid" and missing:  # lexical-only candidates: their exact dense score
            vecs = self._cards.vectors(np.asarray(missing, np.int64))
            for i, s in zip(missing, vecs @ qvec[0]):
                dense[int(i)] = float(s)
        lex = lex_all[cand_arr] if len(lex_all) and len(cand_arr) else np.zeros(len(cand_arr))
        lex_bound = self._lexical.query_bound(query.text) if mode != "dense" and len(lex) and lex.max() > 0 else 1.0
        if mode == "hybrid":
            q_norm = _query_names(query.text)
            popularity = w.popularity_boost * np.log10(1 + self._downloads[cand_arr]) / 7
            references = w.reference_boost * np.minimum(1.0, np.log10(1 + self._references[cand_arr]) / 3)
            soft = query.preferred_filters or query.open_world_filters
            confirmed = self._confirmed_facets(cur, query, cand_arr) if soft and w.facet_boost else None
        scored: list[tuple[float, int, dict[str, float]]] = []
        for pos, i in enumerate(cand_arr):
            comp: dict[str, float] = {}
            if mode != "lexical":
                comp["dense"] = round(dense[int(i)], 6)
            if mode != "dense":
                comp["lexical"] = round(min(1.0, float(lex[pos]) / lex_bound), 6)
                comp["bm25"] = round(float(lex[pos]), 4)
            if mode == "dense":
                score = comp["dense"]
            elif mode == "lexical":
                score = comp["bm25"]
            else:
                comp["boost_name"] = w.name_boost if _names_match(q_norm, self._name_keys[i]) else 0.0
                comp["boost_popularity"] = round(float(popularity[pos]), 6)
                comp["boost_references"] = round(float(references[pos]), 6)
                if confirmed is not None:
                    comp["boost_facets"] = round(w.facet_boost * float(confirmed[pos]), 6)
                score = (w.dense * comp["dense"] + w.lexical * comp["lexical"] + comp["boost_name"]
                         + comp["boost_popularity"] + comp["boost_references"] + comp.get("boost_facets", 0.0))
            scored.append((score, int(i), comp))
        scored.sort(key=lambda x: (-x[0], self._ids[x[1]]))
        if query.sort_metric is not None:  # the most relevant candidates, best value of the metric first
            sm = query.sort_metric
            top = scored[: max(need, 100)]
            best = CatalogQueries(cur).best_values(sm.metric, dataset=sm.dataset, hardware=sm.hardware,
                                                   asset_ids=[self._ids[i] for _, i, _ in top])
            sign = 1.0 if metric_info(sm.metric).direction == "lower" else -1.0
            top.sort(key=lambda x: (self._ids[x[1]] not in best,
                                    sign * best.get(self._ids[x[1]], (0.0,))[0], -x[0]))
            scored = top
        elif query.sort != "relevance":
            key = query.sort
            top = scored[: max(need, 100)]
            top_meta = self._meta(cur, [self._ids[i] for _, i, _ in top])
            rev = key not in ("name", "fewest_parameters")
            column = "parameters" if key == "fewest_parameters" else key
            top.sort(key=lambda x: (_sort_value(top_meta.get(self._ids[x[1]], {}), column, rev)))
            scored = top
        page = scored[query.offset: need]
        meta = self._meta(cur, [self._ids[i] for _, i, _ in page])  # rows only for the hits returned
        hits: list[Hit] = []
        for score, i, comp in page:
            m = meta.get(self._ids[i], {})
            hit = Hit(**{c: m.get(c) for c in HIT_COLUMNS if c != "asset_id"}, asset_id=str(self._ids[i]),
                      score=round(score, 6))
            if hit.tasks is None:
                hit.tasks = []
            if hit.languages is None:
                hit.languages = []
            if query.explain:
                hit.components = comp
                cid = matched.get(i)
                if cid is not None:
                    pos = int(np.searchsorted(self._chunk_ids, cid))
                    hit.matched_text = self._chunk_text[pos][:300]
            hits.append(hit)
        return hits, total

    def _confirmed_facets(self, cur, query: Query, cand_arr: np.ndarray) -> np.ndarray:
        """Per candidate, the share of the query's preferred filters its metadata confirms."""
        import dataclasses

        ids = [str(self._ids[i]) for i in cand_arr]
        keys = [k for k in (*query.preferred_filters, *query.open_world_filters) if k in query.filters]
        if not keys:
            return np.zeros(len(cand_arr), np.float64)
        terms, params = [], []
        for key in keys:  # one query for all: each filter's clause as 0/1, summed
            strict = dataclasses.replace(query, kinds=(), filters={key: query.filters[key]}, metrics=(),
                                         sort_metric=None, preferred_filters=(), open_world_filters=())
            where = build_where(cur, strict)
            terms.append(f"CAST(coalesce({where.sql}, false) AS INTEGER)")
            params.extend(where.params)
        rows = cur.execute(f"SELECT a.asset_id, {' + '.join(terms)} FROM asset_view a "
                           "WHERE a.asset_id IN (SELECT unnest(?::VARCHAR[]))", [*params, ids]).fetchall()
        confirmed = dict(rows)
        return np.fromiter((confirmed.get(a, 0) for a in ids), np.float64, len(ids)) / len(keys)

    def _dense_search(self, qvec: np.ndarray, n_cand: int, allowed: np.ndarray | None,
                      dense: dict[int, float], matched: dict[int, int]) -> str | None:
        """Fill `dense` with the best cosine of each candidate's header or body chunks; return the plan."""
        c_scores, c_ids = self._cards.search(qvec, n_cand, allowed)
        strategy = getattr(self._cards.last_plan, "strategy", None)
        allowed_chunks = None
        if allowed is not None and len(self._chunk_ids):
            allowed_chunks = self._chunk_ids[np.isin(self._chunk_ids // CHUNK_STRIDE, allowed)]
        for s, i in zip(c_scores[0], c_ids[0]):
            if i >= 0:
                dense[int(i)] = float(s)
        if len(self._chunk_ids) and (allowed_chunks is None or len(allowed_chunks)):
            k_chunks = min(n_cand * 2, len(self._chunk_ids) if allowed_chunks is None else len(allowed_chunks))
            h_scores, h_ids = self._chunks.search(qvec, k_chunks, allowed_chunks)
            for s, cid in zip(h_scores[0], h_ids[0]):
                if cid < 0:
                    continue
                aid = int(cid) // CHUNK_STRIDE
                if float(s) > dense.get(aid, -1.0):
                    dense[aid] = float(s)
                    matched[aid] = int(cid)
        return strategy

    def _meta(self, cur, asset_ids: list[str]) -> dict[str, dict[str, Any]]:
        if not asset_ids:
            return {}
        rows = cur.execute(
            f"SELECT {', '.join('a.' + c for c in HIT_COLUMNS)} FROM asset_view a "
            "WHERE a.asset_id IN (SELECT unnest(?::VARCHAR[]))", [list(asset_ids)]
        ).fetchall()
        return {r[0]: dict(zip(HIT_COLUMNS, r)) for r in rows}

    # ------------------------------------------------------------------ details

    def asset(self, asset_id: str) -> dict[str, Any]:
        """Everything the catalog knows about one asset."""
        if not isinstance(asset_id, str) or not asset_id or len(asset_id) > 500:
            raise InvalidInput("asset id must be a non-empty string of at most 500 characters")
        check_unicode(asset_id, "asset id")
        cur = self._cursor()
        try:
            row = cur.execute("SELECT * FROM asset_view WHERE asset_id = ?", [asset_id]).fetchone()
            if row is None:
                raise NotFound(f"no asset {asset_id!r} in the catalog")
            cols = [d[0] for d in cur.description]
            out: dict[str, Any] = dict(zip(cols, row))

            def rows(sql: str) -> list[dict[str, Any]]:
                res = cur.execute(sql, [asset_id])
                names = [d[0] for d in res.description]
                return [dict(zip(names, r)) for r in res.fetchall()]

            out["evaluations"] = rows(
                "SELECT task, dataset_name, dataset_id, split, config, metric, value, hardware, source "
                "FROM evaluation WHERE asset_id = ? ORDER BY dataset_name, metric LIMIT 2000")
            out["lineage"] = {
                "parents": rows("SELECT coalesce(parent_id, parent_name) AS asset_id, relation, "
                                "parent_id IS NOT NULL AS in_catalog, source FROM lineage WHERE child_id = ?"),
                "children": rows("SELECT child_id AS asset_id, relation, source FROM lineage "
                                 "WHERE coalesce(parent_id, parent_name) = ? ORDER BY child_id LIMIT 1000"),
            }
            out["datasets"] = rows("SELECT dataset_name, dataset_id, role, source FROM asset_dataset "
                                   "WHERE asset_id = ? ORDER BY role, dataset_name")
            out["tables"] = rows("SELECT t.table_id, t.name, t.n_rows, t.n_columns, "
                                 "list(c.name ORDER BY c.ordinal) AS columns FROM tbl t "
                                 "LEFT JOIN col c USING (table_id) WHERE t.asset_id = ? "
                                 "GROUP BY ALL ORDER BY t.name LIMIT 200")
            out["configurations"] = rows("SELECT key, value, hardware FROM configuration WHERE asset_id = ? LIMIT 500")
            if isinstance(out.get("extra"), str):
                out["extra"] = json.loads(out["extra"])
            if out.get("source_uri"):
                out["source_uri"] = self._shown_path(cur, out["source_uri"])
            return _jsonable(out)
        finally:
            cur.close()

    def _shown_path(self, cur: Any, origin: str) -> str:
        """A source file as clients see it: relative to the folder it was ingested from, named by that
        folder ('cards/helm_model_metadata/model_metadata.yaml'), never the server's absolute path."""
        if self._ingest_roots is None:
            paths = {p for (p,) in cur.execute("SELECT DISTINCT unnest(paths) FROM ingest_run").fetchall() if p}
            self._ingest_roots = sorted({Path(p) for p in paths}, key=lambda p: len(p.parts))
        path = Path(origin)
        if path.is_relative_to(self.catalog.root):  # the demo corpus, uploads: inside the catalog
            return path.relative_to(self.catalog.root).as_posix()
        for root in self._ingest_roots:  # the widest folder first: the most context
            if path == root:
                return path.name
            if path.is_relative_to(root):
                return (Path(root.name) / path.relative_to(root)).as_posix()
        return path.name

    def health(self) -> dict[str, Any]:
        cur = self._cursor()
        try:
            n = cur.execute("SELECT count(*) FROM asset").fetchone()[0]
        finally:
            cur.close()
        return {
            "status": "ok",
            "catalog": self.catalog.root.name,  # the name: clients are not told the server's paths
            "assets": int(n),
            "search_index": None if self.manifest is None else {
                k: self.manifest.get(k) for k in ("assets", "chunks", "built_at", "cards_factory")},
            "encoder": None if self.manifest is None else self.manifest.get("encoder", {}).get("model"),
        }
    # ------------------------------------------------------------------ asset graph (catalog/graph)

    def lineage(self, asset_id: str, *, direction: str = "both", depth: int = 3,
                relations: list[str] | None = None, limit: int = 500) -> dict[str, Any]:
        """The lineage subgraph around `asset_id` (catalog/graph/lineage.py)."""
        from assetscout.catalog.graph.lineage import subgraph

        cur = self._cursor()
        try:
            return _jsonable(subgraph(cur, asset_id, direction=direction, depth=depth, relations=relations,
                                      limit=limit).to_dict())
        finally:
            cur.close()

    def license_check(self, asset_id: str) -> dict[str, Any]:
        """The asset's license check across lineage, as the last ingest stored it."""
        from assetscout.catalog.graph.compliance import stored_check

        cur = self._cursor()
        try:
            return _jsonable(stored_check(cur, asset_id).to_dict())
        finally:
            cur.close()

    def recommend_models(self, **kwargs: Any) -> dict[str, Any]:
        """Models for a dataset, a description or a table (search/recommend/models.py:
        `recommend_models` takes the same keyword arguments)."""
        from assetscout.search.recommend.models import ModelRecommender, recommend_models

        for key in ("dataset", "describe", "task"):
            if isinstance(kwargs.get(key), str):
                check_unicode(kwargs[key], key)
        with self._recommend_lock:  # one recommender (one cursor) per engine: calls take milliseconds
            if self._recommender is None:
                self._recommender = ModelRecommender.open(self.catalog, self.encoder, self._cursor(),
                                                          save_cache=False)
            return _jsonable(recommend_models(self._recommender, **kwargs).to_dict())

    def recommend_datasets(self, model: str, *, k: int = 10) -> dict[str, Any]:
        """Datasets to evaluate or fine-tune `model` on (search/recommend/datasets.py)."""
        from assetscout.search.recommend.datasets import DatasetRecommender

        if isinstance(model, str):
            check_unicode(model, "model")
        with self._recommend_lock:
            if self._dataset_recommender is None:  # reads what it needs once; the cursor is not kept
                cur = self._cursor()
                try:
                    self._dataset_recommender = DatasetRecommender(
                        cur, lambda a, n: [(h.asset_id, h.score) for h in self.similar(a, n)])
                finally:
                    cur.close()
            return _jsonable(self._dataset_recommender.recommend(model, k=k).to_dict())

    def compare(self, asset_ids: list[str]) -> dict[str, Any]:
        """2-5 assets side by side (search/compare.py); NotFound names an id the catalog lacks."""
        from assetscout.search.compare import comparison, parse_ids

        ids = parse_ids(list(asset_ids))
        return _jsonable(comparison([self.asset(i) for i in ids], self.evaluation_rows(ids)))

    # ------------------------------------------------------------------ web pages (search/web)

    def similar(self, asset_id: str, k: int = 8) -> list[Hit]:
        """The `k` assets whose card vectors are nearest to `asset_id`'s (the asset page's
        "similar assets"); [] when the asset has no card vector (no search index, or not indexed)."""
        if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= 100:
            raise InvalidInput(f"k must be an integer in 1..100, got {k!r}")
        i = self._index_of.get(asset_id)
        if i is None or self._cards is None:
            return []
        vec = self._cards.vectors(np.asarray([i], np.int64))
        scores, ids = self._cards.search(vec, min(k + 1, len(self._ids)), None)
        found = [(float(s), int(j)) for s, j in zip(scores[0], ids[0]) if j >= 0 and int(j) != i][:k]
        cur = self._cursor()
        try:
            meta = self._meta(cur, [self._ids[j] for _, j in found])
        finally:
            cur.close()
        hits = []
        for s, j in found:
            m = meta.get(self._ids[j])
            if m is not None:
                hits.append(Hit(**{**m, "tasks": m.get("tasks") or [], "languages": m.get("languages") or []},
                                score=round(s, 6)))
        return hits

    def evaluation_rows(self, asset_ids: list[str], *, limit: int = 20_000) -> list[dict[str, Any]]:
        """Evaluation rows of several assets with their metric key and normalized value (the
        compare page lines benchmarks up across sources that write 0.9 or 90 and name metrics apart)."""
        if not asset_ids:
            return []
        cur = self._cursor()
        try:
            res = cur.execute(
                "SELECT asset_id, task, dataset_name, dataset_id, split, metric, metric_key, value, value_norm, "
                "hardware, source FROM evaluation WHERE asset_id IN (SELECT unnest(?::VARCHAR[])) "
                "ORDER BY asset_id, dataset_name, metric LIMIT ?", [list(asset_ids), limit])
            names = [d[0] for d in res.description]
            return [_jsonable(dict(zip(names, r))) for r in res.fetchall()]
        finally:
            cur.close()



def _query_dict(q: Query) -> dict[str, Any]:
    return {"text": q.text, "kinds": list(q.kinds), "filters": dict(q.filters),
            "metrics": [m.__dict__ for m in q.metrics], "sort": q.sort, "k": q.k, "offset": q.offset,
            "explain": q.explain, "interpret": q.interpret, "literal": list(q.literal),
            "preferred_filters": list(q.preferred_filters), "open_world_filters": list(q.open_world_filters)}


def _headline_metrics(cur, asset_ids: list[str]) -> list[list[dict[str, Any]]]:
    """Each asset's headline evaluations, chosen at ingest (catalog/evaluation_keys.refresh_headlines)."""
    rows = cur.execute(
        "SELECT asset_id, metric, metric_key, dataset_name, value, value_norm FROM asset_headline "
        "WHERE asset_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY asset_id, rank", [asset_ids]).fetchall()
    by: dict[str, list[dict[str, Any]]] = {a: [] for a in asset_ids}
    for asset_id, metric, key, dataset, value, norm in rows:
        info = metric_info(key)
        by[asset_id].append({"metric": metric, "key": key, "label": info.label, "dataset": dataset, "value": value,
                             "value_norm": norm, "direction": info.direction})
    return [by[a] for a in asset_ids]


def _norm_name(text: str) -> str:
    """Letters and digits of any script, lower-case ('Image网' stays 'image网', not 'image')."""
    return re.sub(r"[\W_]", "", text.lower())


def _name_keys(*names: Any) -> tuple[str, ...]:
    """An asset's name and title as `_names_match` compares them: normalized, the repo part only."""
    keys = (_norm_name(str(v).split("/")[-1]) for v in names if v)
    return tuple(dict.fromkeys(k for k in keys if len(k) >= 3))


def _query_names(text: str, max_words: int = 6) -> tuple[str, frozenset[str]]:
    """The whole query normalized, and every run of up to `max_words` consecutive words of it, joined."""
    words = [w for w in re.split(r"[\s,;:()\[\]]+", text.lower()) if w]
    parts = [_norm_name(w) for w in words]
    runs = {"".join(parts[i:j]) for i in range(len(parts)) for j in range(i + 1, min(len(parts), i + max_words) + 1)}
    return "".join(parts), frozenset(r for r in runs if r)


def _names_match(query: tuple[str, frozenset[str]], keys: tuple[str, ...]) -> bool:
    """The query is the asset's name, or names it in whole words (5+ characters): 'imagenet dataset' names
    ImageNet, 'image classification' does not name 'Image网' nor 'fashionmnist' 'mnist'."""
    whole, runs = query
    if len(whole) < 3:
        return False
    return any(k == whole or (len(k) >= 5 and k in runs) for k in keys)


def _sort_value(meta: dict[str, Any], key: str, descending: bool) -> tuple:
    import datetime as dt

    value = meta.get(key)
    if value is None:
        return (1, 0)
    if key == "name":
        return (0, str(value).lower())
    if isinstance(value, dt.date):
        value = value.toordinal()
    return (0, -value if descending else value)


def _jsonable(value: Any) -> Any:
    import datetime as dt

    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
