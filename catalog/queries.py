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
from assetscout.catalog.metrics import metric_key
from assetscout.catalog.store import Catalog, open_catalog
from assetscout.errors import InvalidInput

_OPERATORS = {">=": ">=", ">": ">", "<=": "<=", "<": "<", "=": "=", "==": "="}


def task_key(task: str) -> str:
    """Normalized task name: 'Image Classification' == 'image-classification' == 'image_classification'."""
    return re.sub(r"[^a-z0-9]+", "-", task.lower()).strip("-")


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
        for name, fn in (("task_key", task_key), ("alias_key", alias_key)):
            try:
                con.create_function(name, fn, [str], str, side_effects=False)
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
        ids = self.dataset_ids(name)
        if ids:
            rows = self.con.execute(
                "SELECT alias_key FROM dataset_alias WHERE dataset_id IN (SELECT unnest(?::VARCHAR[])) "
                "AND evidence IN ('id', 'name', 'title', 'curated')", [ids]
            ).fetchall()
            keys.update(r[0] for r in rows)
        return keys

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
        image sizes) is listed once with its best value. Models without a parameter
        count are excluded when a parameter bound is given.
        """
        if op not in _OPERATORS:
            raise InvalidInput(f"operator {op!r} is not allowed; use one of {', '.join(_OPERATORS)}")
        sql = [
            "SELECT e.asset_id, any_value(a.name), any_value(e.metric), max(e.value), "
            "any_value(coalesce(e.dataset_id, e.dataset_name)), any_value(a.parameters) "
            "FROM evaluation e JOIN asset a USING (asset_id) "
            f"WHERE a.kind = 'model' AND e.metric_key = ? AND e.value {_OPERATORS[op]} ?"
        ]
        params: list[Any] = [metric_key(metric), float(value)]
        if dataset is not None:
            sql.append("AND e.dataset_key IN (SELECT unnest(?::VARCHAR[]))")
            params.append(sorted(self.benchmark_keys(dataset)))
        if task is not None:
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
        sql.append("GROUP BY e.asset_id ORDER BY max(e.value) DESC, e.asset_id")
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
