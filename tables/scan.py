"""What a reader learns about each column while streaming rows: bounded by construction.

A column keeps its exact distinct set up to a cap; past the cap it switches to a
HyperLogLog estimate (datasketch), so a column of a billion ids costs a fixed amount of
memory. The rows kept for profiling are a head or a seeded reservoir sample of fixed size.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Literal

SampleMode = Literal["head", "reservoir"]


@dataclass(frozen=True)
class ColumnScan:
    """One column over every row the reader scanned (not only the sample).

    `distinct` holds the stripped non-null values as written (case kept). While
    `distinct_complete` it is the exact distinct set; past the cap it holds the first
    values met and `distinct_count` is a HyperLogLog estimate.
    """

    name: str
    n_values: int  # non-null cells
    n_nulls: int  # null cells (null tokens, padding of short rows)
    distinct: frozenset[str]
    distinct_complete: bool
    distinct_count: int


class ColumnAccumulator:
    """Counts and distinct values of one column, fed batch by batch."""

    __slots__ = ("name", "cap", "n_values", "n_nulls", "values", "_hll")

    def __init__(self, name: str, cap: int, *, n_nulls: int = 0) -> None:
        self.name = name
        self.cap = cap
        self.n_values = 0
        self.n_nulls = n_nulls
        self.values: set[str] = set()
        self._hll: Any = None

    def add_batch(self, batch: list[str | None]) -> None:
        """Add cells already cleaned (stripped, null tokens as None)."""
        present = [v for v in batch if v is not None]
        self.n_nulls += len(batch) - len(present)
        self.n_values += len(present)
        self.add_distinct(present)

    def add_distinct(self, present: list[str]) -> None:
        """Add non-null values to the distinct set (counts untouched)."""
        values = self.values
        if self._hll is None:
            if len(values) + len(present) <= self.cap:
                values.update(present)
                return
            for v in present:
                if len(values) >= self.cap and v not in values:
                    self._overflow()
                    break
                values.add(v)
            else:
                return
        hll = self._hll
        for v in set(present).difference(values):
            hll.update(v.encode("utf-8", "surrogatepass"))

    def _overflow(self) -> None:
        from datasketch import HyperLogLogPlusPlus

        self._hll = HyperLogLogPlusPlus(p=14)
        for v in self.values:
            self._hll.update(v.encode("utf-8", "surrogatepass"))

    def result(self) -> ColumnScan:
        complete = self._hll is None
        count = len(self.values) if complete else max(int(round(self._hll.count())), len(self.values))
        return ColumnScan(self.name, self.n_values, self.n_nulls, frozenset(self.values),
                          complete, count)


class RowSample:
    """The rows kept for profiling: the first `size` rows, or a seeded reservoir (Algorithm R)."""

    def __init__(self, size: int, mode: SampleMode, seed: int) -> None:
        self.size = size
        self.mode = mode
        self.rows: list[Any] = []
        self.seen = 0
        self._rng = random.Random(seed)

    @property
    def full(self) -> bool:
        """True when a head sample needs no more rows."""
        return self.mode == "head" and len(self.rows) >= self.size

    def offer_batch(self, rows: list[Any]) -> None:
        """Offer rows in file order; row i (0-based, overall) is kept with probability size/(i+1)."""
        room = self.size - len(self.rows)
        if room > 0:
            self.rows.extend(rows[:room])
            self.seen += min(room, len(rows))
            rows = rows[room:]
        if self.mode != "reservoir":
            self.seen += len(rows)
            return
        randrange = self._rng.randrange
        for row in rows:
            self.seen += 1
            j = randrange(self.seen)
            if j < self.size:
                self.rows[j] = row
