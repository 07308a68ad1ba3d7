"""Models for a dataset: rank models by how they did on this dataset and on datasets like it.

Three kinds of evidence (CRUX / ModelLens direction), each stated in the explanation:

(a) evaluations on the dataset itself, in its primary metric's direction: models that
    have them come first, best first ("direct");
(b) evaluations on similar benchmarks: the K most similar benchmarks by
        sim(T, S) = 0.5 * max(0, cos(text T, text S)) + 0.25 * [same task] + 0.25 * [same family]
    (family = same zoo and same primary metric), and a model's transfer score is its
    similarity-weighted mean percentile on them, shrunk toward 0.5 by a prior worth one
    benchmark of weight 1 (a model seen on one weak neighbour is not ranked above one
    seen on ten);
(c) lineage: a model's derivation parents' evidence pooled in at half weight, so a
    fine-tune or quantization of a strong model inherits some of its standing.

The weights are fixed a priori (half content, half structure; parents at half weight;
K = 20); `assetscout eval recommend` measures them on hidden benchmarks, it did not pick them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np

from assetscout.catalog.datasets import alias_key
from assetscout.catalog.queries import task_key
from assetscout.embed.base import Encoder
from assetscout.errors import InvalidInput, NotFound
from assetscout.search.recommend.evidence import Evidence, load_evidence

MAX_K = 200


@dataclass(frozen=True)
class Settings:
    neighbours: int = 20
    w_content: float = 0.5
    w_task: float = 0.25
    w_family: float = 0.25
    prior: float = 1.0  # pseudo-weight of the 0.5 prior
    lineage: float = 0.5  # weight of a parent's evidence


@dataclass
class Target:
    """What to recommend for: a benchmark of the catalog, a dataset, a description or a table."""

    label: str
    vector: np.ndarray
    task: str | None = None
    family: tuple[str, str] | None = None
    bench: int | None = None  # its own benchmark, when it has evaluations
    dataset_id: str | None = None


@dataclass
class Suggestion:
    asset_id: str
    name: str
    score: float
    direct: dict[str, Any] | None  # its evaluation on the dataset itself
    evidence: list[dict[str, Any]]  # its strongest evaluations on similar benchmarks
    parent: dict[str, Any] | None  # the parent whose evidence was pooled in
    license: str | None
    license_class: str | None
    parameters: int | None
    library: str | None
    why: str = ""


@dataclass
class Recommendation:
    target: dict[str, Any]
    similar_benchmarks: list[dict[str, Any]]
    suggestions: list[Suggestion] = field(default_factory=list)
    considered: int = 0
    method: str = ""

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


class ModelRecommender:
    """Evidence and benchmark vectors of one catalog, loaded once; recommendations are then
    matrix products (microseconds per benchmark)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, encoder: Encoder, *, evidence: Evidence | None = None,
                 settings: Settings = Settings(), bench_vectors: np.ndarray | None = None) -> None:
        self.con = con
        self.encoder = encoder
        self.settings = settings
        self.ev = evidence if evidence is not None else load_evidence(con)
        self.vectors = bench_vectors if bench_vectors is not None else encoder.encode(
            [b.text for b in self.ev.benches]) if self.ev.benches else np.zeros((0, encoder.dim), np.float32)
        self.vectors = _unit(np.asarray(self.vectors, np.float32))
        self.tasks = np.asarray([b.task or "" for b in self.ev.benches], object)
        self.families = [b.family for b in self.ev.benches]
        self.name_keys = [alias_key(b.name) for b in self.ev.benches]
        self.same_name: dict[str, list[int]] = defaultdict(list)  # benchmarks under one name (hidden together)
        for i, key in enumerate(self.name_keys):
            self.same_name[key].append(i)
        self.parents = self._model_parents()

    @classmethod
    def open(cls, catalog: Any, encoder: Encoder, con: duckdb.DuckDBPyConnection, *,
             save_cache: bool = True, settings: Settings = Settings()) -> "ModelRecommender":
        """Benchmark texts embedded through the catalog's embedding cache (an unchanged catalog
        costs no encoding the second time); `save_cache` False for readers beside a writer."""
        from assetscout.embed.cache import EmbeddingCache, encode_cached

        evidence = load_evidence(con)
        texts = [b.text for b in evidence.benches]
        cache = EmbeddingCache.for_encoder(catalog.root / "embedding_cache", encoder)
        vectors = encode_cached(encoder, texts, cache) if texts else np.zeros((0, encoder.dim), np.float32)
        if save_cache and cache.dirty:
            cache.save()
        return cls(con, encoder, evidence=evidence, settings=settings, bench_vectors=vectors)

    def _model_parents(self) -> dict[int, list[int]]:
        idx = self.ev.model_index
        out: dict[int, list[int]] = defaultdict(list)
        for child, parent in self.con.execute(
                "SELECT DISTINCT child_id, parent_id FROM lineage WHERE parent_id IS NOT NULL AND child_id <> parent_id "
                "AND relation <> 'base'").fetchall():
            if child in idx and parent in idx:
                out[idx[child]].append(idx[parent])
        return out

    # ------------------------------------------------------------ targets

    def target_for_bench(self, j: int) -> Target:
        b = self.ev.benches[j]
        return Target(b.name, self.vectors[j], b.task, b.family, j, b.dataset_id)

    def target_for_dataset(self, dataset: str) -> Target:
        """A dataset of the catalog (asset id or a benchmark name as evaluations write it)."""
        if not isinstance(dataset, str) or not dataset.strip() or len(dataset) > 500:
            raise InvalidInput("dataset must be a non-empty string of at most 500 characters")
        j = self.ev.bench_of_dataset(dataset)
        if j is None:
            keyed = self.same_name.get(alias_key(dataset), [])
            j = max(keyed, key=lambda i: self.ev.benches[i].n_models) if keyed else None
        if j is not None:
            return self.target_for_bench(j)
        row = self.con.execute("SELECT asset_id, name, title, summary, task_keys[1] FROM asset "
                               "WHERE asset_id = ? AND kind = 'dataset'", [dataset]).fetchone()
        if row is None:
            raise NotFound(f"no dataset {dataset!r} in the catalog: give a dataset id (as search results show them) "
                           "or describe it with --describe")
        from assetscout.search.recommend.evidence import bench_text

        text = bench_text(row[1], {"title": row[2], "summary": row[3]}, row[4])
        return Target(row[1], self.encoder.encode([text])[0], row[4], None, None, row[0])

    def target_for_text(self, text: str, task: str | None = None, *, label: str | None = None) -> Target:
        if not isinstance(text, str) or not text.strip():
            raise InvalidInput("describe the dataset in a few words (e.g. 'French customer reviews, sentiment')")
        text = text.strip()[:4000]
        if task:
            text += f" (task: {task.replace('-', ' ')})"
        return Target(label or text[:80], self.encoder.encode([text])[0], task_key(task) if task else None)

    # ------------------------------------------------------------ scoring

    def neighbour_weights(self, target: Target, *, hide: int | None = None) -> np.ndarray:
        """sim(T, S) for the K most similar benchmarks, 0 elsewhere; `hide` (and any benchmark with
        its name) is left out, as are the target's own evaluations."""
        s = self.settings
        n = len(self.ev.benches)
        if n == 0:
            return np.zeros(0, np.float32)
        cos = np.clip(self.vectors @ _unit(target.vector[None, :].astype(np.float32))[0], 0, 1)
        sim = s.w_content * cos
        if target.task:
            sim = sim + s.w_task * (self.tasks == target.task)
        if target.family:
            sim = sim + s.w_family * np.asarray([f == target.family for f in self.families], np.float32)
        for own in {hide, target.bench} - {None}:
            sim[own] = 0
            sim[self.same_name[self.name_keys[own]]] = 0
        keep = np.argsort(-sim, kind="stable")[: s.neighbours]
        weights = np.zeros(n, np.float32)
        weights[keep] = sim[keep]
        return weights

    def transfer_scores(self, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(score, support) per model: weighted mean percentile with the parents' evidence pooled in."""
        s = self.settings
        num = self.ev.filled @ weights
        den = self.ev.mask.astype(np.float32) @ weights
        num_all, den_all = num.copy(), den.copy()
        for child, parents in self.parents.items():
            for p in parents:
                num_all[child] += s.lineage * num[p]
                den_all[child] += s.lineage * den[p]
        return (num_all + 0.5 * s.prior) / (den_all + s.prior), den_all

    # ------------------------------------------------------------ the answer

    def recommend(self, target: Target, *, k: int = 10, allowed: set[str] | None = None,
                  use_direct: bool = True) -> Recommendation:
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
            raise InvalidInput(f"k must be an integer in 1..{MAX_K}, got {k!r}")
        weights = self.neighbour_weights(target)
        score, support = self.transfer_scores(weights)
        direct = target.bench if use_direct else None
        order_key = score.copy()
        if direct is not None:  # evaluated on the dataset itself: first, by their result there
            has = self.ev.mask[:, direct]
            order_key = np.where(has, 2.0 + self.ev.filled[:, direct], order_key)
        candidates = np.flatnonzero(support > 0) if direct is None else np.flatnonzero((support > 0) | self.ev.mask[:, direct])
        if allowed is not None:
            candidates = np.asarray([i for i in candidates if self.ev.models[i] in allowed], np.int64)
        ranked = candidates[np.argsort(-order_key[candidates], kind="stable")][:k]
        meta = _model_meta(self.con, [self.ev.models[i] for i in ranked])
        sims = np.flatnonzero(weights)
        similar = [{"benchmark": self.ev.benches[j].name, "dataset_id": self.ev.benches[j].dataset_id,
                    "similarity": round(float(weights[j]), 3), "metric": self.ev.benches[j].metric_label,
                    "models": self.ev.benches[j].n_models, "task": self.ev.benches[j].task}
                   for j in sims[np.argsort(-weights[sims])]]
        out = Recommendation(
            target={"label": target.label, "dataset_id": target.dataset_id, "task": target.task,
                    "evaluated_models": int(self.ev.mask[:, direct].sum()) if direct is not None else 0},
            similar_benchmarks=similar[:10], considered=int(len(candidates)),
            method="direct evaluations first, then similarity-weighted percentile on the "
                   f"{len(sims)} most similar benchmarks, parents pooled at half weight")
        for i in ranked:
            out.suggestions.append(self._explain(int(i), weights, float(score[i]), direct, meta))
        return out

    def _explain(self, i: int, weights: np.ndarray, score: float, direct: int | None,
                 meta: dict[str, dict[str, Any]]) -> Suggestion:
        ev = self.ev
        model = ev.models[i]
        m = meta.get(model, {})
        d = None
        if direct is not None and ev.mask[i, direct]:
            value, metric = ev.values[(i, direct)]
            d = {"benchmark": ev.benches[direct].name, "metric": metric, "value": value,
                 "percentile": round(float(ev.quality[i, direct]), 3), "of_models": ev.benches[direct].n_models}
        contrib = weights * np.where(ev.mask[i], ev.quality[i], 0)
        top = [j for j in np.argsort(-contrib) if contrib[j] > 0][:3]
        evidence = []
        for j in top:
            value, metric = ev.values[(i, int(j))]
            evidence.append({"benchmark": ev.benches[j].name, "dataset_id": ev.benches[j].dataset_id,
                             "metric": metric, "value": value, "percentile": round(float(ev.quality[i, j]), 3),
                             "of_models": ev.benches[j].n_models, "similarity": round(float(weights[j]), 3)})
        parent = None
        for p in self.parents.get(i, ()):
            pw = weights * ev.mask[p]
            if pw.sum() > 0:
                parent = {"asset_id": ev.models[p], "support": round(float(pw.sum()), 3),
                          "mean_percentile": round(float((weights * ev.filled[p]).sum() / pw.sum()), 3)}
                break
        parts = []
        if d:
            parts.append(f"{d['metric']} {d['value']:g} on {d['benchmark']} itself (rank {_rank_of(d)} of "
                         f"{d['of_models']})")
        for e in evidence[:2]:
            parts.append(f"{e['metric']} {e['value']:g} on {e['benchmark']} (rank {_rank_of(e)} of {e['of_models']}; "
                         f"{e['benchmark']} is similar: {e['similarity']:.2f})")
        if parent:
            parts.append(f"derived from {parent['asset_id']} (mean percentile {parent['mean_percentile']:.0%} on "
                         "similar benchmarks)")
        if not d and not evidence and not parent:
            parts.append("no evaluation on a similar benchmark")
        facts = [f"license {m.get('license') or 'unknown'}"]
        if m.get("parameters"):
            facts.append(f"{m['parameters'] / 1e6:,.1f}M parameters")
        return Suggestion(model, m.get("name") or model, round(score, 4), d, evidence, parent, m.get("license"),
                          m.get("license_class"), m.get("parameters"), m.get("library"),
                          "; ".join(parts + facts))


def _rank_of(e: dict[str, Any]) -> int:
    """The rank a percentile stands for among `of_models` (1 = best; ties share a mean rank)."""
    return int(round((1 - e["percentile"]) * (e["of_models"] - 1))) + 1


def _model_meta(con: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    rows = con.execute("SELECT asset_id, name, coalesce(license_spdx, license_raw), license_class, parameters, library "
                       "FROM asset WHERE asset_id IN (SELECT unnest(?::VARCHAR[]))", [ids]).fetchall()
    return {r[0]: {"name": r[1], "license": r[2], "license_class": r[3], "parameters": r[4], "library": r[5]}
            for r in rows}


def _unit(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms == 0, 1, norms)


def allowed_models(con: duckdb.DuckDBPyConnection, filters: dict[str, Any] | None,
                   task: str | None = None) -> set[str] | None:
    """Model ids passing the search filters (parameters, license, library... as `assetscout search
    --filter` takes them) and doing `task` (stated, or evaluated on a benchmark of that task); None: all."""
    if not filters and not task:
        return None
    from assetscout.search.planner import build_where
    from assetscout.search.query import Query

    query = Query.build(kinds=["model"], filters=dict(filters or {}))
    where = build_where(con, query)
    sql = f"SELECT a.asset_id FROM asset_view a WHERE {where.sql}"
    params = list(where.params)
    if task:
        sql += (" AND (list_contains(a.task_keys, ?) OR a.asset_id IN (SELECT asset_id FROM evaluation "
                "WHERE regexp_replace(lower(task), '[^a-z0-9]+', '-', 'g') = ?))")
        params += [task_key(task), task_key(task)]
    return {r[0] for r in con.execute(sql, params).fetchall()}


def table_description(path: str, label: str | None = None) -> str:
    """A table file as the recommender reads it: its name, columns and a few values of each."""
    from pathlib import Path

    from assetscout.embed.serialize import representative_values, serialize_schema
    from assetscout.tables.read import TableReadError, read_table

    try:
        res = read_table(path)
    except TableReadError as exc:
        raise InvalidInput(f"cannot read table {label or path!r}: {exc.reason}") from None
    name = Path(label or path).stem
    text = serialize_schema(name, [(c.name, None) for c in res.columns])
    samples = []
    for c in res.columns[:12]:
        values = representative_values(c.distinct, limit=3, max_chars=30)
        if values:
            samples.append(f"{c.name}: {', '.join(values)}")
    return text + (". values " + "; ".join(samples) if samples else "")


def recommend_models(rec: ModelRecommender, *, dataset: str | None = None, describe: str | None = None,
                     table_text: str | None = None, table_label: str | None = None, task: str | None = None,
                     filters: dict[str, Any] | None = None, k: int = 10, use_direct: bool = True) -> Recommendation:
    """The one entry point of CLI and HTTP: exactly one of dataset, describe, table_text."""
    given = [x for x in (dataset, describe, table_text) if x is not None]
    if len(given) != 1:
        raise InvalidInput("say what the models are for: exactly one of a dataset id (--for-dataset / dataset=), "
                           "a description (--describe / describe=) or a table (--table)")
    allowed = allowed_models(rec.con, filters, task)  # bad filters are refused before anything else
    if dataset is not None:
        target = rec.target_for_dataset(dataset)
        if task and not target.task:
            target.task = task_key(task)
    elif describe is not None:
        target = rec.target_for_text(describe, task)
    else:
        target = rec.target_for_text(str(table_text), task, label=table_label or "your table")
    return rec.recommend(target, k=k, allowed=allowed, use_direct=use_direct)
