"""Facet filters and metric constraints -> one parameterized DuckDB WHERE clause.

Every value is bound as a `?` parameter; SQL text is assembled only from the fixed
fragments below, chosen by filter *key* (checked against FILTER_KEYS), never from a
user's string.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb

from assetscout.catalog.languages import language_key
from assetscout.catalog.licenses import normalize_license
from assetscout.catalog.queries import CatalogQueries
from assetscout.errors import InvalidInput
from assetscout.search.query import Query



@dataclass
class Where:
    """A WHERE clause over `asset_view a` and its parameters."""

    clauses: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, clause: str, *params: Any) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    @property
    def sql(self) -> str:
        return " AND ".join(f"({c})" for c in self.clauses) if self.clauses else "TRUE"

    @property
    def empty(self) -> bool:
        return not self.clauses


# open-world filters (Query.open_world_filters) also keep the assets that state nothing for the facet
_OR_UNSTATED = {"language": " OR len(coalesce(a.language_keys, []::VARCHAR[])) = 0",
                "multilingual": " OR len(coalesce(a.language_keys, []::VARCHAR[])) = 0"}


def _lower(values: list[str]) -> list[str]:
    return [v.lower() for v in values]


def build_where(con: duckdb.DuckDBPyConnection, query: Query) -> Where:
    """The filter part of `query` as SQL over `asset_view a`."""
    w = Where()
    if query.kinds:
        w.add("a.kind IN (SELECT unnest(?::VARCHAR[]))", list(query.kinds))
    # preferred filters (interpreted from loose words) rank in the engine, they select nothing here
    f = {k: v for k, v in query.filters.items() if k not in query.preferred_filters}
    if "license" in f:
        wanted = set(_lower(f["license"]))
        wanted |= {normalize_license(v).spdx.lower() for v in f["license"] if normalize_license(v).spdx}
        w.add("lower(a.license_spdx) IN (SELECT unnest(?::VARCHAR[])) OR lower(a.license_raw) IN (SELECT unnest(?::VARCHAR[]))",
              sorted(wanted), sorted(wanted))
    if "license_class" in f:
        w.add("a.license_class IN (SELECT unnest(?::VARCHAR[]))", f["license_class"])
    if "non_commercial" in f:
        w.add("a.non_commercial = ?", bool(f["non_commercial"]))
    if "license_lineage" in f:
        w.add("a.license_lineage IN (SELECT unnest(?::VARCHAR[]))", f["license_lineage"])
    if "commercial_use_lineage" in f:
        w.add(("" if f["commercial_use_lineage"] else "NOT ") + "coalesce(a.commercial_lineage, false)")
    if "task" in f:
        keys = [_task(v) for v in f["task"]]
        w.add("list_has_any(a.task_keys, ?::VARCHAR[])", keys)  # normalized at ingest, as _task does
    if "library" in f:
        w.add("lower(a.library) IN (SELECT unnest(?::VARCHAR[]))", _lower(f["library"]))
    if "language" in f:
        keys = sorted({language_key(v) for v in f["language"]})  # keyed at ingest, as language_key does
        w.add("list_has_any(a.language_keys, ?::VARCHAR[])"
              + _OR_UNSTATED["language"] * ("language" in query.open_world_filters), keys)
    if "tag" in f:
        w.add("list_has_any(list_transform(a.tags, lambda x: lower(x)), ?::VARCHAR[])", _lower(f["tag"]))
    if "organization" in f:
        w.add("lower(a.organization) IN (SELECT unnest(?::VARCHAR[]))", _lower(f["organization"]))
    if "access" in f:
        w.add("lower(a.access) IN (SELECT unnest(?::VARCHAR[]))", _lower(f["access"]))
    if "source" in f:
        w.add("list_has_any(a.sources, ?::VARCHAR[])", f["source"])
    if "modality" in f:
        w.add("list_has_any(a.modality_keys, ?::VARCHAR[])", _lower(f["modality"]))
    if "format" in f:
        w.add("list_has_any(a.format_keys, ?::VARCHAR[])", _lower(f["format"]))
    if "precision" in f:
        w.add("list_has_any(a.precision_keys, ?::VARCHAR[])", _lower(f["precision"]))
    if "multilingual" in f:
        w.add(("" if f["multilingual"] else "NOT ") + "coalesce(len(a.language_keys) >= 2 OR list_contains("
              "a.language_keys, 'multilingual') OR list_contains(a.tags, 'multilinguality:multilingual'), false)"
              + _OR_UNSTATED["multilingual"] * ("multilingual" in query.open_world_filters))
    if "commercial_use" in f:
        w.add(("" if f["commercial_use"] else "NOT ") + "coalesce(a.license_class IN ('public-domain', 'permissive', "
              "'weak-copyleft', 'copyleft', 'responsible-ai') AND NOT coalesce(a.non_commercial, false), false)")
    if "dataset" in f:
        q = CatalogQueries(con)
        ids: set[str] = set()
        keys: set[str] = set()
        names = []
        for name in f["dataset"]:
            if con.execute("SELECT 1 FROM asset WHERE asset_id = ? AND kind = 'dataset'", [name]).fetchone():
                ids.add(name)  # a dataset asset id (the dataset facet's values): what dataset_use links
            else:
                names.append(name)
        if ids and not names:
            w.add("a.asset_id IN (SELECT asset_id FROM dataset_use WHERE dataset_id IN (SELECT unnest(?::VARCHAR[])))",
                  sorted(ids))
        else:  # names: trained on a dataset of that name, or evaluated on that benchmark
            for name in names:
                ids.update(q.dataset_ids(name))
                keys.update(q.benchmark_keys(name))
            w.add("a.asset_id IN (SELECT asset_id FROM asset_dataset WHERE dataset_id IN (SELECT unnest(?::VARCHAR[])) "
                  "OR lower(dataset_name) IN (SELECT unnest(?::VARCHAR[]))) "
                  "OR a.asset_id IN (SELECT asset_id FROM evaluation WHERE dataset_id IN (SELECT unnest(?::VARCHAR[])) "
                  "OR dataset_key IN (SELECT unnest(?::VARCHAR[])))",
                  sorted(ids), _lower(f["dataset"]), sorted(ids), sorted(keys))
    if "base_model" in f:
        q = CatalogQueries(con)
        desc: set[str] = set()
        for base in f["base_model"]:
            try:
                desc.update(d[0] for d in q.descendants(base))
            except InvalidInput:
                pass  # an unknown base model has no descendants: the filter matches nothing
        w.add("a.asset_id IN (SELECT unnest(?::VARCHAR[]))", sorted(desc))
    for key, clause in (("min_parameters", "a.parameters >= ?"), ("max_parameters", "a.parameters < ?"),
                        ("min_size_bytes", "a.size_bytes >= ?"), ("max_size_bytes", "a.size_bytes < ?")):
        if key in f:
            w.add(clause, int(f[key]))
    return _metric_clauses(con, query, w)


def _metric_clauses(con: duckdb.DuckDBPyConnection, query: Query, w: Where) -> Where:
    constraints = list(query.metrics)
    if query.sort_metric is not None:  # sorting by a metric leaves out the assets without it
        constraints.append(query.sort_metric.as_constraint())
    for m in constraints:
        cond, params = CatalogQueries(con).metric_condition(m.metric, m.op, m.value, dataset=m.dataset,
                                                            hardware=m.hardware, percent=m.percent)
        w.add(f"a.asset_id IN (SELECT e.asset_id FROM evaluation e WHERE {cond})", *params)
    return w


def _task(value: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


# sort key -> ORDER BY fragment for the no-text listing (fixed strings only)
ORDER_BY = {
    # ties among assets without downloads (most outside the Hub) go to the most referenced
    "downloads": "a.downloads DESC NULLS LAST, a.likes DESC NULLS LAST, a.referenced_by DESC NULLS LAST, a.asset_id",
    "likes": "a.likes DESC NULLS LAST, a.downloads DESC NULLS LAST, a.asset_id",
    "referenced_by": "a.referenced_by DESC NULLS LAST, a.downloads DESC NULLS LAST, a.asset_id",
    "parameters": "a.parameters DESC NULLS LAST, a.asset_id",
    "fewest_parameters": "a.parameters ASC NULLS LAST, a.asset_id",
    "created": "a.created DESC NULLS LAST, a.asset_id",
    "name": "lower(a.name), a.asset_id",
    "relevance": "a.downloads DESC NULLS LAST, a.likes DESC NULLS LAST, a.referenced_by DESC NULLS LAST, a.asset_id",
}
