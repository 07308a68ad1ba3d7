"""The tables page: union and join search from an uploaded table or a catalog table.

One request answers both questions a person holding a table asks: which lake tables
could be stacked under it (union: ranked, with the column alignment and the evidence
of each aligned pair) and which columns could be joined to one of its columns (join:
exact containment of the column's distinct values). The top hits carry a preview of
their first rows, read with the same bounded reader ingest uses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assetscout.errors import InvalidInput

PREVIEW_ROWS = 5
PREVIEW_CELL_CHARS = 80
MAX_JOIN_COLUMNS = 12
JOIN_K = 5


def preview_rows(path: str | None, n: int = PREVIEW_ROWS) -> dict[str, Any] | None:
    """{'columns': [...], 'rows': [[...]]} of a table file's first rows; None when unreadable."""
    from assetscout.tables.read import ReadOptions, TableReadError, read_table

    if not path or not Path(path).is_file():
        return None
    try:
        res = read_table(path, ReadOptions(max_rows=n, max_bytes_sampled=1 << 20, max_distinct=n))
    except (TableReadError, InvalidInput, OSError):
        return None
    table = res.table.slice(0, n)
    rows = [[_cell(v) for v in row.values()] for row in table.to_pylist()]
    return {"columns": list(table.column_names), "rows": rows, "n_rows": res.n_rows or res.n_rows_estimate}


def _cell(v: Any) -> str:
    text = "" if v is None else str(v)
    return text if len(text) <= PREVIEW_CELL_CHARS else text[: PREVIEW_CELL_CHARS - 1] + "…"


def tables_view(tables: Any, encoder: Any, query: Any, *, k: int = 10) -> dict[str, Any]:
    """Union hits with alignment and previews, and join hits per query column, for `query`."""
    union = tables.union_table(query, encoder, k=k).to_dict()
    for hit in union["hits"][:k]:
        hit["preview"] = preview_rows(hit.get("path"))
        hit["aligned"] = len(hit.get("alignment") or [])
    joins = []
    read = tables.read_query(query) if query.table_id is None else None  # an upload is read once for all columns
    for column in union["query"]["columns"][:MAX_JOIN_COLUMNS]:
        try:
            res = tables.join_table(query, column, k=JOIN_K, read=read).to_dict()
        except InvalidInput as exc:  # a column with no values to join on: say so, go on
            joins.append({"column": column, "distinct_values": 0, "hits": [], "note": str(exc)})
            continue
        joins.append({"column": column, "distinct_values": res["query"]["distinct_values"],
                      "min_containment": res["min_containment"], "hits": res["hits"], "note": None})
    return {"union": union, "joins": joins,
            "joinable": sum(1 for j in joins if j["hits"]), "query_preview": preview_rows(query.path)}
