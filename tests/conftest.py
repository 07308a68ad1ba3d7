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


# ---------------------------------------------------------------------------- the asset-graph zoo
# A small zoo of Hub cards whose lineage and licenses exercise every graph rule, bad metadata
# included, written as cards/<owner>@<name>.md (the generic card reader's collection form).

# repo id -> YAML front matter lines (kind follows the keys: task_categories makes a dataset)
CARDS: dict[str, list[str]] = {
    # non-commercial parent, a commercial fine-tune of it, and a quantization of that (2 hops)
    "org/base-nc": ["license: cc-by-nc-4.0", "pipeline_tag: text-classification"],
    "org/child-apache": ["license: apache-2.0", "base_model: org/base-nc", "base_model_relation: finetune",
                         "pipeline_tag: text-classification"],
    "org/grandchild": ["license: apache-2.0", "base_model: org/child-apache", "base_model_relation: quantized"],
    # RAIL use restrictions: dropped by an MIT adapter, kept by an OpenRAIL fine-tune
    "org/rail-base": ["license: creativeml-openrail-m"],
    "org/rail-adapter-mit": ["license: mit", "base_model: org/rail-base", "base_model_relation: adapter"],
    "org/rail-finetune": ["license: openrail", "base_model: org/rail-base", "base_model_relation: finetune"],
    # a vendor community license replaced by Apache
    "org/llama-base": ["license: llama2"],
    "org/llama-apache": ["license: apache-2.0", "base_model: org/llama-base", "base_model_relation: finetune"],
    # share-alike parent, permissive child
    "org/sa-base": ["license: cc-by-sa-4.0"],
    "org/sa-child-mit": ["license: mit", "base_model: org/sa-base", "base_model_relation: finetune"],
    # trained on non-commercial data
    "org/trained-on-nc": ["license: apache-2.0", "datasets:", "- org/nc-data", "pipeline_tag: text-classification"],
    # parents that cannot be checked: missing from the catalog, unlicensed
    "org/orphan": ["license: mit", "base_model: missing/parent", "base_model_relation: finetune"],
    "org/unlicensed-base": ["pipeline_tag: text-classification"],
    "org/child-of-unlicensed": ["license: mit", "base_model: org/unlicensed-base", "base_model_relation: finetune"],
    # a custom license of its own: terms not machine-readable
    "org/custom-lic": ["license: other"],
    # bad metadata: a two-model cycle and a self-loop
    "org/cyc-a": ["license: mit", "base_model: org/cyc-b", "base_model_relation: finetune"],
    "org/cyc-b": ["license: mit", "base_model: org/cyc-a", "base_model_relation: finetune"],
    "org/selfie": ["license: mit", "base_model: org/selfie", "base_model_relation: finetune"],
    # clean: permissive child of a permissive parent
    "org/clean-base": ["license: mit", "pipeline_tag: text-classification"],
    "org/clean-child": ["license: apache-2.0", "base_model: org/clean-base", "base_model_relation: finetune",
                        "pipeline_tag: text-classification", "datasets:", "- org/open-data"],
    # datasets
    "org/nc-data": ["license: cc-by-nc-4.0", "task_categories:", "- text-classification"],
    "org/open-data": ["license: cc0-1.0", "task_categories:", "- text-classification"],
    "org/nd-data": ["license: cc-by-nc-nd-4.0", "task_categories:", "- summarization"],
    "org/derived-data": ["license: mit", "task_categories:", "- summarization", "source_datasets:", "- org/nd-data"],
}


def write_graph_cards(root: Path) -> Path:
    """Write CARDS under root/cards; returns that folder."""
    folder = root / "cards"
    folder.mkdir(parents=True, exist_ok=True)
    for repo, meta in CARDS.items():
        body = f"# {repo.split('/')[1]}\n\nA test card for {repo}.\n"
        (folder / f"{repo.replace('/', '@', 1)}.md").write_text("---\n" + "\n".join(meta) + "\n---\n" + body,
                                                             encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def graph_catalog(tmp_path_factory):
    """The graph zoo ingested (no search index): (catalog, cards folder)."""
    from assetscout.catalog.ingest import ingest
    from assetscout.catalog.store import open_catalog

    root = tmp_path_factory.mktemp("graph")
    folder = write_graph_cards(root)
    catalog = open_catalog(root / "catalog")
    report = ingest([folder], catalog)
    assert not report.rejected, report.rejected
    return catalog, folder


def _ingest_and_wait(client, files, headers: dict[str, str], timeout_s: float = 300) -> dict:
    """POST /ingest (202 + a job), then poll the job's status URL until it is done; the report."""
    import time

    r = client.post("/ingest", files=files, headers=headers)
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["status"] in ("queued", "running", "done") and r.headers["location"] == job["status_url"]
    deadline = time.monotonic() + timeout_s
    while job["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
        job = client.get(job["status_url"], headers=headers).json()
    assert job["status"] == "done", job
    assert job["uploaded"] == job["report"]["uploaded"]
    return job["report"]


@pytest.fixture(scope="session")
def ingest_and_wait():
    """POST /ingest through an httpx client and wait for its job: `ingest_and_wait(client, files, headers)`."""
    return _ingest_and_wait
