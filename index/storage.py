"""How an index directory is written: generation files + one manifest as commit point.

An index directory holds `manifest.json` and data files named `<role>.<generation><ext>`
(or data folders `<role>.<generation>/`). A save writes a fresh generation next to the
old one (each file to a temporary name, fsync, rename), then replaces the manifest
atomically, then deletes the files of older generations. Readers follow the manifest,
so a crash at any point leaves either the old or the new index readable, never a mix.
One writer per directory at a time (the catalog's lock provides that).

Only JSON and `.npy` written with `allow_pickle=False` (plus FAISS's own format) are
stored: nothing here is ever unpickled.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from pathlib import Path
from typing import Any, Callable

import numpy as np

from assetscout.errors import CatalogError

MANIFEST_NAME = "manifest.json"
FORMAT_VERSION = 1

_GENERATION = re.compile(r"^[A-Za-z0-9_]+\.[0-9a-f]{12}(\.[A-Za-z0-9]+)?$")
_TMP = re.compile(r"^\..*\.tmp-[0-9a-f]+$")


def new_generation() -> str:
    """A short random token naming the files of one save."""
    return uuid.uuid4().hex[:12]


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(path: Path) -> None:
    """fsync a file, or every file under a folder and the folders themselves."""
    if path.is_dir():
        for sub in sorted(path.rglob("*")):
            _fsync_path(sub)
    _fsync_path(path)


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Call `write(tmp)` for a temporary name next to `path`, fsync it, rename it to `path`."""
    tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")
    try:
        write(tmp)
        fsync_tree(tmp)
        os.replace(tmp, path)
    except BaseException:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
        raise


def write_npy(path: Path, array: np.ndarray) -> None:
    """Write one array as `.npy` (never pickled), atomically."""

    def _write(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            np.save(fh, np.ascontiguousarray(array), allow_pickle=False)

    write_atomic(path, _write)


def read_npy(path: Path) -> np.ndarray:
    """Read an array written by `write_npy`; object arrays are refused, not unpickled."""
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise CatalogError(f"cannot read {path}: {exc}; rebuild the index") from exc


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically."""

    def _write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, sort_keys=True)
            fh.write("\n")

    write_atomic(path, _write)


def commit(directory: Path, manifest: dict[str, Any]) -> None:
    """Make `manifest` the live one, then delete every generation it does not name.

    `manifest["files"]` maps roles to the file or folder names of this generation.
    """
    manifest = {"format_version": FORMAT_VERSION, **manifest}
    write_json(directory / MANIFEST_NAME, manifest)
    _fsync_path(directory)
    keep = set(manifest.get("files", {}).values())
    for entry in directory.iterdir():
        name = entry.name
        if name in keep or not (_GENERATION.match(name) or _TMP.match(name)):
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def read_manifest(directory: Path, kind: str) -> dict[str, Any]:
    """The manifest of an index directory, checked for kind and format version."""
    path = directory / MANIFEST_NAME
    if not path.is_file():
        raise CatalogError(f"no index in {directory}: {MANIFEST_NAME} is missing")
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise CatalogError(f"cannot read {path}: {exc}; rebuild the index") from exc
    if not isinstance(manifest, dict):
        raise CatalogError(f"{path} is not a JSON object; rebuild the index")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise CatalogError(
            f"{directory} holds an index of format version {version!r}; this assetscout "
            f"reads version {FORMAT_VERSION}: rebuild the index"
        )
    if manifest.get("kind") != kind:
        raise CatalogError(f"{directory} holds a {manifest.get('kind')!r}, not a {kind!r}")
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise CatalogError(f"{path} names no files; rebuild the index")
    for role, name in files.items():
        if not isinstance(name, str) or "/" in name or name.startswith(".") or not (directory / name).exists():
            raise CatalogError(f"{directory}: the {role} file {name!r} is missing; rebuild the index")
    return manifest


def library_versions(*names: str) -> dict[str, str]:
    """Versions of the named installed distributions (for the manifest)."""
    from importlib.metadata import PackageNotFoundError, version

    out: dict[str, str] = {}
    for name in ("numpy", *names):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "unknown"
    return out
