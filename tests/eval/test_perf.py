"""`assetscout eval perf` on a tiny catalog (hashing encoder) and a small synthetic corpus.

Structure and correctness only (what was measured, recall, selectivities, k hits); no
test asserts a timing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from assetscout.catalog.ingest import ingest
from assetscout.catalog.store import Catalog, open_catalog
from assetscout.embed.fake import HashingEncoder
from assetscout.eval.perf import main, run_corpus
from assetscout.eval.perf_corpus import (
    PHASES,
    QUERIES,
    count_matching,
    find_filters,
    tie_aware_recall,
)
from assetscout.eval.perf_embed import parse_time_log
from assetscout.eval.perf_synthetic import run_synthetic
from assetscout.search.build import build_search_index
from assetscout.search.engine import SearchEngine
from assetscout.search.query import Query

REPO = Path(__file__).resolve().parents[2]
CARDS = Path(os.environ.get("ASSETSCOUT_SHARED_DATA", REPO.parent / "shared" / "data")) / "cards"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """~630 real assets (HELM model metadata, three HF datasets), indexed with the hashing encoder."""
    if not CARDS.is_dir():
        pytest.skip(f"shared data not found at {CARDS}")
    root = tmp_path_factory.mktemp("perf") / "catalog"
    catalog = open_catalog(root)
    ingest([CARDS / "helm_model_metadata" / "model_metadata.yaml",
            *(CARDS / "hf_datasets_canonical_2022" / "datasets" / n for n in ("ag_news", "ai2_arc", "adversarial_qa"))],
           catalog)
    build_search_index(catalog, HashingEncoder())
    return root


def _tagged_catalog(root: Path, n: int, tags: dict[str, int]) -> Catalog:
    """A catalog of `n` bare assets where tag t is on the first tags[t] of them."""
    catalog = open_catalog(root)
    with catalog.writing() as con:
        con.execute(
            "INSERT INTO asset (asset_id, kind, name, source, source_uri, sources, license_class, tasks, languages, "
            "tags, aliases, content_hash, updated_at) SELECT 'm/' || i, 'model', 'n' || i, 's', 'f', ['s'], "
            "'unknown', [], [], list_filter(?::VARCHAR[], lambda t, j: i < (?::INTEGER[])[j]), [], 'h', now() "
            "FROM range(?) r(i)", [list(tags), list(tags.values()), n])
    return catalog


def test_find_filters_picks_the_facet_closest_to_each_selectivity(tmp_path: Path) -> None:
    catalog = _tagged_catalog(tmp_path / "c", 2000, {"ten": 200, "near-ten": 260, "one": 20, "tiny": 2, "half": 1000})
    con = catalog.connect()
    try:
        found = find_filters(con, [0.1, 0.01, 0.001])
        assert [(f.filters, f.n_allowed, f.n_assets) for f in found] == [
            ({"tag": ["ten"]}, 200, 2000), ({"tag": ["one"]}, 20, 2000), ({"tag": ["tiny"]}, 2, 2000)]
        assert [f.selectivity for f in found] == [0.1, 0.01, 0.001]
        assert found[0].label == "tag=ten"
        assert count_matching(con, {"tag": ["half"]}) == 1000
    finally:
        con.close()


def test_tie_aware_recall() -> None:
    inf = -np.inf
    exact = np.array([[0.9, 0.9, 0.5, inf], [0.3, 0.2, inf, inf]], np.float32)
    # k=1: either tied item is right; a lower one or a disallowed one is not
    assert tie_aware_recall(np.array([[1], [0]]), exact, 1) == 1.0
    assert tie_aware_recall(np.array([[2], [1]]), exact, 1) == 0.0
    assert tie_aware_recall(np.array([[3], [0]]), exact, 1) == 0.5
    # k larger than the allowed set: recall is over min(k, allowed); padding (-1) and repeats count nothing
    assert tie_aware_recall(np.array([[0, 1, 2, -1], [0, 1, -1, -1]]), exact, 4) == 1.0
    assert tie_aware_recall(np.array([[0, 0, -1, -1], [1, -1, -1, -1]]), exact, 4) == pytest.approx((1 / 3 + 1 / 2) / 2)


def test_run_corpus_measures_every_filter_exactly(tiny: Path) -> None:
    result = run_corpus(tiny, queries=QUERIES[:5], k=10, warmup=1, selectivities=(0.1, 0.01, 0.001),
                        measure_embedding_n=7)
    assert result.cards_factory == "Flat" and result.chunks_factory == "Flat"  # small: the exact index
    assert result.encoder.startswith("assetscout/hashing") and result.n_queries == 5
    assert [r.target for r in result.rows] == [1.0, 0.1, 0.01, 0.001]
    assert result.rows[0].filter == "none" and result.rows[0].n_allowed == result.assets
    engine = SearchEngine.open(tiny, encoder=HashingEncoder())
    try:
        for row in result.rows:
            listed = engine.search(Query.build(filters=row.filters), with_facets=False).total
            assert row.n_allowed == listed, row.filter
            assert row.selectivity == pytest.approx(listed / result.assets)
            assert sum(row.strategies.values()) == 5
            assert set(row.phase_p50_ms) <= set(PHASES) and {"filter", "encode", "dense"} <= set(row.phase_p50_ms)
            assert row.p50_ms > 0 and row.p50_facets_ms > 0
            # Flat indexes search exactly: every recall is 1, and k hits come back whenever k match
            assert row.recall == {"cards": 1.0, "chunks": 1.0, "dense": 1.0}, row.filter
            assert row.short_results == 0 and row.outside_filter == 0
    finally:
        engine.close()
    assert 0.05 <= result.rows[1].selectivity <= 0.2 and result.rows[-1].n_allowed < 10  # fewer than k match
    assert result.build is not None and result.build["assets"] == result.assets
    assert result.build["cards_per_s"] > 0
    emb = result.embedding
    assert emb is not None and emb["cards"] == 7 and emb["chunks"] >= 0 and emb["texts_per_s"] > 0
    assert set(result.data) == {"cos_random_pair_mean", "cos_nn1_p50", "cos_nn10_p50"}


def test_synthetic_small_is_exact_and_complete() -> None:
    result = run_synthetic(5000, 64, n_queries=15, k=10)
    assert result.factory == "Flat"  # the factory's choice below 50k vectors
    assert [(r.filter, r.fraction) for r in result.rows] == [
        ("none", 1.0), ("random", 0.1), ("random", 0.01), ("random", 0.001),
        ("topic", 0.1), ("topic", 0.01), ("topic", 0.001)]
    assert [r.n_allowed for r in result.rows] == [5000, 500, 50, 5, 500, 50, 5]
    for row in result.rows:
        assert row.recall == 1.0 and row.short_results == 0 and row.outside_filter == 0, row
        assert sum(row.strategies.values()) == 15
        # searched as deep as the engine asks (200, more than the 5-500 allowed): still exact and complete
        assert row.engine["depth"] == 200 and row.engine["recall"] == 1.0, row
        assert row.engine["short_results"] == 0 and row.engine["outside_filter"] == 0
    assert result.build_s >= 0 and result.peak_rss_mb > 0
    assert 0.0 < result.data["cos_random_pair_mean"] < result.data["cos_nn10_p50"] <= result.data["cos_nn1_p50"]


def test_cli_prints_the_table_and_json(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    small = ["--catalog", str(tiny), "--queries", "3", "--warmup", "1", "--synthetic-n", "3000",
             "--synthetic-queries", "5"]
    assert main([*small, "--selectivities", "0.1,0.01"]) == 0
    out = capsys.readouterr()
    for text in ("real corpus:", "search latency", "recall@10 cards/chunks/dense", "synthetic: 3,000 x 384",
                 "peak RSS of the run", "targets (p95 < 50 ms"):
        assert text in out.out, text
    assert "perf: finding facet filters" in out.err  # progress goes to stderr

    from assetscout.cli import main as cli_main

    assert cli_main(["eval", "perf", *small, "--json", "--skip-synthetic", "--selectivities", "0.1"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["synthetic"] is None and report["peak_rss_mb"] > 0
    rows = report["corpus"]["rows"]
    assert [r["target"] for r in rows] == [1.0, 0.1]
    assert all(0.0 <= v <= 1.0 for r in rows for v in r["recall"].values())
    assert report["targets"]["corpus_recall_met"] is True and report["targets"]["corpus_k_hits_met"] is True


def test_cli_refuses_what_it_cannot_measure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--skip-synthetic"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit):
        main(["--catalog", str(tmp_path), "--selectivities", "0.5,2"])
    catalog = _tagged_catalog(tmp_path / "unindexed", 10, {"a": 1})
    assert main(["--catalog", str(catalog.root), "--skip-synthetic"]) == 2
    assert "assetscout index --catalog" in capsys.readouterr().err


def test_parse_time_log(tmp_path: Path) -> None:
    log = tmp_path / "time.err"
    log.write_text("index: built in 10 s\n\tCommand being timed: \"assetscout index\"\n"
                   "\tUser time (seconds): 100.50\n\tPercent of CPU this job got: 180%\n"
                   "\tElapsed (wall clock) time (h:mm:ss or m:ss): 1:02:03\n"
                   "\tMaximum resident set size (kbytes): 2097152\n", encoding="utf-8")
    assert parse_time_log(log) == {"user_s": "100.50", "cpu_percent": "180%", "wall": "1:02:03",
                                   "wall_s": 3723.0, "max_rss_mb": 2048.0}
