"""The one SearchEngine a server shares between requests, swapped safely after an ingest.

Requests read through `holder.reading()`; an ingest swaps the engine under
`holder.swapping()`, which waits for the requests in flight and holds new ones back
until the new catalog and index are open. The engine is opened on first use, so a
server can start on an empty directory and be filled through POST /ingest.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Callable, Iterator

from assetscout.embed.base import Encoder
from assetscout.errors import CatalogError, InvalidInput
from assetscout.search.engine import SearchEngine


class ReadWriteLock:
    """Many readers or one writer; a waiting writer holds back new readers (no starvation)."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0

    @contextlib.contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextlib.contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            try:
                while self._writer or self._readers:
                    self._cond.wait()
            finally:
                self._writers_waiting -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


class EngineHolder:
    """Opens the engine lazily and lets an ingest replace it while requests wait."""

    def __init__(self, catalog_dir: Path, encoder: Encoder | None = None, *,
                 opener: Callable[[Path, Encoder | None], SearchEngine] | None = None) -> None:
        self.catalog_dir = catalog_dir
        self._encoder = encoder
        self._opener = opener or (lambda root, enc: SearchEngine.open(root, encoder=enc))
        self._engine: SearchEngine | None = None
        self._open_lock = threading.Lock()
        self._rw = ReadWriteLock()
        self.ingest_lock = threading.Lock()  # one upload ingest at a time in this process
        self.generation = 0  # bumped by every swap: answers cached under an older one are stale

    def _get(self) -> SearchEngine:
        if self._engine is None:
            with self._open_lock:
                if self._engine is None:
                    self._engine = self._open()
        return self._engine

    def _open(self) -> SearchEngine:
        try:
            engine = self._opener(self.catalog_dir, self.encoder())
        except CatalogError as exc:
            if (self.catalog_dir / "manifest.json").is_file():
                raise
            raise CatalogError(f"{exc} (or upload files to POST /ingest)") from None
        except InvalidInput as exc:  # e.g. an index built with another encoder: the server's setup, not the request
            raise CatalogError(f"the search engine cannot open: {exc}") from None
        return engine

    def encoder(self) -> Encoder:
        """The configured encoder, else the packaged MiniLM (its weights load on first encode)."""
        if self._encoder is None:
            from assetscout.embed.text import SentenceTransformerEncoder

            self._encoder = SentenceTransformerEncoder()
        return self._encoder

    @contextlib.contextmanager
    def reading(self) -> Iterator[SearchEngine]:
        with self._rw.read():
            yield self._get()

    @contextlib.contextmanager
    def swapping(self) -> Iterator[Callable[[], Encoder]]:
        """Close the engine, let the caller rebuild (it gets an encoder getter), reopen.

        The engine is closed, not `reload()`ed: DuckDB hands a new connection to a file
        the process still has open to the *old* database (its instance cache), so a
        rebuild or a reload next to an open connection reads stale rows.
        """
        with self._rw.write():
            old, self._engine = self._engine, None
            if old is not None:
                old.close()
            try:
                yield self.encoder
            finally:
                self._engine = None  # the next request opens the new catalog and index
                self.generation += 1

    def close(self) -> None:
        with self._rw.write():
            if self._engine is not None:
                self._engine.close()
                self._engine = None
