"""Ingesting a folder of table files: read, profile, sign, index for join search.

`ingest_lake(folder, index_dir)` walks `folder` (sorted, hidden files skipped, links
followed once), reads every file whose suffix is a table format (`read.TABLE_SUFFIXES`),
profiles it and adds its columns to a join index. A table that cannot be read is one
rejected line in the report; the others go on. Memory is bounded by one table's read
limits plus the signatures (num_perm x 8 bytes per column).

The index directory:

    manifest.json      format version, the lake folder, options, counts
    profiles.duckdb    lake_table, lake_column (profiles), lake_rejected
    join/              a `join.JoinIndex` (signatures, distinct value sets)

It is built in a sibling staging directory and swapped in by renames at the end, so
an interrupted ingest leaves the previous index as it was.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assetscout.catalog.store import check_replaceable_dir, swap_dir
from assetscout.errors import InvalidInput
from assetscout.progress import Progress
from assetscout.progress import progress_line as shared_progress_line
from assetscout.tables.join import JoinIndex
from assetscout.tables.minhash import ColumnRef
from assetscout.tables.profile import ProfileOptions, TableProfile, profile_read
from assetscout.tables.read import ReadOptions, ReadResult, TableReadError, read_table, table_format

FORMAT = "assetscout.lake-index"
FORMAT_VERSION = 1
PROFILES_DB = "profiles.duckdb"
JOIN_DIR = "join"

#: Called once per table read, with (table id, what the reader returned, its profile):
#: lets another index (union search) take what it needs from the same single read.
TableHook = Callable[[str, ReadResult, TableProfile], None]

PROFILE_SCHEMA = """
CREATE TABLE lake_table (
    table_id VARCHAR PRIMARY KEY,     -- path relative to the lake folder, '/'-separated
    path VARCHAR NOT NULL, name VARCHAR NOT NULL, format VARCHAR NOT NULL,
    size_bytes BIGINT, n_rows BIGINT, n_rows_estimate BIGINT, n_rows_sampled BIGINT,
    n_columns INTEGER NOT NULL, complete BOOLEAN, encoding VARCHAR, delimiter VARCHAR,
    ragged_rows BIGINT, dropped_columns INTEGER, subject_column INTEGER,
    key_candidates INTEGER[], warnings VARCHAR[]
);
CREATE TABLE lake_column (
    table_id VARCHAR NOT NULL, ordinal INTEGER NOT NULL, name VARCHAR NOT NULL, type VARCHAR NOT NULL,
    n_values BIGINT, n_nulls BIGINT, null_fraction DOUBLE, distinct_count BIGINT, distinct_exact BOOLEAN,
    uniqueness DOUBLE, entity_share DOUBLE, num_min DOUBLE, num_max DOUBLE, num_mean DOUBLE,
    top_values VARCHAR[], top_counts BIGINT[], samples VARCHAR[], is_key BOOLEAN, is_subject BOOLEAN,
    join_indexed BOOLEAN
);
CREATE TABLE lake_rejected (path VARCHAR NOT NULL, line INTEGER, reason VARCHAR NOT NULL);
"""


@dataclass
class LakeReport:
    """What one ingest did; `rejected` holds (path, reason) for each table not read."""

    lake: str
    index_dir: str
    tables_read: int = 0
    files_skipped: int = 0  # not a table suffix
    columns_profiled: int = 0
    columns_indexed: int = 0
    tables_with_warnings: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def progress_line(stream: Any = None, *, label: str = "lake") -> Progress:
    """A progress callback writing '<label>: i/total tables (p%) path' lines (throttled) to stderr."""
    return shared_progress_line(label, "tables", stream)


def find_tables(folder: Path) -> tuple[list[Path], int, list[tuple[str, str]]]:
    """(table files, count of other files, (path, problem) of paths the walk could not follow)."""
    from assetscout.catalog.walk import walk

    tables: list[Path] = []
    skipped = 0
    problems: list[tuple[str, str]] = []
    for found in walk([folder]):
        if found.problem:
            problems.append((str(found.path), found.problem))
        elif table_format(found.path) is not None:
            tables.append(found.path)
        else:
            skipped += 1
    return tables, skipped, problems


def profile_rows(table_id: str, res: ReadResult, prof: TableProfile, indexed: set[int]) -> tuple[dict, list[dict]]:
    """The lake_table row and lake_column rows of one table (`indexed`: ordinals in the join index)."""
    trow = {
        "table_id": table_id, "path": res.path, "name": res.name, "format": res.format,
        "size_bytes": res.file_size, "n_rows": res.n_rows, "n_rows_estimate": res.n_rows_estimate,
        "n_rows_sampled": prof.n_rows_sampled, "n_columns": len(prof.columns), "complete": res.complete,
        "encoding": res.encoding, "delimiter": res.delimiter, "ragged_rows": res.ragged.total,
        "dropped_columns": res.dropped_columns, "subject_column": prof.subject_column,
        "key_candidates": list(prof.key_candidates), "warnings": list(res.warnings),
    }
    crows = []
    keys = set(prof.key_candidates)
    for c in prof.columns:
        crows.append({
            "table_id": table_id, "ordinal": c.ordinal, "name": c.name, "type": c.type,
            "n_values": c.n_values, "n_nulls": c.n_nulls, "null_fraction": c.null_fraction,
            "distinct_count": c.distinct_count, "distinct_exact": c.distinct_exact,
            "uniqueness": c.uniqueness, "entity_share": c.entity_share,
            "num_min": c.numeric.min if c.numeric else None, "num_max": c.numeric.max if c.numeric else None,
            "num_mean": c.numeric.mean if c.numeric else None,
            "top_values": [v for v, _ in c.top_values], "top_counts": [n for _, n in c.top_values],
            "samples": list(c.samples), "is_key": c.ordinal in keys,
            "is_subject": c.ordinal == prof.subject_column, "join_indexed": c.ordinal in indexed,
        })
    return trow, crows


def insert_rows(con: Any, table: str, rows: list[dict]) -> None:
    """Append dict rows to a profile table through Arrow (by the table's column order)."""
    import pyarrow as pa

    if not rows:
        return
    cols = [d[0] for d in con.execute(f"SELECT * FROM {table} LIMIT 0").description]
    data = pa.Table.from_pylist(rows).select(cols)
    con.register("_rows", data)
    try:
        con.execute(f"INSERT INTO {table} SELECT * FROM _rows")
    finally:
        con.unregister("_rows")


def ingest_lake(folder: str | os.PathLike[str], index_dir: str | os.PathLike[str], *,
                progress: bool | Progress = True, read_options: ReadOptions | None = None,
                profile_options: ProfileOptions | None = None, threshold: float = 0.5, num_perm: int = 128,
                num_part: int = 16, join_min_distinct: int = 1, on_table: TableHook | None = None) -> LakeReport:
    """Read, profile and index every table under `folder` into `index_dir` (replaced at the end).

    progress: True for a progress line on stderr, a callback (i, total, path), or False.
    join_min_distinct: columns with fewer distinct values stay out of the join index
    (profiled all the same). threshold / num_perm / num_part: see `JoinIndex.create`.
    on_table: called after each table is read and profiled; its exceptions abort the ingest
    (a hook's bug is not one bad table).
    """
    import duckdb

    started = time.monotonic()
    root = Path(folder).expanduser()
    if not root.is_dir():
        raise InvalidInput(f"folder must be an existing folder, got {str(folder)!r}")
    if isinstance(join_min_distinct, bool) or not isinstance(join_min_distinct, int) or join_min_distinct < 1:
        raise InvalidInput(f"join_min_distinct must be an integer >= 1, got {join_min_distinct!r}")
    target = Path(index_dir).expanduser()
    check_replaceable_dir(target, "manifest.json", FORMAT, "a lake index")
    report = LakeReport(lake=str(root), index_dir=str(target))
    callback: Progress | None = progress_line() if progress is True else (progress or None)
    ropts = read_options or ReadOptions()

    tables, report.files_skipped, problems = find_tables(root)
    report.rejected.extend(problems)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        join = JoinIndex.create(staging / JOIN_DIR, threshold=threshold, num_perm=num_perm, num_part=num_part)
        con = duckdb.connect(str(staging / PROFILES_DB))
        con.execute(PROFILE_SCHEMA)
        pending_t: list[dict] = []
        pending_c: list[dict] = []
        for i, path in enumerate(tables, start=1):
            table_id = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
            if callback:
                callback(i, len(tables), table_id)
            try:
                res = read_table(path, ropts)
                prof = profile_read(res, profile_options)
            except TableReadError as exc:
                _reject(con, report, table_id, exc.reason, exc.line)
                continue
            except Exception as exc:  # noqa: BLE001 -- one table's surprise must not cost the others
                _reject(con, report, table_id, f"unexpected {type(exc).__name__} while reading: {exc}", None)
                continue
            cols = [(ColumnRef(table_id, j, scan.name), scan.distinct, scan.distinct_complete)
                    for j, scan in enumerate(res.columns) if len(scan.distinct) >= join_min_distinct]
            report.columns_indexed += join.add(((ref, vals) for ref, vals, _ in cols),
                                               complete=[c for _, _, c in cols])
            trow, crows = profile_rows(table_id, res, prof, {ref.ordinal for ref, _, _ in cols})
            if on_table is not None:
                on_table(table_id, res, prof)
            pending_t.append(trow)
            pending_c.extend(crows)
            report.tables_read += 1
            report.columns_profiled += len(crows)
            report.tables_with_warnings += bool(res.warnings)
            if len(pending_c) >= 5000:
                insert_rows(con, "lake_table", pending_t)
                insert_rows(con, "lake_column", pending_c)
                pending_t, pending_c = [], []
        insert_rows(con, "lake_table", pending_t)
        insert_rows(con, "lake_column", pending_c)
        con.close()
        join.save()
        join.close()
        report.seconds = round(time.monotonic() - started, 3)
        from assetscout.catalog.store import write_json_atomic

        write_json_atomic(staging / "manifest.json", {
            "format": FORMAT, "format_version": FORMAT_VERSION, "lake": str(root.resolve()),
            "read_options": {k: (sorted(v) if isinstance(v, frozenset) else v)
                             for k, v in asdict(ropts).items()},
            "join": {"threshold": threshold, "num_perm": num_perm, "num_part": num_part,
                     "join_min_distinct": join_min_distinct},
            "counts": {"tables": report.tables_read, "rejected": len(report.rejected),
                       "columns": report.columns_profiled, "columns_indexed": report.columns_indexed},
        })
        swap_dir(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return report


def _reject(con: Any, report: LakeReport, table_id: str, reason: str, line: int | None) -> None:
    report.rejected.append((table_id, reason if line is None else f"line {line}: {reason}"))
    con.execute("INSERT INTO lake_rejected VALUES (?, ?, ?)", [table_id, line, reason])




def open_join_index(index_dir: str | os.PathLike[str]) -> JoinIndex:
    """The join index of a lake index directory, read-only."""
    return JoinIndex.open(Path(index_dir) / JOIN_DIR, read_only=True)
