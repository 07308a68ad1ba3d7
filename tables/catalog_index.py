"""The table indexes of a catalog: join and union search over its `table` assets.

`update_table_index(catalog, encoder)` keeps `<catalog>/tables/` in step with the
catalog's table assets (files read by `catalog.readers.tables`). The folder is a union
index (`union_store` layout, so `UnionIndex.open` reads it as it is) whose `lake/`
holds the join index, plus the list of what each catalog table became:

    manifest.json        union-index manifest + "catalog_tables" (format, version, times)
    columns.parquet ...  column texts and vectors, subject/column pairs (`union_store`)
    lake/manifest.json   read options and join parameters (as `lake.ingest_lake` writes)
    lake/join/           `JoinIndex`: MinHash LSH Ensemble + exact value sets (DuckDB)
    lake/profiles.duckdb lake_table, lake_column, lake_rejected (as `lake.ingest_lake`)
    sources.parquet      asset_id, origin, sha256, status, reason, columns

Table ids in every index are the catalog's asset ids (`table:<dir>/<dir>/<file>`).

How an update decides, from the catalog's table records and the sha256 ingest keeps
for each file, against `sources.parquet`:

- same tables, same bytes: nothing is read, nothing is encoded (an ingest of cards
  into a catalog without tables costs one SQL query);
- only new tables: the folder is copied aside, each new table is read once, its
  columns appended to the join index and its evidence to the union files (only its
  own texts are encoded), and the copy renamed over the folder;
- a table changed or gone, another encoder, an older format: everything is rebuilt
  (the join index cannot forget a column), with embeddings from the catalog's cache.

Either way readers see the old folder or the new one, never half of one; a kill
leaves a `.tables.building-*` folder that the next update removes. One update at a
time per catalog (a lock file).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from assetscout.catalog.store import swap_dir
from assetscout.errors import AssetScoutError, CatalogError, InvalidInput

if TYPE_CHECKING:
    from assetscout.catalog.store import Catalog
    from assetscout.embed.base import Encoder
    from assetscout.tables.read import ReadOptions
    from assetscout.tables.union_evidence import EvidenceOptions

TABLES_DIR = "tables"
SOURCES_FILE = "sources.parquet"
FORMAT = "assetscout.catalog-tables"
FORMAT_VERSION = 1
LOCK_NAME = ".tables.lock"
_BUILDING = f".{TABLES_DIR}.building-"

UpdateMode = Literal["none", "unchanged", "added", "rebuilt", "removed"]
SourceStatus = Literal["indexed", "no_values", "rejected"]


def tables_dir(catalog_root: str | os.PathLike[str]) -> Path:
    """Where a catalog keeps its table indexes."""
    return Path(catalog_root) / TABLES_DIR


@dataclass(frozen=True)
class CatalogTable:
    """A table asset of the catalog: its id, the file it was read from, that file's sha256."""

    asset_id: str
    origin: str
    sha256: str


@dataclass(frozen=True)
class Source:
    """What one catalog table became in the indexes (one row of sources.parquet)."""

    asset_id: str
    origin: str
    sha256: str
    status: SourceStatus  # no_values: read, but no column holds a value (nothing to search)
    reason: str | None  # why it was rejected
    columns: int


@dataclass
class TableIndexReport:
    """What one update did. mode: none (no tables, no index), unchanged, added, rebuilt, removed."""

    directory: str
    mode: UpdateMode
    why: str
    tables: int = 0  # tables searchable now
    added: int = 0  # tables read by this update
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (asset id, reason), this update
    columns: int = 0
    pairs: int = 0
    encode_seconds: float = 0.0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        """One line for people."""
        if self.mode == "none":
            return "table index: none (the catalog has no tables)"
        if self.mode == "removed":
            return "table index: removed (the catalog has no tables any more)"
        done = {"unchanged": "up to date", "added": f"{self.added:,} tables added",
                "rebuilt": f"rebuilt ({self.why}), {self.added:,} tables read"}[self.mode]
        bad = f", {len(self.rejected):,} rejected" if self.rejected else ""
        return (f"table index: {self.tables:,} tables, {self.columns:,} columns, {self.pairs:,} column pairs; "
                f"{done}{bad} in {self.seconds:.1f} s")


def catalog_tables(catalog: Catalog) -> list[CatalogTable]:
    """The catalog's table assets with the file each was read from (first origin of an id)."""
    from assetscout.catalog.readers.tables import SOURCE

    con = catalog.connect()
    try:
        rows = con.execute(
            "SELECT r.asset_id, r.origin, f.sha256 FROM record r JOIN file_state f ON f.origin = r.origin "
            "WHERE r.source = ? AND r.kind = 'table' ORDER BY r.asset_id, r.origin", [SOURCE]).fetchall()
    finally:
        con.close()
    out: dict[str, CatalogTable] = {}
    for asset_id, origin, sha in rows:
        out.setdefault(asset_id, CatalogTable(asset_id, origin, sha))
    return list(out.values())


def read_sources(directory: Path) -> list[Source]:
    """sources.parquet of a table index folder (CatalogError when unreadable)."""
    import pyarrow.parquet as pq

    try:
        rows = pq.read_table(directory / SOURCES_FILE).to_pylist()
        return [Source(**r) for r in rows]
    except (OSError, ValueError, TypeError) as exc:
        raise CatalogError(f"{directory}: the table index's {SOURCES_FILE} is unreadable: {exc}") from None


def _write_sources(directory: Path, sources: list[Source]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    cols = {name: [getattr(s, name) for s in sources] for name in Source.__dataclass_fields__}
    schema = pa.schema([("asset_id", pa.string()), ("origin", pa.string()), ("sha256", pa.string()),
                        ("status", pa.string()), ("reason", pa.string()), ("columns", pa.int32())])
    pq.write_table(pa.table(cols, schema=schema), directory / SOURCES_FILE)


@contextlib.contextmanager
def _locked(catalog_root: Path) -> Iterator[None]:
    catalog_root.mkdir(parents=True, exist_ok=True)
    with open(catalog_root / LOCK_NAME, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _state(target: Path, encoder: Encoder) -> tuple[dict[str, Any] | None, list[Source], str]:
    """(union manifest, sources, '') of a usable index, else (None, [], why it is not)."""
    from assetscout.embed.base import check_compatible
    from assetscout.tables.union_store import read_manifest

    if not target.exists():
        return None, [], "no table index yet"
    try:
        manifest = read_manifest(target)
        ours = manifest.get("catalog_tables") or {}
        if ours.get("format") != FORMAT or ours.get("format_version") != FORMAT_VERSION:
            return None, [], f"index format {ours.get('format')!r} {ours.get('format_version')!r} is not current"
        check_compatible(manifest.get("encoder", {}), encoder.describe(), what="table index")
        return manifest, read_sources(target), ""
    except InvalidInput:
        return None, [], "another encoder"
    except CatalogError as exc:
        return None, [], f"unreadable ({exc})"


def update_table_index(catalog: Catalog, encoder: Encoder, *, rebuild: bool = False,
                       progress: bool = True, read_options: ReadOptions | None = None,
                       evidence: EvidenceOptions | None = None) -> TableIndexReport:
    """Bring `<catalog>/tables/` in step with the catalog's table assets (see the module docstring).

    rebuild: rebuild from scratch even when adding would do. read_options / evidence:
    used by a rebuild (an add keeps what the index was built with). progress: lines on
    stderr. The encoder is asked to encode only when tables were read.
    """
    started = time.monotonic()
    target = tables_dir(catalog.root)
    wanted = catalog_tables(catalog)
    if not wanted and not target.exists():
        return TableIndexReport(str(target), "none", "the catalog has no tables")
    with _locked(catalog.root):
        for stale in catalog.root.glob(_BUILDING + "*"):
            shutil.rmtree(stale, ignore_errors=True)  # left by an update that was killed
        if not wanted:
            swap_dir(None, target)
            return TableIndexReport(str(target), "removed", "the catalog has no tables",
                                    seconds=round(time.monotonic() - started, 3))
        manifest, sources, why = _state(target, encoder)
        want = {t.asset_id: t for t in wanted}
        have = {s.asset_id: s for s in sources}
        if manifest is not None:
            moved = [a for a, s in have.items() if a not in want or (want[a].sha256, want[a].origin) != (s.sha256, s.origin)]
            if rebuild:
                manifest, why = None, "asked to"
            elif moved:
                manifest, why = None, f"{len(moved):,} tables changed or left the catalog"
        if manifest is None:
            todo, keep = wanted, []
        else:
            todo, keep = [t for t in wanted if t.asset_id not in have], sources
            if not todo:
                counts = manifest.get("counts", {})
                return TableIndexReport(str(target), "unchanged", "", tables=int(counts.get("tables", 0)),
                                        columns=int(counts.get("columns", 0)), pairs=int(counts.get("pairs", 0)),
                                        seconds=round(time.monotonic() - started, 3))
        staging = catalog.root / f"{_BUILDING}{os.getpid()}"
        try:
            report = _Update(catalog.root, target, staging, encoder, manifest, keep, progress,
                             read_options, evidence).run(todo)
            swap_dir(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    report.mode = "added" if manifest is not None else "rebuilt"
    report.why = why if manifest is None else ""
    report.seconds = round(time.monotonic() - started, 3)
    return report


class _Update:
    """One build or add into a staging folder: read each table once, feed both indexes."""

    def __init__(self, root: Path, target: Path, staging: Path, encoder: Encoder, manifest: dict[str, Any] | None,
                 keep: list[Source], progress: bool, read_options: ReadOptions | None,
                 evidence: EvidenceOptions | None) -> None:
        from assetscout.tables.read import ReadOptions
        from assetscout.tables.union_evidence import EvidenceOptions

        self.root, self.target, self.staging, self.encoder = root, target, staging, encoder
        self.manifest = manifest  # None: build from scratch
        self.sources = list(keep)
        self.progress = progress
        if manifest is None:
            self.read_options = read_options or ReadOptions()
            self.evidence = evidence or EvidenceOptions()
            self.pair_perm = 128
        else:
            self.read_options = stored_read_options(target)
            self.evidence = EvidenceOptions(**manifest.get("evidence", {}))
            self.pair_perm = int(manifest["pairs"]["num_perm"])

    def say(self, message: str) -> None:
        if self.progress:
            print(f"tables: {message}", file=sys.stderr, flush=True)

    def run(self, todo: list[CatalogTable]) -> TableIndexReport:
        import duckdb

        from assetscout.tables.join import JoinIndex
        from assetscout.tables.lake import JOIN_DIR, PROFILE_SCHEMA, PROFILES_DB
        from assetscout.tables.union_build import EvidenceCollector
        from assetscout.tables.union_store import LAKE_DIR

        lake = self.staging / LAKE_DIR
        if self.manifest is None:
            self.say(f"building the table index of {len(todo):,} tables")
            lake.mkdir(parents=True)
            join = JoinIndex.create(lake / JOIN_DIR)
            con = duckdb.connect(str(lake / PROFILES_DB))
            con.execute(PROFILE_SCHEMA)
        else:
            self.say(f"adding {len(todo):,} tables to the table index")
            shutil.copytree(self.target, self.staging, symlinks=True)
            join = JoinIndex.open(lake / JOIN_DIR, read_only=False)
            con = duckdb.connect(str(lake / PROFILES_DB))
        report = TableIndexReport(str(self.target), "rebuilt", "")
        collector = EvidenceCollector(self.evidence, self.pair_perm)
        try:
            self._read_all(todo, join, con, collector, report)
            join.save()
            threshold, num_perm, num_part = join.threshold, join.num_perm, join.num_part
        finally:
            join.close()
            con.close()
        self._write_union(collector, report)
        from assetscout.catalog.store import write_json_atomic
        from assetscout.tables.lake import FORMAT as LAKE_FORMAT
        from assetscout.tables.lake import FORMAT_VERSION as LAKE_VERSION

        write_json_atomic(lake / "manifest.json", {
            "format": LAKE_FORMAT, "format_version": LAKE_VERSION, "lake": f"catalog {self.root}",
            "read_options": {k: (sorted(v) if isinstance(v, frozenset) else v)
                             for k, v in asdict(self.read_options).items()},
            "join": {"threshold": threshold, "num_perm": num_perm, "num_part": num_part, "join_min_distinct": 1},
            "counts": {"tables": sum(s.status != "rejected" for s in self.sources),
                       "rejected": sum(s.status == "rejected" for s in self.sources)},
        })
        return report

    def _read_all(self, todo: list[CatalogTable], join: Any, con: Any, collector: Any,
                  report: TableIndexReport) -> None:
        from assetscout.tables.lake import insert_rows, profile_rows, progress_line
        from assetscout.tables.minhash import ColumnRef
        from assetscout.tables.profile import profile_read
        from assetscout.tables.read import TableReadError, read_table

        show = progress_line(label="tables") if self.progress else None
        pending_t: list[dict] = []
        pending_c: list[dict] = []
        for i, t in enumerate(todo, start=1):
            if show:
                show(i, len(todo), t.asset_id)
            try:
                res = read_table(t.origin, self.read_options)
                prof = profile_read(res)
            except TableReadError as exc:
                self._reject(con, report, t, exc.reason if exc.line is None else f"line {exc.line}: {exc.reason}")
                continue
            except Exception as exc:  # noqa: BLE001 -- one table's surprise must not cost the others
                self._reject(con, report, t, f"unexpected {type(exc).__name__} while reading: {exc}")
                continue
            cols = [(ColumnRef(t.asset_id, j, scan.name), scan.distinct, scan.distinct_complete)
                    for j, scan in enumerate(res.columns) if scan.distinct]
            join.add(((ref, vals) for ref, vals, _ in cols), complete=[c for _, _, c in cols])
            trow, crows = profile_rows(t.asset_id, res, prof, {ref.ordinal for ref, _, _ in cols})
            pending_t.append(trow)
            pending_c.extend(crows)
            before = collector.tables
            collector(t.asset_id, res, prof)
            status: SourceStatus = "indexed" if collector.tables > before else "no_values"
            self.sources.append(Source(t.asset_id, t.origin, t.sha256, status, None, len(prof.columns)))
            report.added += 1
            if len(pending_c) >= 5000:
                insert_rows(con, "lake_table", pending_t)
                insert_rows(con, "lake_column", pending_c)
                pending_t, pending_c = [], []
        insert_rows(con, "lake_table", pending_t)
        insert_rows(con, "lake_column", pending_c)

    def _reject(self, con: Any, report: TableIndexReport, t: CatalogTable, reason: str) -> None:
        report.rejected.append((t.asset_id, reason))
        self.sources.append(Source(t.asset_id, t.origin, t.sha256, "rejected", reason, 0))
        con.execute("INSERT INTO lake_rejected VALUES (?, ?, ?)", [t.asset_id, None, reason])

    def _write_union(self, collector: Any, report: TableIndexReport) -> None:
        from assetscout.embed.cache import EmbeddingCache, encode_cached
        from assetscout.tables.union_build import PAIR_SEED
        from assetscout.tables.union_store import (
            FORMAT as UNION_FORMAT,
            FORMAT_VERSION as UNION_VERSION,
            UnionFiles,
            read_union_files,
            write_union_files,
        )

        new_c, new_p = collector.columns, collector.pairs
        t0 = time.monotonic()
        col_vec = pair_vec = np.zeros((0, self.encoder.dim), dtype=np.float32)
        if new_c.text:  # no column text, no pair text
            self.say(f"encoding {len(new_c.text):,} column texts and {len(new_p.text):,} pair texts "
                     f"with {self.encoder.name} (cached vectors are reused)")
            cache = EmbeddingCache.for_encoder(self.root / "embedding_cache", self.encoder)
            col_vec = encode_cached(self.encoder, new_c.text, cache, progress=self.progress)
            if new_p.text:
                pair_vec = encode_cached(self.encoder, new_p.text, cache, progress=self.progress)
            cache.save()
        report.encode_seconds = round(time.monotonic() - t0, 3)
        sigs = (np.vstack(collector.pair_signatures).astype(np.uint64) if collector.pair_signatures
                else np.zeros((0, self.pair_perm), dtype=np.uint64))
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        if self.manifest is not None:
            old = read_union_files(self.staging)
            for rows, more in ((old.columns, new_c), (old.pairs, new_p)):
                for name in rows.__dataclass_fields__:
                    getattr(rows, name).extend(getattr(more, name))
            files = UnionFiles({}, old.columns, np.vstack([old.column_vectors, col_vec]), old.pairs,
                               np.vstack([old.pair_signatures, sigs]), np.vstack([old.pair_vectors, pair_vec]))
            built_at = self.manifest.get("catalog_tables", {}).get("built_at", now)
        else:
            files = UnionFiles({}, new_c, col_vec, new_p, sigs, pair_vec)
            built_at = now
        report.tables = len(set(files.columns.table))
        report.columns, report.pairs = len(files.columns.table), len(files.pairs.table)
        _write_sources(self.staging, self.sources)
        files.manifest = {
            "format": UNION_FORMAT, "format_version": UNION_VERSION, "lake": f"catalog {self.root}",
            "encoder": self.encoder.describe(), "evidence": asdict(self.evidence),
            "pairs": {"num_perm": self.pair_perm, "seed": PAIR_SEED},
            "counts": {"tables": report.tables, "columns": report.columns, "pairs": report.pairs,
                       "tables_read": sum(s.status != "rejected" for s in self.sources),
                       "rejected": sum(s.status == "rejected" for s in self.sources)},
            "built_at": built_at,
            "catalog_tables": {"format": FORMAT, "format_version": FORMAT_VERSION, "built_at": built_at,
                               "updated_at": now, "sources": len(self.sources)},
        }
        write_union_files(self.staging, files)  # the manifest, last, makes it an index


def stored_read_options(target: Path) -> ReadOptions:
    """The read options a table index was built with (so added tables are read alike)."""
    from assetscout.tables.read import ReadOptions
    from assetscout.tables.union_store import LAKE_DIR

    try:
        raw = dict(json.loads((target / LAKE_DIR / "manifest.json").read_text("utf-8")).get("read_options") or {})
        if "null_tokens" in raw:
            raw["null_tokens"] = frozenset(raw["null_tokens"])
        return ReadOptions(**raw)
    except (OSError, ValueError, TypeError, AssetScoutError) as exc:
        raise CatalogError(f"{target}: the table index's read options cannot be used: {exc}") from None
