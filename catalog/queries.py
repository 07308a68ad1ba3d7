"""Structured questions over the catalog, answered exactly in SQL (always `?` parameters).

These are the questions a model zoo must answer as queries, not prose (seed paper:
"queryable model zoo"): metric thresholds on a dataset, the best model on a task,
license risk along lineage, datasets by schema.

    >>> from assetscout.catalog.queries import CatalogQueries
    >>> q = CatalogQueries.open("~/.local/share/assetscout/catalog")
    >>> q.models_by_metric("top1", ">=", 85, dataset="ImageNet",
    ...                    task="image-classification", max_parameters=30_000_000)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from assetscout.catalog.datasets import alias_key, equivalent_keys
from assetscout.catalog.metrics import constraint_value, metric_info, metric_key
from assetscout.catalog.store import Catalog, open_catalog
from assetscout.errors import InvalidInput

_OPERATORS = {">=": ">=", ">": ">", "<=": "<=", "<": "<", "=": "=", "==": "="}


def task_key(task: str) -> str:
    """Normalized task name: 'Image Classification' == 'image-classification' == 'image_classification'."""
    return re.sub(r"[^a-z0-9]+", "-", task.lower()).strip("-")


_MTEB_SUFFIX_KEYS = ("classification", "multilabelclassification", "pairclassification", "clustering",
                     "clusteringp2p", "clusterings2s", "reranking", "retrieval", "sts", "bitextmining",
                     "summarization", "zeroshot", "zeroshotclassification")


def hardware_key(text: str) -> str:
    """Hardware as compared: lower-case letters and digits ('RTX 4090' -> 'rtx4090')."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


@dataclass(frozen=True)
class MetricHit:
    asset_id: str
    name: str
    metric: str
    value: float
    dataset: str | None
    parameters: int | None


class CatalogQueries:
    """Exact structured queries over one catalog (read-only connection)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def _register_functions(self) -> None:
        """task_key / alias_key as SQL functions, for the queries that call them (registered on first use:
        registering needs a connection with no unfinished result)."""
        for name, fn in (("task_key", task_key), ("alias_key", alias_key)):
            try:
                self.con.create_function(name, fn, [str], str, side_effects=False)
            except duckdb.Error as exc:  # already registered on this connection
                if "already" not in str(exc).lower():
                    raise

    @classmethod
    def open(cls, root: Path | str | Catalog) -> "CatalogQueries":
        catalog = root if isinstance(root, Catalog) else open_catalog(root)
        return cls(catalog.connect())

    def close(self) -> None:
        self.con.close()

    # ------------------------------------------------------------ helpers

    def dataset_ids(self, name: str) -> list[str]:
        """Dataset asset ids a dataset name resolves to (via the alias table), or []."""
        rows = self.con.execute(
            "SELECT DISTINCT dataset_id FROM dataset_alias WHERE alias_key IN (SELECT unnest(?::VARCHAR[]))",
            [sorted(equivalent_keys(name))],
        ).fetchall()
        return [r[0] for r in rows]

    def benchmark_keys(self, name: str) -> set[str]:
        """Names (as keys) that mean the same benchmark as `name`.

        Wider than the name itself (ImageNet = imagenet-1k = ILSVRC 2012, through the
        dataset asset's id, name, title and the curated aliases) but narrower than the
        dataset: Papers-with-Code variants such as "ImageNet ReaL" or "ImageNet 64x64"
        resolve to the ImageNet *dataset* yet are other benchmarks, so a metric on them
        does not answer a question about ImageNet.
        """
        keys = set(equivalent_keys(name))
        # an MTEB task is its dataset's name plus the task type ('Banking77' -> Banking77Classification)
        base = alias_key(name)
        if base and not any(base.endswith(s) for s in _MTEB_SUFFIX_KEYS):
            keys.update(base + s for s in _MTEB_SUFFIX_KEYS)
        ids = self.dataset_ids(name)
        if ids:
            rows = self.con.execute(
                "SELECT alias_key FROM dataset_alias WHERE dataset_id IN (SELECT unnest(?::VARCHAR[])) "
                "AND evidence IN ('id', 'name', 'title', 'curated')", [ids]
            ).fetchall()
            keys.update(r[0] for r in rows)
        return keys

    def metric_condition(self, metric: str, op: str | None = None, value: float | None = None, *,
                         dataset: str | None = None, hardware: str | None = None, percent: bool = False,
                         alias: str = "e") -> tuple[str, list[Any]]:
        """SQL over `evaluation {alias}` for 'metric [op value] [on dataset] [on hardware]', with its parameters.

        The metric matches every row that answers to its key (catalog/metrics.py: 'top1',
        'Top 1 Accuracy' and an MTEB classification main_score are one metric); values
        compare on the normalized scale (`value_norm`: bounded ratios as fractions, so 90,
        90% and 0.9 are one threshold on accuracy). A dataset matches the benchmark by
        name (`benchmark_keys`). Hardware matches by name: 'rtx 4090' finds 'rtx4090' and
        '4090', 'cpu' every CPU, 'gpu' every device that is not a CPU.
        """
        key = metric_key(metric)
        sql = [f"list_contains({alias}.metric_keys, ?)"]
        params: list[Any] = [key]
        if op is not None and value is not None and value != float("-inf"):
            if op not in _OPERATORS:
                raise InvalidInput(f"operator {op!r} is not allowed; use one of {', '.join(_OPERATORS)}")
            sql.append(f"{alias}.value_norm {_OPERATORS[op]} ?")
            params.append(constraint_value(key, float(value), percent=percent))
        if dataset:
            sql.append(f"{alias}.dataset_key IN (SELECT unnest(?::VARCHAR[]))")
            params.append(sorted(self.benchmark_keys(dataset)))
        if hardware:
            hw = hardware_key(hardware)
            column = f"regexp_replace(lower({alias}.hardware), '[^a-z0-9]', '', 'g')"
            if hw == "gpu":
                sql.append(f"{alias}.hardware IS NOT NULL AND {column} NOT LIKE '%cpu%'")
            else:
                sql.append(f"(strpos({column}, ?) > 0 OR (length({column}) >= 4 AND strpos(?, {column}) > 0))")
                params += [hw, hw]
        return " AND ".join(sql), params

    def best_values(self, metric: str, *, dataset: str | None = None, hardware: str | None = None,
                    asset_ids: list[str] | None = None) -> dict[str, tuple[float, float, str, str | None]]:
        """Each asset's best value of a metric, in the metric's direction: asset_id ->
        (value_norm, value as written, metric as written, dataset as written)."""
        cond, params = self.metric_condition(metric, dataset=dataset, hardware=hardware)
        best = "arg_min" if metric_info(metric).direction == "lower" else "arg_max"
        sql = (f"SELECT e.asset_id, {best}(e.value_norm, e.value_norm), {best}(e.value, e.value_norm), "
               f"{best}(e.metric, e.value_norm), {best}(e.dataset_name, e.value_norm) FROM evaluation e WHERE {cond}")
        if asset_ids is not None:
            sql += " AND e.asset_id IN (SELECT unnest(?::VARCHAR[]))"
            params.append(list(asset_ids))
        rows = self.con.execute(sql + " GROUP BY e.asset_id", params).fetchall()
        return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}

    # ------------------------------------------------------------ questions

    def models_by_metric(
        self, metric: str, op: str, value: float, *, dataset: str | None = None,
        task: str | None = None, max_parameters: int | None = None, min_parameters: int | None = None,
        limit: int | None = None,
    ) -> list[MetricHit]:
        """Models with an evaluation `metric op value` (on `dataset` if given), best first.

        `dataset` matches the benchmark by name (see `benchmark_keys`: "ImageNet" also
        finds evaluations written "imagenet-1k" or "ILSVRC 2012", not "ImageNet ReaL"). `task` matches the model's tasks or the
        evaluation's task. A model with several matching evaluations (several sources,
        image sizes) is listed once with its best value (highest, or lowest for an
        error, loss or latency: `metric_info(metric).direction`). `value` is on the
        normalized scale of `metric_condition` (85 and 0.85 are one accuracy threshold);
        the value returned is as the source wrote it. Models without a parameter count
        are excluded when a parameter bound is given.
        """
        if op not in _OPERATORS:
            raise InvalidInput(f"operator {op!r} is not allowed; use one of {', '.join(_OPERATORS)}")
        cond, params = self.metric_condition(metric, op, value, dataset=dataset)
        lower = metric_info(metric).direction == "lower"
        best, order = ("arg_min", "min(e.value_norm) ASC") if lower else ("arg_max", "max(e.value_norm) DESC")
        sql = [
            f"SELECT e.asset_id, any_value(a.name), {best}(e.metric, e.value_norm), {best}(e.value, e.value_norm), "
            f"{best}(coalesce(e.dataset_id, e.dataset_name), e.value_norm), any_value(a.parameters) "
            f"FROM evaluation e JOIN asset a USING (asset_id) WHERE a.kind = 'model' AND {cond}"
        ]
        if task is not None:
            self._register_functions()
            sql.append(
                "AND (task_key(e.task) = ? OR EXISTS (SELECT 1 FROM unnest(a.tasks) AS u(t) WHERE task_key(u.t) = ?))"
            )
            params += [task_key(task), task_key(task)]
        if max_parameters is not None:
            sql.append("AND a.parameters < ?")
            params.append(int(max_parameters))
        if min_parameters is not None:
            sql.append("AND a.parameters >= ?")
            params.append(int(min_parameters))
        sql.append(f"GROUP BY e.asset_id ORDER BY {order}, e.asset_id")
        if limit is not None:
            sql.append("LIMIT ?")
            params.append(int(limit))
        rows = self.con.execute(" ".join(sql), params).fetchall()
        return [MetricHit(*r) for r in rows]

    def best_models(self, dataset: str, metric: str = "main_score", *, k: int = 1) -> list[MetricHit]:
        """The k best models on a benchmark dataset/task by `metric` (e.g. an MTEB task)."""
        if k < 1:
            raise InvalidInput(f"k must be at least 1, got {k}")
        return self.models_by_metric(metric, ">=", float("-inf"), dataset=dataset, limit=k)

    def descendants(self, base_model: str, *, max_depth: int = 20) -> list[tuple[str, int, str]]:
        """Every asset derived from `base_model` (transitively): (asset_id, depth, relation)."""
        base = self._asset_id(base_model)
        rows = self.con.execute(
            """
            WITH RECURSIVE down(asset_id, depth, relation, path) AS (
                SELECT child_id, 1, relation, [?, child_id] FROM lineage
                WHERE coalesce(parent_id, parent_name) = ?
                UNION ALL
                SELECT l.child_id, d.depth + 1, l.relation, list_append(d.path, l.child_id)
                FROM lineage l JOIN down d ON coalesce(l.parent_id, l.parent_name) = d.asset_id
                WHERE d.depth < ? AND NOT list_contains(d.path, l.child_id)
            )
            SELECT asset_id, min(depth), any_value(relation) FROM down GROUP BY asset_id
            ORDER BY min(depth), asset_id
            """,
            [base, base, max_depth],
        ).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]

    def risky_descendants(self, base_model: str) -> list[dict[str, Any]]:
        """Descendants of `base_model` whose license is non-commercial or unknown."""
        desc = self.descendants(base_model)
        if not desc:
            return []
        rows = self.con.execute(
            "SELECT asset_id, name, license_raw, license_spdx, license_class, non_commercial "
            "FROM asset WHERE asset_id IN (SELECT unnest(?::VARCHAR[])) "
            "AND (non_commercial OR license_class = 'unknown') ORDER BY asset_id",
            [[d[0] for d in desc]],
        ).fetchall()
        depth = {d[0]: d[1] for d in desc}
        keys = ("asset_id", "name", "license_raw", "license_spdx", "license_class", "non_commercial")
        return [{**dict(zip(keys, r)), "depth": depth[r[0]]} for r in rows]

    def datasets_with_column(self, column: str) -> list[tuple[str, str, str]]:
        """Datasets whose schema has a feature/column named `column` (case-insensitive).

        Nested features match on any part of their path: "answers.text" is found for
        "answers" and for "text".
        Returns (asset_id, table name, column name as written).
        """
        rows = self.con.execute(
            "SELECT DISTINCT c.asset_id, t.name, c.name FROM col c "
            "JOIN tbl t USING (table_id) JOIN asset a ON a.asset_id = c.asset_id "
            "WHERE a.kind = 'dataset' AND list_contains(string_split(lower(c.name), '.'), lower(?)) "
            "ORDER BY 1, 2, 3",
            [column],
        ).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]

    def _asset_id(self, name: str) -> str:
        """The asset id for a name; a base model need not be in the catalog to have children."""
        candidates = (name, f"hf:model/{name}")
        for candidate in candidates:
            if self.con.execute(
                "SELECT 1 FROM asset WHERE asset_id = ? UNION ALL "
                "SELECT 1 FROM lineage WHERE parent_name = ? LIMIT 1", [candidate, candidate]
            ).fetchone():
                return candidate
        raise InvalidInput(
            f"no asset or lineage parent {name!r} in the catalog "
            "(give an asset id such as hf:model/bert-base-uncased)"
        )
