"""The catalog directory: a DuckDB file plus a manifest, written atomically.

Layout of a catalog directory:

    manifest.json     format version, library versions, what made the vectors (later)
    catalog.duckdb    the metamodel (schema.sql)
    .lock             held by the one process allowed to write

Writes never touch the live file: `Catalog.writing()` copies it, the writer works on
the copy and the copy is renamed over the live file only when the work committed. A
process killed mid-ingest therefore leaves the previous catalog readable, and a stale
copy is removed by the next writer.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Iterator

import duckdb

from assetscout import __version__
from assetscout.errors import CatalogError, InvalidInput

FORMAT_VERSION = 1
DB_NAME = "catalog.duckdb"
MANIFEST_NAME = "manifest.json"
CATALOG_ALIAS = "catalog_db"  # the name a read connection attaches the catalog under
LOCK_NAME = ".lock"
_WORK_PREFIX = ".catalog.duckdb.writing-"


def _schema_sql() -> str:
    return resources.files("assetscout.catalog").joinpath("schema.sql").read_text("utf-8")


def _added_columns() -> list[tuple[str, str]]:
    """(table, column) that schema.sql adds to catalogs written before the column existed."""
    return re.findall(r"ALTER TABLE (\w+) ADD COLUMN IF NOT EXISTS (\w+)", _schema_sql())


def _tables() -> list[str]:
    """Every table the schema creates (a catalog from before one was added lacks it)."""
    return re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", _schema_sql())


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON next to `path`, fsync, rename: readers see the old or the new file, never half."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, sort_keys=True, default=str)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_dir(target: Path) -> bool:
    """Put back the folder a `swap_dir` killed between its two renames moved aside.

    Between `target -> .target.old-PID` and `staging -> target` there is no `target`; if
    PID is gone, its old folder is the last complete state and is renamed back (True).
    A live PID is mid-swap: its new folder arrives in a moment, nothing is touched.
    """
    if target.exists():
        return False
    for old in sorted(target.parent.glob(f".{target.name}.old-*")):
        try:
            pid = int(old.name.rsplit("-", 1)[1])
        except ValueError:
            continue
        if pid != os.getpid() and _alive(pid):
            continue
        try:
            os.replace(old, target)
        except OSError:
            continue  # another reader recovered it first
        return True
    return False


def remove_stale(root: Path, prefix: str) -> None:
    """Remove `prefix<PID>` build folders/files left by processes that are gone (a kill)."""
    for stale in root.glob(prefix + "*"):
        try:
            pid = int(stale.name[len(prefix):].split(".", 1)[0])
        except ValueError:
            continue
        if pid == os.getpid() or not _alive(pid):
            if stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
            else:
                stale.unlink(missing_ok=True)


@contextlib.contextmanager
def pid_lock(path: Path, what: str) -> Iterator[None]:
    """Exclusive, non-blocking lock on `path` holding this process's pid, for `what` (a writer).

    A second writer gets CatalogError naming the pid that holds it; the kernel drops the
    lock when its holder dies (even by SIGKILL), so a crash never leaves the catalog locked.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "a+")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown"
            raise CatalogError(f"the catalog at {path.parent} is locked by pid {holder} ({what}); "
                               "wait for it to finish, or stop that process") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fh.flush()
            fcntl.flock(fh, fcntl.LOCK_UN)
    finally:
        fh.close()


def swap_dir(staging: Path | None, target: Path) -> None:
    """Put a folder built aside in place of `target` (or remove `target`) by renames.

    Readers see the old folder or the new one, never a half-written one; the old one is
    deleted last. Used for every index folder built next to its live version.
    """
    old = target.parent / f".{target.name}.old-{os.getpid()}"
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    if staging is not None:
        os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)


def check_replaceable_dir(target: Path, manifest_name: str, fmt: str, what: str) -> None:
    """Refuse to build over `target` unless it is absent, empty, or a `what` of format `fmt`.

    Index builders replace their folder wholesale; a mistyped path must not delete data.
    """
    if not target.exists():
        return
    if not target.is_dir():
        raise InvalidInput(f"index_dir must be a folder, got the file {str(target)!r}")
    if not any(target.iterdir()):
        return
    try:
        found = json.loads((target / manifest_name).read_text("utf-8")).get("format")
    except (OSError, ValueError, AttributeError):
        found = None
    if found != fmt:
        raise InvalidInput(f"index_dir {str(target)!r} exists and is not {what}; refusing to replace it")


def _library_versions() -> dict[str, str]:
    import pyarrow
    import yaml

    return {
        "assetscout": __version__,
        "duckdb": duckdb.__version__,
        "pyarrow": pyarrow.__version__,
        "pyyaml": yaml.__version__,
    }


@dataclass
class Catalog:
    """A catalog directory. Open it with `Catalog.open` (read) or write with `writing()`."""

    root: Path

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST_NAME

    def exists(self) -> bool:
        return self.db_path.is_file() and self.manifest_path.is_file()

    # ------------------------------------------------------------------ reading

    def manifest(self) -> dict[str, Any]:
        try:
            data = json.loads(self.manifest_path.read_text("utf-8"))
        except FileNotFoundError:
            raise CatalogError(
                f"no catalog at {self.root}: run 'assetscout ingest PATH --catalog {self.root}' first"
            ) from None
        except (OSError, ValueError) as exc:
            raise CatalogError(f"catalog manifest {self.manifest_path} is unreadable: {exc}") from None
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            raise CatalogError(
                f"catalog at {self.root} has format version {version!r}; this assetscout "
                f"({__version__}) reads version {FORMAT_VERSION}: re-ingest into a new directory"
            )
        return data

    @staticmethod
    def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
        """A cursor (for another thread) on a `connect()` connection, with the catalog as default."""
        cur = con.cursor()
        cur.execute(f"USE {CATALOG_ALIAS}")
        return cur

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A read-only connection to the live catalog (checks the manifest first)."""
        self.manifest()
        if not self.db_path.is_file():
            raise CatalogError(f"catalog database {self.db_path} is missing")
        # Attach into an in-memory connection rather than connecting to the file
        # directly: DuckDB caches database instances per path within a process, so
        # a direct connect after an atomic rename could return the old database.
        con = duckdb.connect(":memory:")
        try:
            con.execute(f"ATTACH ? AS {CATALOG_ALIAS} (READ_ONLY)", [str(self.db_path)])
            con.execute(f"USE {CATALOG_ALIAS}")
            present = set(con.execute("SELECT table_name, column_name FROM information_schema.columns "
                                      "WHERE table_catalog = ?", [CATALOG_ALIAS]).fetchall())
        except duckdb.Error as exc:
            con.close()
            raise CatalogError(f"cannot open catalog database {self.db_path}: {exc}") from None
        tables = {t for t, _ in present}
        missing = [t for t in _tables() if t not in tables] + [
            f"{t}.{c}" for t, c in _added_columns() if (t, c) not in present]
        if missing:
            con.close()
            raise CatalogError(
                f"the catalog at {self.root} was written by an older assetscout (it lacks {', '.join(missing)}): "
                f"bring it up to date with 'assetscout ingest PATH --catalog {self.root}', PATH being any of "
                "its sources (the catalog is rewritten in the current format; nothing is lost)")
        return con

    # ------------------------------------------------------------------ writing

    @contextlib.contextmanager
    def writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Exclusive, atomic write access.

        Yields a connection to a working copy; on normal exit the copy is checkpointed
        and renamed over the live database, then the manifest is rewritten. On an
        exception (or a kill) the live catalog is untouched.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        with pid_lock(self.root / LOCK_NAME, "an ingest is writing it"):
            for stale in self.root.glob(_WORK_PREFIX + "*"):
                stale.unlink(missing_ok=True)  # left by a writer that was killed
            work = self.root / f"{_WORK_PREFIX}{os.getpid()}"
            if self.db_path.is_file():
                if self.manifest_path.is_file():
                    self.manifest()  # refuse to write over a catalog of another format
                shutil.copyfile(self.db_path, work)
            con = duckdb.connect(str(work))
            try:
                con.execute(_schema_sql())
                yield con
                con.execute("CHECKPOINT")
            except BaseException:
                con.close()
                work.unlink(missing_ok=True)
                Path(str(work) + ".wal").unlink(missing_ok=True)
                raise
            con.close()
            os.replace(work, self.db_path)
            self._write_manifest()

    def _write_manifest(self) -> None:
        previous: dict[str, Any] = {}
        if self.manifest_path.is_file():
            with contextlib.suppress(OSError, ValueError):
                previous = json.loads(self.manifest_path.read_text("utf-8"))
        manifest = {
            **previous,
            "format_version": FORMAT_VERSION,
            "created_at": previous.get("created_at") or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "updated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "database": DB_NAME,
            "libraries": _library_versions(),
        }
        write_json_atomic(self.manifest_path, manifest)


def open_catalog(root: Path | str) -> Catalog:
    """A catalog handle for `root` (nothing is read until it is used)."""
    return Catalog(Path(root).expanduser().resolve())
