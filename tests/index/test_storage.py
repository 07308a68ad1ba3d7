"""Index directories: a save that dies half way leaves the previous index readable."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assetscout.errors import CatalogError
from assetscout.index import storage
from assetscout.index.exact import ExactIndex
from assetscout.index.factory import load_index
from assetscout.index.lexical import LexicalIndex

ENCODER = {"model": "fake", "dim": 8, "normalization": "l2"}


def vectors(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, 8)).astype(np.float32)


def test_crash_before_the_manifest_keeps_the_old_index(tmp_path: Path, monkeypatch) -> None:
    index = ExactIndex(8, encoder=ENCODER)
    index.add(np.arange(100), vectors(100))
    index.save(tmp_path)
    index.add(np.arange(100, 150), vectors(50, 1))

    def die(*args, **kwargs):
        raise RuntimeError("killed")

    monkeypatch.setattr(storage, "commit", die)
    with pytest.raises(RuntimeError, match="killed"):
        index.save(tmp_path)
    assert len(load_index(tmp_path)) == 100  # the old manifest still names the old files

    monkeypatch.undo()
    index.save(tmp_path)  # the next good save also sweeps the orphaned generation
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["manifest.json", *manifest["files"].values()])
    assert len(load_index(tmp_path)) == 150


def test_a_failed_file_write_leaves_no_partial_file(tmp_path: Path) -> None:
    def half(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        storage.write_atomic(tmp_path / "x.0123456789ab.npy", half)
    assert list(tmp_path.iterdir()) == []


def test_unrelated_files_in_the_directory_are_left_alone(tmp_path: Path) -> None:
    (tmp_path / "README.txt").write_text("mine")
    lex = LexicalIndex()
    lex.build([1, 2], ["alpha beta", "gamma"])
    lex.save(tmp_path)
    lex.save(tmp_path)
    assert (tmp_path / "README.txt").read_text() == "mine"


def test_a_missing_data_file_is_reported(tmp_path: Path) -> None:
    index = ExactIndex(8, encoder=ENCODER)
    index.add([1], vectors(1))
    index.save(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    (tmp_path / manifest["files"]["vectors"]).unlink()
    with pytest.raises(CatalogError, match="vectors file .* is missing; rebuild"):
        load_index(tmp_path)


def test_pickled_arrays_are_refused(tmp_path: Path) -> None:
    index = ExactIndex(8, encoder=ENCODER)
    index.add([1], vectors(1))
    index.save(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    np.save(tmp_path / manifest["files"]["ids"], np.array([object()], dtype=object), allow_pickle=True)
    with pytest.raises(CatalogError, match="rebuild"):
        load_index(tmp_path)
