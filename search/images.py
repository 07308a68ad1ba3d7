"""The image index of a catalog: images found in ingested folders, searched by text.

Images (jpg/png/webp) under the folders a catalog was ingested from are embedded with
the CLIP image tower (open_clip, a configured local checkpoint) into a vector index under
`<catalog>/images/`; a text query goes through the CLIP text tower of the same model.
Each image belongs to the asset whose card or metadata file sits in its nearest
enclosing folder (a dataset folder with its images), else to no asset.

Layout: manifest.json (encoder identity, counts, roots), images.parquet (id, path,
asset_id, format, width, height), index/ (the vector index). Built aside and swapped in
by rename, like the text search index.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from assetscout.catalog.store import Catalog, swap_dir, write_json_atomic
from assetscout.embed.base import check_compatible
from assetscout.embed.image import ImageFile, OpenCLIPEncoder, find_images
from assetscout.errors import CatalogError, InvalidInput
from assetscout.index.factory import create_index, load_index

IMAGE_DIR = "images"
FORMAT_VERSION = 1


def image_dir(catalog: Catalog) -> Path:
    return catalog.root / IMAGE_DIR


def ingested_folders(catalog: Catalog) -> list[Path]:
    """The folders the catalog was ingested from (a file's folder for a file), that still exist."""
    con = catalog.connect()
    try:
        rows = con.execute("SELECT DISTINCT unnest(paths) FROM ingest_run").fetchall()
    finally:
        con.close()
    folders = {Path(p) if Path(p).is_dir() else Path(p).parent for (p,) in rows}
    return sorted(f.resolve() for f in folders if f.is_dir())


def _owners_by_folder(catalog: Catalog) -> dict[Path, str]:
    """folder -> asset id of the asset whose source file lives directly in it (datasets first)."""
    con = catalog.connect()
    try:
        rows = con.execute(
            "SELECT r.origin, r.asset_id FROM record r JOIN asset a USING (asset_id) "
            "ORDER BY (a.kind = 'dataset') DESC, r.asset_id").fetchall()
    finally:
        con.close()
    owners: dict[Path, str] = {}
    for origin, asset_id in rows:
        owners.setdefault(Path(origin).resolve().parent, asset_id)
    return owners


def _owner(path: Path, root: Path, owners: dict[Path, str]) -> str | None:
    folder = path.parent
    while True:
        if folder in owners:
            return owners[folder]
        if folder == root or folder.parent == folder:
            return None
        folder = folder.parent


def build_image_index(catalog: Catalog, encoder: OpenCLIPEncoder, *, roots: list[Path] | None = None,
                      progress: bool = False, max_images: int = 100_000) -> dict[str, Any]:
    """(Re)build the image index of `catalog` from the images under `roots` (default: ingested folders)."""
    started = time.monotonic()
    say = (lambda msg: print(f"images: {msg}", file=sys.stderr, flush=True)) if progress else (lambda msg: None)
    folders = [Path(r).resolve() for r in roots] if roots else ingested_folders(catalog)
    for folder in folders:
        if not folder.is_dir():
            raise InvalidInput(f"image folder {str(folder)!r} is not a directory")
    owners = _owners_by_folder(catalog)
    found: dict[Path, tuple[ImageFile, Path]] = {}
    skipped: list[dict[str, str]] = []
    for folder in folders:
        scan = find_images(folder, max_files=max_images)
        for image in scan.images:
            found.setdefault(image.path.resolve(), (image, folder))
        skipped.extend({"path": str(s.path), "reason": s.reason} for s in scan.skipped)
    images = [found[p] for p in sorted(found)][:max_images]
    say(f"{len(images):,} images under {len(folders)} folder(s), {len(skipped)} skipped")
    ids = np.arange(len(images), dtype=np.int64)
    vectors = encoder.encode_images([img.path for img, _ in images], progress=progress) if images \
        else np.zeros((0, encoder.dim), np.float32)
    described = encoder.describe()
    identity = {k: v for k, v in described.items() if isinstance(v, (str, int, float, bool)) or v is None}
    work = catalog.root / f".{IMAGE_DIR}.building-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    index = create_index("faiss", encoder.dim, expected_size=len(images), encoder=identity)
    if len(images):
        index.add(ids, vectors)
    index.save(work / "index")
    pq.write_table(pa.table({
        "id": ids,
        "path": [str(img.path.resolve()) for img, _ in images],
        "asset_id": [_owner(img.path.resolve(), root, owners) for img, root in images],
        "format": [img.format for img, _ in images],
        "width": pa.array([img.width for img, _ in images], pa.int32()),
        "height": pa.array([img.height for img, _ in images], pa.int32()),
    }), work / "images.parquet")
    info = {"format_version": FORMAT_VERSION, "encoder": described, "images": len(images),
            "skipped": skipped[:100], "skipped_count": len(skipped), "roots": [str(f) for f in folders],
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    write_json_atomic(work / "manifest.json", info)
    swap_dir(work, image_dir(catalog))
    info["seconds"] = round(time.monotonic() - started, 2)
    say(f"indexed {len(images):,} images in {info['seconds']} s")
    return info


@dataclass(frozen=True)
class ImageHit:
    path: str
    asset_id: str | None
    score: float
    width: int
    height: int

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "asset_id": self.asset_id, "score": round(self.score, 6),
                "width": self.width, "height": self.height}


class ImageSearcher:
    """Text -> images through the CLIP text tower of the encoder the index was built with."""

    def __init__(self, catalog: Catalog, encoder: OpenCLIPEncoder) -> None:
        import json

        root = image_dir(catalog)
        manifest_path = root / "manifest.json"
        if not manifest_path.is_file():
            raise CatalogError(f"catalog {catalog.root} has no image index: run `assetscout images index` first")
        manifest = json.loads(manifest_path.read_text("utf-8"))
        check_compatible(manifest.get("encoder", {}), encoder.describe(), what="image index")
        self.encoder = encoder
        self.manifest = manifest
        self._index = load_index(root / "index")
        self._table = pq.read_table(root / "images.parquet").to_pylist()

    def search(self, text: str, k: int = 10) -> list[ImageHit]:
        if not isinstance(text, str) or not text.strip():
            raise InvalidInput("image search needs a non-empty text")
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= 1000:
            raise InvalidInput(f"k must be an int in 1..1000, got {k!r}")
        if not self._table:
            return []
        scores, ids = self._index.search(self.encoder.encode([text.strip()]), min(k, len(self._table)))
        hits = []
        for score, i in zip(scores[0], ids[0]):
            if i < 0:
                continue
            row = self._table[int(i)]
            hits.append(ImageHit(row["path"], row["asset_id"], float(score), row["width"], row["height"]))
        return hits
