"""Profiling a table: per-column type, counts, summaries; key candidates; subject column.

Pure functions over a pyarrow Table (the reader's sample) and, when the reader gives
them, its per-column scans: counts, null fractions and distinct counts then cover every
row scanned, while types, numeric summaries and representative values come from the
sample. The output is typed dataclasses that the lake writer stores and that union
search reuses (subject column, types, value samples).

The subject (intent) column follows SANTOS: the leftmost column that names entities
(mostly non-numeric text), is mostly distinct and rarely null; when no column passes
those thresholds, the non-numeric column with the best distinct x non-null score.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assetscout.errors import InvalidInput
from assetscout.tables.coltypes import (
    NUMERIC_TYPES,
    STRING_TYPES,
    ColumnType,
    entity_share,
    infer_type,
)
from assetscout.tables.scan import ColumnScan
from assetscout.tables.values import NULL_TOKENS, null_set

if TYPE_CHECKING:
    import pyarrow as pa

    from assetscout.tables.read import ReadResult


@dataclass(frozen=True)
class ProfileOptions:
    """Thresholds of the heuristics; checked on construction."""

    type_threshold: float = 0.95  # share of values that must parse as a type
    categorical_max_distinct: int = 1000
    categorical_max_ratio: float = 0.5  # distinct / values at most this -> categorical
    top_k: int = 5  # most frequent values kept
    n_samples: int = 10  # representative values: the top_k plus others up to this many
    subject_min_uniqueness: float = 0.5
    subject_max_null: float = 0.2
    subject_min_entity_share: float = 0.8  # share of values that hold a letter and are no number

    def __post_init__(self) -> None:
        for name in ("type_threshold", "categorical_max_ratio", "subject_min_uniqueness",
                     "subject_max_null", "subject_min_entity_share"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.0 <= v <= 1.0:
                raise InvalidInput(f"{name} must be a number in [0, 1], got {v!r}")
        for name, low in (("categorical_max_distinct", 0), ("top_k", 0), ("n_samples", 0)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < low:
                raise InvalidInput(f"{name} must be an integer >= {low}, got {v!r}")


@dataclass(frozen=True)
class NumericSummary:
    min: float
    max: float
    mean: float


@dataclass(frozen=True)
class ColumnProfile:
    """One column. Counts cover every row scanned when the reader's scan was given."""

    ordinal: int  # 0-based
    name: str
    type: ColumnType
    n_values: int  # non-null cells
    n_nulls: int
    null_fraction: float  # n_nulls / cells; 0.0 for a table without rows
    distinct_count: int
    distinct_exact: bool  # False: an estimate (HyperLogLog past the cap, or the sample only)
    uniqueness: float  # distinct_count / n_values, 0.0 without values
    entity_share: float  # share of sampled distinct values that name something
    numeric: NumericSummary | None  # from the sample, for integer and float columns
    top_values: tuple[tuple[str, int], ...]  # most frequent in the sample, with counts
    samples: tuple[str, ...]  # top values first, then others spread over the rest


@dataclass(frozen=True)
class TableProfile:
    name: str
    n_rows: int | None  # exact when known
    n_rows_estimate: int
    n_rows_sampled: int
    columns: tuple[ColumnProfile, ...]
    key_candidates: tuple[int, ...]  # ordinals of unique, non-null, non-float columns
    subject_column: int | None  # ordinal of the intent column, None when no column names things

    def column(self, name: str) -> ColumnProfile:
        """The column called `name` (KeyError when absent)."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _arrow_kind(t: Any) -> ColumnType | None:
    import pyarrow as pa

    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_integer(t):
        return "integer"
    if pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "float"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_timestamp(t):
        return "datetime"
    return None


def _text_values(col: Any, null_tokens: frozenset[str]) -> list[str]:
    """Non-null values of a column as cleaned text (NaN and null tokens dropped)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_floating(col.type):
        col = pc.if_else(pc.is_nan(col), pa.scalar(None, col.type), col)
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        try:
            col = pc.cast(col, pa.string())
        except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
            return [str(v) for v in col.to_pylist() if v is not None]
    nt = null_set(null_tokens)
    out = []
    for v in col.to_pylist():
        if v is not None:
            s = v.strip()
            if s.lower() not in nt:
                out.append(s)
    return out


def _numeric(col: Any, kind: ColumnType, values: list[str]) -> NumericSummary | None:
    import pyarrow as pa

    if kind not in NUMERIC_TYPES:
        return None
    if _arrow_kind(col.type) in NUMERIC_TYPES and not pa.types.is_decimal(col.type):
        nums = [float(v) for v in col.to_pylist() if v is not None]
    else:
        nums = []
        for v in values:
            try:
                nums.append(float(v))
            except ValueError:
                continue
    nums = [x for x in nums if not math.isnan(x)]
    if not nums:
        return None
    finite = [x for x in nums if math.isfinite(x)]
    mean = math.fsum(finite) / len(finite) if finite else float("nan")
    return NumericSummary(min(nums), max(nums), mean)


def _samples(counts: Counter[str], top: list[tuple[str, int]], n: int) -> tuple[str, ...]:
    """Top values, then others picked by a stable hash: spread, deterministic, no RNG state."""
    chosen = [v for v, _ in top][:n]
    if len(chosen) < n:
        rest = sorted((v for v in counts if v not in set(chosen)),
                      key=lambda v: (zlib.crc32(v.encode("utf-8", "surrogatepass")), v))
        chosen.extend(rest[: n - len(chosen)])
    return tuple(chosen)


def profile_column(col: Any, *, ordinal: int, name: str, scan: ColumnScan | None = None,
                   options: ProfileOptions | None = None,
                   null_tokens: frozenset[str] = NULL_TOKENS) -> ColumnProfile:
    """Profile one column of a sample (a pyarrow Array or ChunkedArray).

    With `scan`, counts and the distinct count are the reader's (all rows scanned);
    without it they are the sample's, and the distinct count is marked exact only
    because the sample is then all the caller has.
    """
    opts = options or ProfileOptions()
    if hasattr(col, "combine_chunks"):
        col = col.combine_chunks()
    values = _text_values(col, null_tokens)
    counts = Counter(values)
    if scan is not None:
        n_values, n_nulls = scan.n_values, scan.n_nulls
        distinct, exact = scan.distinct_count, scan.distinct_complete
    else:
        n_values, n_nulls = len(values), len(col) - len(values)
        distinct, exact = len(counts), True
    cells = n_values + n_nulls
    kind = _arrow_kind(col.type) or infer_type(
        counts, distinct_count=distinct, n_values=n_values, threshold=opts.type_threshold,
        categorical_max_distinct=opts.categorical_max_distinct, categorical_max_ratio=opts.categorical_max_ratio)
    if not values:  # nothing in the sample: empty, or unknown when the scan saw values
        kind = "empty" if n_values == 0 else "text"
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[: opts.top_k]
    return ColumnProfile(
        ordinal=ordinal, name=name, type=kind, n_values=n_values, n_nulls=n_nulls,
        null_fraction=n_nulls / cells if cells else 0.0,
        distinct_count=distinct, distinct_exact=exact,
        uniqueness=min(1.0, distinct / n_values) if n_values else 0.0,
        entity_share=entity_share(list(counts)),
        numeric=_numeric(col, kind, values),
        top_values=tuple(top), samples=_samples(counts, top, opts.n_samples),
    )


def key_candidates(columns: Sequence[ColumnProfile]) -> tuple[int, ...]:
    """Ordinals of columns that can key the table: every value present and distinct.

    Floats are excluded (measurements, not identifiers), as are booleans and columns
    whose distinct count is only estimated (uniqueness is then not known).
    """
    return tuple(
        c.ordinal for c in columns
        if c.n_values >= 2 and c.n_nulls == 0 and c.distinct_exact and c.distinct_count == c.n_values
        and c.type not in ("float", "boolean", "empty")
    )


def subject_column(columns: Sequence[ColumnProfile], options: ProfileOptions | None = None) -> int | None:
    """The ordinal of the column the table is about (SANTOS' intent column), or None."""
    opts = options or ProfileOptions()
    textual = [c for c in columns if c.type in STRING_TYPES and c.n_values > 0]
    for c in textual:  # leftmost first
        if (c.uniqueness >= opts.subject_min_uniqueness and c.null_fraction <= opts.subject_max_null
                and c.entity_share >= opts.subject_min_entity_share):
            return c.ordinal
    named = [c for c in textual if c.entity_share >= 0.5]
    if not named:
        return None
    best = max(named, key=lambda c: (c.uniqueness * (1.0 - c.null_fraction), -c.ordinal))
    return best.ordinal


def profile_table(table: pa.Table, *, name: str = "", scans: Sequence[ColumnScan] | None = None,
                  n_rows: int | None = None, n_rows_estimate: int | None = None,
                  options: ProfileOptions | None = None,
                  null_tokens: frozenset[str] = NULL_TOKENS) -> TableProfile:
    """Profile every column of `table`; `scans` (parallel to its columns) from the reader."""
    if scans is not None and len(scans) != table.num_columns:
        raise InvalidInput(f"scans must have one entry per column ({table.num_columns}), got {len(scans)}")
    opts = options or ProfileOptions()
    cols = tuple(
        profile_column(table.column(i), ordinal=i, name=table.column_names[i],
                       scan=scans[i] if scans is not None else None, options=opts, null_tokens=null_tokens)
        for i in range(table.num_columns)
    )
    if n_rows is None and scans is None:
        n_rows = table.num_rows
    return TableProfile(
        name=name, n_rows=n_rows,
        n_rows_estimate=n_rows_estimate if n_rows_estimate is not None else (n_rows or table.num_rows),
        n_rows_sampled=table.num_rows, columns=cols,
        key_candidates=key_candidates(cols), subject_column=subject_column(cols, opts),
    )


def profile_read(result: ReadResult, options: ProfileOptions | None = None) -> TableProfile:
    """Profile what `read_table` returned (sample + scans)."""
    return profile_table(result.table, name=result.name, scans=result.columns, n_rows=result.n_rows,
                         n_rows_estimate=result.n_rows_estimate, options=options)
