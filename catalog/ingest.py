"""Ingest: files -> readers -> records -> the catalog, incrementally and atomically.

For each file found under the given paths, the first reader that claims it reads it.
A file whose bytes did not change since the last ingest (same sha256, same reader) is
not read again. Each record is keyed by (asset_id, origin file): a record whose hash is
unchanged is left alone, a changed one replaces exactly the facts that file said about
that asset, and a record that vanished from its file is removed. The merged `asset`
rows are then rebuilt for the assets touched, and dataset mentions are re-resolved.

All of this happens inside `Catalog.writing()`: a kill at any point leaves the
previous catalog as it was.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import duckdb
import pyarrow as pa

from assetscout.catalog import datasets as dataset_names
from assetscout.catalog.merge import merge_records
from assetscout.catalog.languages import language_key
from assetscout.catalog.metrics import metric_key
from assetscout.catalog.readers import Reader, all_readers
from assetscout.catalog.readers.tables import ID_PARTS, ID_PREFIX
from assetscout.catalog.records import ASSET_KINDS, AssetRecord, FacetUpdate, Rejected, Skipped
from assetscout.catalog.graph.compliance import refresh_license_lineage
from assetscout.catalog.evaluation_keys import refresh_dataset_use, refresh_evaluation_keys, refresh_headlines
from assetscout.catalog.deployment import refresh_deployment_keys
from assetscout.catalog.modality import refresh_modality_keys
from assetscout.catalog.references import refresh_reference_counts
from assetscout.catalog.store import Catalog
from assetscout.catalog.walk import walk
from assetscout.config import IngestLimits
from assetscout.errors import RecordError
from assetscout.progress import Progress, progress_line

READER_FORMAT = "4"  # bump to force every file to be read again after a reader change
FLUSH_EVERY = 2000  # records staged before they are written


@dataclass
class SourceReport:
    """What ingest did for one source (reader)."""

    files_read: int = 0
    files_unchanged: int = 0
    files_skipped: int = 0
    assets_added: int = 0
    assets_updated: int = 0
    assets_unchanged: int = 0
    assets_removed: int = 0
    evaluations: int = 0
    lineage_edges: int = 0
    dataset_links: int = 0
    facet_rows: int = 0
    rejected: int = 0


@dataclass
class RejectedRecord:
    source: str
    file: str
    line: int | None
    reason: str


@dataclass
class IngestReport:
    """The end-of-ingest report: per source counts and every rejected record."""

    run_id: str
    catalog: str
    seconds: float = 0.0
    files_seen: int = 0
    sources: dict[str, SourceReport] = field(default_factory=dict)
    rejected: list[RejectedRecord] = field(default_factory=list)
    unrecognized: Counter = field(default_factory=Counter)  # extension -> files
    skipped_reasons: Counter = field(default_factory=Counter)
    datasets: dict[str, Any] = field(default_factory=dict)

    def source(self, name: str) -> SourceReport:
        return self.sources.setdefault(name, SourceReport())

    def reject(self, source: str, file: str, reason: str, line: int | None = None) -> None:
        self.rejected.append(RejectedRecord(source, file, line, reason))
        self.source(source).rejected += 1

    @property
    def anything_read(self) -> bool:
        return any(s.files_read or s.files_unchanged for s in self.sources.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "catalog": self.catalog,
            "seconds": round(self.seconds, 2),
            "files_seen": self.files_seen,
            "sources": {k: dataclasses.asdict(v) for k, v in sorted(self.sources.items())},
            "rejected": [dataclasses.asdict(r) for r in self.rejected],
            "unrecognized_files": dict(self.unrecognized),
            "skipped_files": dict(self.skipped_reasons),
            "datasets": self.datasets,
        }




def _file_sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _parse_date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if len(text) == 4 and text.isdigit():
        return dt.date(int(text), 1, 1)
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


class _Ingest:
    """One ingest run over an open working-copy connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection, report: IngestReport,
                 readers: list[Reader], limits: IngestLimits, progress: Progress | None) -> None:
        self.con = con
        self.report = report
        self.readers = readers
        self.limits = limits
        self.progress = progress
        self.now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        self.staged: list[tuple[AssetRecord, str, str, str]] = []  # record, origin, source, hash
        self.touched: set[str] = set()
        self.table_ids: dict[str, str] = {}  # table asset id -> the file (origin) that holds it, this run

    # -------------------------------------------------------------- files

    def run(self, paths: list[Path]) -> None:
        found = list(walk(paths, max_depth=self.limits.max_depth, max_files=self.limits.max_files))
        self.report.files_seen = len(found)
        for i, item in enumerate(found, 1):
            if self.progress:
                self.progress(i, len(found), str(item.path))
            if item.problem:
                self.report.reject("walk", str(item.path), item.problem)
                continue
            self._ingest_file(item.path)
        self._flush()
        self._rebuild_assets()
        self.report.datasets = dataset_names.resolve(self.con)

    def _claim(self, path: Path) -> Reader | None:
        for reader in self.readers:
            try:
                if reader.claims(path):
                    return reader
            except Exception:  # a claims() bug must not stop the walk
                continue
        return None

    def _ingest_file(self, path: Path) -> None:
        reader = self._claim(path)
        if reader is None:
            self.report.unrecognized[path.suffix.lower() or "(no extension)"] += 1
            return
        origin = str(path.resolve())
        src = self.report.source(reader.name)
        try:
            size = path.stat().st_size
            if size > reader.max_bytes:
                self.report.reject(
                    reader.name, origin,
                    f"file is {size / 1048576:.1f} MB, over the {reader.max_bytes / 1048576:.0f} MB "
                    f"limit for {reader.name} files; not read",
                )
                return
            sha, size = _file_sha256(path)
        except FileNotFoundError:
            self.report.reject(reader.name, origin, "file disappeared while ingesting")
            return
        except OSError as exc:
            self.report.reject(reader.name, origin, f"cannot read file: {exc.strerror or exc}")
            return
        reader_key = f"{reader.name}/{READER_FORMAT}"
        # fetchall, not fetchone: DuckDB 2 keeps a result that was not read to its end open,
        # and the next register() on this connection (a flush of staged records) then fails
        rows = self.con.execute(
            "SELECT sha256, reader FROM file_state WHERE origin = ?", [origin]
        ).fetchall()
        prev = rows[0] if rows else None
        if prev is not None and prev[0] == sha and prev[1] == reader_key:
            src.files_unchanged += 1
            return

        records: list[AssetRecord] = []
        facets: list[FacetUpdate] = []
        n_rejected = 0
        try:
            for item in reader.read(path):
                if isinstance(item, AssetRecord):
                    problem = _check_record(item)
                    if problem:
                        self.report.reject(reader.name, origin, problem, item.line)
                        n_rejected += 1
                    else:
                        records.append(item)
                elif isinstance(item, FacetUpdate):
                    facets.append(item)
                elif isinstance(item, Rejected):
                    self.report.reject(reader.name, item.file or origin, item.reason, item.line)
                    n_rejected += 1
                elif isinstance(item, Skipped):
                    self.report.skipped_reasons[f"{reader.name}: {item.reason}"] += 1
                    src.files_skipped += 1
        except RecordError as exc:
            self.report.reject(reader.name, origin, exc.reason, exc.line)
            return  # the file's previous facts, if any, are kept
        except FileNotFoundError:
            self.report.reject(reader.name, origin, "file disappeared while it was being read")
            return
        except MemoryError:
            self.report.reject(reader.name, origin, "file too large to read in memory")
            return
        except Exception as exc:  # a reader bug on odd input: report it, keep going
            self.report.reject(
                reader.name, origin, f"{reader.name} reader failed on this file ({type(exc).__name__}: {exc})"
            )
            return

        if records or facets or n_rejected:
            src.files_read += 1
        self._apply_records(origin, reader.name, records)
        if facets:
            self._apply_facets(origin, reader.name, facets)
        self.con.execute(
            "INSERT OR REPLACE INTO file_state VALUES (?, ?, ?, ?, ?, ?, ?)",
            [origin, reader_key, sha, size, len(records) + len(facets), n_rejected, self.now],
        )

    # -------------------------------------------------------------- records

    def _apply_records(self, origin: str, source: str, records: list[AssetRecord]) -> None:
        src = self.report.source(source)
        existing = dict(self.con.execute(
            "SELECT asset_id, content_hash FROM record WHERE origin = ?", [origin]
        ).fetchall())
        seen: dict[str, int | None] = {}
        for rec in records:
            if rec.kind == "table" and rec.tables:
                rec.asset_id = self._own_table_id(rec.asset_id, rec.tables[0].path, origin)
            if rec.asset_id in seen:
                self.report.reject(
                    source, origin,
                    f"second record for {rec.asset_id} in the same file (first at line {seen[rec.asset_id]}); kept the first",
                    rec.line,
                )
                continue
            seen[rec.asset_id] = rec.line
            digest = rec.content_hash()
            old = existing.get(rec.asset_id)
            if old == digest:
                src.assets_unchanged += 1
                continue
            if old is None:
                src.assets_added += 1
            else:
                src.assets_updated += 1
            src.evaluations += len(rec.evaluations)
            src.lineage_edges += len(rec.lineage)
            src.dataset_links += len(rec.datasets)
            self.staged.append((rec, origin, source, digest))
            if len(self.staged) >= FLUSH_EVERY:
                self._flush()
        gone = [aid for aid in existing if aid not in seen]
        if gone:
            src.assets_removed += len(gone)
            self._delete_keys([(aid, origin) for aid in gone], also_records=True)
            self.touched.update(gone)

    def _own_table_id(self, asset_id: str, path: str | None, origin: str) -> str:
        """A table is one file: an id (its last path parts) that another file already holds grows
        by one more part of this file's path until it is this file's alone (`table:b/x/y/z.csv`).

        Merging two files into one asset, as records of one model from two zoos are merged,
        would lose one of the tables from union and join search.
        """
        if not path:
            return asset_id
        parts = [p for p in Path(path).parts if p not in ("/", "")]
        candidates = [ID_PREFIX + "/".join(parts[-n:]) for n in range(ID_PARTS, len(parts) + 1)]
        if not candidates or candidates[0] != asset_id:
            return asset_id  # not an id made from this path
        for candidate in candidates:
            holder = self.table_ids.get(candidate)
            if holder is None:
                rows = self.con.execute("SELECT origin FROM record WHERE asset_id = ? AND origin <> ? LIMIT 1",
                                        [candidate, origin]).fetchall()
                holder = rows[0][0] if rows else origin
                self.table_ids[candidate] = holder
            if holder == origin:
                return candidate
        return candidates[-1]  # the whole path: no other file has it

    def _delete_keys(self, keys: list[tuple[str, str]], *, also_records: bool) -> None:
        keys_tbl = pa.table({"asset_id": [k[0] for k in keys], "origin": [k[1] for k in keys]})
        self.con.register("_keys", keys_tbl)
        try:
            for table, id_col in _FACT_TABLES:
                self.con.execute(
                    f"DELETE FROM {table} WHERE ({id_col}, origin) IN (SELECT asset_id, origin FROM _keys)"
                )
            if also_records:
                self.con.execute(
                    "DELETE FROM record WHERE (asset_id, origin) IN (SELECT asset_id, origin FROM _keys)"
                )
        finally:
            self.con.unregister("_keys")

    def _flush(self) -> None:
        if not self.staged:
            return
        staged, self.staged = self.staged, []
        self._delete_keys([(r.asset_id, o) for r, o, _, _ in staged], also_records=True)
        rows = _fact_rows(staged)
        rows["record"] = [
            {
                "asset_id": r.asset_id, "origin": o, "source": s, "line": r.line, "kind": r.kind,
                "priority": r.priority, "content_hash": h,
                "payload": json.dumps(dataclasses.asdict(r), default=str), "ingested_at": self.now,
            }
            for r, o, s, h in staged
        ]
        for table, table_rows in rows.items():
            _insert(self.con, table, table_rows)
        self.touched.update(r.asset_id for r, _, _, _ in staged)

    def _apply_facets(self, origin: str, source: str, facets: list[FacetUpdate]) -> None:
        self.con.execute("DELETE FROM hub_stats WHERE origin = ?", [origin])
        _insert(self.con, "hub_stats", [
            {
                "asset_id": f.asset_id, "downloads": f.downloads, "likes": f.likes, "task": f.task,
                "domain": f.domain, "author": f.author, "created": _parse_date(f.created),
                "has_card": f.has_card, "origin": origin, "source": source,
            }
            for f in facets
        ])
        self.report.source(source).facet_rows += len(facets)

    # -------------------------------------------------------------- merged assets

    def _rebuild_assets(self) -> None:
        if not self.touched:
            return
        ids = pa.table({"asset_id": sorted(self.touched)})
        self.con.register("_touched", ids)
        try:
            rows = self.con.execute(
                "SELECT asset_id, origin, source, priority, payload FROM record "
                "WHERE asset_id IN (SELECT asset_id FROM _touched) ORDER BY asset_id"
            ).fetchall()
            self.con.execute("DELETE FROM asset WHERE asset_id IN (SELECT asset_id FROM _touched)")
        finally:
            self.con.unregister("_touched")
        by_asset: dict[str, list[tuple[str, str, int, dict[str, Any]]]] = defaultdict(list)
        for asset_id, origin, source, priority, payload in rows:
            by_asset[asset_id].append((origin, source, priority, json.loads(payload)))
        merged = [merge_records(aid, recs, now=self.now) for aid, recs in by_asset.items()]
        for m in merged:
            m["created"] = _parse_date(m["created"])
            m["modified"] = _parse_date(m["modified"])
        for start in range(0, len(merged), 5000):
            _insert(self.con, "asset", merged[start:start + 5000])


_FACT_TABLES: tuple[tuple[str, str], ...] = (
    ("asset_dataset", "asset_id"), ("lineage", "child_id"), ("evaluation", "asset_id"),
    ("configuration", "asset_id"), ("label", "asset_id"), ("tbl", "asset_id"), ("col", "asset_id"),
)


def _check_record(rec: AssetRecord) -> str | None:
    """Problems that make a record unusable, in words (readers should not produce these)."""
    if not rec.asset_id or ":" not in rec.asset_id:
        return f"record has no usable asset id ({rec.asset_id!r})"
    if rec.kind not in ASSET_KINDS:
        return f"record {rec.asset_id} has kind {rec.kind!r}; allowed: {', '.join(ASSET_KINDS)}"
    if not rec.name:
        return f"record {rec.asset_id} has no name"
    return None


def _fact_rows(staged: Iterable[tuple[AssetRecord, str, str, str]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rec, origin, source, _ in staged:
        base = {"origin": origin, "source": source}
        aid = rec.asset_id
        for d in rec.datasets:
            out["asset_dataset"].append(
                {"asset_id": aid, "dataset_name": d.name, "dataset_id": None, "role": d.role, **base})
        for e in rec.lineage:
            out["lineage"].append(
                {"child_id": aid, "parent_name": e.parent, "parent_id": None, "relation": e.relation, **base})
        for ev in rec.evaluations:
            value = ev.value
            if value is None or value != value:  # NaN is no measurement
                continue
            out["evaluation"].append({
                "asset_id": aid, "task": ev.task, "dataset_name": ev.dataset, "dataset_id": None,
                "dataset_key": dataset_names.alias_key(ev.dataset) if ev.dataset else None,
                "split": ev.split, "config": ev.config, "metric": ev.metric,
                "metric_key": metric_key(ev.metric), "value": float(value),
                "hardware": ev.hardware, "unit": ev.unit, **base})
        for c in rec.configurations:
            out["configuration"].append(
                {"asset_id": aid, "key": c.key, "value": c.value, "hardware": c.hardware, **base})
        for label in dict.fromkeys(rec.labels):
            out["label"].append({"asset_id": aid, "label": label, **base})
        seen_tables: set[str] = set()
        for t in rec.tables:
            if t.name in seen_tables:
                continue
            seen_tables.add(t.name)
            table_id = f"{aid}#{t.name}"
            out["tbl"].append({
                "table_id": table_id, "asset_id": aid, "name": t.name, "path": t.path, "format": t.format,
                "n_rows": t.n_rows, "n_columns": len(t.columns), "description": t.description, **base})
            for i, c in enumerate(t.columns):
                out["col"].append({
                    "table_id": table_id, "asset_id": aid, "ordinal": i, "name": c.name, "type": c.type,
                    "description": c.description, "distinct_count": None, "null_fraction": None,
                    "samples": None, **base})
    return out


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> None:
    """Bulk insert dict rows through Arrow, by column name (no SQL built from values)."""
    if not rows:
        return
    columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
    data = pa.table({c: [row.get(c) for row in rows] for c in columns if c in rows[0]})
    con.register("_rows", data)
    try:
        names = ", ".join(f'"{c}"' for c in data.column_names)
        con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM _rows")
    finally:
        con.unregister("_rows")


def _default_progress(stream=None) -> Progress:
    return progress_line("ingest", "files", stream)


def refresh_derived_columns(con: duckdb.DuckDBPyConnection) -> None:
    """Store on each asset row what queries would otherwise derive per row and per query (schema.sql):
    Hub popularity totals, normalized task keys, language keys, reference counts, license status across
    lineage (and its findings); and on each
    evaluation row its metric keys and normalized value."""
    refresh_evaluation_keys(con)
    con.execute("UPDATE asset SET hub_downloads = NULL, hub_likes = NULL, hub_task = NULL "
                "WHERE hub_downloads IS NOT NULL OR hub_likes IS NOT NULL OR hub_task IS NOT NULL")
    con.execute("UPDATE asset SET hub_downloads = h.downloads, hub_likes = h.likes, hub_task = h.task "
                "FROM (SELECT asset_id, max(downloads) AS downloads, max(likes) AS likes, any_value(task) AS task "
                "FROM hub_stats GROUP BY asset_id) h WHERE asset.asset_id = h.asset_id")
    con.execute("UPDATE asset SET task_keys = list_distinct(list_filter(list_transform("
                "list_concat(coalesce(tasks, []::VARCHAR[]), "
                "CASE WHEN hub_task IS NULL THEN []::VARCHAR[] ELSE [hub_task] END), "
                "lambda t: trim(regexp_replace(lower(t), '[^a-z0-9]+', '-', 'g'), '-')), lambda k: k <> ''))")
    rows = con.execute("SELECT asset_id, languages FROM asset WHERE len(languages) > 0").fetchall()
    keys = pa.table({"asset_id": [r[0] for r in rows],
                     "keys": pa.array([sorted({language_key(c) for c in r[1]}) for r in rows], pa.list_(pa.string()))})
    con.execute("UPDATE asset SET language_keys = NULL WHERE len(languages) = 0 AND language_keys IS NOT NULL")
    con.register("_language_keys", keys)
    try:
        con.execute("UPDATE asset SET language_keys = k.keys FROM _language_keys k WHERE asset.asset_id = k.asset_id")
    finally:
        con.unregister("_language_keys")
    refresh_reference_counts(con)
    refresh_modality_keys(con)
    refresh_deployment_keys(con)
    refresh_dataset_use(con)
    refresh_headlines(con)
    refresh_license_lineage(con)


def ingest(paths: list[Path | str], catalog: Catalog, *, limits: IngestLimits | None = None,
           readers: list[Reader] | None = None, progress: Progress | bool | None = None) -> IngestReport:
    """Ingest files and folders into `catalog`; return the report (never raises for bad records).

    `progress`: a callback (i, total, path), True for a progress line on stderr, or None.
    """
    started = time.monotonic()
    report = IngestReport(run_id=uuid.uuid4().hex[:12], catalog=str(catalog.root))
    callback = _default_progress() if progress is True else (progress or None)
    path_list = [Path(p).expanduser() for p in paths]
    with catalog.writing() as con:
        job = _Ingest(con, report, readers if readers is not None else all_readers(),
                      limits or IngestLimits(), callback)
        con.execute("BEGIN TRANSACTION")
        job.run(path_list)
        report.seconds = time.monotonic() - started
        con.execute(
            "INSERT INTO ingest_run VALUES (?, ?, ?, ?, ?)",
            [report.run_id, job.now, dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
             [str(p) for p in path_list], json.dumps(report.to_dict(), default=str)],
        )
        _insert(con, "rejected", [
            {"run_id": report.run_id, "source": r.source, "file": r.file, "line": r.line, "reason": r.reason}
            for r in report.rejected
        ])
        refresh_derived_columns(con)
        con.execute("COMMIT")
    return report
