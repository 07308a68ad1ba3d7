"""End to end in headless Chromium (the system browser, driven by Playwright) on a real server.

Each test does what a person does — types, clicks, ticks, uploads — and checks what the
page then shows. Every page visited is screenshot under $ASSETSCOUT_SCREENSHOTS (default
build/screenshots; CI prints the folder). Any console error (a CSP violation, a failed
asset, a script error) fails the test. Skipped, with the reason, when no Chromium or no
Playwright is installed.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SHOTS = Path(os.environ.get("ASSETSCOUT_SCREENSHOTS", REPO / "build" / "screenshots"))
CANDIDATES = [os.environ.get("ASSETSCOUT_CHROMIUM", ""), "/usr/lib/chromium/chromium", shutil.which("chromium") or "",
              shutil.which("chromium-browser") or "", shutil.which("google-chrome") or ""]


def chromium_path() -> str | None:
    return next((c for c in CANDIDATES if c and os.access(c, os.X_OK)), None)


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright not installed (test extra)")
    path = chromium_path()
    if path is None:
        pytest.skip("no Chromium found (apt install chromium, or set ASSETSCOUT_CHROMIUM)")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


@pytest.fixture
def page(browser, web_server):
    context = browser.new_context(base_url=web_server, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    # a page answered 4xx on purpose (a bad upload) logs "Failed to load resource": resources are checked instead
    pg.on("console", lambda m: errors.append(m.text)
          if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    pg.on("response", lambda r: errors.append(f"{r.status} {r.url}")
          if r.status >= 400 and r.request.resource_type != "document" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("dialog", lambda d: (errors.append(f"dialog opened: {d.message}"), d.dismiss()))
    yield pg
    context.close()
    assert not errors, errors


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def total(page) -> int:
    return int(re.sub(r"\D", "", page.locator(".total b").inner_text()))


def test_type_a_query_and_see_relevant_hits(page) -> None:
    page.goto("/")
    page.fill("input[name=q]", "object detector with mAP above 30 on COCO")
    page.keyboard.press("Enter")
    page.wait_for_selector(".hit")
    assert "q=object+detector" in page.url  # the search is a link
    titles = page.locator(".hit-title").all_inner_texts()
    assert titles and page.locator(".chip.interp").count() >= 1
    assert all("openvino" in t for t in page.locator(".hit .badges").all_inner_texts()[:5])
    shot(page, "search")


def test_click_a_facet_then_click_it_again(page) -> None:
    page.goto("/?q=image+classification")
    before = total(page)
    value = page.locator('[data-facet="library"] a.fv').first
    name = value.get_attribute("data-value")
    value.click()
    page.wait_for_load_state()
    after = total(page)
    assert 0 < after < before
    selected = page.locator('[data-facet="library"] a.fv.on')
    assert selected.get_attribute("data-value") == name
    shot(page, "facets")
    selected.click()
    page.wait_for_load_state()
    assert total(page) == before and page.locator('[data-facet="library"] a.fv.on').count() == 0


def test_set_a_metric_constraint(page) -> None:
    page.goto("/?q=detector")
    page.fill("input[name=m_metric]", "map")
    page.select_option("select[name=m_op]", ">=")
    page.fill("input[name=m_value]", "35")
    page.fill("input[name=m_dataset]", "COCO")
    page.check("input[name=m_sort]")
    page.click("#metric-form button")
    page.wait_for_selector("#active")
    assert "metric map>=35@COCO" in page.locator("#active").inner_text()
    values = [float(v.rstrip("%")) for v in page.locator(".hit .metrics b").all_inner_texts()]
    assert values and all(v >= 35 for v in values) and values == sorted(values, reverse=True)


def test_open_an_asset_page(page) -> None:
    page.goto("/?q=faster+rcnn+resnet50+coco")
    page.locator(".hit-title").first.click()
    page.wait_for_selector("h1")
    assert "/assets/" in page.url
    assert page.locator("#evaluations table tbody tr").count() >= 1
    assert page.locator("#similar li").count() >= 1
    assert page.locator("#license-lineage .badge").first.inner_text() in ("clean", "conflict", "unknown")
    shot(page, "asset")


def test_compare_two_models_and_see_the_plot(page) -> None:
    page.goto("/?q=object+detector+coco&filter=kind%3Dmodel")
    button = page.locator("#compare-button")
    assert button.is_disabled()
    boxes = page.locator(".hit input[name=ids]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    assert button.is_enabled()
    button.click()
    page.wait_for_selector(".compare")
    assert "/compare?ids=" in page.url
    assert page.locator("svg.chart").count() >= 1
    assert "higher is better" in page.content()
    shot(page, "compare")


def test_upload_a_csv_and_see_union_results_with_alignment(page, lake_query: Path) -> None:
    page.goto("/tables")
    page.set_input_files("#upload-file", str(lake_query))
    page.click("#upload-form button")
    page.wait_for_selector("#union-hits")
    assert page.locator(".union-hit").count() >= 1
    assert "↔" in page.locator(".union-hit table.align").first.inner_text()
    shot(page, "tables")


def test_a_broken_upload_shows_its_error(page, tmp_path: Path) -> None:
    bad = tmp_path / "broken.csv"
    bad.write_bytes(b"\x00\xff\x00" * 50)
    page.goto("/tables")
    page.set_input_files("#upload-file", str(bad))
    page.click("#upload-form button")
    page.wait_for_selector("#table-error")
    assert "cannot read" in page.locator("#table-error").inner_text()


def test_the_hostile_card_renders_inert(page) -> None:
    page.goto("/assets/hf:model/evil/xss-model")
    page.wait_for_selector(".card-body")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    for link in page.locator(".card-body a").all():
        assert (link.get_attribute("href") or "").startswith(("https://", "http://", "mailto:"))
    assert "<script>" in page.locator(".card-body").inner_text()  # visible as text
    shot(page, "xss-card")
