"""The OpenAPI contract, checked by schemathesis against the real app on a real catalog with tables.

The demo corpus (cards of six zoos and 84 UGEN tables) is ingested and indexed with the
hashing encoder; uvicorn serves it on 127.0.0.1 with ingest enabled and the test's token.
Every operation of /openapi.json gets generated requests (fixed seed, bounded examples):
no server error, every response in its documented status codes, content type and schema,
405s with a correct Allow header, a missing token refused, and every request the schema
calls valid answered (2xx, or 404 for an id that is not in the catalog), never refused.

Some operations take input whose validity the schema cannot state, and are excused from
that last check only: a table upload (any bytes are "binary", only some are a table), an
ingest upload (each part's file name is its path in the catalog's uploads: two parts may
not share one, and OpenAPI cannot say "distinct file names"), and GET /recommend/models
(exactly one of `dataset` / `describe`: OpenAPI has no "exactly one of these query
parameters").
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Iterator

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis import checks as st_checks  # noqa: E402

from assetscout.catalog.demo.build import ingest_demo  # noqa: E402
from assetscout.catalog.store import open_catalog  # noqa: E402
from assetscout.embed.fake import HashingEncoder  # noqa: E402
from assetscout.search.app import AppSettings, create_app, serve_in_background  # noqa: E402
from assetscout.search.build import build_search_index  # noqa: E402
from assetscout.tables.catalog_index import update_table_index  # noqa: E402

EXAMPLES = int(os.environ.get("ASSETSCOUT_CONTRACT_EXAMPLES", "25"))
TOKEN = uuid.uuid4().hex
# what the schema cannot say about these operations' input (see the module docstring)
CONTENT_DEPENDENT = {("POST", "/tables/union"), ("POST", "/tables/join"), ("POST", "/ingest"),
                     ("GET", "/recommend/models")}
CHECKS = [st_checks.not_a_server_error, st_checks.status_code_conformance, st_checks.content_type_conformance,
          st_checks.response_schema_conformance, st_checks.response_headers_conformance,
          st_checks.missing_required_header, st_checks.allow_header_conformance]


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    catalog = open_catalog(tmp_path_factory.mktemp("contract") / "catalog")
    ingest_demo(catalog, progress=False)
    encoder = HashingEncoder()
    build_search_index(catalog, encoder)
    assert update_table_index(catalog, encoder, progress=False).tables > 0
    env = f"ASSETSCOUT_TEST_TOKEN_{uuid.uuid4().hex[:8].upper()}"
    os.environ[env] = TOKEN
    try:
        app = create_app(AppSettings(catalog_dir=catalog.root, encoder=encoder, ingest_token_env=env,
                                     max_upload_bytes=256 * 1024, max_file_bytes=128 * 1024, max_upload_files=4))
        with serve_in_background(app) as url:
            yield url
    finally:
        os.environ.pop(env, None)


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every documented operation: the app's schema, built without a catalog."""
    spec = create_app(AppSettings(catalog_dir=Path("/nonexistent/assetscout-contract"), encoder=HashingEncoder())).openapi()
    return sorted((method.upper(), path) for path, item in spec["paths"].items() for method in item)


@pytest.fixture(scope="module")
def api_schema(demo_url: str):
    return schemathesis.openapi.from_url(f"{demo_url}/openapi.json")


@pytest.mark.parametrize("method,path", _operations(), ids=lambda v: v)
def test_every_operation_keeps_its_contract(method: str, path: str, api_schema, demo_url: str) -> None:
    operation = api_schema[path][method]
    checks = list(CHECKS)
    if (method, path) not in CONTENT_DEPENDENT:
        checks.append(st_checks.positive_data_acceptance)
    headers = {"Authorization": f"Bearer {TOKEN}"} if path.startswith("/ingest") else None
    calls = []

    def check(case, with_checks: list) -> None:
        if headers:
            case.headers = {**(case.headers or {}), **headers}
        response = case.call(base_url=demo_url, timeout=60)
        calls.append(response.status_code)
        case.validate_response(response, checks=with_checks)

    # the documented examples first (they name real assets and tables: the answering path), then
    # generated requests
    for strategy in operation.get_strategies_from_examples():
        given(case=strategy)(settings(max_examples=5, derandomize=True, deadline=None, database=None,
                                      suppress_health_check=list(HealthCheck))(
            lambda case: check(case, checks)))()
    given(case=operation.as_strategy())(settings(max_examples=EXAMPLES, derandomize=True, deadline=None,
                                                 database=None, suppress_health_check=list(HealthCheck))(
        lambda case: check(case, checks)))()
    assert calls, f"no request was generated for {method} {path}"
    report = os.environ.get("ASSETSCOUT_CONTRACT_REPORT")  # a JSON-lines tally of the cases sent
    if report:
        import json

        with open(report, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"operation": f"{method} {path}", "cases": len(calls),
                                 "statuses": {str(c): calls.count(c) for c in sorted(set(calls))}}) + "\n")


def test_the_demo_catalog_answers_the_documented_examples(demo_url: str) -> None:
    """The ids the OpenAPI docs and the README show answer on the demo catalog (a newcomer tries them)."""
    import re

    import httpx

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    demo_part = readme.split("### HTTP API", 1)[1].split("###", 1)[0]
    with httpx.Client(base_url=demo_url, timeout=60) as client:
        spec = client.get("/openapi.json").text
        ids = set(re.findall(r"\b(?:timm|hf|openclip|mteb|helm|openvino|tfhub|table):[\w./-]+[\w]", spec + demo_part))
        ids = {i for i in ids if not i.endswith((".py", ".md"))}
        assert ids, "no example asset ids found"
        for asset_id in sorted(ids):
            r = client.get(f"/assets/{asset_id}")
            assert r.status_code == 200, (asset_id, r.text[:200])
