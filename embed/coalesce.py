"""Query encoding for a server: concurrent queries share one forward pass, repeats cost nothing.

Under load a server's threads each encode one short query; one at a time, the encoder
is the queue everyone waits in (a MiniLM forward pass of one query costs ~7 ms on these
cores, of 16 queries ~20 ms). `QueryEncoder.encode_one` lets the first caller become the
leader: it encodes every query that arrived meanwhile in one batch, hands each caller
its row, and repeats until none is waiting; an idle server encodes a lone query at once,
with no added wait. Vectors of recent texts are kept (an LRU), so a repeated query is
not encoded again. Batched and lone encodings agree to float rounding: padding is
masked out of the pooling.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from concurrent.futures import Future

import numpy as np

from assetscout.embed.base import Encoder


class QueryEncoder:
    """Coalesces concurrent `encode_one` calls into batches; caches recent query vectors."""

    def __init__(self, encoder: Encoder, *, max_batch: int = 32, cache_size: int = 4096) -> None:
        self.encoder = encoder
        self.max_batch = max_batch
        self.cache_size = cache_size
        self._cond = threading.Condition()
        self._pending: list[tuple[str, Future[np.ndarray]]] = []
        self._leading = False
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self.batches = 0  # forward passes run (for benchmarks)
        self.encoded = 0  # texts encoded in them

    def encode_one(self, text: str) -> np.ndarray:
        """The unit vector of `text`, shape (1, dim)."""
        future: Future[np.ndarray] = Future()
        with self._cond:
            hit = self._cache.get(text)
            if hit is not None:
                self._cache.move_to_end(text)
                return hit
            self._pending.append((text, future))
        while not future.done():
            with self._cond:
                while self._leading and not future.done():
                    self._cond.wait()
                if future.done():
                    break
                self._leading = True  # one batch, then the lead passes on: no caller waits behind others forever
                batch, self._pending = self._pending[:self.max_batch], self._pending[self.max_batch:]
            try:
                self._encode(batch)
            finally:
                with self._cond:
                    self._leading = False
                    self._cond.notify_all()
        return future.result()

    def _encode(self, batch: list[tuple[str, Future[np.ndarray]]]) -> None:
        texts = list(dict.fromkeys(t for t, _ in batch))
        try:
            vectors = self.encoder.encode(texts, batch_size=max(1, len(texts)))
        except Exception as exc:  # noqa: BLE001 -- every caller in the batch gets the error
            for _, future in batch:
                future.set_exception(exc)
            return
        rows = {t: vectors[i:i + 1] for i, t in enumerate(texts)}
        with self._cond:
            self.batches += 1
            self.encoded += len(texts)
            for t, row in rows.items():
                self._cache[t] = row
                self._cache.move_to_end(t)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        for t, future in batch:
            future.set_result(rows[t])
