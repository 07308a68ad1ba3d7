"""License risk along lineage, compared with a brute-force pass over the MTEB metadata file."""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path

import pytest

from assetscout.catalog.ingest import ingest
from assetscout.catalog.licenses import normalize_license
from assetscout.catalog.queries import CatalogQueries
from assetscout.catalog.store import open_catalog
from assetscout.errors import InvalidInput

SHARED = Path(os.environ.get("ASSETSCOUT_SHARED_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "data"))
META = SHARED / "cards" / "mteb_model_meta_and_results" / "model_meta.jsonl"


def _hf(name: str) -> str:
    return f"hf:model/{name}" if "/" in name else f"mteb:model/{name}"


@pytest.fixture(scope="module")
def q(tmp_path_factory):
    if not META.is_file():
        pytest.skip(f"shared data not found at {META}")
    catalog = open_catalog(tmp_path_factory.mktemp("lineage") / "catalog")
    ingest([META], catalog)
    queries = CatalogQueries.open(catalog)
    yield queries
    queries.close()


def _brute_force(base: str) -> tuple[set[str], set[str]]:
    """(all descendants, the non-commercial-or-unknown ones) straight from the JSON lines."""
    children: dict[str, set[str]] = defaultdict(set)
    licenses: dict[str, set[str | None]] = defaultdict(set)
    for line in META.read_text("utf-8").splitlines():
        row = json.loads(line)
        name = row["name"]
        licenses[_hf(name)].add(row.get("license"))
        if row.get("adapted_from"):
            children[_hf(row["adapted_from"])].add(_hf(name))
    seen: set[str] = set()
    todo = [base]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    risky = set()
    for asset in seen:
        stated = {lic for lic in licenses[asset] if lic}  # a license any revision states
        assert len(stated) <= 1, f"revisions of {asset} state different licenses: {stated}"
        lic = normalize_license(next(iter(stated), None))
        if lic.non_commercial or lic.license_class == "unknown":
            risky.add(asset)
    return seen, risky


@pytest.mark.parametrize("base", ["hf:model/BAAI/bge-m3", "hf:model/Qwen/Qwen3-Embedding-4B",
                                  "hf:model/intfloat/multilingual-e5-large", "hf:model/mistralai/Mistral-7B-v0.1"])
def test_risky_descendants_match_brute_force(q: CatalogQueries, base: str) -> None:
    descendants, risky = _brute_force(base)
    assert descendants, f"{base} has no descendants in the MTEB metadata"
    assert {d[0] for d in q.descendants(base)} == descendants
    got = q.risky_descendants(base)
    assert {r["asset_id"] for r in got} == risky
    assert all(r["non_commercial"] or r["license_class"] == "unknown" for r in got)


def test_unknown_base_model_is_a_clear_error(q: CatalogQueries) -> None:
    with pytest.raises(InvalidInput, match="no asset or lineage parent"):
        q.descendants("hf:model/does-not/exist")
