"""Structured questions answered exactly: each compared with a brute-force pass over the source files."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from assetscout.catalog.ingest import ingest
from assetscout.catalog.queries import CatalogQueries, metric_key, task_key
from assetscout.catalog.store import open_catalog

pytestmark = pytest.mark.slow

SHARED = Path(os.environ.get("ASSETSCOUT_SHARED_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "data"))
CARDS = SHARED / "cards"
TIMM = CARDS / "timm_model_index" / "results"
MTEB_TSV = CARDS / "mteb_model_meta_and_results" / "results_main_score.tsv"
HF_DS = CARDS / "hf_datasets_canonical_2022" / "datasets"


@pytest.fixture(scope="module")
def q(tmp_path_factory):
    if not SHARED.is_dir():
        pytest.skip(f"shared data not found at {SHARED}")
    catalog = open_catalog(tmp_path_factory.mktemp("q") / "catalog")
    paths = [
        TIMM / "results-imagenet.csv",
        TIMM / "results-imagenet-real.csv",       # other benchmarks: must not count as ImageNet
        TIMM / "results-imagenet-a-clean.csv",
        SHARED / "retrieval" / "datafinder" / "corpus_pwc_datasets.jsonl",  # dataset assets (ImageNet)
        MTEB_TSV,
        *sorted(HF_DS.glob("*/dataset_infos.json")),
    ]
    report = ingest(paths, catalog)
    assert report.sources["timm_results"].assets_added > 0
    queries = CatalogQueries.open(catalog)
    yield queries
    queries.close()


def test_metric_and_task_keys() -> None:
    assert metric_key("Top 1 Accuracy") == metric_key("top1") == metric_key("acc@1")
    assert task_key("Image Classification") == task_key("image-classification") == task_key("image_classification")


def test_imagenet_top1_at_least_85_under_30m_params(q: CatalogQueries) -> None:
    expected: set[str] = set()
    with open(TIMM / "results-imagenet.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            params = float(row["param_count"].replace(",", "")) * 1e6
            if float(row["top1"]) >= 85 and params < 30e6:
                expected.add(f"timm:model/{row['model']}")
    assert len(expected) >= 5  # the question is not vacuous on this data
    hits = q.models_by_metric("top1", ">=", 85, dataset="ImageNet", task="image-classification",
                              max_parameters=30_000_000)
    assert {h.asset_id for h in hits} == expected
    assert all(h.value >= 85 and h.parameters < 30e6 for h in hits)
    assert [h.value for h in hits] == sorted((h.value for h in hits), reverse=True)
    # the alias resolves: the same question asked with another spelling of the dataset
    hits2 = q.models_by_metric("Top 1 Accuracy", ">=", 85, dataset="ILSVRC 2012",
                               task="Image Classification", max_parameters=30_000_000)
    assert {h.asset_id for h in hits2} == expected


@pytest.mark.parametrize("task", ["Banking77Classification", "STSBenchmark", "SciFact"])
def test_best_model_on_an_mteb_task(q: CatalogQueries, task: str) -> None:
    best: dict[str, float] = {}
    with open(MTEB_TSV, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["task_name"] != task:
                continue
            try:
                v = float(row["main_score_mean"])
            except ValueError:
                continue
            if v != v:
                continue
            model = row["model_dir"]
            best[model] = max(best.get(model, float("-inf")), v)
    assert best, f"{task} not in the MTEB table"
    ranked = sorted(best.values(), reverse=True)[:3]
    hits = q.best_models(task, "main_score", k=3)
    assert [round(h.value, 6) for h in hits] == [round(v, 6) for v in ranked]
    top_dirs = {m for m, v in best.items() if v == ranked[0]}
    assert any(hits[0].asset_id.endswith(d.replace("__", "/", 1)) for d in top_dirs)


def _feature_names(feat) -> list[str]:
    """Every feature name in a dataset_infos.json `features` object, nested ones included."""
    if isinstance(feat, list):
        return _feature_names(feat[0]) if feat else []
    if not isinstance(feat, dict):
        return []
    if "_type" in feat:
        if feat["_type"] == "Sequence":
            return _feature_names(feat.get("feature"))
        return []
    names: list[str] = []
    for key, sub in feat.items():
        names.append(key)
        names.extend(_feature_names(sub))
    return names


@pytest.mark.parametrize("column", ["question", "label", "tokens"])
def test_datasets_with_a_column(q: CatalogQueries, column: str) -> None:
    expected = set()
    for path in HF_DS.glob("*/dataset_infos.json"):
        infos = json.loads(path.read_text("utf-8"))
        if any(column in {n.lower() for n in _feature_names(cfg.get("features") or {})}
               for cfg in infos.values()):
            expected.add(f"hf:dataset/{path.parent.name}")
    assert len(expected) > 10
    got = {r[0] for r in q.datasets_with_column(column)}
    assert got == expected
