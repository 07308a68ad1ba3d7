"""`assetscout lineage | licenses check | recommend | compare | eval licenses | eval recommend | info` on real catalogs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from assetscout import cli
from assetscout.embed.fake import HashingEncoder

SHARED = Path(os.environ.get("ASSETSCOUT_SHARED_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"))
OPENCLIP = SHARED / "cards" / "openclip_results"


@pytest.fixture
def zoo(graph_catalog):
    return str(graph_catalog[0].root)


def _run(capsys, *args: str) -> tuple[int, str, str]:
    rc = cli.main(list(args))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_lineage_text_and_json(zoo, capsys):
    rc, out, _ = _run(capsys, "lineage", "hf:model/org/grandchild", "--up", "--catalog", zoo)
    assert rc == 0
    assert "-> quantized: hf:model/org/child-apache  [model, Apache-2.0]  (hf_card)" in out
    assert "    -> finetune: hf:model/org/base-nc  [model, CC-BY-NC-4.0]  (hf_card)" in out
    rc, out, _ = _run(capsys, "lineage", "hf:model/org/cyc-a", "--depth", "5", "--catalog", zoo)
    assert "bad metadata: a cycle of 2 assets derive from each other: hf:model/org/cyc-a, hf:model/org/cyc-b" in out
    assert "(shown above)" in out
    rc, out, _ = _run(capsys, "lineage", "hf:model/org/selfie", "--catalog", zoo, "--json")
    assert json.loads(out)["self_loops"] == [{"asset_id": "hf:model/org/selfie", "relation": "finetune"}]
    rc, out, _ = _run(capsys, "lineage", "hf:model/org/orphan", "--up", "--catalog", zoo)
    assert "hf:model/missing/parent  (not in the catalog)" in out
    rc, _, err = _run(capsys, "lineage", "nobody", "--catalog", zoo)
    assert rc == 1 and "no asset 'nobody' in the catalog" in err
    rc, _, err = _run(capsys, "lineage", "hf:model/org/cyc-a", "--depth", "0", "--catalog", zoo)
    assert rc == 2 and "depth must be an integer in 1..20" in err


def test_licenses_check(zoo, capsys):
    rc, out, _ = _run(capsys, "licenses", "check", "hf:model/org/llama-apache", "hf:model/org/clean-child",
                      "--catalog", zoo)
    assert rc == 0
    assert "license across lineage: CONFLICT" in out and "[conflict] community-license-dropped:" in out
    assert "hf:model/org/clean-child (model): Apache-2.0" in out and "commercial use safe across lineage: yes" in out
    rc, out, _ = _run(capsys, "licenses", "check", "hf:model/org/orphan", "--catalog", zoo, "--json")
    data = json.loads(out)
    assert data["status"] == "unknown" and data["findings"][0]["rule"] == "ancestor-not-in-catalog"


def test_eval_licenses_and_info(zoo, capsys):
    rc, out, _ = _run(capsys, "eval", "licenses", "--catalog", zoo, "--json", "--sample", "2")
    data = json.loads(out)
    assert rc == 0 and data["assets"] == 24 and data["stored_status_agrees"] == 24
    assert data["findings_by_rule"]["share-alike-ancestor"]["assets"] == 1
    assert len(data["sample"]["conflict"]) == 2 and len(data["sample"]["clean"]) == 2
    rc, out, _ = _run(capsys, "info", "--catalog", zoo)
    assert "asset graph:" in out and "license across lineage" in out
    rc, out, _ = _run(capsys, "info", "--catalog", zoo, "--json")
    assert json.loads(out)["graph"]["cycles"] == 1


@pytest.fixture
def openclip_catalog(tmp_path, capsys, monkeypatch):
    if not OPENCLIP.is_dir():
        pytest.skip(f"shared data not found at {OPENCLIP}")
    monkeypatch.setattr(cli, "_encoder", lambda args: HashingEncoder())
    cat = str(tmp_path / "cat")
    assert cli.main(["ingest", str(OPENCLIP), "--catalog", cat, "--quiet"]) == 0
    capsys.readouterr()
    return cat


def test_recommend_and_compare(openclip_catalog, capsys, tmp_path):
    cat = openclip_catalog
    rc, out, _ = _run(capsys, "recommend", "models", "--for-dataset", "ImageNet v2", "--k", "3", "--catalog", cat)
    assert rc == 0 and out.startswith("models for ImageNet v2") and "itself (rank 1 of" in out
    rc, out, _ = _run(capsys, "recommend", "models", "--describe", "food photos", "--filter", "max_parameters=200M",
                      "--json", "--catalog", cat)
    data = json.loads(out)
    assert data["suggestions"] and all(s["parameters"] < 200e6 for s in data["suggestions"])
    table = tmp_path / "t.csv"
    table.write_text("species,count\nrose,3\n", encoding="utf-8")
    rc, out, _ = _run(capsys, "recommend", "models", "--table", str(table), "--catalog", cat, "--k", "2")
    assert rc == 0 and out.startswith("models for t.csv")
    rc, _, err = _run(capsys, "recommend", "models", "--table", str(tmp_path / "none.csv"), "--catalog", cat)
    assert rc == 2 and "no such table file" in err
    rc, out, _ = _run(capsys, "recommend", "datasets", "--for-model", "openclip:model/ViT-B-32/openai",
                      "--catalog", cat, "--json")
    assert rc == 0 and json.loads(out)["model"]["asset_id"] == "openclip:model/ViT-B-32/openai"
    rc, out, _ = _run(capsys, "compare", "openclip:model/ViT-B-32/openai", "openclip:model/ViT-L-14/openai",
                      "--catalog", cat)
    assert rc == 0 and "benchmarks they share" in out and "<- best" in out
    rc, _, err = _run(capsys, "compare", "openclip:model/ViT-B-32/openai", "--catalog", cat)
    assert rc == 2 and "compare takes 2 to 5 distinct asset ids, got 1" in err


def test_eval_recommend(openclip_catalog, capsys):
    rc, out, _ = _run(capsys, "eval", "recommend", "--catalog", openclip_catalog, "--json", "--quiet")
    data = json.loads(out)["models_for_a_dataset"]
    assert rc == 0 and data["overall"]["benchmarks"] >= 30
    assert data["overall"]["method"]["ndcg@10"] > data["overall"]["most_evaluated"]["ndcg@10"]
    rc, _, err = _run(capsys, "eval", "recommend", "--catalog", openclip_catalog, "--min-models", "1")
    assert rc == 2 and "--min-models must be at least 2" in err
