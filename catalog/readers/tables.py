"""Table files (CSV/TSV, Parquet, JSON lines) as `table` assets: columns, types, row counts.

The last reader in the order: a table file that a zoo reader knows (timm results, MTEB
scores, OpenCLIP benchmarks) is read by that reader as metadata; any other table file
is data, and becomes one `table` asset. Reading is bounded (`tables.read`), with lower
limits than the table indexes use: the catalog needs names, types and sizes, not every
distinct value. The union and join indexes read the file again (`tables.catalog_index`).

Asset ids are `table:` + the file's last three path parts, e.g.
`table:ugen_v1/datalake/Art_X.csv`: readable, stable while the lake stays where it is,
and distinct across lakes whose folders share a name (`datalake/`, `query/`). When
another file already holds that id, ingest lengthens it by more of the path
(`table:b/x/y/z.csv`; catalog/ingest.py `_own_table_id`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from assetscout.catalog.readers.base import Reader
from assetscout.catalog.records import AssetRecord, Column, ReaderItem, TableSchema

if TYPE_CHECKING:
    from assetscout.tables.read import ReadOptions

SOURCE = "table_file"
ID_PREFIX = "table:"
ID_PARTS = 3
MAX_CARD_COLUMNS = 50


def table_asset_id(path: Path) -> str:
    """The catalog id of the table at `path` (see the module docstring)."""
    parts = [p for p in Path(path).absolute().parts if p not in ("/", "")]
    return ID_PREFIX + "/".join(parts[-ID_PARTS:])


def _read_options() -> ReadOptions:
    """Bounds for the catalog's look at a table (types, sizes), below those of the indexes."""
    from assetscout.tables.read import ReadOptions

    return ReadOptions(max_rows=2_000, max_bytes_sampled=8 * 1024 * 1024, max_distinct=5_000,
                       max_distinct_total=500_000)


class TableFileReader(Reader):
    """One table file -> one `table` asset with its column names and inferred types."""

    name = SOURCE
    max_bytes = 1 << 40  # reading is bounded by ReadOptions, whatever the file size

    def claims(self, path: Path) -> bool:
        from assetscout.tables.read import table_format

        return table_format(path) is not None

    def read(self, path: Path) -> Iterator[ReaderItem]:
        from assetscout.tables.profile import profile_read
        from assetscout.tables.read import read_table

        res = read_table(path, _read_options())  # TableReadError is a RecordError: the file is rejected
        prof = profile_read(res)
        n_rows = res.n_rows
        rows = f"{n_rows:,} rows" if n_rows is not None else f"about {res.n_rows_estimate:,} rows"
        names = [c.name for c in prof.columns]
        shown = ", ".join(names[:12]) + (f", ... ({len(names)} in all)" if len(names) > 12 else "")
        summary = f"{res.format} table, {rows} x {len(names)} columns: {shown}"
        lines = [f"{c.name} ({c.type}): {', '.join(c.samples[:5])}" for c in prof.columns[:MAX_CARD_COLUMNS]]
        yield AssetRecord(
            asset_id=table_asset_id(path), kind="table", name=path.name, title=res.name, summary=summary,
            card_text="\n".join(lines) or None, size_bytes=res.file_size, tags=["table", res.format],
            tables=[TableSchema(name=res.name, columns=[Column(c.name, c.type) for c in prof.columns],
                                n_rows=n_rows, format=res.format, path=str(path.absolute()))],
            extra={"n_rows_estimate": res.n_rows_estimate, "warnings": list(res.warnings[:20]),
                   "subject_column": names[prof.subject_column] if prof.subject_column is not None else None},
        )


READERS = [TableFileReader()]
