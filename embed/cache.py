"""Embedding cache keyed by content: re-ingesting an unchanged card costs nothing.

A cache is a directory:

    manifest.json          format, format_version, dim, count, generation, file names
    vectors-<gen>.npy      float32 [count, dim], row i belongs to line i of the keys file
    keys-<gen>.txt         one sha256 hex key per line

The key is sha256(encoder name, text), so two encoders never share a vector. New
vectors are appended in memory; `save()` writes a new generation beside the old one
and then replaces the manifest (the one atomic step), so a crash mid-save leaves the
previous generation readable. One writer at a time; readers may share the directory.
No pickle anywhere: `.npy` is loaded with `allow_pickle=False`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assetscout.embed.base import Encoder, check_batch_size, check_texts
from assetscout.errors import CatalogError, InvalidInput

FORMAT = "assetscout-embedding-cache"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
_KEY = re.compile(r"^[0-9a-f]{64}$")


def cache_key(encoder_name: str, text: str) -> str:
    """sha256 hex of (encoder name, text); the separator keeps ("ab", "c") != ("a", "bc")."""
    digest = hashlib.sha256()
    digest.update(encoder_name.encode("utf-8"))
    digest.update(b"\x00")
    digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_atomic(path: Path, write) -> None:  # type: ignore[no-untyped-def]
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        write(fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


@dataclass
class CacheStats:
    """Lookups since the cache was opened: what was found and what had to be encoded."""

    hits: int = 0
    misses: int = 0


class EmbeddingCache:
    """Vectors by content key, in a directory (created on first `save()`).

    dim: expected vector length; None takes it from the directory or the first put.
    """

    def __init__(self, directory: str | os.PathLike[str], *, dim: int | None = None) -> None:
        if dim is not None and (isinstance(dim, bool) or not isinstance(dim, int) or dim < 1):
            raise InvalidInput(f"dim must be None or an int >= 1, got {dim!r}")
        self.directory = Path(directory)
        if self.directory.exists() and not self.directory.is_dir():
            raise InvalidInput(f"cache directory {str(self.directory)!r} is a file")
        self.stats = CacheStats()
        self._dim = dim
        self._generation = 0
        self._stored: np.ndarray | None = None
        self._rows: dict[str, int] = {}
        self._pending_keys: list[str] = []
        self._pending: list[np.ndarray] = []
        self._load()

    @classmethod
    def for_encoder(cls, root: str | os.PathLike[str], encoder: Encoder) -> EmbeddingCache:
        """The cache of one encoder under a shared root: `<root>/<name slug>-<hash>`."""
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", encoder.name).strip("._")[:80] or "encoder"
        suffix = hashlib.sha256(encoder.name.encode("utf-8")).hexdigest()[:8]
        return cls(Path(root) / f"{slug}-{suffix}", dim=encoder.dim)

    @property
    def dim(self) -> int | None:
        return self._dim

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, key: object) -> bool:
        return key in self._rows

    def keys(self) -> list[str]:
        """Every key held (saved and pending), in row order."""
        return list(self._rows)

    @property
    def dirty(self) -> bool:
        """True when vectors were added since the last save."""
        return bool(self._pending_keys)

    def get_many(self, keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(vectors [n, dim] float32 with zero rows for misses, found mask [n] bool)."""
        n = len(keys)
        dim = self._dim or 0
        vectors = np.zeros((n, dim), dtype=np.float32)
        found = np.zeros(n, dtype=bool)
        if n == 0 or not self._rows:
            self.stats.misses += n
            return vectors, found
        n_stored = 0 if self._stored is None else self._stored.shape[0]
        positions, rows = [], []
        for i, key in enumerate(keys):
            row = self._rows.get(key)
            if row is not None:
                positions.append(i)
                rows.append(row)
        if rows:
            rows_arr = np.asarray(rows, dtype=np.int64)
            pos_arr = np.asarray(positions, dtype=np.int64)
            in_store = rows_arr < n_stored
            if in_store.any():
                vectors[pos_arr[in_store]] = self._stored[rows_arr[in_store]]  # type: ignore[index]
            if (~in_store).any():
                pending = np.concatenate(self._pending) if len(self._pending) > 1 else self._pending[0]
                if len(self._pending) > 1:
                    self._pending = [pending]
                vectors[pos_arr[~in_store]] = pending[rows_arr[~in_store] - n_stored]
            found[pos_arr] = True
        self.stats.hits += int(found.sum())
        self.stats.misses += n - int(found.sum())
        return vectors, found

    def put_many(self, keys: Sequence[str], vectors: np.ndarray) -> int:
        """Add vectors under their keys; keys already held are kept as they are. Returns how many were new."""
        array = np.asarray(vectors, dtype=np.float32)
        if array.ndim != 2 or array.shape[0] != len(keys):
            raise InvalidInput(f"vectors must have shape [len(keys), dim], got {array.shape} for {len(keys)} keys")
        if self._dim is None:
            self._dim = int(array.shape[1])
        if array.shape[1] != self._dim:
            raise InvalidInput(f"vectors must have dim {self._dim} in this cache, got {array.shape[1]}")
        if not np.isfinite(array).all():
            raise InvalidInput("vectors must be finite")
        new_rows: list[int] = []
        next_row = len(self._rows)
        for i, key in enumerate(keys):
            if not isinstance(key, str) or not _KEY.match(key):
                raise InvalidInput(f"keys[{i}] must be a sha256 hex digest (use cache_key), got {key!r}")
            if key in self._rows:
                continue
            self._rows[key] = next_row
            next_row += 1
            self._pending_keys.append(key)
            new_rows.append(i)
        if new_rows:
            self._pending.append(np.ascontiguousarray(array[new_rows]))
        return len(new_rows)

    def save(self) -> None:
        """Write a new generation, then switch the manifest to it; no-op when nothing changed."""
        if not self._pending_keys and (self.directory / MANIFEST_NAME).is_file():
            return
        if self._dim is None:
            return  # nothing was ever put: no dimension to record
        self.directory.mkdir(parents=True, exist_ok=True)
        parts = ([] if self._stored is None else [np.asarray(self._stored)]) + self._pending
        vectors = np.concatenate(parts) if parts else np.zeros((0, self._dim), dtype=np.float32)
        keys = sorted(self._rows, key=self._rows.__getitem__)
        generation = self._generation + 1
        vec_name, key_name = f"vectors-{generation:06d}.npy", f"keys-{generation:06d}.txt"
        _write_atomic(self.directory / vec_name, lambda fh: np.save(fh, vectors, allow_pickle=False))
        _write_atomic(self.directory / key_name, lambda fh: fh.write("".join(k + "\n" for k in keys).encode("ascii")))
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "dim": self._dim, "dtype": "float32",
            "count": len(keys), "generation": generation, "vectors": vec_name, "keys": key_name,
        }
        _write_atomic(self.directory / MANIFEST_NAME,
                      lambda fh: fh.write((json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8")))
        _fsync_dir(self.directory)
        self._remove_other_generations(keep=(vec_name, key_name))
        self._generation = generation
        self._pending, self._pending_keys = [], []
        self._stored = np.load(self.directory / vec_name, mmap_mode="r", allow_pickle=False)

    def _remove_other_generations(self, keep: tuple[str, ...]) -> None:
        for path in self.directory.iterdir():
            if (re.match(r"^(vectors|keys)-\d{6}\.(npy|txt)$", path.name) or ".tmp-" in path.name) \
                    and path.name not in keep:
                try:
                    path.unlink()
                except OSError:
                    pass

    def _load(self) -> None:
        manifest_path = self.directory / MANIFEST_NAME
        if not manifest_path.is_file():
            return
        where = str(self.directory)
        try:
            manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CatalogError(f"embedding cache {where}: unreadable manifest ({exc})") from exc
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise CatalogError(f"embedding cache {where}: not an embedding cache manifest")
        if manifest.get("format_version") != FORMAT_VERSION:
            raise CatalogError(
                f"embedding cache {where}: format version {manifest.get('format_version')!r}, "
                f"this assetscout reads {FORMAT_VERSION}; delete the directory to rebuild it")
        dim, count = manifest.get("dim"), manifest.get("count")
        if not isinstance(dim, int) or not isinstance(count, int) or dim < 1 or count < 0:
            raise CatalogError(f"embedding cache {where}: damaged manifest (dim {dim!r}, count {count!r})")
        if self._dim is not None and dim != self._dim:
            raise InvalidInput(f"embedding cache {where} holds {dim}-d vectors, the encoder makes {self._dim}-d")
        try:
            vectors = np.load(self.directory / str(manifest["vectors"]), mmap_mode="r", allow_pickle=False)
            lines = (self.directory / str(manifest["keys"])).read_text(encoding="ascii").splitlines()
        except (OSError, ValueError, KeyError) as exc:
            raise CatalogError(f"embedding cache {where}: damaged ({exc})") from exc
        if vectors.dtype != np.float32 or vectors.shape != (count, dim) or len(lines) != count:
            raise CatalogError(
                f"embedding cache {where}: damaged (manifest says {count}x{dim} float32, found "
                f"{vectors.shape} {vectors.dtype} and {len(lines)} keys)")
        if not all(_KEY.match(line) for line in lines):
            raise CatalogError(f"embedding cache {where}: damaged keys file")
        self._dim = int(dim)
        self._generation = int(manifest.get("generation", 0))
        self._stored = vectors
        self._rows = {key: i for i, key in enumerate(lines)}


def encode_cached(
    encoder: Encoder,
    texts: Sequence[str],
    cache: EmbeddingCache,
    *,
    batch_size: int = 64,
    progress: bool = False,
) -> np.ndarray:
    """`encoder.encode(texts)`, encoding only texts the cache lacks (each distinct text once).

    New vectors are added to the cache in memory; call `cache.save()` to keep them.
    """
    items = check_texts(texts)
    check_batch_size(batch_size)
    if cache.dim is not None and cache.dim != encoder.dim:
        raise InvalidInput(
            f"cache {str(cache.directory)!r} holds {cache.dim}-d vectors, encoder {encoder.name} makes "
            f"{encoder.dim}-d; use EmbeddingCache.for_encoder(root, encoder)")
    keys = [cache_key(encoder.name, text) for text in items]
    vectors, found = cache.get_many(keys)
    if vectors.shape[1] != encoder.dim:
        vectors = np.zeros((len(items), encoder.dim), dtype=np.float32)
    missing: dict[str, int] = {}
    for i in np.flatnonzero(~found):
        missing.setdefault(keys[i], int(i))
    if missing:
        fresh = encoder.encode([items[i] for i in missing.values()], batch_size=batch_size, progress=progress)
        cache.put_many(list(missing), fresh)
        by_key = dict(zip(missing, fresh, strict=True))
        for i in np.flatnonzero(~found):
            vectors[i] = by_key[keys[i]]
    return vectors
