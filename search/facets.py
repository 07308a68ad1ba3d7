"""Facet counts over the whole matching set, as SQL GROUP BYs with a size limit and a time budget.

Each facet asks for size+1 values so the answer can say whether it was truncated; each
runs under a timer that interrupts DuckDB when the budget is spent, and a facet that
ran out of time is reported in `timed_out`, not raised.
"""

from __future__ import annotations

import threading
import time

import duckdb

from assetscout.search.planner import Where
from assetscout.search.results import FacetResult, FacetValue

# facet name -> SQL expression producing one value per row (lists are unnested)
FACETS: dict[str, tuple[str, bool]] = {
    "kind": ("a.kind", False),
    "license_class": ("a.license_class", False),
    "license": ("a.license_spdx", False),
    "non_commercial": ("CAST(a.non_commercial AS VARCHAR)", False),
    "task": ("list_transform(a.tasks, lambda t: regexp_replace(lower(t), '[^a-z0-9]+', '-', 'g'))", True),
    "library": ("a.library", False),
    "language": ("a.languages", True),
    "organization": ("a.organization", False),
    "source": ("a.sources", True),
}


def facet_counts(con: duckdb.DuckDBPyConnection, where: Where, *, size: int = 20,
                 time_budget_s: float = 2.0, names: tuple[str, ...] | None = None) -> FacetResult:
    """Counts of each facet value among assets matching `where`, largest first."""
    result = FacetResult()
    deadline = time.monotonic() + time_budget_s
    for name in names or tuple(FACETS):
        expr, is_list = FACETS[name]
        value = f"unnest({expr})" if is_list else expr
        sql = (f"SELECT v, count(*) AS n FROM (SELECT {value} AS v FROM asset_view a WHERE {where.sql}) "
               "WHERE v IS NOT NULL GROUP BY v ORDER BY n DESC, v LIMIT ?")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            result.timed_out.append(name)
            continue
        timer = threading.Timer(remaining, con.interrupt)
        timer.start()
        try:
            rows = con.execute(sql, [*where.params, size + 1]).fetchall()
        except duckdb.InterruptException:
            result.timed_out.append(name)
            continue
        finally:
            timer.cancel()
        result.truncated[name] = len(rows) > size
        result.counts[name] = [FacetValue(str(v), int(n)) for v, n in rows[:size]]
    return result
