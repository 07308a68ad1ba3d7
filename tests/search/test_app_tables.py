"""POST /tables/union and /tables/join on a real uvicorn: by id, by upload, errors in one shape.

A tiny lake (five tables, planted unions and joins) ingested with the hashing encoder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
import uuid
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from assetscout.catalog.ingest import ingest
from assetscout.catalog.store import open_catalog
from assetscout.embed.fake import HashingEncoder
from assetscout.search.app import AppSettings, create_app, serve_in_background
from assetscout.tables.catalog_index import update_table_index

KiB = 1024
ENCODER = HashingEncoder()


@contextlib.contextmanager
def serve(settings: AppSettings) -> Iterator[httpx.Client]:
    """A real uvicorn server on a free port of 127.0.0.1; yields an httpx client for it."""
    with serve_in_background(create_app(settings)) as url, httpx.Client(base_url=url, timeout=60) as client:
        yield client


def assert_error(response: httpx.Response, status: int, code: str, *words: str) -> str:
    assert response.status_code == status, (response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"status", "code", "message"}
    assert body["error"]["status"] == status and body["error"]["code"] == code
    message = body["error"]["message"]
    assert message and "Traceback" not in message
    for word in words:
        assert word.lower() in message.lower(), (word, message)
    return message


def settings(catalog_dir: Path, **kw: Any) -> AppSettings:
    return AppSettings(catalog_dir=catalog_dir, encoder=ENCODER, max_file_bytes=16 * KiB,
                       max_upload_bytes=64 * KiB, max_json_bytes=4 * KiB, **kw)


@pytest.fixture(scope="module")
def lake_catalog(tmp_path_factory, tiny_lake_writer) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("apptables")
    lake = tiny_lake_writer(root / "data" / "lake")
    catalog = open_catalog(root / "cat")
    ingest([lake], catalog)
    update_table_index(catalog, ENCODER, progress=False)
    return lake, catalog.root


@pytest.fixture(scope="module")
def client(lake_catalog) -> Iterator[httpx.Client]:
    with serve(settings(lake_catalog[1])) as c:
        yield c


CITIES = "table:data/lake/cities.csv"


def test_union_and_join_by_id(client: httpx.Client) -> None:
    r = client.post("/tables/union", json={"table_id": CITIES, "k": 2})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["query"]["table_id"] == CITIES and body["query"]["columns"] == ["city", "country", "population"]
    top = body["hits"][0]
    assert top["table"] == "table:data/lake/towns.tsv" and top["path"].endswith("towns.tsv")
    assert {(m["query_column"], m["candidate_column"]) for m in top["alignment"]} == {
        ("city", "town"), ("country", "nation"), ("population", "people")}
    r = client.post("/tables/join", json={"table_id": CITIES, "column": "country", "k": 3, "min_containment": 0.9})
    assert r.status_code == 200, r.text
    hit = r.json()["hits"][0]
    assert (hit["table"], hit["column"], hit["containment"], hit["overlap"]) == (
        "table:data/lake/countries.parquet", "country", 1.0, 10)
    spec = client.get("/openapi.json").json()["paths"]
    assert set(spec["/tables/join"]["post"]["requestBody"]["content"]) == {"application/json", "multipart/form-data"}


def test_union_and_join_by_upload(client: httpx.Client, lake_catalog) -> None:
    lake, cat = lake_catalog
    r = client.post("/tables/union", files={"file": ("mine.csv", (lake / "cities.csv").read_bytes())},
                    data={"k": "2"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["query"] == {"table_id": None, "path": None, "label": "mine.csv",
                             "columns": ["city", "country", "population"]}
    assert [h["table"] for h in body["hits"]] == [CITIES, "table:data/lake/towns.tsv"]
    r = client.post("/tables/join", files={"file": ("q.tsv", b"who\tland\nA\tPeru\nB\tFiji\nC\tMars\n")},
                    data={"column": "land", "min_containment": "0.6"})
    assert r.status_code == 200, r.text
    assert [(h["table"], h["overlap"]) for h in r.json()["hits"]] == [("table:data/lake/countries.parquet", 2)]
    assert not [p for p in (cat / "uploads").iterdir() if p.name.startswith(".tables-")]  # uploads are removed


def test_bad_requests_get_a_4xx_in_one_shape_and_the_server_keeps_serving(client: httpx.Client) -> None:
    assert_error(client.post("/tables/union", json={"table_id": "table:data/lake/nope.csv"}), 404, "not_found",
                 "no table 'table:data/lake/nope.csv'")
    assert_error(client.post("/tables/union", json={"table_id": "/etc/passwd"}), 404, "not_found")
    assert_error(client.post("/tables/join", json={"table_id": CITIES, "column": "size"}), 400, "invalid_input",
                 "no column 'size'", "'city', 'country', 'population'")
    assert_error(client.post("/tables/join", json={"table_id": CITIES}), 400, "invalid_input", "body.column")
    assert_error(client.post("/tables/union", json={"table_id": CITIES, "k": 0}), 400, "invalid_input", "k must be")
    assert_error(client.post("/tables/union", json={"table_id": CITIES, "path": "/x"}), 400, "invalid_input",
                 "body.path")
    assert_error(client.post("/tables/union", json={}), 400, "invalid_input", "table_id")
    assert_error(client.post("/tables/union", content=b"{nope", headers={"content-type": "application/json"}),
                 400, "invalid_input", "not valid JSON")
    assert_error(client.post("/tables/union", content=b"table_id=x",
                             headers={"content-type": "application/x-www-form-urlencoded"}),
                 415, "unsupported_media_type", "multipart/form-data")
    assert_error(client.post("/tables/union", files={"file": ("big.csv", b"a,b\n" + b"1,2\n" * 8 * KiB)}),
                 413, "payload_too_large", "big.csv", "16,384")
    assert_error(client.post("/tables/union", files={"file": ("huge.csv", b"a,b\n" + b"1,2\n" * 25 * KiB)}),
                 413, "payload_too_large", "65,536")
    assert_error(client.post("/tables/union", json={"table_id": "x" * (6 * KiB)}), 413, "payload_too_large",
                 "4,096")
    assert_error(client.post("/tables/union", files={"file": ("bin.csv", b"\x00\x01" * 100)}), 400,
                 "invalid_input", "cannot read table 'bin.csv'")
    assert_error(client.post("/tables/union", files={"file": ("a.csv", b"a\n1\n")}, data={"table_id": CITIES}),
                 400, "invalid_input", "not both")
    assert_error(client.post("/tables/join", files={"file": ("a.csv", b"a\n1\n")}, data={"k": "many", "column": "a"}),
                 400, "invalid_input", "form.k")
    assert_error(client.post("/tables/union", files={"file": ("../a.csv", b"a\n1\n")}), 400, "invalid_input",
                 "traversal")
    assert client.post("/tables/union", json={"table_id": CITIES, "k": 1}).status_code == 200  # still serving


def test_a_catalog_without_tables_answers_503_and_starts_fast(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    started = time.monotonic()
    with serve(settings(empty)) as c:
        assert time.monotonic() - started < 10
        assert c.get("/health").json()["status"] == "no_catalog"
        assert_error(c.post("/tables/union", json={"table_id": CITIES}), 503, "unavailable", "no catalog")
        junk = tmp_path / "junk"
        junk.mkdir()
        (junk / "notes.xyz").write_text("hi")
        ingest([junk], open_catalog(empty))
        assert_error(c.post("/tables/join", files={"file": ("a.csv", b"a\n1\n")}, data={"column": "a"}), 503,
                     "unavailable", "has no tables")


def test_a_running_server_sees_tables_added_by_an_ingest(tmp_path: Path, tiny_lake_writer) -> None:
    lake = tiny_lake_writer(tmp_path / "data" / "lake")
    catalog = open_catalog(tmp_path / "cat")
    ingest([lake], catalog)
    update_table_index(catalog, ENCODER, progress=False)
    with serve(settings(catalog.root)) as c:
        join = {"table_id": CITIES, "column": "country", "k": 5}
        before = c.post("/tables/union", json={"table_id": CITIES, "k": 5}).json()["hits"]
        joins_before = c.post("/tables/join", json=join).json()["hits"]
        shutil.copy(lake / "towns.tsv", lake / "hamlets.tsv")
        ingest([lake], catalog)
        assert update_table_index(catalog, ENCODER, progress=False).mode == "added"
        after = c.post("/tables/union", json={"table_id": CITIES, "k": 5}).json()["hits"]
        assert len(after) == len(before) + 1 and "table:data/lake/hamlets.tsv" in {h["table"] for h in after}
        joins_after = c.post("/tables/join", json=join).json()["hits"]
        assert {h["table"] for h in joins_after} - {h["table"] for h in joins_before} == {"table:data/lake/hamlets.tsv"}


def test_tables_uploaded_to_ingest_are_searchable(tmp_path: Path, tiny_lake_writer, ingest_and_wait) -> None:
    lake = tiny_lake_writer(tmp_path / "lake")
    token_env = f"ASSETSCOUT_TEST_TOKEN_{uuid.uuid4().hex[:8].upper()}"
    os.environ[token_env] = "tok"
    try:
        with serve(settings(tmp_path / "cat", ingest_token_env=token_env)) as c:
            files = [("files", (f"mylake/{name}", (lake / name).read_bytes())) for name in ("cities.csv", "towns.tsv")]
            auth = {"authorization": "Bearer tok"}
            report = ingest_and_wait(c, files, auth)
            assert report["table_index"]["mode"] == "rebuilt" and report["table_index"]["tables"] == 2
            hits = c.post("/tables/union", json={"table_id": "table:files/mylake/cities.csv"}).json()["hits"]
            assert [h["table"] for h in hits] == ["table:files/mylake/towns.tsv"]
            # a changed table rebuilds the table indexes, which read every table again: the earlier
            # upload is still there to be read (it used to be deleted after its ingest, then rejected)
            changed = (lake / "towns.tsv").read_bytes() + b"Extra Town\tFR\t123\n"
            report = ingest_and_wait(c, [("files", ("mylake/towns.tsv", changed))], auth)
            assert report["table_index"]["mode"] == "rebuilt" and report["table_index"]["rejected"] == []
            hits = c.post("/tables/union", json={"table_id": "table:files/mylake/cities.csv"}).json()["hits"]
            assert [h["table"] for h in hits] == ["table:files/mylake/towns.tsv"]
            # a name that would need a folder where an uploaded file is: refused, and nothing is lost
            r = c.post("/ingest", files=[("files", ("mylake/cities.csv/x.csv", b"a\n1\n"))], headers=auth)
            assert_error(r, 400, "invalid_input", "earlier uploads have a file at 'mylake/cities.csv'")
            assert c.post("/tables/union", json={"table_id": "table:files/mylake/cities.csv"}).json()["hits"]
    finally:
        os.environ.pop(token_env, None)
