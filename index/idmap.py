"""Caller ids <-> storage rows, with tombstones.

Backends store vectors by row (0..n_rows-1, the order they were added); the catalog
speaks int64 ids. `IdMap` keeps the id of every row, which rows are still live, and a
sorted copy of the live ids so that translating a filter of ids to rows is a binary
search (O(a log n)), not a Python set or a hash table per query.
"""

from __future__ import annotations

import numpy as np

from assetscout.errors import InvalidInput


class IdMap:
    """Row -> id and live id -> row for one index."""

    def __init__(self, row_ids: np.ndarray | None = None, live: np.ndarray | None = None) -> None:
        self.row_ids = np.zeros(0, np.int64) if row_ids is None else np.asarray(row_ids, np.int64)
        self.live = np.ones(len(self.row_ids), bool) if live is None else np.asarray(live, bool)
        if self.live.shape != self.row_ids.shape:
            raise ValueError("row_ids and live differ in length")
        self._reindex()

    def _reindex(self) -> None:
        rows = np.flatnonzero(self.live)
        order = np.argsort(self.row_ids[rows], kind="stable")
        self._sorted_rows = rows[order]
        self._sorted_ids = self.row_ids[self._sorted_rows]
        if len(self._sorted_ids) > 1 and np.any(self._sorted_ids[1:] == self._sorted_ids[:-1]):
            raise ValueError("duplicate live ids")

    def __len__(self) -> int:
        return len(self._sorted_ids)

    @property
    def n_rows(self) -> int:
        """Rows in storage, live or removed."""
        return len(self.row_ids)

    @property
    def n_dead(self) -> int:
        return self.n_rows - len(self)

    def live_ids(self) -> np.ndarray:
        """Live ids, ascending."""
        return self._sorted_ids.copy()

    def live_rows(self) -> np.ndarray:
        """Rows of live ids, in the order of `live_ids()`."""
        return self._sorted_rows.copy()

    def rows_of(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(rows, found): the rows of the ids that are live, and which ids were found."""
        ids = np.asarray(ids, np.int64)
        if len(self._sorted_ids) == 0:
            return np.zeros(0, np.int64), np.zeros(len(ids), bool)
        pos = np.searchsorted(self._sorted_ids, ids)
        pos = np.minimum(pos, len(self._sorted_ids) - 1)
        found = self._sorted_ids[pos] == ids
        return self._sorted_rows[pos[found]], found

    def check_absent(self, ids: np.ndarray) -> None:
        """Refuse ids that are already live: `add` is not an upsert."""
        _, found = self.rows_of(ids)
        if found.any():
            dup = ids[found][:5].tolist()
            raise InvalidInput(
                f"ids: {int(found.sum())} id(s) are already in the index (e.g. {dup}); "
                "remove them first to replace their vectors"
            )

    def append(self, ids: np.ndarray) -> None:
        """Give the next rows to `ids` (already checked unique and absent)."""
        self.row_ids = np.concatenate([self.row_ids, np.asarray(ids, np.int64)])
        self.live = np.concatenate([self.live, np.ones(len(ids), bool)])
        self._reindex()

    def remove(self, ids: np.ndarray) -> np.ndarray:
        """Mark the live ones among `ids` removed; returns their rows."""
        rows, _ = self.rows_of(np.unique(np.asarray(ids, np.int64)))
        if len(rows):
            self.live[rows] = False
            self._reindex()
        return rows

    def compact(self) -> np.ndarray:
        """Drop removed rows; returns the old rows kept, in order (the new row i was keep[i])."""
        keep = np.flatnonzero(self.live)
        self.row_ids = self.row_ids[keep]
        self.live = np.ones(len(keep), bool)
        self._reindex()
        return keep
