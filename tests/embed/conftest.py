"""Fixtures for the embed tests: a tiny open_clip architecture written by the test itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

TINY_CLIP = {
    "embed_dim": 32,
    "vision_cfg": {"image_size": 32, "layers": 1, "width": 64, "patch_size": 16, "head_width": 32},
    "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 64, "heads": 2, "layers": 1},
}


@pytest.fixture
def tiny_clip_config(tmp_path: Path) -> Path:
    """A 1-layer CLIP config (random weights load in well under a second)."""
    path = tmp_path / "assetscout-tiny-clip.json"
    path.write_text(json.dumps(TINY_CLIP))
    return path


@pytest.fixture
def shared_data_optional() -> Path | None:
    """The shared real data folder, or None when absent (for tests that use it only as a bonus)."""
    import os

    repo = Path(__file__).resolve().parents[2]
    path = Path(os.environ.get("ASSETSCOUT_SHARED_DATA", repo.parent / "shared" / "data"))
    return path if path.is_dir() else None
