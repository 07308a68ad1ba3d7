"""Page latency: how fast a person sees each page, on a real server over a catalog.

    assetscout eval pages --catalog CATALOG [--rounds 5] [--no-browser]

Starts the app under uvicorn on a free local port and, after one warm-up round, times
every page of a fixed set of searches (typed needs with and without constraints, facet
and metric-filtered views), asset pages of the top hits, a compare of two hits and a
catalog-table union search:

- server: time until the whole HTML is received (httpx), beside GET /search JSON for the
  same query in the same round — the baseline, so the page's own cost reads as a ratio;
- browser (when a Chromium and Playwright are installed): from navigation start to
  DOMContentLoaded in a fresh tab (HTML received and parsed, the stylesheet loaded: the
  page's script is deferred, so this is when the page can paint), and first contentful
  paint where headless Chromium reports one (it often does not for background tabs).

Prints p50 / p95 per page kind. The issue's target: search first paint p95 < 300 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Sequence
from urllib.parse import quote, urlencode

SEARCHES = [
    "sentence embedding model for retrieval", "object detector under 20M parameters with mAP above 30 on COCO",
    "image classifier with top-1 above 80 on ImageNet", "apache licensed text classification model",
    "question answering dataset", "speech recognition", "small multilingual model", "tflite mobile model",
    "summarization dataset in english", "",
]
VIEWS = [{"q": "image classification", "filter": "license_class=permissive"},
         {"q": "detector", "metric": "map>=30@COCO", "sort": "metric:map@COCO"}]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _row(name: str, values: list[float]) -> str:
    if not values:
        return f"{name:<28} {'–':>8} {'–':>8} {0:>6}"
    return f"{name:<28} {statistics.median(values):8.1f} {_pct(values, 0.95):8.1f} {len(values):>6}"


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="assetscout eval pages", description=__doc__.split("\n\n")[0])
    p.add_argument("--catalog", required=True, type=Path, help="an indexed catalog (e.g. the demo's)")
    p.add_argument("--rounds", type=int, default=5, help="timed rounds over the page set (default 5)")
    p.add_argument("--no-browser", action="store_true", help="server timings only")
    args = p.parse_args(argv)
    if args.rounds < 1:
        p.error(f"--rounds must be at least 1, got {args.rounds}")
    import httpx

    from assetscout.search.app import AppSettings, create_app, serve_in_background

    app = create_app(AppSettings(catalog_dir=args.catalog))
    html = {"Accept": "text/html"}
    with serve_in_background(app) as base, httpx.Client(base_url=base, timeout=120) as client:
        pages: list[tuple[str, str]] = [("search", "/?" + urlencode({"q": q})) for q in SEARCHES]
        pages += [("search (facet / metric)", "/?" + urlencode(v)) for v in VIEWS]
        answer = client.get("/search", params={"q": "image classification model", "k": 4, "facets": "false"})
        if answer.status_code != 200:  # no catalog or no index there: the server's message says which
            message = answer.json().get("error", {}).get("message", answer.text[:300])
            print(f"eval pages: cannot search {args.catalog}: {message}", file=sys.stderr)
            return 2
        top = answer.json()
        ids = [h["asset_id"] for h in top["hits"]]
        pages += [("asset", "/assets/" + quote(i, safe=":/@")) for i in ids[:3]]
        if len(ids) >= 2:
            pages.append(("compare", "/compare?" + urlencode([("ids", i) for i in ids[:2]])))
        lake = _table_ids(client)  # the catalog tables the page offers (none: no table index)
        if lake:
            pages.append(("tables (union + join)", "/tables?" + urlencode({"table_id": lake[0]})))
        print(f"eval pages: {len(pages)} pages x {args.rounds} rounds on {args.catalog} ({base})", file=sys.stderr)
        for _, url in pages:  # warm-up: model load, first queries
            client.get(url, headers=html)
        server: dict[str, list[float]] = {}
        api: list[float] = []
        for r in range(args.rounds):
            for kind, url in pages:
                t0 = time.perf_counter()
                resp = client.get(url, headers=html)
                ms = 1000 * (time.perf_counter() - t0)
                if resp.status_code != 200:
                    print(f"  {url}: HTTP {resp.status_code}", file=sys.stderr)
                server.setdefault(kind, []).append(ms)
                if kind == "search":
                    q = dict(httpx.QueryParams(url[2:]))
                    t0 = time.perf_counter()
                    client.get("/search", params={"q": q.get("q", ""), "k": 20, "explain": "true"})
                    api.append(1000 * (time.perf_counter() - t0))
            print(f"  round {r + 1}/{args.rounds} done", file=sys.stderr)
        paint = {} if args.no_browser else _browser_paint(base, pages, args.rounds)
    print(f"\n{'server: full HTML (ms)':<28} {'p50':>8} {'p95':>8} {'n':>6}")
    for kind, values in server.items():
        print(_row(kind, values))
    print(_row("GET /search JSON (baseline)", api))
    if server.get("search") and api:
        print(f"search page / API p50 ratio: {statistics.median(server['search']) / statistics.median(api):.2f}")
    if paint:
        print(f"\n{'browser (ms)':<28} {'p50':>8} {'p95':>8} {'n':>6}   (first contentful paint where headless "
              "Chromium reports it; DOM ready = HTML parsed and stylesheet applied, from navigation start)")
        for kind, values in paint.items():
            print(_row(kind, values))
    elif not args.no_browser:
        print("\nbrowser timings skipped: no Chromium / Playwright (see tests/search/web/test_browser.py)")
    return 0


def _table_ids(client) -> list[str]:
    import re

    page = client.get("/tables", headers={"Accept": "text/html"}).text
    return [m.replace("&amp;", "&") for m in re.findall(r'<option value="([^"]+)"', page)][:1]


def _browser_paint(base: str, pages: list[tuple[str, str]], rounds: int) -> dict[str, list[float]]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {}
    import os
    import shutil

    path = next((c for c in (os.environ.get("ASSETSCOUT_CHROMIUM", ""), "/usr/lib/chromium/chromium",
                             shutil.which("chromium") or "") if c and os.access(c, os.X_OK)), None)
    if path is None:
        return {}
    out: dict[str, list[float]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context()
        warm = context.new_page()
        warm.goto(base + "/")  # the stylesheet and script cached, as a returning user has them
        for _ in range(rounds):
            for kind, url in pages:
                page = context.new_page()  # a fresh tab per page: paint entries are per document
                page.goto(base + url, wait_until="load")
                fcp = page.evaluate("(performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime")
                dcl = page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
                if isinstance(fcp, (int, float)):
                    out.setdefault(kind, []).append(float(fcp))
                if isinstance(dcl, (int, float)):
                    out.setdefault(kind + " (DOM ready)", []).append(float(dcl))
                page.close()
        browser.close()
    return out


if __name__ == "__main__":
    raise SystemExit(main())
