"""Crash benchmark: `assetscout ingest` and `assetscout index` killed with SIGKILL at random points.

    assetscout eval crash --runs 20 [--cards 300] [--seed 0] [--json]

A base catalog (HELM model metadata, ingested and indexed) and a reference (the base plus
`--cards` HF dataset cards, ingested and indexed to completion) are built once. Each run
copies the base, starts the real CLI (an ingest of the cards, or an index build after
that ingest completed), kills it with SIGKILL after a random delay within the command's
measured duration, then checks that
  1. the catalog opens, and search answers from the last complete state (the asset count
     is the state before or after the killed command, and the loaded index is complete:
     its vectors cover exactly the assets its manifest names);
  2. no partial index is ever loaded (a folder without its manifest is never read);
  3. re-running the command to completion converges to exactly the reference: the same
     (asset id, content hash) set and the same top-10 for fixed queries.
Progress and each run's outcome go to stderr; the summary to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

QUERIES = ("question answering in Spanish", "large language model", "image classification dataset")


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "assetscout.cli", *args]


def _run(cmd: list[str]) -> float:
    t0 = time.monotonic()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env={**os.environ, "HF_HUB_OFFLINE": "1"})
    return time.monotonic() - t0


def _state(root: Path) -> dict[str, Any]:
    """What a reader sees: asset hashes, index coverage, and the top hits of QUERIES."""
    from assetscout.catalog.store import open_catalog
    from assetscout.search.engine import SearchEngine
    from assetscout.search.query import Query

    con = open_catalog(root).connect()
    try:
        hashes = dict(con.execute("SELECT asset_id, content_hash FROM asset").fetchall())
    finally:
        con.close()
    engine = SearchEngine.open(root)
    try:
        manifest = engine.manifest or {}
        vectors = 0 if engine._cards is None else len(engine._cards)  # noqa: SLF001 -- the loaded index itself
        tops = [[h.asset_id for h in engine.search(Query.build(text=q, k=10, interpret=False)).hits] for q in QUERIES]
    finally:
        engine.close()
    return {"hashes": hashes, "index_assets": manifest.get("assets"), "vectors": vectors, "tops": tops}


def _cards(shared: Path, n: int, dest: Path) -> Path:
    src = shared / "cards" / "hf_dataset_cards_2023" / "cards"
    dest.mkdir(parents=True)
    for p in sorted(src.glob("*.md"))[:n]:
        shutil.copyfile(p, dest / p.name)
    return dest


def run(shared: Path, runs: int, cards: int, seed: int, work: Path, progress: bool = True) -> dict[str, Any]:
    say = (lambda m: print(f"crash: {m}", file=sys.stderr, flush=True)) if progress else (lambda m: None)
    rng = random.Random(seed)
    helm = shared / "cards" / "helm_model_metadata" / "model_metadata.yaml"
    lake = _cards(shared, cards, work / "source" / "hf_cards")
    base, ref = work / "base", work / "reference"
    say("building the base catalog (HELM) and the reference (base + cards)")
    _run(_cli("ingest", str(helm), "--catalog", str(base), "--index", "--quiet"))
    shutil.copytree(base, ref)
    t_ingest = _run(_cli("ingest", str(lake), "--catalog", str(ref), "--no-index", "--quiet"))
    t_index = _run(_cli("index", "--catalog", str(ref), "--quiet"))
    before, reference = _state(base), _state(ref)
    say(f"ingest takes {t_ingest:.1f} s, index {t_index:.1f} s; {len(reference['hashes']):,} assets in the reference")
    outcomes: list[dict[str, Any]] = []
    for r in range(1, runs + 1):
        target = work / f"run{r}"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(base, target)
        action = "ingest" if r % 2 else "index"
        if action == "index":
            _run(_cli("ingest", str(lake), "--catalog", str(target), "--no-index", "--quiet"))
            cmd, duration = _cli("index", "--catalog", str(target), "--quiet"), t_index
        else:
            cmd, duration = _cli("ingest", str(lake), "--catalog", str(target), "--no-index", "--quiet"), t_ingest
        delay = rng.uniform(0.05, 1.0) * duration
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env={**os.environ, "HF_HUB_OFFLINE": "1"})
        time.sleep(delay)
        finished = proc.poll() is not None
        if not finished:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        problems: list[str] = []
        try:
            seen = _state(target)
        except Exception as exc:  # noqa: BLE001 -- the benchmark reports what failed
            problems.append(f"after the kill the catalog/index does not open: {type(exc).__name__}: {exc}")
            seen = None
        if seen is not None:
            if seen["hashes"] not in (before["hashes"], reference["hashes"]):
                problems.append(f"asset state is neither before nor after ({len(seen['hashes'])} assets)")
            if seen["index_assets"] is not None and seen["vectors"] != seen["index_assets"]:
                problems.append(f"a partial index was loaded: {seen['vectors']} vectors for {seen['index_assets']} assets")
            if seen["index_assets"] not in (before["index_assets"], reference["index_assets"]):
                problems.append(f"index of {seen['index_assets']} assets is neither the old nor the new one")
        _run(_cli("ingest", str(lake), "--catalog", str(target), "--quiet"))  # the re-run, index included
        again = _state(target)
        if again["hashes"] != reference["hashes"]:
            problems.append("the re-run did not converge to the reference catalog (assets or content hashes differ)")
        if again["tops"] != reference["tops"] or again["index_assets"] != reference["index_assets"]:
            problems.append("the re-run's search index differs from the reference")
        outcomes.append({"run": r, "killed": action, "after_s": round(delay, 2), "had_finished": finished,
                         "survived": not problems, "problems": problems})
        say(f"run {r}/{runs}: {action} killed after {delay:.2f} s"
            f"{' (it had already finished)' if finished else ''}: {'ok' if not problems else '; '.join(problems)}")
        shutil.rmtree(target, ignore_errors=True)
    killed = [o for o in outcomes if not o["had_finished"]]
    return {"runs": runs, "killed_mid_work": len(killed), "survived": sum(o["survived"] for o in outcomes),
            "ingest_seconds": round(t_ingest, 2), "index_seconds": round(t_index, 2),
            "assets": len(reference["hashes"]), "outcomes": outcomes}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="assetscout eval crash", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cards", type=int, default=300, help="HF dataset cards ingested by each killed command")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--shared-data", type=Path,
                        default=Path(os.environ.get("ASSETSCOUT_SHARED_DATA", Path.cwd().parent / "shared" / "data")))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not (args.shared_data / "cards").is_dir():
        parser.error(f"shared data not found at {args.shared_data} (pass --shared-data)")
    with tempfile.TemporaryDirectory(prefix="assetscout-crash-") as tmp:
        out = run(args.shared_data, args.runs, args.cards, args.seed, Path(tmp))
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print(f"{out['survived']}/{out['runs']} runs survived ({out['killed_mid_work']} killed mid-work; ingest "
              f"{out['ingest_seconds']} s, index {out['index_seconds']} s, {out['assets']:,} assets)")
    return 0 if out["survived"] == out["runs"] else 1
