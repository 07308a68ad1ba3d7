"""The `assetscout` command as a user runs it: a real process, real files, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def run(*args: str, env_catalog: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assetscout.cli", *args],
                          capture_output=True, text=True, timeout=600)


def test_ingest_then_info_json(tmp_path: Path, shared_data: Path) -> None:
    cat = tmp_path / "cat"
    src = shared_data / "cards" / "helm_model_metadata"
    r = run("ingest", str(src), "--catalog", str(cat))
    assert r.returncode == 0, r.stderr
    assert "helm" in r.stdout and "rejected" in r.stdout
    info = json.loads(run("info", "--catalog", str(cat), "--json").stdout)
    assert info["format_version"] == 1
    assert info["catalog"] == str(cat.resolve())
    assert info["by_kind"]["model"] == info["counts"]["assets"] > 600


def test_nothing_readable_is_exit_1_and_missing_path_exit_2(tmp_path: Path) -> None:
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "notes.xyz").write_text("hello")
    r = run("ingest", str(junk), "--catalog", str(tmp_path / "cat"))
    assert r.returncode == 1
    assert "nothing could be read" in r.stderr
    r = run("ingest", str(tmp_path / "nope"), "--catalog", str(tmp_path / "cat"))
    assert r.returncode == 2 and "no such file or folder" in r.stderr


def test_info_without_catalog_says_what_to_do(tmp_path: Path) -> None:
    r = run("info", "--catalog", str(tmp_path / "empty"))
    assert r.returncode == 1
    assert "assetscout ingest" in r.stderr


def test_demo_builds_the_embedded_catalog_and_rerun_changes_nothing(tmp_path: Path) -> None:
    cat = tmp_path / "demo"
    r = run("demo", "--catalog", str(cat), "--json", "--quiet", "--no-serve")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["counts"]["assets"] > 3000
    assert info["by_kind"]["model"] > 2000 and info["by_kind"]["dataset"] > 300
    assert info["counts"]["evaluations"] > 10000 and info["counts"]["lineage_edges"] > 100
    r2 = run("demo", "--catalog", str(cat), "--json", "--quiet", "--no-serve")
    assert r2.returncode == 0
    assert json.loads(r2.stdout)["counts"] == info["counts"]
    assert " added" in r2.stderr and "updated" in r2.stderr


def test_ingest_keeps_a_current_search_index(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus_pwc_datasets.jsonl"
    corpus.write_text("".join(json.dumps({"id": i, "contents": f"{i} is a dataset of {t}."}) + "\n"
                              for i, t in (("MNIST", "digits"), ("LibriSpeech", "read speech"))))
    cat = tmp_path / "cat"
    assert run("ingest", str(corpus), "--catalog", str(cat), "--index").returncode == 0
    manifest = (cat / "search" / "manifest.json").read_text()
    r = run("ingest", str(corpus), "--catalog", str(cat))  # unchanged input
    assert r.returncode == 0, r.stderr
    assert "search index: current" in r.stderr
    assert (cat / "search" / "manifest.json").read_text() == manifest  # not rebuilt
    hits = json.loads(run("search", "handwritten digits", "--catalog", str(cat), "--json").stdout)["hits"]
    assert hits[0]["asset_id"] == "pwc:dataset/MNIST"


def test_search_index_is_rebuilt_only_when_assets_or_encoder_changed(tmp_path: Path, shared_data: Path) -> None:
    from assetscout.catalog.ingest import ingest
    from assetscout.catalog.store import open_catalog
    from assetscout.cli import search_index_stale
    from assetscout.embed.fake import HashingEncoder
    from assetscout.search.build import build_search_index

    catalog = open_catalog(tmp_path / "cat")
    src = shared_data / "cards" / "helm_model_metadata"
    first = ingest([src], catalog)
    encoder = HashingEncoder(64)
    assert search_index_stale(catalog, first, encoder)  # no index yet
    build_search_index(catalog, encoder)
    again = ingest([src], catalog)  # unchanged input: the catalog is rewritten, no asset changes
    assert not search_index_stale(catalog, again, encoder)
    assert search_index_stale(catalog, again, HashingEncoder(64, seed=1))  # another encoder
    assert search_index_stale(catalog, first, encoder)  # an ingest that added assets
