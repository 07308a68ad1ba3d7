"""The plain lexical baseline of union search: TF-IDF cosine of whole tables.

A table is the bag of its word tokens: every header and every cell of its first
`max_rows` rows, lowercased, split by the regular expression `\\w+`. Weights:

    tf'  = 1 + ln(tf)                       (sublinear term frequency)
    idf  = ln((1 + N) / (1 + df)) + 1       (smoothed, over the N lake tables)
    w    = tf' * idf, each table's vector scaled to unit length

and a query's score for a lake table is the cosine of the two vectors (query terms the
lake never uses have no idf and are dropped: they would scale a query's scores by one
constant and change no ranking). It reproduces the numbers reported for this baseline on
UGEN-V1 (P@10 0.63, SANTOS MAP@10 0.68 on the original ground truth).
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from assetscout.errors import InvalidInput

if TYPE_CHECKING:
    from assetscout.tables.read import ReadResult

TOKEN = re.compile(r"\w+")
DEFAULT_MAX_ROWS = 500


def table_tokens(result: ReadResult) -> Counter[str]:
    """Token counts of a read table: its headers and the cells of its sample."""
    import pyarrow as pa
    import pyarrow.compute as pc

    counts: Counter[str] = Counter()
    for name in result.table.column_names:
        counts.update(TOKEN.findall(name.lower()))
    for col in result.table.columns:
        if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            try:
                col = pc.cast(col, pa.string())
            except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
                counts.update(t for v in col.to_pylist() if v is not None for t in TOKEN.findall(str(v).lower()))
                continue
        for v in col.to_pylist():
            if v is not None:
                counts.update(TOKEN.findall(v.lower()))
    return counts


def read_tokens(path: str | os.PathLike[str], max_rows: int = DEFAULT_MAX_ROWS) -> Counter[str]:
    """Token counts of the table file at `path` (TableReadError when it cannot be read)."""
    from assetscout.tables.read import ReadOptions, read_table

    return table_tokens(read_table(path, ReadOptions(max_rows=max_rows)))


class LexicalUnionBaseline:
    """TF-IDF vectors of the lake's tables; `rank` scores a query against all of them."""

    def __init__(self, tables: Mapping[str, Counter[str]]) -> None:
        import numpy as np
        import scipy.sparse as sp

        self._names = list(tables)
        vocab: dict[str, int] = {}
        rows, cols, vals = [], [], []
        for i, name in enumerate(self._names):
            for term, tf in tables[name].items():
                rows.append(i)
                cols.append(vocab.setdefault(term, len(vocab)))
                vals.append(1.0 + math.log(tf))
        n = len(self._names)
        matrix = sp.csr_matrix((vals, (rows, cols)), shape=(n, len(vocab)), dtype=np.float64)
        df = np.bincount(np.asarray(cols, dtype=np.int64), minlength=len(vocab))
        self._idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
        matrix = matrix.multiply(self._idf[None, :]).tocsr()
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        self._matrix = sp.diags(1.0 / norms) @ matrix
        self._vocab = vocab

    @classmethod
    def from_folder(cls, folder: str | os.PathLike[str], *,
                    max_rows: int = DEFAULT_MAX_ROWS) -> tuple[LexicalUnionBaseline, list[tuple[str, str]]]:
        """(baseline over every readable table under `folder`, (table id, reason) of the others)."""
        from assetscout.tables.lake import find_tables
        from assetscout.tables.read import TableReadError

        root = Path(folder).expanduser()
        if not root.is_dir():
            raise InvalidInput(f"folder must be an existing folder, got {str(folder)!r}")
        paths, _, problems = find_tables(root)
        tables: dict[str, Counter[str]] = {}
        rejected = list(problems)
        for p in paths:
            table_id = p.relative_to(root).as_posix() if p.is_relative_to(root) else str(p)
            try:
                tables[table_id] = read_tokens(p, max_rows)
            except TableReadError as exc:
                rejected.append((table_id, exc.reason))
        return cls(tables), rejected

    def __len__(self) -> int:
        return len(self._names)

    def scores(self, query: Counter[str]) -> dict[str, float]:
        """Cosine of the query with every lake table."""
        import numpy as np

        weights = np.zeros(len(self._vocab))
        for term, tf in query.items():
            j = self._vocab.get(term)
            if j is not None:
                weights[j] = (1.0 + math.log(tf)) * self._idf[j]
        norm = float(np.linalg.norm(weights))
        if norm == 0:
            return dict.fromkeys(self._names, 0.0)
        sims = self._matrix @ (weights / norm)
        return {name: float(s) for name, s in zip(self._names, sims)}

    def rank(self, query: Counter[str], k: int, *, exclude: Collection[str] = ()) -> list[tuple[str, float]]:
        """The k most similar lake tables (ties by table id), best first."""
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise InvalidInput(f"k must be an integer >= 1, got {k!r}")
        skip = set(exclude)
        ranked = sorted(((s, t) for t, s in self.scores(query).items() if t not in skip),
                        key=lambda st: (-st[0], st[1]))
        return [(t, s) for s, t in ranked[:k]]
