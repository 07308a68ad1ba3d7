"""The pages over HTTP on a real server and catalog: content, links, headers, errors, and the API unchanged."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture(scope="module")
def client(web_server):
    with httpx.Client(base_url=web_server, headers=HTML, timeout=120) as c:
        yield c


def test_search_page_shows_hits_understood_constraints_and_facets(client: httpx.Client) -> None:
    r = client.get("/", params={"q": "object detector with mAP above 30 on COCO"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in r.headers["content-security-policy"]
    html = r.text
    assert "Understood:" in html and "&gt; 30 on COCO" in html
    titles = re.findall(r'class="hit-title" href="([^"]+)"', html)
    assert titles and all(t.startswith("/assets/openvino:model/") for t in titles)
    assert "why:" in html and "semantic match" in html
    assert 'data-facet="license_class"' in html and 'data-facet="task"' in html


def test_a_facet_link_narrows_and_the_same_link_on_the_new_page_removes_it(client: httpx.Client, parse_html) -> None:
    first = client.get("/", params={"q": "image classification"})
    total = int(re.search(r"<b>([\d,]+)</b> asset", first.text).group(1).replace(",", ""))
    doc = parse_html(first.text)
    link = next(h for h in doc.links("fv") if "filter=library" in h)
    narrowed = client.get(link)
    n = int(re.search(r"<b>([\d,]+)</b> asset", narrowed.text).group(1).replace(",", ""))
    assert 0 < n < total
    assert 'aria-pressed="true"' in narrowed.text
    on = [h for t, a in parse_html(narrowed.text).tags if t == "a" and a.get("aria-pressed") == "true" for h in [a["href"]]]
    back = client.get(on[0])
    assert int(re.search(r"<b>([\d,]+)</b> asset", back.text).group(1).replace(",", "")) == total


def test_metric_constraint_form_and_empty_results_say_how_to_widen(client: httpx.Client) -> None:
    r = client.get("/", params={"q": "detector", "m_metric": "map", "m_op": ">=", "m_value": "40",
                                "m_dataset": "COCO", "m_sort": "1"})
    assert r.status_code == 200 and "metric map&gt;=40@COCO" in r.text
    assert 'value="metric:map@COCO" selected' in r.text
    none = client.get("/", params={"q": "detector", "metric": "map>=99.9@COCO"})
    assert "Nothing matches" in none.text and "remove" in none.text
    bad = client.get("/", params={"q": "x", "m_value": "3"})
    assert bad.status_code == 400 and "needs a metric name" in bad.text and "Traceback" not in bad.text


def test_asset_page_renders_the_hostile_card_inert(client: httpx.Client, parse_html) -> None:
    r = client.get("/assets/" + quote("hf:model/evil/xss-model", safe=":/"))
    assert r.status_code == 200, r.text[:300]
    doc = parse_html(r.text)
    assert [a.get("src") for t, a in doc.tags if t == "script"] == ["/static/app.js?v=" + re.search(
        r'app\.js\?v=([^"]+)"', r.text).group(1)]  # only the page's own script
    assert not [t for t, _ in doc.tags if t in ("img", "iframe")]
    for t, a in doc.tags:
        assert not any(k.startswith("on") for k in a), (t, a)
        assert not (a.get("href") or "").lower().startswith(("javascript:", "data:"))
    assert "&lt;script&gt;" in r.text  # shown as text
    assert 'href="https://huggingface.co/BAAI/bge-m3"' in r.text
    assert "Lineage" in r.text and "BAAI/bge-m3" in r.text  # the named base model, a placeholder node


def test_asset_page_has_evaluations_metadata_and_similar(client: httpx.Client) -> None:
    r = client.get("/assets/openvino:model/faster_rcnn_resnet50_coco")
    assert r.status_code == 200
    assert 'id="evaluations"' in r.text and "COCO" in r.text and 'id="similar"' in r.text
    assert "Metadata" in r.text and "Parameters" in r.text


def test_same_url_gives_json_to_api_clients(client: httpx.Client) -> None:
    api = client.get("/assets/openvino:model/yolof", headers={"Accept": "application/json"})
    assert api.status_code == 200 and api.json()["asset_id"] == "openvino:model/yolof"
    assert client.get("/search", params={"q": "detector"}, headers={"Accept": "*/*"}).json()["hits"]
    missing = client.get("/assets/nope:x")
    assert missing.status_code == 404 and "no asset" in missing.text and "<html" in missing.text
    assert client.get("/assets/nope:x", headers={"Accept": "*/*"}).json()["error"]["code"] == "not_found"
    assert client.get("/docs").status_code == 200


def test_compare_shows_shared_benchmarks_and_a_chart(client: httpx.Client) -> None:
    ids = ["openvino:model/faster_rcnn_resnet50_coco", "openvino:model/ssd_mobilenet_v1_coco"]
    r = client.get("/compare", params=[("ids", i) for i in ids])
    assert r.status_code == 200
    assert "Benchmarks they share" in r.text and "<svg" in r.text and "higher is better" in r.text
    one = client.get("/compare", params={"ids": ids[0]})
    assert one.status_code == 400 and "2 to 5" in one.text


def test_tables_page_union_and_join_by_catalog_table_and_upload(client: httpx.Client, lake_query: Path) -> None:
    page = client.get("/tables")
    assert page.status_code == 200 and "Upload a table" in page.text
    table_id = re.search(r'<option value="([^"]*query[^"]*)"', page.text).group(1)
    by_id = client.get("/tables", params={"table_id": table_id.replace("&amp;", "&")})
    assert by_id.status_code == 200 and 'id="union-hits"' in by_id.text and "↔" in by_id.text
    up = client.post("/tables", files={"file": (lake_query.name, lake_query.read_bytes(), "text/csv")})
    assert up.status_code == 200, up.text[:400]
    assert "Unionable tables" in up.text and "preview rows" in up.text and 'id="join-hits"' in up.text


@pytest.mark.parametrize("name,body,status,words", [
    ("broken.csv", b"\x00\x01\x02" * 10, 400, "cannot read"),
    ("big.csv", b"a,b\n" + b"1,2\n" * 100_000, 413, "bytes"),
    ("../../etc/passwd.csv", b"a\n1\n", 400, ""),
])
def test_bad_uploads_show_their_error_on_the_page(client: httpx.Client, name: str, body: bytes, status: int,
                                                 words: str) -> None:
    r = client.post("/tables", files={"file": (name, body, "text/csv")})
    assert r.status_code == status, r.text[:300]
    assert 'role="alert"' in r.text and words in r.text and "Traceback" not in r.text
    assert client.get("/tables").status_code == 200  # the server keeps serving
