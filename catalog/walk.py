"""Finding the files to ingest: follows folders and links, survives loops and races.

A directory symlink that points back up the tree would make a naive walk run forever;
here every directory is identified by (device, inode) and a second visit is reported as
a problem of that path, not followed.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator


@dataclass(frozen=True)
class Found:
    """A file to read, or a path that could not be walked (`problem` says why)."""

    path: Path
    problem: str | None = None


def walk(paths: list[Path], *, max_depth: int = 32, max_files: int = 1_000_000) -> Iterator[Found]:
    """Yield every regular file under `paths` in a stable (sorted) order."""
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: set[tuple[int, int]] = set()
    count = 0
    for root in paths:
        stack: list[tuple[Path, int]] = [(root, 0)]
        while stack:
            path, depth = stack.pop()
            try:
                st = path.stat()  # follows links
            except FileNotFoundError:
                if path.is_symlink():
                    yield Found(path, f"broken symbolic link to {os.readlink(path)}")
                else:
                    yield Found(path, "path does not exist (or disappeared while ingesting)")
                continue
            except OSError as exc:
                yield Found(path, f"cannot access path: {exc.strerror or exc}")
                continue
            if stat.S_ISDIR(st.st_mode):
                ident = (st.st_dev, st.st_ino)
                if ident in seen_dirs:
                    if path.is_symlink():
                        yield Found(path, f"symbolic link loop: {path} points to a folder already visited ({os.path.realpath(path)})")
                    continue
                seen_dirs.add(ident)
                if depth >= max_depth:
                    yield Found(path, f"folder nested deeper than {max_depth} levels; not followed")
                    continue
                try:
                    children = sorted(os.listdir(path), reverse=True)
                except OSError as exc:
                    yield Found(path, f"cannot list folder: {exc.strerror or exc}")
                    continue
                for name in children:
                    if name.startswith(".") and name not in (".",):
                        continue  # hidden files/folders (.git, .cache, editor swap files)
                    stack.append((path / name, depth + 1))
            elif stat.S_ISREG(st.st_mode):
                ident = (st.st_dev, st.st_ino)
                if ident in seen_files:
                    continue  # the same file reached twice (e.g. through a link)
                seen_files.add(ident)
                count += 1
                if count > max_files:
                    yield Found(path, f"more than {max_files} files in one ingest; the rest were not read")
                    return
                yield Found(path)
            else:
                yield Found(path, "not a regular file (device, socket or pipe); not read")
