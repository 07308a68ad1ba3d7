"""Facet counts over the whole matching set: one SQL query, with a size limit and a time budget.

The matching set is selected once (a materialized CTE) and every facet is counted over
it in the same query; selecting it once per facet cost 2-3 ms per facet under a
filter. Each facet returns size+1 values so the answer can say whether it was
truncated. A timer interrupts DuckDB when the budget is spent: the facets are then
reported in `timed_out`, and the search they belong to still answers.

Task and language facets count the keys stored at ingest (`task_keys`,
`language_keys`), the same keys the task and language filters match, so choosing a
facet value as a filter returns exactly the count shown.
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
    "task": ("task_keys", True),
    "library": ("library", False),
    "language": ("language_keys", True),
    "organization": ("organization", False),
    "source": ("sources", True),
}


def _sql(names: tuple[str, ...]) -> str:
    columns = ", ".join(dict.fromkeys(FACETS[n][0] for n in names))
    parts = []
    for name in names:
        column, is_list = FACETS[name]
        value = f"unnest(m.{column})" if is_list else f"CAST(m.{column} AS VARCHAR)"
        parts.append(f"SELECT '{name}' AS facet, {value} AS v FROM m")
    return (f"WITH m AS MATERIALIZED (SELECT {columns} FROM asset_view a WHERE {{where}}), "
            f"f AS ({' UNION ALL '.join(parts)}) "
            "SELECT facet, v, n FROM (SELECT facet, v, count(*) AS n, "
            "row_number() OVER (PARTITION BY facet ORDER BY count(*) DESC, v) AS r "
            "FROM f WHERE v IS NOT NULL GROUP BY facet, v) WHERE r <= ? ORDER BY facet, r")


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
        by_facet[facet].append(FacetValue(str(value), int(n)))
    for name, values in by_facet.items():
        result.truncated[name] = len(values) > size
        result.counts[name] = values[:size]
    return result
