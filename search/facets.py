"""Facet counts over the whole matching set: one SQL query, with a size limit and a time budget.

The matching set is selected once (a materialized CTE) and every facet is counted over
it in the same query; selecting it once per facet cost 2-3 ms per facet under a
filter. Each facet returns size+1 values so the answer can say whether it was
truncated. A timer interrupts DuckDB when the budget is spent: the facets are then
reported in `timed_out`, and the search they belong to still answers.

Every value carries the filters that select it (`FacetValue.filters`, KEY=VALUE as the
CLI and GET /search take them), so a client applies a facet without knowing its
mapping: `task=text-classification`, a parameter bucket as `min_parameters=100M` +
`max_parameters=1B`, a dataset by its asset id. Task, language and modality facets
count the keys stored at ingest (`task_keys`, `language_keys`, `modality_keys`), the
same keys their filters match, so choosing a facet value as a filter returns exactly
the count shown.
"""

from __future__ import annotations

import threading

import duckdb

from assetscout.search.planner import Where
from assetscout.search.results import FacetResult, FacetValue

# facet name -> (column of asset_view, whether it holds a list)
FACETS: dict[str, tuple[str, bool]] = {
    "kind": ("kind", False),
    "license_class": ("license_class", False),
    "license": ("license_spdx", False),
    "non_commercial": ("non_commercial", False),
    "license_lineage": ("license_lineage", False),
    "commercial_use_lineage": ("commercial_lineage", False),
    "task": ("task_keys", True),
    "modality": ("modality_keys", True),
    "library": ("library", False),
    "language": ("language_keys", True),
    "organization": ("organization", False),
    "source": ("sources", True),
    "format": ("format_keys", True),
    "precision": ("precision_keys", True),
    "parameters": ("parameters", False),  # counted in buckets (PARAMETER_BUCKETS)
    "dataset": ("asset_id", False),  # datasets trained or evaluated on, through dataset_use
}

# label, min (inclusive), max (exclusive): the parameter facet's buckets
PARAMETER_BUCKETS: tuple[tuple[str, int | None, int | None], ...] = (
    ("< 10M", None, 10**7), ("10M-100M", 10**7, 10**8), ("100M-1B", 10**8, 10**9),
    ("1B-10B", 10**9, 10**10), ("≥ 10B", 10**10, None),
)


def _bucket_sql() -> str:
    parts = []
    for label, low, high in PARAMETER_BUCKETS:
        cond = " AND ".join(c for c in (f"m.parameters >= {low}" if low else "",
                                        f"m.parameters < {high}" if high else "") if c)
        parts.append(f"WHEN {cond} THEN '{label}'")
    return "CASE " + " ".join(parts) + " END"


def _count(n: int) -> str:
    for unit, scale in (("B", 10**9), ("M", 10**6), ("k", 10**3)):
        if n >= scale and n % scale == 0:
            return f"{n // scale}{unit}"
    return str(n)


def _bucket_filters(label: str) -> list[str]:
    for name, low, high in PARAMETER_BUCKETS:
        if name == label:
            return ([f"min_parameters={_count(low)}"] if low else []) + (
                [f"max_parameters={_count(high)}"] if high else [])
    return []


def _sql(names: tuple[str, ...]) -> str:
    columns = ", ".join(dict.fromkeys(["asset_id", *(FACETS[n][0] for n in names)]))
    parts = []
    for name in names:
        column, is_list = FACETS[name]
        if name == "parameters":
            value, source = _bucket_sql(), "m"
        elif name == "dataset":
            value, source = "u.dataset_id", "m JOIN dataset_use u ON u.asset_id = m.asset_id"
        else:
            value, source = (f"unnest(m.{column})" if is_list else f"CAST(m.{column} AS VARCHAR)"), "m"
        parts.append(f"SELECT '{name}' AS facet, {value} AS v FROM {source}")
    return (f"WITH m AS MATERIALIZED (SELECT {columns} FROM asset_view a WHERE {{where}}), "
            f"f AS ({' UNION ALL '.join(parts)}) "
            "SELECT facet, v, n FROM (SELECT facet, v, count(*) AS n, "
            "row_number() OVER (PARTITION BY facet ORDER BY count(*) DESC, v) AS r "
            "FROM f WHERE v IS NOT NULL GROUP BY facet, v) WHERE r <= ? ORDER BY facet, r")


def _filters(facet: str, value: str) -> list[str]:
    if facet == "parameters":
        return _bucket_filters(value)
    return [f"{facet}={value}"]


def facet_counts(con: duckdb.DuckDBPyConnection, where: Where, *, size: int = 20,
                 time_budget_s: float = 2.0, names: tuple[str, ...] | None = None) -> FacetResult:
    """Counts of each facet value among assets matching `where`, largest first."""
    names = tuple(names or FACETS)
    result = FacetResult()
    if time_budget_s <= 0:
        result.timed_out.extend(names)
        return result
    sql = _sql(names).replace("{where}", where.sql)  # where.sql: the planner's fixed fragments; values bound
    timer = threading.Timer(time_budget_s, con.interrupt)
    timer.start()
    try:
        rows = con.execute(sql, [*where.params, size + 1]).fetchall()
    except duckdb.InterruptException:
        result.timed_out.extend(names)
        return result
    finally:
        timer.cancel()
    by_facet: dict[str, list[FacetValue]] = {name: [] for name in names}
    for facet, value, n in rows:
        by_facet[facet].append(FacetValue(str(value), int(n), _filters(facet, str(value))))
    if "parameters" in by_facet:  # buckets in size order, not by count
        order = {label: i for i, (label, _, _) in enumerate(PARAMETER_BUCKETS)}
        by_facet["parameters"].sort(key=lambda v: order.get(v.value, len(order)))
    if by_facet.get("dataset"):
        _label_datasets(con, by_facet["dataset"][: size])
    for name, values in by_facet.items():
        result.truncated[name] = len(values) > size
        result.counts[name] = values[:size]
    return result


def _label_datasets(con: duckdb.DuckDBPyConnection, values: list[FacetValue]) -> None:
    """A dataset facet value is an asset id; its label is the dataset's name."""
    rows = con.execute("SELECT asset_id, coalesce(title, name) FROM asset WHERE asset_id IN "
                       "(SELECT unnest(?::VARCHAR[]))", [[v.value for v in values]]).fetchall()
    names = dict(rows)
    for v in values:
        v.label = names.get(v.value)
