"""POST /ingest behind the HTTP layer: uploaded files -> catalog ingest -> search and table indexes -> swap.

Uploads arrive in a per-request folder `<catalog>/uploads/.incoming-XXXX/`. Under the
ingest lock that folder is renamed to `<catalog>/uploads/current/` and ingested from
there, then removed. The fixed name matters: ingest keys every fact by the file it
came from, so re-uploading `datasets/squad/README.md` replaces what the previous
upload of that name said (or costs nothing when unchanged) instead of adding a
second copy of the same facts.
"""

from __future__ import annotations

import contextlib
import fcntl
import shutil
from pathlib import Path
from typing import Any, Iterator

from assetscout.catalog.ingest import ingest
from assetscout.catalog.store import open_catalog
from assetscout.search.build import build_search_index, read_search_manifest
from assetscout.search.http_engine import EngineHolder
from assetscout.search.http_uploads import UploadedFile
from assetscout.tables.catalog_index import update_table_index

UPLOADS_DIR = "uploads"
CURRENT_DIR = "current"


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


def ingest_uploads(holder: EngineHolder, incoming: Path, uploaded: list[UploadedFile]) -> dict[str, Any]:
    """Ingest the files in `incoming`, rebuild the search index when anything changed, swap
    the engine; return the ingest report with file names as the client sent them."""
    root = uploads_root(holder.catalog_dir)
    current = root / CURRENT_DIR
    with holder.ingest_lock, _process_lock(root / ".lock"):
        shutil.rmtree(current, ignore_errors=True)  # left by a killed process
        incoming.rename(current)
        try:
            catalog = open_catalog(holder.catalog_dir)
            report = ingest([current], catalog)
            changed = any(s.files_read for s in report.sources.values())
            index: dict[str, Any] = {"rebuilt": False}
            if changed or read_search_manifest(catalog) is None:
                with holder.swapping() as encoder:
                    built = build_search_index(catalog, encoder())
                index = {"rebuilt": True, **{k: built.get(k) for k in ("assets", "chunks", "seconds", "texts_embedded")}}
            # while the uploaded files still exist: the table indexes read them (and are reopened on next use)
            tables = update_table_index(catalog, holder.encoder(), progress=False)
            out = report.to_dict()
        finally:
            shutil.rmtree(current, ignore_errors=True)
    prefix = str(current.resolve()) + "/"
    for item in out.get("rejected", ()):
        if isinstance(item.get("file"), str) and item["file"].startswith(prefix):
            item["file"] = item["file"][len(prefix):]
    out["uploaded"] = [{"name": f.name, "size": f.size} for f in uploaded]
    out["search_index"] = index
    out["table_index"] = None if tables.mode == "none" else {
        k: v for k, v in tables.to_dict().items() if k in ("mode", "tables", "added", "rejected", "columns", "seconds")}
    return out
