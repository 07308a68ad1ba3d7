"""Readers, one module per source format, and the order in which files are offered to them.

Specific formats (a file name or folder a zoo always uses) come before generic ones
(any markdown card with YAML front matter), so that the generic reader only sees what
no specific reader recognized. Table files (CSV, Parquet, JSON lines) that no zoo reader
knows come last: they are data, read as `table` assets (`tables`).
"""

from __future__ import annotations

from assetscout.catalog.readers.base import Reader


def all_readers() -> list[Reader]:
    """Every reader, most specific first. Imported lazily: ingest is the only user."""
    from assetscout.catalog.readers import (
        croissant,
        helm,
        hf_cards,
        hf_hub,
        misc,
        mteb,
        openclip,
        openvino,
        pwc,
        tables,
        tfhub,
        timm,
    )

    ordered: list[Reader] = []
    for module in (misc, mteb, helm, timm, openclip, tfhub, openvino, croissant, pwc, hf_hub, hf_cards, tables):
        ordered.extend(module.READERS)
    return ordered


__all__ = ["Reader", "all_readers"]
