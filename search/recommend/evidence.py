"""The evidence behind recommendations: which model did how well on which benchmark.

A benchmark is an evaluated dataset: the dataset asset when the evaluation's dataset
resolved to one, else its normalized name (`name:<key>`). Each benchmark is scored on
one primary metric, the metric key most of its models report (an MTEB main_score
counts as what it measures); a model's value there is its best one in the metric's
direction (several resolutions, splits or subsets: the best, as search sorts do).
Speed and compute rows (hardware, throughput) are no quality evidence and are left out.

Values become percentiles within their benchmark (1 = best, 0 = worst, ties share the
mean rank), so that accuracy on one benchmark and nDCG on another can be averaged.
Every benchmark also gets a short text (dataset name, title, summary, task) embedded
with the catalog's encoder: the content side of "this dataset is like that one".
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import duckdb
import numpy as np

from assetscout.catalog.evaluation_keys import HEADLINE_KEYS
from assetscout.catalog.metrics import COMPUTE_KEYS, metric_info
from assetscout.catalog.queries import task_key
from assetscout.embed.serialize import split_name

MIN_MODELS = 2  # a benchmark with one model ranks nothing


@dataclass(frozen=True)
class Bench:
    id: str  # dataset asset id, or name:<dataset key>
    name: str  # as the evaluations write it (or the dataset asset's name)
    dataset_id: str | None
    zoo: str  # the reader most of its evaluations came from
    task: str | None  # task key (mode of the evaluations' tasks, else the dataset's)
    metric: str  # primary metric key
    metric_label: str
    direction: str  # higher / lower
    n_models: int
    text: str  # what the encoder sees

    @property
    def family(self) -> tuple[str, str]:
        """Benchmarks of one family are scored alike: same zoo, same primary metric."""
        return (self.zoo, self.metric)


@dataclass
class Evidence:
    benches: list[Bench]
    models: list[str]
    quality: np.ndarray  # float32 [models, benches]: percentile, NaN where not evaluated
    values: dict[tuple[int, int], tuple[float, str]]  # (model, bench) -> (value as written, metric as written)

    def __post_init__(self) -> None:
        self.bench_index = {b.id: i for i, b in enumerate(self.benches)}
        self.model_index = {m: i for i, m in enumerate(self.models)}
        self.mask = ~np.isnan(self.quality)
        self.filled = np.where(self.mask, self.quality, 0.0).astype(np.float32)

    def bench_of_dataset(self, dataset_id: str) -> int | None:
        i = self.bench_index.get(dataset_id)
        return i if i is not None else self.bench_index.get(f"name:{dataset_id}")


_COLUMNS = "asset_id, bench, dataset_id, dataset_name, metric_key, metric, value, value_norm, source, task"


def load_evidence(con: duckdb.DuckDBPyConnection, *, min_models: int = MIN_MODELS) -> Evidence:
    """Read every model's quality evaluations once and score them per benchmark."""
    rows = con.execute(
        f"""SELECT {_COLUMNS} FROM (
              SELECT e.asset_id, coalesce(e.dataset_id, 'name:' || e.dataset_key) AS bench, e.dataset_id,
                     e.dataset_name, e.metric_key, e.metric, e.value, e.value_norm, e.source, e.task
              FROM evaluation e JOIN asset a ON a.asset_id = e.asset_id
              WHERE a.kind = 'model' AND e.hardware IS NULL AND e.value_norm IS NOT NULL
                AND isfinite(e.value_norm) AND coalesce(e.dataset_id, e.dataset_key) IS NOT NULL
                AND NOT list_has_any(coalesce(e.metric_keys, []::VARCHAR[]), ?::VARCHAR[]))""",
        [list(COMPUTE_KEYS)]).fetchall()
    per_bench: dict[str, list[tuple]] = defaultdict(list)
    for r in rows:
        per_bench[r[1]].append(r)
    dataset_meta = _dataset_meta(con, {r[2] for r in rows if r[2]})
    benches: list[Bench] = []
    scores: list[dict[str, tuple[float, float, str]]] = []
    for bench_id, bench_rows in sorted(per_bench.items()):
        models_of: dict[str, set[str]] = defaultdict(set)
        for r in bench_rows:
            models_of[r[4]].add(r[0])
        main = Counter(r[4] for r in bench_rows if str(r[5]).lower().replace(" ", "_") == "main_score")
        metric = min(models_of, key=lambda k: (-len(models_of[k]), -main[k], _headline_rank(k), k))
        info = metric_info(metric)
        direction = info.direction or "higher"
        best: dict[str, tuple[float, float, str]] = {}
        for r in bench_rows:
            if r[4] != metric:
                continue
            old = best.get(r[0])
            if old is None or (r[7] < old[0] if direction == "lower" else r[7] > old[0]):
                best[r[0]] = (float(r[7]), float(r[6]), str(r[5]))
        if len(best) < min_models:
            continue
        dataset_id = next((r[2] for r in bench_rows if r[2]), None)
        name = Counter(r[3] for r in bench_rows if r[3]).most_common(1)[0][0] if any(r[3] for r in bench_rows) \
            else bench_id
        zoo = Counter(r[8] for r in bench_rows).most_common(1)[0][0]
        tasks = Counter(task_key(r[9]) for r in bench_rows if r[9])
        meta = dataset_meta.get(dataset_id or "", {})
        task = tasks.most_common(1)[0][0] if tasks else (meta.get("task") or None)
        benches.append(Bench(bench_id, meta.get("name") or name, dataset_id, zoo, task, metric, info.label,
                             direction, len(best), bench_text(name, meta, task)))
        scores.append(best)
    models = sorted({m for best in scores for m in best})
    index = {m: i for i, m in enumerate(models)}
    quality = np.full((len(models), len(benches)), np.nan, np.float32)
    values: dict[tuple[int, int], tuple[float, str]] = {}
    for j, (bench, best) in enumerate(zip(benches, scores)):
        ids = list(best)
        norm = np.asarray([best[m][0] for m in ids], np.float64)
        pct = percentiles(norm, higher_is_better=bench.direction != "lower")
        for m, p in zip(ids, pct):
            quality[index[m], j] = p
            values[(index[m], j)] = (best[m][1], best[m][2])
    return Evidence(benches, models, quality, values)


def _headline_rank(key: str) -> int:
    """Among metrics reported by as many models, the one a hit would show first (accuracy before top-5)."""
    return HEADLINE_KEYS.index(key) if key in HEADLINE_KEYS else len(HEADLINE_KEYS)


def percentiles(values: np.ndarray, *, higher_is_better: bool = True) -> np.ndarray:
    """1 for the best, 0 for the worst, ties share their mean rank; one value: 1."""
    n = len(values)
    if n == 1:
        return np.ones(1)
    keyed = values if higher_is_better else -values
    order = np.argsort(-keyed, kind="stable")
    ranks = np.empty(n)
    sorted_vals = keyed[order]
    i = 0
    while i < n:
        j = i
        while j + 1 < n and sorted_vals[j + 1] == sorted_vals[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2
        i = j + 1
    return 1.0 - ranks / (n - 1)


def _dataset_meta(con: duckdb.DuckDBPyConnection, ids: set[str]) -> dict[str, dict[str, str | None]]:
    if not ids:
        return {}
    rows = con.execute(
        "SELECT asset_id, name, title, summary, task_keys[1] FROM asset WHERE asset_id IN (SELECT unnest(?::VARCHAR[]))",
        [sorted(ids)]).fetchall()
    return {r[0]: {"name": r[1], "title": r[2], "summary": r[3], "task": r[4]} for r in rows}


def bench_text(name: str, meta: dict[str, str | None], task: str | None) -> str:
    """'Banking77 Classification: <title>. <summary> (task: classification)' for the encoder."""
    words = split_name(name.split("/")[-1]) if name else ""
    parts = [words or name]
    if meta.get("title") and meta["title"] != name:
        parts.append(str(meta["title"]))
    if meta.get("summary"):
        parts.append(_first_words(str(meta["summary"]), 60))
    text = ". ".join(p for p in parts if p)
    return text + (f" (task: {task.replace('-', ' ')})" if task else "")


def _first_words(text: str, n: int) -> str:
    words = re.split(r"\s+", text.strip())
    return " ".join(words[:n])
