"""The exact distinct value sets behind join search, in one DuckDB file.

Table `column_values(col_id, value)`: the distinct join keys of each indexed column,
appended in col_id order, so that DuckDB's per-row-group min/max of col_id lets an
overlap count read only the row groups of the candidates it is asked about.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from assetscout.errors import CatalogError, InvalidInput


class ValueStore:
    """Distinct value sets by column id; exact overlap counts with a query set."""

    def __init__(self, path: str | os.PathLike[str], *, read_only: bool, create: bool = False) -> None:
        import duckdb

        self.path = str(path)
        self.read_only = read_only
        try:
            self._con: Any = duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as exc:
            raise CatalogError(f"{self.path}: cannot be opened: {exc}") from None
        if create:
            self._con.execute("CREATE TABLE IF NOT EXISTS column_values "
                              "(col_id INTEGER NOT NULL, value VARCHAR NOT NULL)").fetchall()

    def _live(self) -> Any:
        if self._con is None:
            raise InvalidInput(f"the value store {self.path!r} is closed")
        return self._con

    def append(self, start: int, sets: Sequence[set[str]]) -> None:
        """Store sets[i] as column start + i."""
        import numpy as np
        import pyarrow as pa

        con = self._live()
        ids = np.repeat(np.arange(start, start + len(sets), dtype=np.int32), [len(s) for s in sets])
        batch = pa.table({"col_id": pa.array(ids, pa.int32()),
                          "value": pa.array([v for s in sets for v in sorted(s)], pa.string())})
        con.register("_new_values", batch)
        try:
            con.execute("INSERT INTO column_values SELECT col_id, value FROM _new_values").fetchall()
        finally:
            con.unregister("_new_values")

    def truncate(self, n_columns: int) -> None:
        """Drop the sets of columns >= n_columns (written by an add that was never committed)."""
        self._live().execute("DELETE FROM column_values WHERE col_id >= ?", [n_columns]).fetchall()

    def checkpoint(self) -> None:
        self._live().execute("CHECKPOINT").fetchall()

    def values(self, col_id: int) -> set[str]:
        rows = self._live().execute("SELECT value FROM column_values WHERE col_id = ?", [col_id]).fetchall()
        return {r[0] for r in rows}

    def overlaps(self, query: set[str], ids: Sequence[int]) -> dict[int, int]:
        """Exact |query ∩ set(id)| for each id (0 when disjoint)."""
        import pyarrow as pa

        cur = self._live().cursor()
        try:
            cur.register("_q", pa.table({"value": pa.array(sorted(query), pa.string())}))
            cur.register("_ids", pa.table({"col_id": pa.array(list(ids), pa.int32())}))
            rows = cur.execute(
                "SELECT v.col_id, count(*) FROM column_values v "
                "SEMI JOIN _ids USING (col_id) SEMI JOIN _q USING (value) GROUP BY v.col_id"
            ).fetchall()
        finally:
            cur.close()
        out = dict.fromkeys(ids, 0)
        out.update({int(i): int(c) for i, c in rows})
        return out

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None
