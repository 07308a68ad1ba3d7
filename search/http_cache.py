"""Answers of read-only requests, kept while the catalog they were computed from is served.

A server's catalog and indexes change only when an ingest swaps the engine (or the table
indexes are reopened), so a search, facet count, asset or union answer computed once is
the answer until then: the same request is served from memory (~0.1 ms instead of 10-50
ms of encoding, ranking and counting). Entries are keyed by the request's canonical form
and by the generation of what answered it; a swap bumps the generation, which makes
every older entry unreachable (and the LRU bound drops them). Errors are never kept.

What is kept is the rendered JSON body, not the Python objects: a search answer with its
facets is ~30 KB as bytes but ~10x that as dicts, and rendering it again on every hit
would cost what the cache saves. The bound is in bytes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable

from starlette.responses import Response


class ResponseCache:
    """A thread-safe LRU of rendered JSON answers, at most `max_bytes` in all (0: off)."""

    def __init__(self, render: Callable[[Any], bytes], max_bytes: int = 64 * 1024 * 1024) -> None:
        self.render = render
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Response:
        """The JSON response for `key`: from memory, else `compute()`d, rendered and kept."""
        with self._lock:
            body = self._items.get(key)
            if body is not None:
                self._items.move_to_end(key)
                self.hits += 1
        if body is None:
            body = self.render(compute())  # outside the lock: other requests go on meanwhile
            self._put(key, body)
        return Response(body, media_type="application/json")

    def _put(self, key: Hashable, body: bytes) -> None:
        if len(body) > self.max_bytes // 8:  # one huge answer must not empty the cache
            return
        with self._lock:
            self.misses += 1
            old = self._items.pop(key, None)
            self._bytes += len(body) - (len(old) if old is not None else 0)
            self._items[key] = body
            while self._bytes > self.max_bytes and self._items:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= len(dropped)

    @property
    def bytes(self) -> int:
        return self._bytes

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0
