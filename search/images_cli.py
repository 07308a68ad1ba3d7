"""`assetscout images index|search`: the image index from the command line.

The CLIP model is configured by flags or the environment (config.py): an open_clip
architecture name and a local checkpoint file; nothing is ever downloaded.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from assetscout.config import CLIP_ARCH_ENV, CLIP_CHECKPOINT_ENV, CLIP_CONFIG_ENV
from assetscout.errors import InvalidInput


def clip_encoder(args: argparse.Namespace):
    """The configured open_clip encoder; a clear error when none is configured."""
    from assetscout.embed.image import OpenCLIPEncoder

    arch = args.clip_arch or os.environ.get(CLIP_ARCH_ENV)
    checkpoint = args.clip_checkpoint or os.environ.get(CLIP_CHECKPOINT_ENV)
    config = args.clip_config or os.environ.get(CLIP_CONFIG_ENV)
    if not arch:
        raise InvalidInput(f"no CLIP model configured: give --clip-arch and --clip-checkpoint "
                           f"(or set {CLIP_ARCH_ENV} and {CLIP_CHECKPOINT_ENV})")
    if not checkpoint and not args.random_weights:
        raise InvalidInput(f"no CLIP checkpoint configured for {arch}: give --clip-checkpoint FILE "
                           f"(or set {CLIP_CHECKPOINT_ENV}); --random-weights is for tests only")
    return OpenCLIPEncoder(arch, checkpoint or None, config_file=config or None)


def update_images_if_configured(catalog, *, quiet: bool = False) -> dict | None:
    """After an ingest: rebuild the image index when a CLIP model is configured in the environment."""
    arch, checkpoint = os.environ.get(CLIP_ARCH_ENV), os.environ.get(CLIP_CHECKPOINT_ENV)
    if not (arch and checkpoint):
        return None
    from assetscout.embed.image import OpenCLIPEncoder
    from assetscout.search.images import build_image_index

    encoder = OpenCLIPEncoder(arch, checkpoint, config_file=os.environ.get(CLIP_CONFIG_ENV) or None)
    info = build_image_index(catalog, encoder, progress=not quiet)
    if not quiet:
        print(f"image index: {info['images']:,} images ({info['skipped_count']} skipped)", file=sys.stderr)
    return info


def add_images_parser(sub: argparse._SubParsersAction, catalog_of: Callable[[argparse.Namespace], object],
                      catalog_arg: Callable[[argparse.ArgumentParser], None]) -> None:
    p = sub.add_parser("images", help="image index: embed images of ingested folders with CLIP, search them by text")
    isub = p.add_subparsers(dest="images_command", required=True, metavar="ACTION")

    def common(q: argparse.ArgumentParser) -> None:
        catalog_arg(q)
        q.add_argument("--clip-arch", help=f"open_clip architecture (default ${CLIP_ARCH_ENV})")
        q.add_argument("--clip-checkpoint", help=f"local weights file (default ${CLIP_CHECKPOINT_ENV})")
        q.add_argument("--clip-config", help=f"JSON architecture config for a custom model (default ${CLIP_CONFIG_ENV})")
        q.add_argument("--random-weights", action="store_true", help=argparse.SUPPRESS)  # tests only
        q.add_argument("--json", action="store_true", help="print JSON")

    q = isub.add_parser("index", help="(re)build the image index from the catalog's ingested folders")
    common(q)
    q.add_argument("--root", action="append", type=Path, help="folder to scan instead (repeatable)")
    q.add_argument("--quiet", action="store_true", help="no progress")
    q.set_defaults(func=lambda args: _cmd_index(args, catalog_of))

    q = isub.add_parser("search", help="images matching a text, through the CLIP text tower")
    common(q)
    q.add_argument("text", nargs="+")
    q.add_argument("--k", type=int, default=10)
    q.set_defaults(func=lambda args: _cmd_search(args, catalog_of))


def _cmd_index(args: argparse.Namespace, catalog_of) -> int:
    from assetscout.search.images import build_image_index

    info = build_image_index(catalog_of(args), clip_encoder(args), roots=args.root, progress=not args.quiet)
    print(json.dumps(info, indent=2, default=str) if args.json else
          f"image index: {info['images']:,} images ({info['skipped_count']} skipped) in {info['seconds']} s")
    return 0


def _cmd_search(args: argparse.Namespace, catalog_of) -> int:
    from assetscout.search.images import ImageSearcher

    hits = ImageSearcher(catalog_of(args), clip_encoder(args)).search(" ".join(args.text), k=args.k)
    if args.json:
        print(json.dumps([h.to_dict() for h in hits], indent=2))
    else:
        for n, h in enumerate(hits, 1):
            print(f"{n:>3}. [{h.score:.3f}] {h.path}  ({h.width}x{h.height})  asset: {h.asset_id or '-'}")
    return 0
