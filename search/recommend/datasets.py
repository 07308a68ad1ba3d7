"""Datasets for a model: where to evaluate or fine-tune it next.

A dataset scores by who else used it (dataset_use: evaluated or trained on, resolved
dataset assets), each user weighted by how close it is to the model:

    family    parents, children and siblings in the lineage graph (base, finetune, ...)   1.0
    similar   the nearest models by card vector (the search index), their cosine          cos
    task      the models of the same task that use any dataset, as a share of them        0.5 x share

score(d) = sum of the family and similar users' weights / their total weight + 0.5 x the
share of same-task models (of those that use any dataset) that use d. Datasets the model
already uses are listed apart; datasets of another modality (a vision dataset for a text model) are left out. Each
suggestion says who used it and what its license means for the model: evaluating on a
dataset is one thing, fine-tuning on a non-commercial one makes the result non-commercial.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

import duckdb

from assetscout.errors import InvalidInput, NotFound

MAX_K = 200
W_TASK = 0.5
SIMILAR = 20


@dataclass
class DatasetSuggestion:
    dataset_id: str
    name: str
    score: float
    used_by_family: list[str]
    used_by_similar: list[dict[str, Any]]
    task_share: float  # share of the model's task peers that use it
    evaluated_by: int  # related models evaluated on it
    trained_by: int  # related models trained on it
    license: str | None
    license_note: str
    why: str = ""


@dataclass
class DatasetRecommendation:
    model: dict[str, Any]
    already_used: list[str]
    suggestions: list[DatasetSuggestion] = field(default_factory=list)
    related_models: int = 0
    method: str = ("datasets used by the model's lineage family and its nearest models by card vector, "
                   "weighted by closeness, plus the share of same-task models using them")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class DatasetRecommender:
    """Dataset use, lineage and task peers of one catalog, in memory."""

    def __init__(self, con: duckdb.DuckDBPyConnection, similar: Any = None) -> None:
        """`similar(asset_id, k)` -> [(asset_id, cosine)], e.g. from SearchEngine.similar; None: no such evidence.
        Everything is read from `con` here; it is not used afterwards."""
        self.similar = similar
        self.uses: dict[str, dict[str, tuple[bool, bool]]] = defaultdict(dict)  # model -> dataset -> (eval, train)
        for asset_id, dataset_id, evaluated, trained in con.execute(
                "SELECT u.asset_id, u.dataset_id, u.evaluated, u.trained FROM dataset_use u "
                "JOIN asset a ON a.asset_id = u.asset_id WHERE a.kind = 'model'").fetchall():
            self.uses[asset_id][dataset_id] = (bool(evaluated), bool(trained))
        self.meta: dict[str, dict[str, Any]] = {}
        for r in con.execute("SELECT asset_id, name, kind, coalesce(license_spdx, license_raw), license_class, "
                             "non_commercial, coalesce(task_keys, []::VARCHAR[]), "
                             "coalesce(modality_keys, []::VARCHAR[]), source FROM asset").fetchall():
            self.meta[r[0]] = {"name": r[1], "kind": r[2], "license": r[3], "license_class": r[4],
                               "non_commercial": r[5], "tasks": list(r[6]), "modalities": set(r[7]), "source": r[8]}
        self.parents: dict[str, set[str]] = defaultdict(set)
        self.children: dict[str, set[str]] = defaultdict(set)
        for child, parent in con.execute("SELECT DISTINCT child_id, coalesce(parent_id, parent_name) FROM lineage "
                                         "WHERE child_id <> coalesce(parent_id, parent_name)").fetchall():
            self.parents[child].add(parent)
            self.children[parent].add(child)
        self.by_task: dict[str, set[str]] = defaultdict(set)
        for model in self.uses:
            for t in self.meta.get(model, {}).get("tasks", ()):
                self.by_task[t].add(model)

    def family(self, model: str) -> set[str]:
        out = set(self.parents.get(model, ())) | set(self.children.get(model, ()))
        for p in self.parents.get(model, ()):
            out |= self.children.get(p, set())
        out.discard(model)
        return out

    def recommend(self, model: str, *, k: int = 10, hide_own: bool = False) -> DatasetRecommendation:
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
            raise InvalidInput(f"k must be an integer in 1..{MAX_K}, got {k!r}")
        if not isinstance(model, str) or not model.strip() or len(model) > 500:
            raise InvalidInput("model must be a non-empty asset id of at most 500 characters")
        m = self.meta.get(model)
        if m is None or m["kind"] != "model":
            raise NotFound(f"no model {model!r} in the catalog (give a model id as search results show them)")
        own = {} if hide_own else self.uses.get(model, {})
        weights: dict[str, tuple[float, str]] = {r: (1.0, "family") for r in self.family(model)}
        if self.similar is not None:
            for other, cos in self.similar(model, SIMILAR):
                if other != model and other not in weights and cos > 0 and self.meta.get(other, {}).get("kind") == "model":
                    weights[other] = (float(cos), "similar")
        total = sum(w for w, _ in weights.values())
        score: dict[str, float] = defaultdict(float)
        users: dict[str, list[tuple[str, float, str]]] = defaultdict(list)
        for other, (w, how) in weights.items():
            for d in self.uses.get(other, {}):
                score[d] += w / total
                users[d].append((other, w, how))
        peers = set().union(*(self.by_task.get(t, set()) for t in m["tasks"])) - {model} if m["tasks"] else set()
        share: dict[str, float] = defaultdict(float)
        if peers:
            for peer in peers:
                for d in self.uses.get(peer, {}):
                    share[d] += 1 / len(peers)
            for d, s in share.items():
                score[d] += W_TASK * s
        modalities = m["modalities"]
        ranked = []
        for d, s in sorted(score.items(), key=lambda kv: (-kv[1], kv[0])):
            if d in own or d == model:
                continue
            dm = self.meta.get(d, {})
            if modalities and dm.get("modalities") and not (modalities & dm["modalities"]):
                continue
            ranked.append((d, s))
            if len(ranked) == k:
                break
        out = DatasetRecommendation(
            model={"asset_id": model, "name": m["name"], "tasks": m["tasks"], "license": m["license"]},
            already_used=sorted(own), related_models=len(weights))
        for d, s in ranked:
            out.suggestions.append(self._explain(model, m, d, s, users.get(d, []), share.get(d, 0.0)))
        return out

    def _explain(self, model: str, m: dict[str, Any], d: str, s: float, users: list[tuple[str, float, str]],
                 share: float) -> DatasetSuggestion:
        dm = self.meta.get(d, {})
        fam = sorted(u for u, _, how in users if how == "family")
        sim = [{"asset_id": u, "similarity": round(w, 3)} for u, w, how in sorted(users, key=lambda t: -t[1])
               if how == "similar"][:5]
        evaluated = sum(self.uses[u][d][0] for u, _, _ in users)
        trained = sum(self.uses[u][d][1] for u, _, _ in users)
        note = license_note(dm, m)
        parts = []
        if fam:
            parts.append(f"used by {len(fam)} of its family (e.g. {fam[0]})")
        if sim:
            parts.append(f"used by {len(sim)} similar models (e.g. {sim[0]['asset_id']}, {sim[0]['similarity']:.2f})")
        if share:
            parts.append(f"{_share(share)} of the {', '.join(m['tasks'][:2])} models with known datasets use it")
        return DatasetSuggestion(d, dm.get("name") or d, round(s, 4), fam[:10], sim, round(share, 4), evaluated,
                                 trained, dm.get("license"), note, "; ".join(parts + [note]))


def _share(x: float) -> str:
    return "under 1%" if 0 < x < 0.005 else f"{x:.0%}"


def license_note(dataset: dict[str, Any], model: dict[str, Any]) -> str:
    """What the dataset's license means for this model (evaluating vs training on it)."""
    lic = dataset.get("license") or "license unknown"
    if dataset.get("non_commercial"):
        if model.get("non_commercial") is False:
            return (f"{lic} is non-commercial: fine for evaluation, but a model fine-tuned on it may not be used "
                    "commercially")
        return f"{lic} (non-commercial)"
    if dataset.get("license_class") in (None, "unknown"):
        return f"{lic}: check the terms before training on it"
    if dataset.get("license_class") == "copyleft":
        return f"{lic} (share-alike): check whether it binds a model trained on it"
    return f"{lic}: compatible"


def evaluate_datasets(catalog: Any, encoder: Any, *, min_datasets: int = 3, k: int = 10,
                      progress: bool = False) -> dict[str, Any]:
    """Hide each model's own dataset use (models with >= min_datasets), suggest k, score recall@k
    against the most-used-datasets baseline (popularity without the model)."""
    from assetscout.search.engine import SearchEngine

    engine = SearchEngine.open(catalog, encoder=encoder)
    con = catalog.connect()
    try:
        rec = DatasetRecommender(con, lambda a, n: [(h.asset_id, h.score) for h in engine.similar(a, n)])
        rows = _leave_own_out(rec, min_datasets=min_datasets, k=k, progress=progress)
    finally:
        con.close()
        engine.close()
    by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_source[r["source"]].append(r)

    def block(rs: list[dict[str, Any]]) -> dict[str, Any]:
        return {"models": len(rs), f"method_recall@{k}": round(sum(r["method"] for r in rs) / len(rs), 4),
                f"most_used_recall@{k}": round(sum(r["most_used"] for r in rs) / len(rs), 4)} if rs else {"models": 0}

    return {"setting": f"models with >= {min_datasets} resolved datasets used; their own use hidden; recall@{k} "
                       f"= hidden datasets among the {k} suggested / min({k}, hidden)",
            "overall": block(rows), "by_zoo": {s: block(rs) for s, rs in sorted(by_source.items(), key=lambda kv: -len(kv[1]))},
            "seconds": round(sum(r["seconds"] for r in rows), 1)}


def _leave_own_out(rec: DatasetRecommender, *, min_datasets: int, k: int, progress: bool) -> list[dict[str, Any]]:
    from assetscout.progress import progress_line

    popularity: dict[str, int] = defaultdict(int)
    for uses in rec.uses.values():
        for d in uses:
            popularity[d] += 1
    models = sorted(m for m, u in rec.uses.items() if len(u) >= min_datasets)
    rows = []
    tick = progress_line("recommend datasets", "models") if progress else None
    for n, model in enumerate(models):
        t0 = time.monotonic()
        truth = set(rec.uses[model])
        saved = rec.uses.pop(model)
        try:
            got = [s.dataset_id for s in rec.recommend(model, k=k, hide_own=True).suggestions]
        finally:
            rec.uses[model] = saved
        pop = sorted(popularity, key=lambda d: (-(popularity[d] - (d in truth)), d))[:k]
        denom = min(k, len(truth))
        rows.append({"model": model, "source": rec.meta[model]["source"], "method": len(truth & set(got)) / denom,
                     "most_used": len(truth & set(pop)) / denom, "seconds": time.monotonic() - t0})
        if tick:
            tick(n + 1, len(models), model)
    return rows


def format_dataset_eval(result: dict[str, Any]) -> str:
    lines = [result["setting"]]
    for label, b in [("overall", result["overall"]), *result["by_zoo"].items()]:
        if b.get("models"):
            keys = [k for k in b if k != "models"]
            lines.append(f"  {label:<22}{b['models']:>6}  " + "  ".join(f"{k} {b[k]:.3f}" for k in keys))
    return "\n".join(lines)
