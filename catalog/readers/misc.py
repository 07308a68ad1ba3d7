"""Reader module placeholder: filled in by its owner."""

from __future__ import annotations

from assetscout.catalog.readers.base import Reader

READERS: list[Reader] = []
