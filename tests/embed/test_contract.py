"""One contract, every encoder backend that can run here without the real model."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assetscout.embed.base import Encoder
from assetscout.embed.fake import HashingEncoder

TEXTS = ["bert base uncased", "a photo of a cat", "", "semantic search over model cards " * 20]


def _hashing(tmp_path: Path, tiny_clip_config: Path) -> Encoder:
    return HashingEncoder(dim=48)


def _tiny_clip(tmp_path: Path, tiny_clip_config: Path) -> Encoder:
    from assetscout.embed.image import OpenCLIPEncoder

    return OpenCLIPEncoder("assetscout-tiny-clip", None, config_file=tiny_clip_config)


BACKENDS = [
    pytest.param(_hashing, id="hashing"),
    pytest.param(_tiny_clip, id="open_clip-tiny", marks=pytest.mark.skipif(
        importlib.util.find_spec("open_clip") is None, reason="open_clip not installed (optional)")),
]


@pytest.mark.parametrize("make", BACKENDS)
def test_encoder_contract(make, tmp_path: Path, tiny_clip_config: Path):
    enc = make(tmp_path, tiny_clip_config)
    assert isinstance(enc.name, str) and enc.name and enc.normalize is True
    out = enc.encode(TEXTS)
    assert out.dtype == np.float32 and out.shape == (len(TEXTS), enc.dim) and out.flags["C_CONTIGUOUS"]
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(enc.encode(TEXTS, batch_size=1), out, atol=1e-5)
    np.testing.assert_allclose(enc.encode(TEXTS[::-1]), out[::-1], atol=1e-5)
    assert enc.encode([]).shape == (0, enc.dim)
    info = enc.describe()
    assert (info["model"], info["dim"], info["normalization"]) == (enc.name, enc.dim, "l2")
    assert set(info["libraries"]) >= {"numpy"}


def test_importing_embed_loads_no_heavy_library_and_sets_no_environment():
    code = (
        "import os, sys, assetscout.embed, assetscout.embed.text, assetscout.embed.image;"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'transformers', 'open_clip', 'faiss', 'PIL')"
        " if m in sys.modules];"
        "print(heavy, os.environ.get('HF_HUB_OFFLINE'))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert result.stdout.strip() == "[] None"
