"""Settings: where the catalog lives and the limits ingest applies.

One table of settings (below) drives the CLI defaults and the docs, so that a flag, an
environment variable and the README never disagree.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CATALOG_ENV = "ASSETSCOUT_CATALOG"


def default_catalog_dir() -> Path:
    """The embedded catalog a user gets without `--catalog`.

    `$ASSETSCOUT_CATALOG` if set, else `$XDG_DATA_HOME/assetscout/catalog`, else
    `~/.local/share/assetscout/catalog`.
    """
    env = os.environ.get(CATALOG_ENV)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "assetscout" / "catalog"


@dataclass(frozen=True)
class IngestLimits:
    """Bounds that keep one hostile or broken input from costing the others."""

    max_card_bytes: int = 20 * 1024 * 1024  # cards, JSON descriptors (per reader: Reader.max_bytes)
    max_files: int = 1_000_000  # files visited in one ingest
    max_depth: int = 32  # folder nesting followed by the walker


CLIP_ARCH_ENV = "ASSETSCOUT_CLIP_ARCH"  # open_clip architecture name, e.g. ViT-B-32
CLIP_CHECKPOINT_ENV = "ASSETSCOUT_CLIP_CHECKPOINT"  # local weights file for that architecture
CLIP_CONFIG_ENV = "ASSETSCOUT_CLIP_CONFIG"  # optional JSON architecture config (custom models)
