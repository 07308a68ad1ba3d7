"""Reading a table file with bounded memory: delimited text, Parquet, JSON lines.

`read_table(path)` returns a `ReadResult`: a pyarrow Table of at most `max_rows`
sampled rows, one `ColumnScan` per column (counts and distinct values over every row
scanned, not only the sample) and what the reader had to decide on the way (format,
delimiter, encoding, ragged rows, renamed or dropped columns, warnings).

Bounds, all in `ReadOptions`: at most `max_bytes_sampled` bytes of a text file are read
(cut at a line end; the row total is then estimated), at most `max_columns` columns,
`max_rows` sampled rows and `max_cells` sampled cells, and per column at most
`max_distinct` exact distinct values (fewer when `max_distinct_total` is shared by many
columns). A 1 GB file costs the same memory as a 100 MB one.

Decisions a reader of real lakes has to make, made once here:

- The first non-blank line of a delimited file is always its header (data-lake tables
  carry one; guessing wrongly costs a data row either way). A file of one line is a
  table with those columns and zero rows; a header whose every field is a number gets
  a warning that it looks like data. `header=False` reads line 1 as data instead.
- Empty header fields become `col_<position>` (1-based); repeated names (compared
  case-insensitively, as DuckDB does) become `name_2`, `name_3`, ...
- Rows with too few fields are padded with nulls; rows with too many have the extra
  fields dropped silently when they are all empty (a trailing delimiter), else merged
  into the last column, truncated, or the row skipped (`extra_fields`). All counted.
- Cells are stripped; the null tokens of `values.NULL_TOKENS` become nulls.
- Text is decoded as its BOM says (UTF-8, UTF-16), else UTF-8, else cp1252, else
  latin-1 (the fallback is reported). Bytes that do not decode become U+FFFD, counted.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from assetscout.errors import InvalidInput, RecordError
from assetscout.tables.scan import ColumnScan, SampleMode
from assetscout.tables.values import NULL_TOKENS

if TYPE_CHECKING:
    import pyarrow as pa

TableFormat = Literal["csv", "parquet", "jsonl"]
ExtraFields = Literal["merge", "truncate", "skip"]

#: File suffixes read as tables, by format. Anything else is not a table to the lake walker.
TABLE_SUFFIXES: dict[str, TableFormat] = {
    ".csv": "csv", ".tsv": "csv", ".tab": "csv", ".psv": "csv",
    ".parquet": "parquet", ".pq": "parquet",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
}


class TableReadError(RecordError):
    """A table file that cannot be read; the message names the file and what is wrong."""

    def __init__(self, path: str | os.PathLike[str], reason: str, *, line: int | None = None) -> None:
        super().__init__(reason, line=line)
        self.path = str(path)

    def __str__(self) -> str:
        where = f"{self.path}, line {self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"


def _check_int(name: str, value: int, low: int, high: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        allowed = f"an integer >= {low}" if high is None else f"an integer in [{low}, {high}]"
        raise InvalidInput(f"{name} must be {allowed}, got {value!r}")


MAX_QUERY_COLUMNS = 500  # columns of a query table union search aligns (each is encoded and matched)


@dataclass(frozen=True)
class ReadOptions:
    """Limits and choices of `read_table`; every field is checked on construction."""

    max_rows: int = 10_000  # rows kept in the sample
    max_columns: int = 2_000  # columns beyond are dropped (counted)
    max_cells: int = 2_000_000  # rows x columns in the sample: wide tables keep fewer rows
    max_bytes_sampled: int = 64 * 1024 * 1024  # bytes of a text file read at most
    max_distinct: int = 100_000  # exact distinct values kept per column
    max_distinct_total: int = 4_000_000  # exact distinct values kept over all columns
    sample: SampleMode = "head"  # first rows, or a seeded uniform reservoir
    seed: int = 0
    header: bool = True
    extra_fields: ExtraFields = "merge"
    format: TableFormat | None = None  # None: from the file suffix (unknown suffix: csv)
    delimiter: str | None = None  # None: sniffed
    encoding: str | None = None  # None: detected
    null_tokens: frozenset[str] = NULL_TOKENS
    head_bytes: int = 64 * 1024  # bytes looked at to sniff encoding and delimiter

    def __post_init__(self) -> None:
        _check_int("max_rows", self.max_rows, 1)
        _check_int("max_columns", self.max_columns, 1)
        _check_int("max_cells", self.max_cells, 1)
        _check_int("max_bytes_sampled", self.max_bytes_sampled, 1)
        _check_int("max_distinct", self.max_distinct, 1)
        _check_int("max_distinct_total", self.max_distinct_total, 1)
        _check_int("head_bytes", self.head_bytes, 1024)
        _check_int("seed", self.seed, 0)
        if self.sample not in ("head", "reservoir"):
            raise InvalidInput(f"sample must be 'head' or 'reservoir', got {self.sample!r}")
        if self.extra_fields not in ("merge", "truncate", "skip"):
            raise InvalidInput(f"extra_fields must be 'merge', 'truncate' or 'skip', got {self.extra_fields!r}")
        if self.format is not None and self.format not in ("csv", "parquet", "jsonl"):
            raise InvalidInput(f"format must be 'csv', 'parquet', 'jsonl' or None, got {self.format!r}")
        if self.delimiter is not None and (not isinstance(self.delimiter, str) or not self.delimiter
                                           or any(c in self.delimiter for c in "\r\n\"")):
            raise InvalidInput(f"delimiter must be a non-empty string without quotes or line breaks, "
                               f"got {self.delimiter!r}")
        if self.encoding is not None:
            import codecs

            try:
                codecs.lookup(self.encoding)
            except LookupError:
                raise InvalidInput(f"encoding must be a codec Python knows, got {self.encoding!r}") from None

    def column_caps(self, n_columns: int) -> tuple[int, int]:
        """(sample rows, exact distinct values per column) for a table this wide."""
        n = max(n_columns, 1)
        return (min(self.max_rows, max(1, self.max_cells // n)),
                min(self.max_distinct, max(1, self.max_distinct_total // n)))


@dataclass(frozen=True)
class RaggedCounts:
    """Rows whose field count differed from the header's, by what was done to them."""

    padded: int = 0  # too few fields: padded with nulls
    trimmed: int = 0  # too many, but the extras were empty (trailing delimiter): dropped
    merged: int = 0  # too many: extras joined into the last column
    truncated: int = 0  # too many: extras dropped
    skipped: int = 0  # too many: row skipped
    malformed: int = 0  # could not be parsed at all (bad quoting, bad JSON): skipped

    @property
    def total(self) -> int:
        """Rows not as the header promised, whatever was done (trailing delimiters excluded)."""
        return self.padded + self.merged + self.truncated + self.skipped + self.malformed


@dataclass(frozen=True)
class RenamedColumn:
    ordinal: int  # 0-based position
    original: str
    name: str


@dataclass(frozen=True)
class ReadResult:
    """A bounded sample of a table plus what reading it took."""

    path: str
    format: TableFormat
    table: pa.Table  # the sample: strings for text formats, Parquet types kept
    columns: tuple[ColumnScan, ...]  # parallel to table.columns, over all rows scanned
    n_rows: int | None  # exact row count when known (whole file scanned, Parquet metadata)
    n_rows_estimate: int  # = n_rows when known, else extrapolated from the bytes scanned
    rows_scanned: int
    complete: bool  # every row was scanned
    bytes_scanned: int
    file_size: int
    encoding: str | None = None
    encoding_fallback: bool = False
    delimiter: str | None = None
    ragged: RaggedCounts = field(default_factory=RaggedCounts)
    renamed: tuple[RenamedColumn, ...] = ()
    dropped_columns: int = 0
    warnings: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The table's name: its file name without the suffix."""
        return Path(self.path).stem


def table_format(path: str | os.PathLike[str]) -> TableFormat | None:
    """The format a file's suffix says, or None when it is not a table suffix."""
    return TABLE_SUFFIXES.get(Path(path).suffix.lower())


def unique_names(raw: list[str]) -> tuple[list[str], list[RenamedColumn]]:
    """Column names made non-empty and unique (case-insensitively), with what was renamed."""
    names: list[str] = []
    renamed: list[RenamedColumn] = []
    taken = {r.strip().lower() for r in raw if r.strip()}
    used: set[str] = set()
    for i, original in enumerate(raw):
        name = original.strip().lstrip("\ufeff").strip()
        if not name:
            name = f"col_{i + 1}"
        if name.lower() in used:
            k = 2
            while f"{name}_{k}".lower() in used or f"{name}_{k}".lower() in taken:
                k += 1
            name = f"{name}_{k}"
        used.add(name.lower())
        names.append(name)
        if name != original.strip():
            renamed.append(RenamedColumn(i, original, name))
    return names, renamed


def column_warnings(columns: list[ColumnScan] | tuple[ColumnScan, ...], rows: int) -> list[str]:
    """Warnings every format shares: columns without a single value."""
    if rows == 0:
        return []
    return [f"column {c.name!r} is entirely null" for c in columns if c.n_values == 0]


def read_table(path: str | os.PathLike[str], options: ReadOptions | None = None) -> ReadResult:
    """Read a bounded sample of the table at `path`; raise TableReadError when it cannot be.

    The format comes from `options.format`, else the suffix (.parquet/.pq, .jsonl/
    .ndjson), else delimited text.
    """
    opts = options or ReadOptions()
    p = Path(path)
    try:
        st = p.stat()
    except OSError as exc:
        raise TableReadError(p, f"cannot be read: {exc.strerror or exc}") from None
    if not p.is_file():
        raise TableReadError(p, "is not a regular file")
    fmt = opts.format or table_format(p) or "csv"
    try:
        if fmt == "parquet":
            from assetscout.tables.read_parquet import read_parquet

            return read_parquet(p, st.st_size, opts)
        if fmt == "jsonl":
            from assetscout.tables.read_jsonl import read_jsonl

            return read_jsonl(p, st.st_size, opts)
        from assetscout.tables.read_delimited import read_delimited

        return read_delimited(p, st.st_size, opts)
    except TableReadError:
        raise
    except OSError as exc:
        raise TableReadError(p, f"cannot be read: {exc.strerror or exc}") from None
    except MemoryError:
        raise TableReadError(p, "ran out of memory while reading (lower the ReadOptions limits)") from None
