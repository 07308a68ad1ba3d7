"""Metric constraints, sorting by a metric, hardware, and the derived facets, through the engine.

A synthetic catalog whose answers are known exactly: one percent-scale result table
(timm-like), one fraction-scale table, MTEB main scores, WER (lower is better) and
throughput rows on named hardware. Listing queries need no vector index; the text
query runs on a hashing-encoder index.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterator

import pytest

from assetscout.catalog.datasets import alias_key
from assetscout.catalog.ingest import _insert, refresh_derived_columns
from assetscout.embed.fake import HashingEncoder
from assetscout.errors import InvalidInput
from assetscout.search.build import build_search_index
from assetscout.search.engine import SearchEngine
from assetscout.search.query import Query

T0 = dt.datetime(2026, 1, 1)


def _asset(aid: str, **kw) -> dict:
    row = {"asset_id": aid, "kind": "model", "name": aid.split("/")[-1], "source": "t", "source_uri": "f",
           "sources": ["t"], "license_class": "unknown", "tasks": [], "languages": [], "tags": [], "aliases": [],
           "content_hash": aid, "updated_at": T0, "summary": f"model {aid}", "library": None, "parameters": None,
           "license_spdx": None, "non_commercial": None}  # every row has every column (_insert reads row 0's)
    row.update(kw)
    return row


def _eval(aid: str, metric: str, value: float, dataset: str | None, origin: str, *, source: str = "t",
          task: str | None = None, hardware: str | None = None, unit: str | None = None) -> dict:
    return {"asset_id": aid, "metric": metric, "metric_key": metric, "value": value, "dataset_name": dataset,
            "dataset_key": alias_key(dataset) if dataset else None, "task": task, "hardware": hardware,
            "origin": origin, "source": source, "unit": unit}


ASSETS = [
    _asset("m/alpha", tasks=["image-classification"], library="timm", parameters=5_000_000,
           license_class="permissive", license_spdx="Apache-2.0", tags=["tflite"]),
    _asset("m/beta", tasks=["image-classification"], library="timm", parameters=60_000_000,
           license_class="permissive", license_spdx="MIT"),
    _asset("m/gamma", tasks=["image-classification"], parameters=300_000_000, license_class="copyleft",
           non_commercial=True),
    _asset("m/delta", tasks=["automatic-speech-recognition"], parameters=2_000_000_000, languages=["en", "fr"]),
    _asset("m/epsilon", tasks=["automatic-speech-recognition"], languages=["en"]),
    _asset("m/zeta", tasks=["sentence-similarity"], library="sentence-transformers"),
    _asset("m/eta", tasks=["zero-shot-image-classification"], library="open_clip"),
    _asset("d/imagenet", kind="dataset", name="ImageNet", tasks=["image-classification"]),
]
EVALS = [
    # a percent-scale table (its values are mostly above 1): 0.48 there is 0.48 %
    _eval("m/alpha", "top1", 85.2, "ImageNet", "timm.csv"), _eval("m/beta", "top1", 80.1, "ImageNet", "timm.csv"),
    _eval("m/gamma", "top1", 0.48, "ImageNet", "timm.csv"),
    # a fraction-scale table
    _eval("m/gamma", "Top 1 Accuracy", 0.87, "ImageNet", "frac.yaml"),
    _eval("m/beta", "Top 1 Accuracy", 0.801, "ImageNet-1k", "frac.yaml"),
    _eval("m/alpha", "Top 1 Accuracy", 0.9, "ImageNet ReaL", "frac.yaml"),  # another benchmark
    # a lone row the source wrote as '0.95%' (timm's model-index has such typos): a percent by its unit
    _eval("m/delta", "Top 1 Accuracy", 0.95, "ImageNet", "doc.mdx", unit="%"),
    _eval("m/delta", "WER", 5.1, "LibriSpeech", "asr.md"), _eval("m/epsilon", "wer", 3.2, "LibriSpeech", "asr2.md"),
    _eval("m/zeta", "main_score", 0.91, "Banking77Classification", "mteb.tsv", source="mteb_results",
          task="Classification"),
    _eval("m/zeta", "main_score", 0.55, "SciFact", "mteb.tsv", source="mteb_results"),
    _eval("m/eta", "text retr. R@1", 0.72, "MSCOCO", "clip.csv", source="openclip_results"),
    _eval("m/alpha", "infer_samples_per_sec", 3000, None, "bench-4090.csv", hardware="rtx4090"),
    _eval("m/beta", "infer_samples_per_sec", 1500, None, "bench-4090b.csv", hardware="4090"),
    _eval("m/beta", "infer_samples_per_sec", 90, None, "bench-cpu.csv", hardware="cpu-i9_10940x"),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchEngine]:
    from assetscout.catalog.store import open_catalog

    catalog = open_catalog(tmp_path_factory.mktemp("metrics") / "catalog")
    with catalog.writing() as w:
        _insert(w, "asset", ASSETS)
        _insert(w, "evaluation", EVALS)
        w.execute("INSERT INTO dataset_alias VALUES (?, 'd/imagenet', 'ImageNet', 'name')", [alias_key("ImageNet")])
        w.execute("UPDATE evaluation SET dataset_id = 'd/imagenet' WHERE dataset_name = 'ImageNet'")
        refresh_derived_columns(w)
    build_search_index(catalog, HashingEncoder())
    eng = SearchEngine(catalog, HashingEncoder())
    yield eng
    eng.close()


def ids(engine: SearchEngine, **kw) -> list[str]:
    return [h.asset_id for h in engine.search(Query.build(k=50, **kw), with_facets=False).hits]


def test_percent_and_fraction_sources_meet_one_threshold(engine: SearchEngine) -> None:
    want = {"m/alpha", "m/gamma"}  # 85.2 % and 0.87; not beta (80.1 %, 0.801), not ReaL's 0.9
    for metric in ("top1>=85@ImageNet", "accuracy>=0.85@ImageNet", "top-1 accuracy>=85%@ImageNet"):
        assert set(ids(engine, metrics=[metric])) == want, metric
    assert set(ids(engine, metrics=["top1<0.01@ImageNet"])) == {"m/gamma", "m/delta"}  # 0.48 % and '0.95%' 


def test_sort_by_metric_best_first_and_without_it_left_out(engine: SearchEngine) -> None:
    result = engine.search(Query.build(sort="metric:top1@ImageNet", k=10), with_facets=False)
    assert [h.asset_id for h in result.hits] == ["m/gamma", "m/alpha", "m/beta", "m/delta"]
    assert result.total == 4 and result.plan["sort"]["direction"] == "higher"
    assert [round(h.metrics[-1]["value_norm"], 4) for h in result.hits] == [0.87, 0.852, 0.801, 0.0095]
    assert result.hits[0].metrics[-1]["value"] == 0.87  # as the source wrote it
    lower = engine.search(Query.build(sort="metric:WER@LibriSpeech"), with_facets=False)
    assert [h.asset_id for h in lower.hits] == ["m/epsilon", "m/delta"] and lower.plan["sort"]["direction"] == "lower"


def test_ties_are_marked(engine: SearchEngine) -> None:
    result = engine.search(Query.build(sort="metric:infer_samples_per_sec on 4090"), with_facets=False)
    assert [h.asset_id for h in result.hits] == ["m/alpha", "m/beta"] and not any(h.tied for h in result.hits)
    tie = engine.search(Query.build(sort="metric:recall@1"), with_facets=False)
    assert [h.tied for h in tie.hits] == [False]


def test_hardware_by_name(engine: SearchEngine) -> None:
    assert set(ids(engine, metrics=["throughput>=1000 on RTX 4090"])) == {"m/alpha", "m/beta"}  # rtx4090 and 4090
    assert ids(engine, metrics=["throughput>=50 on cpu"]) == ["m/beta"]
    assert set(ids(engine, metrics=["infer_samples_per_sec>=50 on gpu"])) == {"m/alpha", "m/beta"}
    assert ids(engine, metrics=["throughput>=2000 on gpu", "top1>=80@ImageNet"]) == ["m/alpha"]  # speed and accuracy


def test_main_score_answers_to_its_task_types_metric(engine: SearchEngine) -> None:
    assert ids(engine, metrics=["accuracy>=0.9@Banking77Classification"]) == ["m/zeta"]
    assert ids(engine, metrics=["ndcg@10>=0.5@SciFact"]) == ["m/zeta"]  # SciFact is a retrieval task
    assert ids(engine, metrics=["main_score>=0.5@SciFact"]) == ["m/zeta"]
    assert ids(engine, metrics=["R@1>=0.7@MSCOCO"]) == ["m/eta"]  # '@' in a metric name


def test_hits_carry_the_values_behind_the_constraints(engine: SearchEngine) -> None:
    hit = engine.search(Query.build(metrics=["top1>=85@ImageNet"], sort="metric:top1@ImageNet"),
                        with_facets=False).hits[0]
    assert hit.asset_id == "m/gamma" and hit.metrics[0]["label"] == "accuracy (top-1)"
    plain = engine.search(Query.build(kinds=["model"], filters={"task": "image-classification"}), with_facets=False).hits
    assert all(h.metrics for h in plain) and all(m["key"] for h in plain for m in h.metrics)


def test_metric_sort_with_text_orders_the_relevant_candidates(engine: SearchEngine) -> None:
    result = engine.search(Query.build(text="model", sort="metric:top1@ImageNet", interpret=False), with_facets=False)
    assert [h.asset_id for h in result.hits] == ["m/gamma", "m/alpha", "m/beta", "m/delta"]


def test_derived_filters(engine: SearchEngine) -> None:
    assert set(ids(engine, filters={"commercial_use": "true"})) == {"m/alpha", "m/beta"}  # copyleft but NC: no
    assert ids(engine, filters={"multilingual": "true"}) == ["m/delta"]
    assert ids(engine, filters={"format": "tflite"}) == ["m/alpha"]
    assert set(ids(engine, filters={"modality": "audio"})) == {"m/delta", "m/epsilon"}
    assert ids(engine, filters={"modality": "multimodal"}) == ["m/eta"]
    assert set(ids(engine, filters={"kind": "dataset"})) == {"d/imagenet"}


def test_every_facet_value_selects_its_count(engine: SearchEngine) -> None:
    facets = engine.facets(Query.build())
    assert {v.value for v in facets.counts["modality"]} >= {"vision", "audio", "text", "multimodal"}
    assert [v.value for v in facets.counts["parameters"]] == ["< 10M", "10M-100M", "100M-1B", "1B-10B"]
    assert facets.counts["dataset"][0].value == "d/imagenet" and facets.counts["dataset"][0].label == "ImageNet"
    for name in ("modality", "parameters", "dataset", "task", "format", "kind"):
        for value in facets.counts[name]:
            parsed = {}
            for item in value.filters:
                key, _, v = item.partition("=")
                parsed.setdefault(key, []).append(v)
            got = engine.search(Query.build(filters=parsed, k=1), with_facets=False).total
            assert got == value.count, (name, value)


def test_bad_metric_syntax_names_the_form() -> None:
    with pytest.raises(InvalidInput, match="NAME>=VALUE"):
        Query.build(metrics=["top1 is high"])
    with pytest.raises(InvalidInput, match="names no metric"):
        Query.build(sort="metric:")
