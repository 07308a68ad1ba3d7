"""find_images (header sniffing, no library) and OpenCLIPEncoder (skipped without open_clip)."""

from __future__ import annotations

import importlib.util
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

from assetscout.embed.base import MissingDependency
from assetscout.embed.image import OpenCLIPEncoder, find_images, image_header
from assetscout.errors import InvalidInput

HAS_OPEN_CLIP = importlib.util.find_spec("open_clip") is not None


def png_bytes(width: int, height: int, *, pixels: bool = True) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    head = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
    if not pixels:
        return head
    raw = b"".join(b"\x00" + b"\x00" * 3 * width for _ in range(height))
    return head + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def jpeg_header(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"


def webp_vp8x(width: int, height: int) -> bytes:
    payload = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00" + \
        (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", 4 + len(payload)) + b"WEBP" + payload


def webp_vp8l(width: int, height: int) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)
    payload = b"VP8L" + struct.pack("<I", 5) + b"\x2f" + struct.pack("<I", bits)
    return b"RIFF" + struct.pack("<I", 4 + len(payload)) + b"WEBP" + payload


def test_image_header_reads_size_of_each_format():
    assert image_header(png_bytes(40, 30)) == ("png", 40, 30)
    assert image_header(jpeg_header(640, 480)) == ("jpeg", 640, 480)
    assert image_header(webp_vp8x(1920, 1080)) == ("webp", 1920, 1080)
    assert image_header(webp_vp8l(7, 9)) == ("webp", 7, 9)
    with pytest.raises(ValueError, match="not JPEG, PNG or WebP"):
        image_header(b"GIF89a....")
    with pytest.raises(ValueError, match="truncated PNG"):
        image_header(png_bytes(4, 4)[:20])


def test_find_images_reports_what_it_skips_and_never_raises(tmp_path: Path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.png").write_bytes(png_bytes(40, 30))
    (tmp_path / "sub" / "b.JPG").write_bytes(jpeg_header(50, 20))
    (tmp_path / "c.webp").write_bytes(webp_vp8x(10, 10))
    (tmp_path / "notes.txt").write_text("not an image, not looked at")
    (tmp_path / "fake.jpg").write_bytes(b"<html>404</html>")
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "huge.png").write_bytes(png_bytes(100_000, 100_000, pixels=False))  # header claims 10^10 pixels
    (tmp_path / "big.jpeg").write_bytes(jpeg_header(8, 8) + b"\x00" * 5000)

    scan = find_images(tmp_path, max_bytes=4000)
    assert [(i.path.name, i.format, i.width, i.height) for i in scan.images] == [
        ("a.png", "png", 40, 30), ("c.webp", "webp", 10, 10), ("b.JPG", "jpeg", 50, 20)]
    reasons = {s.path.name: s.reason for s in scan.skipped}
    assert set(reasons) == {"fake.jpg", "empty.png", "huge.png", "big.jpeg"}
    assert "not JPEG, PNG or WebP" in reasons["fake.jpg"]
    assert reasons["empty.png"] == "empty file"
    assert "over max_pixels" in reasons["huge.png"]
    assert "over max_bytes=4000" in reasons["big.jpeg"]


def test_find_images_limits_the_count_and_checks_arguments(tmp_path: Path):
    for i in range(3):
        (tmp_path / f"{i}.png").write_bytes(png_bytes(2, 2))
    scan = find_images(tmp_path, max_files=2)
    assert len(scan.images) == 2 and [s.reason for s in scan.skipped] == ["over max_files=2"]
    with pytest.raises(InvalidInput, match="max_bytes"):
        find_images(tmp_path, max_bytes=0)
    with pytest.raises(InvalidInput, match="not a directory"):
        find_images(tmp_path / "0.png")


def test_encoder_arguments_are_checked_before_anything_loads(tmp_path: Path, tiny_clip_config: Path):
    with pytest.raises(InvalidInput, match="pretrained tag"):
        OpenCLIPEncoder("ViT-B-32", "laion2b_s34b_b79k")
    with pytest.raises(InvalidInput, match="hub repo"):
        OpenCLIPEncoder("hf-hub:laion/CLIP-ViT-B-32", None)
    with pytest.raises(InvalidInput, match="named after the architecture"):
        OpenCLIPEncoder("other-name", None, config_file=tiny_clip_config)
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    with pytest.raises(InvalidInput, match="embed_dim"):
        OpenCLIPEncoder("bad", None, config_file=bad)
    enc = OpenCLIPEncoder("assetscout-tiny-clip", None, config_file=tiny_clip_config)
    assert enc.dim == 32 and enc.name == "open_clip/assetscout-tiny-clip/random-init"


@pytest.mark.skipif(HAS_OPEN_CLIP, reason="open_clip is installed")
def test_missing_open_clip_is_a_clear_error(tiny_clip_config: Path):
    enc = OpenCLIPEncoder("assetscout-tiny-clip", None, config_file=tiny_clip_config)
    with pytest.raises(MissingDependency, match="open_clip_torch"):
        enc.encode(["a photo of a cat"])


@pytest.mark.skipif(not HAS_OPEN_CLIP, reason="open_clip not installed (optional)")
def test_tiny_clip_encodes_texts_and_images_and_reloads_from_its_checkpoint(tmp_path: Path, tiny_clip_config: Path):
    import torch
    from PIL import Image

    paths = []
    for i, color in enumerate([(255, 0, 0), (0, 0, 255), (0, 255, 0)]):
        paths.append(tmp_path / f"{i}.png")
        Image.new("RGB", (40 + i, 30), color).save(paths[-1])
    texts = ["a photo of a cat", "a diagram of a transformer"]

    random_init = OpenCLIPEncoder("assetscout-tiny-clip", None, config_file=tiny_clip_config)
    text_vectors = random_init.encode(texts)
    image_vectors = random_init.encode_images(paths, batch_size=2)
    assert text_vectors.shape == (2, 32) and image_vectors.shape == (3, 32)
    np.testing.assert_allclose(np.linalg.norm(image_vectors, axis=1), 1.0, rtol=1e-5)
    assert not np.allclose(image_vectors[0], image_vectors[1])

    checkpoint = tmp_path / "tiny.pt"
    torch.save(random_init._model.state_dict(), checkpoint)
    reloaded = OpenCLIPEncoder("assetscout-tiny-clip", checkpoint, config_file=tiny_clip_config)
    np.testing.assert_allclose(reloaded.encode(texts), text_vectors, atol=1e-5)
    np.testing.assert_allclose(reloaded.encode_images(paths), image_vectors, atol=1e-5)
    assert reloaded.describe()["fingerprint"] != random_init.describe()["fingerprint"]
