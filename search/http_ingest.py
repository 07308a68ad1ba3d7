"""POST /ingest behind the HTTP layer: uploaded files -> catalog ingest -> search and table indexes -> swap.

Uploads arrive in a per-request folder `<catalog>/uploads/.incoming-XXXX/`. Under the
ingest lock each file moves to the same relative path under `<catalog>/uploads/files/`
and is ingested from there, where it stays:
- the fixed place matters because ingest keys every fact by the file it came from, so
  re-uploading `datasets/squad/README.md` replaces what the previous upload of that name
  said (or costs nothing when unchanged) instead of adding a second copy of the facts;
- keeping the file matters because the catalog is not only a copy of what was read:
  the table indexes read a table again whenever they are rebuilt (a changed or removed
  table rebuilds them all), and an uploaded table that was deleted after its ingest
  then dropped out of union and join search.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import Any, Iterator

from assetscout.catalog.ingest import ingest
from assetscout.catalog.store import open_catalog
from assetscout.errors import InvalidInput
from assetscout.search.build import build_search_index, read_search_manifest
from assetscout.search.http_engine import EngineHolder
from assetscout.search.http_uploads import UploadedFile
from assetscout.tables.catalog_index import update_table_index

UPLOADS_DIR = "uploads"
FILES_DIR = "files"


def uploads_root(catalog_dir: Path) -> Path:
    return catalog_dir / UPLOADS_DIR


@contextlib.contextmanager
def _process_lock(path: Path) -> Iterator[None]:
    """Blocking exclusive lock: two server processes on one catalog take turns."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _clash(dst: Path, store: Path) -> Path | None:
    """What in `store` keeps a file from landing at `dst`: a folder there, or a file where a folder must be."""
    if dst.is_dir():
        return dst
    for parent in dst.parents:
        if parent == store:
            return None
        if parent.exists() and not parent.is_dir():
            return parent
    return None


def check_storable(incoming: Path, catalog_dir: Path) -> list[tuple[Path, Path]]:
    """(file, where it will be kept) for every file of `incoming`; InvalidInput when one cannot be
    kept there. POST /ingest checks before it answers; the job checks again under the lock."""
    store = uploads_root(catalog_dir) / FILES_DIR
    moves = [(src, store / src.relative_to(incoming)) for src in sorted(incoming.rglob("*")) if src.is_file()]
    for _, dst in moves:  # check them all before moving any: a refused upload changes nothing
        clash = _clash(dst, store)
        if clash is not None:
            what = "a folder" if clash.is_dir() else "a file"
            raise InvalidInput(f"'{dst.relative_to(store)}' cannot be stored: earlier uploads have {what} at "
                               f"'{clash.relative_to(store)}'; upload it under another name")
    return moves


def _keep(incoming: Path, catalog_dir: Path) -> list[Path]:
    """Move every file of `incoming` to its relative path under the store (replacing a file there)."""
    moves = check_storable(incoming, catalog_dir)
    for src, dst in moves:
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dst)
    return [dst for _, dst in moves]


def ingest_uploads(holder: EngineHolder, incoming: Path, uploaded: list[UploadedFile]) -> dict[str, Any]:
    """Ingest the files in `incoming`, rebuild the search index when anything changed, swap
    the engine; return the ingest report with file names as the client sent them."""
    root = uploads_root(holder.catalog_dir)
    store = root / FILES_DIR
    with holder.ingest_lock, _process_lock(root / ".lock"):
        kept = _keep(incoming, holder.catalog_dir)
        catalog = open_catalog(holder.catalog_dir)
        report = ingest(kept, catalog)
        changed = any(s.files_read for s in report.sources.values())
        index: dict[str, Any] = {"rebuilt": False}
        if changed or read_search_manifest(catalog) is None:
            with holder.swapping() as encoder:
                built = build_search_index(catalog, encoder())
            index = {"rebuilt": True, **{k: built.get(k) for k in ("assets", "chunks", "seconds", "texts_embedded")}}
        tables = update_table_index(catalog, holder.encoder(), progress=False)
        out = report.to_dict()
    prefix = str(store.resolve()) + "/"
    for item in out.get("rejected", ()):
        if isinstance(item.get("file"), str) and item["file"].startswith(prefix):
            item["file"] = item["file"][len(prefix):]
    out["uploaded"] = [{"name": f.name, "size": f.size} for f in uploaded]
    out["search_index"] = index
    out["table_index"] = None if tables.mode == "none" else {
        k: v for k, v in tables.to_dict().items() if k in ("mode", "tables", "added", "rejected", "columns", "seconds")}
    return out
