"""Concurrent query encodings share forward passes and agree with lone ones."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from assetscout.embed.coalesce import QueryEncoder
from assetscout.embed.fake import HashingEncoder


class SlowEncoder(HashingEncoder):
    """The hashing encoder, taking 20 ms per forward pass (as a real model does), counting passes."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self.lock = threading.Lock()

    def _encode(self, texts, *, batch_size, progress):  # noqa: ANN001, ANN202
        with self.lock:
            self.calls += 1
        time.sleep(0.02)
        return super()._encode(texts, batch_size=batch_size, progress=progress)


def test_concurrent_queries_are_batched_and_get_their_own_vectors() -> None:
    enc = SlowEncoder()
    q = QueryEncoder(enc)
    texts = [f"query number {i}" for i in range(64)]
    with ThreadPoolExecutor(32) as pool:
        got = list(pool.map(q.encode_one, texts))
    assert enc.calls < len(texts) / 4  # far fewer forward passes than queries
    alone = HashingEncoder().encode(texts)
    for i, row in enumerate(got):
        assert row.shape == (1, enc.dim)
        np.testing.assert_allclose(row[0], alone[i], atol=1e-6)
    assert q.encoded == len(texts)


def test_a_repeated_query_is_not_encoded_again_and_the_cache_is_bounded() -> None:
    enc = SlowEncoder()
    q = QueryEncoder(enc, cache_size=3)
    first = q.encode_one("same text")
    assert q.encode_one("same text") is first and enc.calls == 1
    for t in ("a", "b", "c"):
        q.encode_one(t)
    q.encode_one("same text")  # evicted by three newer texts: encoded again
    assert enc.calls == 5


def test_an_encoder_error_reaches_every_caller_of_the_batch_and_the_next_batch_works() -> None:
    class Failing(HashingEncoder):
        fail = True

        def _encode(self, texts, *, batch_size, progress):  # noqa: ANN001, ANN202
            if Failing.fail:
                raise RuntimeError("model crashed")
            return super()._encode(texts, batch_size=batch_size, progress=progress)

    q = QueryEncoder(Failing())
    with pytest.raises(RuntimeError, match="model crashed"):
        q.encode_one("x")
    Failing.fail = False
    assert q.encode_one("x").shape == (1, 384)
