"""Merging what several sources say about one asset into its catalog row.

Rules, chosen so the result does not depend on ingest order:
- records are ranked by (priority, then origin descending); lower priority value wins,
  and among equals the lexically last origin (so Croissant 1.1 beats 1.0 beats 0.8);
- a scalar field takes the first non-empty value in that ranking;
- list fields (tasks, languages, tags, aliases) are the union, best-ranked first;
- `kind` is the best-ranked record's kind (a source can not turn a model into a dataset
  by being read later).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from assetscout.catalog.licenses import normalize_license

_SCALARS = (
    "name", "title", "summary", "card_text", "license", "library", "organization", "access",
    "parameters", "size_bytes", "created", "modified", "downloads", "likes", "url",
)
_LISTS = ("tasks", "languages", "tags", "aliases")


def _rank_key(item: tuple[str, str, int, dict[str, Any]]) -> tuple[int, str]:
    origin, _, priority, _ = item
    # negate the origin ordering by sorting on a key that reverses string order
    return (priority, "".join(chr(0x10FFFF - ord(ch)) for ch in origin))


def merge_records(asset_id: str, records: list[tuple[str, str, int, dict[str, Any]]],
                  *, now: dt.datetime) -> dict[str, Any]:
    """One `asset` row from the (origin, source, priority, payload) records of an asset."""
    ranked = sorted(records, key=_rank_key)
    payloads = [p for _, _, _, p in ranked]
    row: dict[str, Any] = {"asset_id": asset_id}
    for key in _SCALARS:
        row[key] = next((p[key] for p in payloads if p.get(key) not in (None, "", [])), None)
    for key in _LISTS:
        merged: dict[str, None] = {}
        for p in payloads:
            for v in p.get(key) or []:
                if v not in (None, ""):
                    merged.setdefault(str(v), None)
        row[key] = list(merged)
    best_origin, best_source, _, best = ranked[0]
    row["kind"] = best["kind"]
    row["source"] = best_source
    row["source_uri"] = best_origin
    row["sources"] = sorted({s for _, s, _, _ in ranked})
    extra: dict[str, Any] = {}
    for p in reversed(payloads):  # best-ranked last, so it wins key conflicts
        extra.update(p.get("extra") or {})
    row["extra"] = json.dumps(extra, default=str, sort_keys=True) if extra else None
    lic = normalize_license(row.pop("license"))
    row["license_raw"] = next((p["license"] for p in payloads if p.get("license")), None)
    row["license_spdx"] = lic.spdx
    row["license_class"] = lic.license_class
    row["non_commercial"] = lic.non_commercial
    digest = hashlib.sha256()
    for origin, _, _, p in ranked:
        digest.update(origin.encode())
        digest.update(json.dumps(p, sort_keys=True, default=str).encode())
    row["content_hash"] = digest.hexdigest()
    row["updated_at"] = now
    return row
