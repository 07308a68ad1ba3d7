"""Models for a dataset on real OpenCLIP results (../shared/data) with the packaged MiniLM:
the leave-one-dataset-out benchmark, direct evidence, constraints, descriptions and tables."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assetscout.errors import InvalidInput, NotFound

SHARED = Path(os.environ.get("ASSETSCOUT_SHARED_DATA", Path(__file__).resolve().parents[3].parent / "shared" / "data"))
OPENCLIP = SHARED / "cards" / "openclip_results"


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    if not OPENCLIP.is_dir():
        pytest.skip(f"shared data not found at {OPENCLIP}")
    from assetscout.catalog.ingest import ingest
    from assetscout.catalog.store import open_catalog

    catalog = open_catalog(tmp_path_factory.mktemp("openclip") / "catalog")
    ingest([OPENCLIP], catalog)
    return catalog


@pytest.fixture(scope="module")
def rec(catalog):
    from assetscout.embed.text import SentenceTransformerEncoder
    from assetscout.search.recommend.models import ModelRecommender

    con = catalog.connect()
    r = ModelRecommender.open(catalog, SentenceTransformerEncoder(), con)
    yield r
    con.close()


def test_leave_one_dataset_out_beats_most_evaluated(rec):
    from assetscout.eval.recommend import evaluate_models, format_summary

    result = evaluate_models(rec, min_models=5)
    overall = result["overall"]
    assert overall["benchmarks"] == len([b for b in rec.ev.benches if b.n_models >= 5]) >= 30
    for method in ("method", "most_evaluated", "same_task"):
        assert 0 <= overall[method]["ndcg@10"] <= 1 and 0 <= overall[method]["top1"] <= 1
    assert overall["method"]["ndcg@10"] > overall["most_evaluated"]["ndcg@10"] + 0.1
    low, high = result["paired_difference"]["method - most_evaluated"]["ci95"]
    assert 0 < low <= high
    assert set(result["by_zoo"]) == {"openclip_results"}
    assert result["halves"]["A"]["benchmarks"] + result["halves"]["B"]["benchmarks"] == overall["benchmarks"]
    assert "method - same_task: nDCG@10" in format_summary(result)


def test_for_a_catalog_benchmark_direct_results_come_first(rec):
    from assetscout.search.recommend.models import recommend_models

    out = recommend_models(rec, dataset="ImageNet v2", k=5).to_dict()
    assert out["target"]["evaluated_models"] >= 100
    direct = [s["direct"]["value"] for s in out["suggestions"]]
    assert direct == sorted(direct, reverse=True) and all(v is not None for v in direct)
    assert "on ImageNet v2 itself (rank 1 of" in out["suggestions"][0]["why"]
    assert out["similar_benchmarks"] and all(b["benchmark"] != "ImageNet v2" for b in out["similar_benchmarks"])


def test_constraints_restrict_the_models(rec):
    from assetscout.search.recommend.models import recommend_models

    out = recommend_models(rec, dataset="ImageNet v2", filters={"max_parameters": "200M"}, k=10).to_dict()
    assert out["suggestions"] and all(s["parameters"] < 200_000_000 for s in out["suggestions"])
    assert "M parameters" in out["suggestions"][0]["why"]


def test_a_description_and_a_table_find_similar_benchmarks(rec, tmp_path):
    from assetscout.search.recommend.models import recommend_models, table_description

    out = recommend_models(rec, describe="pictures of food dishes", k=3).to_dict()
    assert out["target"]["evaluated_models"] == 0 and len(out["suggestions"]) == 3
    assert out["similar_benchmarks"][0]["benchmark"] == "Food-101"
    assert "rank" in out["suggestions"][0]["why"]
    table = tmp_path / "flowers.csv"
    table.write_text("image_path,flower_species\nimg/1.jpg,rose\nimg/2.jpg,tulip\nimg/3.jpg,daisy\n",
                     encoding="utf-8")
    text = table_description(str(table), "flowers.csv")
    assert "flower_species" in text and "tulip" in text
    out = recommend_models(rec, table_text=text, table_label="flowers.csv", k=3).to_dict()
    assert out["target"]["label"] == "flowers.csv" and out["suggestions"]
    assert out["similar_benchmarks"][0]["benchmark"] == "Oxford Flowers-102"


def test_bad_requests(rec, tmp_path):
    from assetscout.search.recommend.models import recommend_models, table_description

    with pytest.raises(InvalidInput, match="exactly one of"):
        recommend_models(rec)
    with pytest.raises(InvalidInput, match="exactly one of"):
        recommend_models(rec, dataset="ImageNet v2", describe="x")
    with pytest.raises(NotFound, match="no dataset 'no such data'"):
        recommend_models(rec, dataset="no such data")
    with pytest.raises(InvalidInput, match="unknown filter"):
        recommend_models(rec, dataset="no such data", filters={"colour": "red"})  # filters are checked first
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not parquet")
    with pytest.raises(InvalidInput, match="cannot read table 'broken.parquet'"):
        table_description(str(broken), "broken.parquet")
