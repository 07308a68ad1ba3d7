"""The asset graph over HTTP, on a real uvicorn server, a real catalog (the graph zoo of cards with bad
metadata plus the real OpenCLIP results) and the packaged MiniLM: lineage, license check,
recommendations, compare; in the OpenAPI document; bad input answered 4xx."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

SHARED = Path(os.environ.get("ASSETSCOUT_SHARED_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "data"))
OPENCLIP = SHARED / "cards" / "openclip_results"


@pytest.fixture(scope="module")
def client(graph_catalog, tmp_path_factory):
    if not OPENCLIP.is_dir():
        pytest.skip(f"shared data not found at {OPENCLIP}")
    from assetscout.catalog.ingest import ingest
    from assetscout.catalog.store import open_catalog
    from assetscout.embed.text import SentenceTransformerEncoder
    from assetscout.search.app import AppSettings, create_app, serve_in_background
    from assetscout.search.build import build_search_index

    catalog = open_catalog(tmp_path_factory.mktemp("graph_api") / "catalog")
    ingest([graph_catalog[1], OPENCLIP], catalog)
    encoder = SentenceTransformerEncoder()
    build_search_index(catalog, encoder)
    app = create_app(AppSettings(catalog_dir=catalog.root, encoder=encoder))
    with serve_in_background(app) as url, httpx.Client(base_url=url, timeout=120) as c:
        yield c


def _error(r: httpx.Response, status: int, *words: str) -> None:
    assert r.status_code == status, r.text
    if status < 400:
        return
    message = r.json()["error"]["message"]
    for w in words:
        assert w in message, message


def test_lineage(client):
    r = client.get("/assets/hf:model/org/grandchild/lineage", params={"direction": "up", "depth": 5})
    assert r.status_code == 200
    g = r.json()
    assert {(e["src"], e["dst"], e["relation"]) for e in g["edges"]} == {
        ("hf:model/org/grandchild", "hf:model/org/child-apache", "quantized"),
        ("hf:model/org/child-apache", "hf:model/org/base-nc", "finetune")}
    cyc = client.get("/assets/hf:model/org/cyc-b/lineage", params={"depth": 20}).json()
    assert cyc["cycles"] == [["hf:model/org/cyc-a", "hf:model/org/cyc-b"]]
    fam = client.get("/assets/openclip:model/ViT-B-32/lineage", params={"direction": "down", "relation": "base"}).json()
    assert len(fam["edges"]) > 5 and {e["relation"] for e in fam["edges"]} == {"base"}


def test_license_check(client):
    c = client.get("/assets/hf:model/org/rail-adapter-mit/license-check").json()
    assert c["status"] == "conflict" and c["commercial_use_across_lineage"] is False
    (f,) = c["findings"]
    assert (f["rule"], f["ancestor_id"], f["ancestor_license"], f["asset_license"]) == (
        "use-restrictions-dropped", "hf:model/org/rail-base", "LicenseRef-CreativeML-OpenRAIL-M", "MIT")
    assert c["rules"]["use-restrictions-dropped"].startswith("an ancestor's RAIL use restrictions")


def test_license_facet_and_filter_in_search(client):
    r = client.get("/search", params={"filter": ["license_lineage=conflict"], "k": 50}).json()
    assert r["total"] == 7
    safe = client.get("/search", params={"filter": ["commercial_use_lineage=true"], "kind": "model", "k": 50}).json()
    assert {h["asset_id"] for h in safe["hits"]} >= {"hf:model/org/clean-child", "hf:model/org/rail-finetune"}
    assert "commercial_use_lineage" in safe["facets"]["counts"]


def test_recommend_models(client):
    r = client.get("/recommend/models", params={"dataset": "ImageNet v2", "k": 3, "filter": "max_parameters=500M"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert len(out["suggestions"]) == 3 and all(s["parameters"] < 500e6 for s in out["suggestions"])
    assert all(s["why"] for s in out["suggestions"])
    d = client.get("/recommend/models", params={"describe": "pictures of food dishes", "k": 2}).json()
    assert d["similar_benchmarks"][0]["benchmark"] == "Food-101"


def test_recommend_datasets(client):
    out = client.get("/recommend/datasets", params={"model": "hf:model/org/clean-base"}).json()
    top = out["suggestions"][0]
    assert top["dataset_id"] == "hf:dataset/org/open-data" and top["used_by_family"] == ["hf:model/org/clean-child"]
    assert "CC0-1.0: compatible" in top["why"]
    nc = client.get("/recommend/datasets", params={"model": "hf:model/org/child-apache"}).json()
    note = next(s["license_note"] for s in nc["suggestions"] if s["dataset_id"] == "hf:dataset/org/nc-data")
    assert "non-commercial: fine for evaluation, but a model fine-tuned on it may not be used commercially" in note
    used = client.get("/recommend/datasets", params={"model": "hf:model/org/trained-on-nc"}).json()
    assert used["already_used"] == ["hf:dataset/org/nc-data"]
    assert "hf:dataset/org/nc-data" not in {s["dataset_id"] for s in used["suggestions"]}


def test_compare_json_and_page(client):
    ids = ["openclip:model/ViT-B-32/openai", "openclip:model/ViT-L-14/openai"]
    out = client.get("/compare", params={"ids": ids}).json()
    assert [a["asset_id"] for a in out["assets"]] == ids and all(a["parameters"] for a in out["assets"])
    row = next(r for r in out["shared"] if r["dataset"] == "ImageNet 1k")
    assert row["direction"] == "higher" and row["best"] == ids[1]
    assert set(row["values"]) == set(ids) and all(v["source"] == "openclip_results" for v in row["values"].values())
    mixed = client.get("/compare", params={"ids": f"{ids[0]},hf:model/org/clean-base"}).json()
    assert not mixed["shared"] and all(r["values"]["hf:model/org/clean-base"] is None for r in mixed["reported_by_one"])
    page = client.get("/compare", params={"ids": ids}, headers={"accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html") and "<svg" in page.text


def test_openapi_documents_the_graph(client):
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/assets/{asset_id}/lineage", "/assets/{asset_id}/license-check", "/recommend/models",
              "/recommend/datasets", "/compare"):
        assert p in paths and paths[p]["get"]["tags"] == ["graph"], p


@pytest.mark.parametrize("path, params, status, words", [
    ("/assets/nobody/lineage", {}, 404, ["no asset 'nobody'"]),
    ("/assets/hf:model/org/cyc-a/lineage", {"direction": "left"}, 400, ["direction"]),
    ("/assets/hf:model/org/cyc-a/lineage", {"depth": 999}, 400, ["depth"]),
    ("/assets/hf:model/none/license-check", {}, 404, ["no asset 'hf:model/none'"]),
    ("/recommend/models", {}, 400, ["exactly one of"]),
    ("/recommend/models", {"dataset": "x", "filter": "colour=red"}, 400, ["unknown filter 'colour'"]),
    ("/recommend/models?dataset=%ED%A0%80", {}, 404, ["no dataset"]),  # a lone surrogate, percent-encoded
    ("/recommend/models?describe=%00%00", {}, 200, []),
    ("/recommend/datasets", {"model": "hf:dataset/org/nc-data"}, 404, ["no model"]),
    ("/recommend/datasets", {"model": "x", "k": 0}, 400, ["k"]),
    ("/compare", {"ids": "a"}, 400, ["2 to 5 distinct asset ids, got 1"]),
    ("/compare", {"ids": "a,b"}, 404, ["no asset 'a'"]),
])
def test_bad_requests(client, path, params, status, words):
    _error(client.get(path, params=params or None), status, *words)
