"""EmbeddingCache and encode_cached: hits, misses, persistence, atomic saves."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assetscout.embed.cache import EmbeddingCache, cache_key, encode_cached
from assetscout.embed.fake import HashingEncoder
from assetscout.errors import CatalogError, InvalidInput


class CountingEncoder(HashingEncoder):
    """Records every text it is asked to encode."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen: list[str] = []

    def _encode(self, texts, *, batch_size, progress):
        self.seen.extend(texts)
        return super()._encode(texts, batch_size=batch_size, progress=progress)


def texts(n: int, offset: int = 0) -> list[str]:
    return [f"card number {i} about topic {i % 7}" for i in range(offset, offset + n)]


def test_cache_key_depends_on_encoder_and_text_and_is_unambiguous():
    assert cache_key("m", "a") == cache_key("m", "a")
    assert cache_key("m", "a") != cache_key("n", "a")
    assert cache_key("ab", "c") != cache_key("a", "bc")
    assert len(cache_key("m", "")) == 64


def test_encode_cached_encodes_only_misses_and_returns_what_encode_returns(tmp_path: Path):
    enc = CountingEncoder(dim=32)
    cache = EmbeddingCache(tmp_path / "c")
    first = encode_cached(enc, texts(10), cache)
    assert enc.seen == texts(10)
    np.testing.assert_array_equal(first, HashingEncoder(dim=32).encode(texts(10)))

    enc.seen.clear()
    mixed = texts(5, offset=5) + texts(5, offset=10)  # 5 hits, 5 new
    out = encode_cached(enc, mixed, cache)
    assert enc.seen == texts(5, offset=10)
    np.testing.assert_array_equal(out, HashingEncoder(dim=32).encode(mixed))
    assert (cache.stats.hits, cache.stats.misses) == (5, 15)


def test_a_text_repeated_in_one_call_is_encoded_once(tmp_path: Path):
    enc = CountingEncoder(dim=16)
    out = encode_cached(enc, ["a b", "c d", "a b", "a b"], EmbeddingCache(tmp_path))
    assert enc.seen == ["a b", "c d"]
    np.testing.assert_array_equal(out[0], out[2])


def test_saved_cache_serves_a_new_process_without_encoding(tmp_path: Path):
    enc = CountingEncoder(dim=16)
    cache = EmbeddingCache(tmp_path / "c")
    expected = encode_cached(enc, texts(20), cache)
    cache.save()

    reopened = EmbeddingCache(tmp_path / "c")
    assert len(reopened) == 20 and reopened.dim == 16 and not reopened.dirty
    fresh = CountingEncoder(dim=16)
    np.testing.assert_array_equal(encode_cached(fresh, texts(20), reopened), expected)
    assert fresh.seen == []


def test_unsaved_vectors_are_lost_and_saved_ones_kept(tmp_path: Path):
    enc = HashingEncoder(dim=16)
    cache = EmbeddingCache(tmp_path / "c")
    encode_cached(enc, texts(3), cache)
    cache.save()
    encode_cached(enc, texts(3, offset=3), cache)  # not saved
    assert len(EmbeddingCache(tmp_path / "c")) == 3


def test_save_appends_a_generation_and_removes_the_old_one(tmp_path: Path):
    enc = HashingEncoder(dim=16)
    cache = EmbeddingCache(tmp_path)
    encode_cached(enc, texts(4), cache)
    cache.save()
    encode_cached(enc, texts(4, offset=4), cache)
    cache.save()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["keys-000002.txt", "manifest.json", "vectors-000002.npy"]
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["count"] == 8 and manifest["format_version"] == 1 and manifest["dim"] == 16
    keys = (tmp_path / "keys-000002.txt").read_text().split()
    assert keys[:4] == [cache_key(enc.name, t) for t in texts(4)]
    vectors = np.load(tmp_path / "vectors-000002.npy", allow_pickle=False)
    np.testing.assert_array_equal(vectors, enc.encode(texts(8)))


def test_save_without_changes_writes_nothing(tmp_path: Path):
    cache = EmbeddingCache(tmp_path / "c")
    cache.save()
    assert not (tmp_path / "c").exists()
    encode_cached(HashingEncoder(dim=8), ["x"], cache)
    cache.save()
    before = (tmp_path / "c" / "manifest.json").stat().st_mtime_ns
    cache.save()
    assert (tmp_path / "c" / "manifest.json").stat().st_mtime_ns == before


def test_a_crash_before_the_manifest_switch_leaves_the_previous_cache(tmp_path: Path):
    enc = HashingEncoder(dim=8)
    cache = EmbeddingCache(tmp_path)
    encode_cached(enc, texts(2), cache)
    cache.save()
    # What a writer killed mid-save leaves: next-generation files, old manifest.
    (tmp_path / "vectors-000002.npy").write_bytes(b"partial")
    (tmp_path / ".keys-000002.txt.tmp-123").write_text("partial")
    reopened = EmbeddingCache(tmp_path)
    assert len(reopened) == 2
    encode_cached(enc, texts(1, offset=9), reopened)
    reopened.save()  # the debris is overwritten or removed
    assert len(EmbeddingCache(tmp_path)) == 3
    assert not any(".tmp-" in p.name for p in tmp_path.iterdir())


def test_get_many_reports_misses_with_a_mask(tmp_path: Path):
    cache = EmbeddingCache(tmp_path, dim=4)
    keys = [cache_key("m", t) for t in "abc"]
    cache.put_many(keys[:2], np.eye(4, dtype=np.float32)[:2])
    vectors, found = cache.get_many([keys[2], keys[1], keys[0]])
    assert found.tolist() == [False, True, True]
    np.testing.assert_array_equal(vectors, [[0, 0, 0, 0], [0, 1, 0, 0], [1, 0, 0, 0]])


def test_put_many_keeps_the_first_vector_of_a_key(tmp_path: Path):
    cache = EmbeddingCache(tmp_path, dim=2)
    key = cache_key("m", "a")
    assert cache.put_many([key], np.array([[1.0, 0.0]])) == 1
    assert cache.put_many([key], np.array([[0.0, 1.0]])) == 0
    np.testing.assert_array_equal(cache.get_many([key])[0], [[1.0, 0.0]])


@pytest.mark.parametrize("keys, vectors, match", [
    (["not-a-key"], np.zeros((1, 2)), r"keys\[0\]"),
    ([cache_key("m", "a")], np.zeros((2, 2)), "shape"),
    ([cache_key("m", "a")], np.zeros((1, 3)), "dim 2"),
    ([cache_key("m", "a")], np.array([[np.nan, 0.0]]), "finite"),
])
def test_put_many_refuses_bad_input(tmp_path: Path, keys, vectors, match):
    with pytest.raises(InvalidInput, match=match):
        EmbeddingCache(tmp_path, dim=2).put_many(keys, vectors)


def test_a_cache_of_another_dimension_is_refused(tmp_path: Path):
    cache = EmbeddingCache(tmp_path)
    encode_cached(HashingEncoder(dim=8), ["a"], cache)
    cache.save()
    with pytest.raises(InvalidInput, match="8-d"):
        EmbeddingCache(tmp_path, dim=16)
    with pytest.raises(InvalidInput, match="for_encoder"):
        encode_cached(HashingEncoder(dim=16), ["a"], EmbeddingCache(tmp_path))


def test_for_encoder_gives_each_encoder_its_own_directory(tmp_path: Path):
    a = EmbeddingCache.for_encoder(tmp_path, HashingEncoder(dim=8))
    b = EmbeddingCache.for_encoder(tmp_path, HashingEncoder(dim=16))
    assert a.directory != b.directory and a.directory.parent == tmp_path
    assert (a.dim, b.dim) == (8, 16)


@pytest.mark.parametrize("damage, match", [
    (lambda d: (d / "manifest.json").write_text("{not json"), "unreadable manifest"),
    (lambda d: (d / "manifest.json").write_text(json.dumps({"format": "other"})), "not an embedding cache"),
    (lambda d: _edit_manifest(d, format_version=99), "format version 99"),
    (lambda d: _edit_manifest(d, count=5), "damaged"),
    (lambda d: (d / "keys-000001.txt").unlink(), "damaged"),
    (lambda d: (d / "keys-000001.txt").write_text("zz\nyy\n"), "damaged keys"),
])
def test_a_damaged_cache_is_reported_not_guessed(tmp_path: Path, damage, match):
    cache = EmbeddingCache(tmp_path)
    encode_cached(HashingEncoder(dim=8), ["a", "b"], cache)
    cache.save()
    damage(tmp_path)
    with pytest.raises(CatalogError, match=match):
        EmbeddingCache(tmp_path)


def test_a_pickled_vectors_file_is_never_loaded(tmp_path: Path):
    cache = EmbeddingCache(tmp_path)
    encode_cached(HashingEncoder(dim=8), ["a", "b"], cache)
    cache.save()
    np.save(tmp_path / "vectors-000001.npy", np.array([object(), object()], dtype=object), allow_pickle=True)
    with pytest.raises(CatalogError, match="damaged"):
        EmbeddingCache(tmp_path)


def _edit_manifest(directory: Path, **changes) -> None:
    path = directory / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest.update(changes)
    path.write_text(json.dumps(manifest))
