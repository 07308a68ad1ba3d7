"""Shared fixtures: paths to the shared real data, and a fresh catalog per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("ASSETSCOUT_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture
def shared_data() -> Path:
    """The shared real data folder; tests that need it skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def catalog(tmp_path: Path):
    from assetscout.catalog.store import open_catalog

    return open_catalog(tmp_path / "catalog")


_COUNTRIES = ["France", "Italy", "Peru", "Chile", "Japan", "Kenya", "Egypt", "Spain", "Nepal", "Cuba"]
_CITIES = [f"{a} {b}" for a in ("Port", "San", "New", "Old", "East", "West") for b in ("Avalon", "Brook", "Cedar",
                                                                                         "Dale", "Elm")]


def write_tiny_lake(root: Path) -> Path:
    """Five small tables, one per format, with planted unions and joins (see tests/tables/test_catalog_index.py).

    cities.csv and towns.tsv are unionable (same cities, countries and populations under other
    headers); countries.parquet's `country` contains every country of both; films.jsonl is
    unrelated; empty.csv has a header and no rows.
    """
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    root.mkdir(parents=True, exist_ok=True)
    rows = [(c, _COUNTRIES[i % 10], 1000 * (i + 1)) for i, c in enumerate(_CITIES)]
    (root / "cities.csv").write_text("city,country,population\n" + "".join(f"{c},{k},{p}\n" for c, k, p in rows),
                                     encoding="utf-8")
    (root / "towns.tsv").write_text("town\tnation\tpeople\n" + "".join(f"{c}\t{k}\t{p}\n" for c, k, p in rows[5:]),
                                    encoding="utf-8")
    pq.write_table(pa.table({"country": _COUNTRIES + ["Chad", "Fiji", "Oman"],
                             "capital": [f"{k[:3]}polis" for k in _COUNTRIES + ["Chad", "Fiji", "Oman"]]}),
                   root / "countries.parquet")
    (root / "films.jsonl").write_text("".join(json.dumps({"title": f"Film {i}", "director": f"Director {i % 7}",
                                                          "year": 1950 + i}) + "\n" for i in range(25)),
                                      encoding="utf-8")
    (root / "empty.csv").write_text("a,b\n", encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def tiny_lake_writer():
    """`write_tiny_lake(root)`, for tests in folders that cannot import conftest."""
    return write_tiny_lake
