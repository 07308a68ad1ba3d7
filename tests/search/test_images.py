"""The image index: images of ingested dataset folders, searched by text (tiny random CLIP)."""

from __future__ import annotations

import importlib.util
import json
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

from assetscout.catalog.ingest import ingest
from assetscout.catalog.store import open_catalog
from assetscout.cli import main
from assetscout.errors import CatalogError, InvalidInput

HAS_OPEN_CLIP = importlib.util.find_spec("open_clip") is not None
TINY_CLIP = {
    "embed_dim": 32,
    "vision_cfg": {"image_size": 32, "layers": 1, "width": 64, "patch_size": 16, "head_width": 32},
    "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 64, "heads": 2, "layers": 1},
}
CARD = """---
license: mit
task_categories:
- image-classification
pretty_name: Cats and dogs
---
# Cats and dogs
Photos of cats and dogs for image classification.
"""


def write_png(path: Path, width: int, height: int, rgb: tuple[int, int, int]) -> None:
    """A valid solid-colour PNG without an imaging library."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    root = tmp_path / "lake"
    (root / "cats_dogs" / "images").mkdir(parents=True)
    (root / "cats_dogs" / "README.md").write_text(CARD)
    for i, color in enumerate([(250, 10, 10), (10, 10, 250), (10, 250, 10)]):
        write_png(root / "cats_dogs" / "images" / f"{i}.png", 48, 40, color)
    (root / "loose").mkdir()
    write_png(root / "loose" / "grey.png", 20, 20, (128, 128, 128))
    (root / "loose" / "broken.png").write_bytes(b"not a png at all")
    return root


@pytest.fixture
def clip_config(tmp_path: Path) -> Path:
    path = tmp_path / "assetscout-tiny-clip.json"
    path.write_text(json.dumps(TINY_CLIP))
    return path


@pytest.mark.skipif(not HAS_OPEN_CLIP, reason="open_clip not installed (optional image extra)")
def test_images_of_ingested_folders_are_indexed_owned_and_searchable(tmp_path: Path, lake: Path, clip_config: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    from assetscout.embed.image import OpenCLIPEncoder
    from assetscout.search.images import ImageSearcher, build_image_index

    catalog = open_catalog(tmp_path / "cat")
    ingest([lake], catalog, progress=None)
    random_init = OpenCLIPEncoder("assetscout-tiny-clip", None, config_file=clip_config)
    random_init.encode(["warm up"])
    checkpoint = tmp_path / "tiny.pt"
    torch.save(random_init._model.state_dict(), checkpoint)
    encoder = OpenCLIPEncoder("assetscout-tiny-clip", checkpoint, config_file=clip_config)

    info = build_image_index(catalog, encoder)
    assert info["images"] == 4 and info["skipped_count"] == 1
    assert "broken.png" in info["skipped"][0]["path"]

    searcher = ImageSearcher(catalog, encoder)
    hits = searcher.search("a photo of a cat", k=10)
    assert len(hits) == 4
    owners = {Path(h.path).name: h.asset_id for h in hits}
    assert owners["grey.png"] is None
    assert {owners[f"{i}.png"] for i in range(3)} == {"hf:dataset/cats_dogs"}
    # the ranking is the CLIP text tower against the stored image vectors, exactly
    text = encoder.encode(["a photo of a cat"])[0]
    images = encoder.encode_images([h.path for h in hits])
    np.testing.assert_allclose([h.score for h in hits], images @ text, atol=1e-4)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)

    other = OpenCLIPEncoder("assetscout-tiny-clip", None, config_file=clip_config)
    with pytest.raises(InvalidInput, match="another encoder"):
        ImageSearcher(catalog, other)
    with pytest.raises(InvalidInput, match="non-empty"):
        searcher.search("   ")

    # with the model configured in the environment, an ingest keeps the image index current
    from assetscout.config import CLIP_ARCH_ENV, CLIP_CHECKPOINT_ENV, CLIP_CONFIG_ENV

    write_png(lake / "cats_dogs" / "images" / "3.png", 30, 30, (200, 200, 0))
    monkeypatch.setenv(CLIP_ARCH_ENV, "assetscout-tiny-clip")
    monkeypatch.setenv(CLIP_CHECKPOINT_ENV, str(checkpoint))
    monkeypatch.setenv(CLIP_CONFIG_ENV, str(clip_config))
    assert main(["ingest", str(lake), "--catalog", str(catalog.root), "--quiet"]) == 0
    assert len(ImageSearcher(catalog, encoder).search("a photo of a cat", k=10)) == 5

    # the CLI: same answer, JSON
    rc = main(["images", "search", "a photo of a cat", "--catalog", str(catalog.root), "--json",
               "--clip-arch", "assetscout-tiny-clip", "--clip-checkpoint", str(checkpoint),
               "--clip-config", str(clip_config), "--k", "2"])
    assert rc == 0


def test_image_search_without_index_or_model_is_a_clear_error(tmp_path: Path, lake: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    catalog = open_catalog(tmp_path / "cat")
    ingest([lake], catalog, progress=None)
    rc = main(["images", "search", "cat", "--catalog", str(catalog.root)])
    assert rc == 2 and "no CLIP model configured" in capsys.readouterr().err
    rc = main(["images", "index", "--catalog", str(catalog.root), "--clip-arch", "ViT-B-32"])
    assert rc == 2 and "no CLIP checkpoint configured" in capsys.readouterr().err
    from assetscout.search.images import ImageSearcher

    with pytest.raises(CatalogError, match="no image index"):
        ImageSearcher(catalog, object())  # type: ignore[arg-type]
