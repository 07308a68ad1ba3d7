"""Images and texts in one space with open_clip, from a local checkpoint only.

open_clip and torchvision are optional (they pull a different torch build, see
MACHINE-NOTES); they are imported on first use and a clear error names what to
install when they are missing. `find_images` needs neither: it reads file headers.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assetscout.embed.base import Encoder, MissingDependency, check_batch_size, l2_normalize
from assetscout.errors import AssetScoutError, InvalidInput, RecordError

IMAGE_SUFFIXES: tuple[str, ...] = (".jpg", ".jpeg", ".png", ".webp")
OPEN_CLIP_INSTALL = (
    "image encoding needs the optional packages open_clip_torch and torchvision "
    "(pip install open_clip_torch torchvision, with a matching torch: see MACHINE-NOTES)")


def _import_open_clip() -> Any:
    try:
        import open_clip
    except ImportError as exc:
        raise MissingDependency(f"{OPEN_CLIP_INSTALL}; import failed: {exc}") from None
    return open_clip


# --- finding images -------------------------------------------------------------------

@dataclass(frozen=True)
class ImageFile:
    """An image found on disk, with what its header says."""

    path: Path
    format: str  # jpeg, png, webp
    size_bytes: int
    width: int
    height: int


@dataclass(frozen=True)
class SkippedImage:
    """A file with an image suffix that was not taken, and why, in words."""

    path: Path
    reason: str


@dataclass
class ImageScan:
    """What `find_images` found: usable images and skipped files (never raised)."""

    images: list[ImageFile] = field(default_factory=list)
    skipped: list[SkippedImage] = field(default_factory=list)


def _jpeg_size(head: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(head):
        if head[i] != 0xFF:
            return None
        marker = head[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (length,) = struct.unpack(">H", head[i + 2:i + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", head[i + 5:i + 9])
            return width, height
        i += 2 + length
    return None


def image_header(data: bytes) -> tuple[str, int, int]:
    """(format, width, height) from the first bytes of a JPEG, PNG or WebP file.

    Raises ValueError naming what is wrong; reads no pixels and needs no library.
    """
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        if len(data) < 24 or data[12:16] != b"IHDR":
            raise ValueError("truncated PNG header")
        width, height = struct.unpack(">II", data[16:24])
        return "png", width, height
    if data[:3] == b"\xff\xd8\xff":
        size = _jpeg_size(data)
        if size is None:
            raise ValueError("JPEG without a readable frame header")
        return "jpeg", size[0], size[1]
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        chunk = data[12:16]
        if chunk == b"VP8X" and len(data) >= 30:
            width = 1 + int.from_bytes(data[24:27], "little")
            height = 1 + int.from_bytes(data[27:30], "little")
            return "webp", width, height
        if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
            width, height = struct.unpack("<HH", data[26:30])
            return "webp", width & 0x3FFF, height & 0x3FFF
        if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
            bits = int.from_bytes(data[21:25], "little")
            return "webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        raise ValueError("WebP with an unknown or truncated header")
    raise ValueError("content is not JPEG, PNG or WebP")


def find_images(
    folder: str | os.PathLike[str],
    *,
    max_bytes: int = 20 * 1024 * 1024,
    max_pixels: int = 50_000_000,
    max_files: int = 100_000,
) -> ImageScan:
    """Images (jpg/jpeg/png/webp) under `folder`, in path order, without following symlinked folders.

    A file over `max_bytes`, over `max_pixels` (decompression bombs), empty, or whose
    header does not read as its format is reported in `skipped`, not raised. Stops
    after `max_files` images.
    """
    root = Path(folder)
    if not root.is_dir():
        raise InvalidInput(f"folder {str(root)!r} is not a directory")
    for param, value in (("max_bytes", max_bytes), ("max_pixels", max_pixels), ("max_files", max_files)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidInput(f"{param} must be an int >= 1, got {value!r}")
    scan = ImageScan()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for filename in sorted(filenames):
            path = Path(dirpath) / filename
            if path.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            if len(scan.images) >= max_files:
                scan.skipped.append(SkippedImage(path, f"over max_files={max_files}"))
                continue
            try:
                size = path.stat().st_size
                if size == 0:
                    raise ValueError("empty file")
                if size > max_bytes:
                    raise ValueError(f"{size} bytes, over max_bytes={max_bytes}")
                with open(path, "rb") as fh:
                    fmt, width, height = image_header(fh.read(64 * 1024))
                if width < 1 or height < 1:
                    raise ValueError(f"invalid size {width}x{height}")
                if width * height > max_pixels:
                    raise ValueError(f"{width}x{height} pixels, over max_pixels={max_pixels}")
            except (OSError, ValueError, struct.error) as exc:
                scan.skipped.append(SkippedImage(path, str(exc) or type(exc).__name__))
                continue
            scan.images.append(ImageFile(path, fmt, size, width, height))
    return scan


# --- the encoder ----------------------------------------------------------------------

class OpenCLIPEncoder(Encoder):
    """CLIP image and text towers (open_clip) from a local checkpoint file.

    architecture: an open_clip model name ("ViT-B-32", ...) or the stem of
    `config_file`, a JSON architecture config (embed_dim, vision_cfg, text_cfg)
    registered on load. checkpoint: path of a local weights file (.pt, .bin,
    .safetensors), or None for random weights (tests only: the vectors mean nothing).
    Texts longer than the text tower's context (77 tokens for CLIP) are truncated.
    """

    libraries: tuple[str, ...] = ("open_clip_torch", "torch", "torchvision", "numpy")

    def __init__(
        self,
        architecture: str,
        checkpoint: str | os.PathLike[str] | None,
        *,
        name: str | None = None,
        config_file: str | os.PathLike[str] | None = None,
        device: str = "cpu",
    ) -> None:
        if not isinstance(architecture, str) or not architecture.strip():
            raise InvalidInput(f"architecture must be a non-empty str, got {architecture!r}")
        if architecture.startswith("hf-hub:"):
            raise InvalidInput(
                f"architecture {architecture!r} names a hub repo; assetscout never downloads models: "
                "give an architecture name and a local checkpoint file")
        self._config: dict[str, Any] | None = None
        self._config_file: Path | None = None
        if config_file is not None:
            self._config_file = Path(config_file)
            try:
                config = json.loads(self._config_file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise InvalidInput(f"config_file {str(config_file)!r} is not a readable JSON file: {exc}") from None
            if not isinstance(config, dict) or not all(k in config for k in ("embed_dim", "vision_cfg", "text_cfg")):
                raise InvalidInput(f"config_file {str(config_file)!r} must hold embed_dim, vision_cfg and text_cfg")
            if self._config_file.stem != architecture:
                raise InvalidInput(
                    f"config_file must be named after the architecture ({architecture}.json), "
                    f"got {self._config_file.name!r}")
            self._config = config
        self._checkpoint: Path | None = None
        if checkpoint is not None:
            path = Path(checkpoint).expanduser()
            if not path.is_file():
                hint = (" (it looks like a pretrained tag; tags are downloads, give the local file instead)"
                        if os.sep not in str(checkpoint) and not path.suffix else "")
                raise InvalidInput(f"checkpoint {str(checkpoint)!r} is not a file{hint}")
            self._checkpoint = path.resolve()
        if device not in ("cpu", "cuda"):
            raise InvalidInput(f"device must be cpu or cuda, got {device!r}")
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise InvalidInput(f"name must be a non-empty str, got {name!r}")
        weights = self._checkpoint.name if self._checkpoint else "random-init"
        self._name = name.strip() if name else f"open_clip/{architecture}/{weights}"
        self._architecture = architecture
        self._device = device
        self._lock = threading.Lock()
        self._model: Any = None
        self._preprocess: Any = None
        self._tokenizer: Any = None

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        config = self._config
        if config is None:
            config = _import_open_clip().get_model_config(self._architecture)
            if config is None:
                raise InvalidInput(f"architecture {self._architecture!r} is not an open_clip model name")
        return int(config["embed_dim"])

    def _describe_extra(self) -> dict[str, Any]:
        # Name and size of the weights: tells a replaced checkpoint apart without hashing it.
        weights = f"{self._checkpoint.name}:{self._checkpoint.stat().st_size}" if self._checkpoint else "random"
        config = json.dumps(self._config, sort_keys=True) if self._config else ""
        digest = hashlib.sha256(f"{self._architecture}\0{config}\0{weights}".encode()).hexdigest()[:16]
        return {"architecture": self._architecture, "fingerprint": digest,
                "checkpoint": str(self._checkpoint) if self._checkpoint else None}

    def _load(self) -> None:
        if self._model is not None:
            return
        with self._lock:
            if self._model is not None:
                return
            open_clip = _import_open_clip()
            if self._config_file is not None:
                open_clip.add_model_config(self._config_file)
            if open_clip.get_model_config(self._architecture) is None:
                raise InvalidInput(
                    f"architecture {self._architecture!r} is not an open_clip model name "
                    f"(e.g. {', '.join(open_clip.list_models()[:5])}, ...)")
            try:
                model, _, preprocess = open_clip.create_model_and_transforms(
                    self._architecture,
                    pretrained=str(self._checkpoint) if self._checkpoint else None,
                    device=self._device,
                )
                tokenizer = open_clip.get_tokenizer(self._architecture)
            except (RuntimeError, OSError, ValueError, KeyError) as exc:
                raise AssetScoutError(
                    f"cannot load open_clip {self._architecture} from {self._checkpoint}: {exc}") from exc
            model.eval()
            self._preprocess, self._tokenizer = preprocess, tokenizer
            self._model = model

    def _encode(self, texts: list[str], *, batch_size: int, progress: bool) -> np.ndarray:
        self._load()
        import torch

        out = []
        for start in _batches(len(texts), batch_size, progress, "texts"):
            tokens = self._tokenizer(texts[start:start + batch_size]).to(self._device)
            with torch.inference_mode():
                out.append(self._model.encode_text(tokens).float().cpu().numpy())
        return np.concatenate(out)

    def encode_images(
        self, paths: Sequence[str | os.PathLike[str]], *, batch_size: int = 32, progress: bool = False
    ) -> np.ndarray:
        """float32 [len(paths), dim] unit rows; an image that cannot be decoded raises RecordError naming it."""
        check_batch_size(batch_size)
        if isinstance(paths, (str, bytes, os.PathLike)):
            raise InvalidInput("paths must be a list of paths, not a single path")
        items = [Path(p) for p in paths]
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        self._load()
        import torch
        from PIL import Image

        out = []
        for start in _batches(len(items), batch_size, progress, "images"):
            pixels = []
            for path in items[start:start + batch_size]:
                try:
                    with Image.open(path) as image:
                        pixels.append(self._preprocess(image.convert("RGB")))
                except (OSError, ValueError, Image.DecompressionBombError) as exc:
                    raise RecordError(f"cannot read image {path}: {exc}") from exc
            with torch.inference_mode():
                out.append(self._model.encode_image(torch.stack(pixels).to(self._device)).float().cpu().numpy())
        return np.ascontiguousarray(l2_normalize(np.concatenate(out)))


def _batches(n: int, batch_size: int, progress: bool, unit: str) -> Any:
    starts = range(0, n, batch_size)
    if progress:
        from tqdm.auto import tqdm

        return tqdm(starts, desc=f"encoding {unit}", unit="batch")
    return starts
