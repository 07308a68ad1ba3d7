"""Load benchmark: `assetscout serve` on a catalog, driven from 127.0.0.1 by concurrent clients.

    assetscout eval load --catalog DIR [--clients 50] [--seconds 60] [--json]

Starts the real server (a subprocess, as a user runs it), waits for /health, then runs
`--clients` closed-loop clients for `--seconds`: each sends a request, waits for the
answer, sends the next. The mix: 60% search (distinct texts from a list of 200, with and
without filters; with --distinct every text is new), 15% facets, 15% asset pages (ids the
searches returned), 10% union queries (table ids of the catalog; asset pages instead when
it has no tables). Reports throughput,
p50/p95/p99 per request type, errors (any status >= 500, or a failed connection), and the
server's RSS before and after (growth beyond `--rss-growth-mib` fails the run).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

WORDS = ("sentence embedding", "image classification", "object detection", "speech recognition", "question answering",
         "translation", "summarization", "sentiment", "named entity", "retrieval", "multilingual", "small", "fast",
         "imagenet", "coco", "text generation", "segmentation", "depth estimation", "tabular", "time series")
FILTERS = ("license_class=permissive", "kind=model", "kind=dataset", "max_parameters=100M", "commercial_use=true")


def _rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def _drive(base: str, clients: int, seconds: float, seed: int, distinct: bool) -> dict[str, Any]:
    import httpx

    rng = random.Random(seed)
    texts = [f"{rng.choice(WORDS)} {rng.choice(WORDS)}" for _ in range(200)]
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=httpx.Limits(max_connections=clients)) as c:
        first = (await c.get("/search", params={"q": "model", "k": 50})).json()
        asset_ids = [h["asset_id"] for h in first.get("hits", [])] or ["none"]
        tables = (await c.get("/search", params={"kind": "table", "k": 50})).json().get("hits", [])
        table_ids = [h["asset_id"] for h in tables]
        latencies: dict[str, list[float]] = {"search": [], "facets": [], "asset": [], "union": []}
        errors: dict[str, int] = {}
        deadline = time.monotonic() + seconds

        counter = iter(range(10**9))

        def text(r: random.Random) -> str:
            # distinct: every search text is new (nothing cached can answer it); else drawn from 200
            return f"{r.choice(WORDS)} {r.choice(WORDS)} {next(counter)}" if distinct else r.choice(texts)

        async def one(r: random.Random) -> None:
            while time.monotonic() < deadline:
                roll = r.random()
                if roll < 0.6:
                    kind, params = "search", {"q": text(r), "k": 10}
                    if r.random() < 0.4:
                        params["filter"] = r.choice(FILTERS)
                    req = c.get("/search", params=params)
                elif roll < 0.75:
                    kind, req = "facets", c.get("/facets", params={"q": text(r)})
                elif roll < 0.9 or not table_ids:
                    kind, req = "asset", c.get(f"/assets/{r.choice(asset_ids)}")
                else:
                    kind, req = "union", c.post("/tables/union", json={"table_id": r.choice(table_ids), "k": 5})
                t0 = time.perf_counter()
                try:
                    resp = await req
                    failed = resp.status_code >= 500
                except httpx.HTTPError as exc:
                    failed, resp = True, None
                    errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                latencies[kind].append((time.perf_counter() - t0) * 1000)
                if failed and resp is not None:
                    errors[str(resp.status_code)] = errors.get(str(resp.status_code), 0) + 1

        started = time.monotonic()
        await asyncio.gather(*(one(random.Random(seed * 1000 + i)) for i in range(clients)))
        elapsed = time.monotonic() - started
    every = [v for vs in latencies.values() for v in vs]
    return {"requests": len(every), "seconds": round(elapsed, 1), "throughput_rps": round(len(every) / elapsed, 1),
            "errors": errors, "error_count": sum(errors.values()),
            "latency_ms": {k: {"n": len(v), "p50": round(_pct(v, 50), 1), "p95": round(_pct(v, 95), 1),
                               "p99": round(_pct(v, 99), 1)} for k, v in {"all": every, **latencies}.items() if v}}


def run(catalog: Path, clients: int, seconds: float, seed: int = 0, extra_args: tuple[str, ...] = (),
        progress: bool = True, distinct: bool = False) -> dict[str, Any]:
    import httpx

    say = (lambda m: print(f"load: {m}", file=sys.stderr, flush=True)) if progress else (lambda m: None)
    port = _free_port()
    cmd = [sys.executable, "-m", "assetscout.cli", "serve", "--catalog", str(catalog), "--port", str(port), *extra_args]
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "HF_HUB_OFFLINE": "1"})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start: {' '.join(cmd)}")
            time.sleep(0.3)
        httpx.get(f"{base}/search", params={"q": "warm up the encoder"}, timeout=120)  # model weights load once
        rss_before = _rss_mib(server.pid)
        say(f"server up (RSS {rss_before:.0f} MiB); {clients} clients for {seconds:.0f} s")
        out = asyncio.run(_drive(base, clients, seconds, seed, distinct))
        out.update({"clients": clients, "distinct_texts": distinct, "rss_mib_before": round(rss_before, 1),
                    "rss_mib_after": round(_rss_mib(server.pid), 1), "server": " ".join(cmd[2:])})
        return out
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="assetscout eval load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--catalog", type=Path, required=True, help="an indexed catalog (e.g. the demo's)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rss-growth-mib", type=float, default=300, help="largest RSS growth that passes")
    parser.add_argument("--distinct", action="store_true",
                        help="every search/facet text new (no cached answer or query vector can serve it)")
    parser.add_argument("--baseline", action="store_true",
                        help="first run the same load against a server without the answer cache (--cache-mib 0)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    baseline = (run(args.catalog, args.clients, args.seconds, args.seed, ("--cache-mib", "0"), distinct=args.distinct)
                if args.baseline else None)
    out = run(args.catalog, args.clients, args.seconds, args.seed, distinct=args.distinct)
    if baseline is not None:
        out["baseline_no_cache"] = baseline
    growth = out["rss_mib_after"] - out["rss_mib_before"]
    out["rss_growth_ok"] = growth <= args.rss_growth_mib
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        for label, res in (("baseline, no answer cache", out.get("baseline_no_cache")), ("assetscout serve", out)):
            if res is None:
                continue
            print(f"{label}: {res['throughput_rps']} req/s, {res['error_count']} errors, "
                  f"RSS {res['rss_mib_before']} -> {res['rss_mib_after']} MiB")
            for kind, lat in res["latency_ms"].items():
                print(f"  {kind:<7} n={lat['n']:<6} p50 {lat['p50']:>7} ms  p95 {lat['p95']:>7} ms  p99 {lat['p99']:>7} ms")
    return 0 if out["error_count"] == 0 and out["rss_growth_ok"] else 1
