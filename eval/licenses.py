"""License compliance across lineage over a whole catalog: counts by status, kind and rule.

Runs the check afresh (catalog/graph/compliance.py), compares it with what the last
ingest stored (the facets' source: they must agree), and with --sample N draws N assets
of each status (fixed seed) with their findings, for a hand check of precision.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any, Sequence

from assetscout.errors import AssetScoutError, InvalidInput


def run(catalog: Any, *, sample: int = 0, seed: int = 0) -> dict[str, Any]:
    from assetscout.catalog.graph.compliance import check_all, summarize

    con = catalog.connect()
    try:
        started = time.monotonic()
        checks = check_all(con)
        seconds = time.monotonic() - started
        stored = dict(con.execute("SELECT asset_id, license_lineage FROM asset").fetchall())
    finally:
        con.close()
    out = summarize(checks)
    out["seconds"] = round(seconds, 2)
    out["stored_status_agrees"] = sum(stored.get(c.asset_id) == c.status for c in checks)
    if sample:
        rng = random.Random(seed)
        out["sample"] = {}
        for status in ("conflict", "clean"):
            pool = [c for c in checks if c.status == status]
            picked = rng.sample(pool, min(sample, len(pool)))
            out["sample"][status] = [{"asset_id": c.asset_id, "license": c.license,
                                      "ancestors": c.ancestors_checked, "datasets": c.datasets_checked,
                                      "findings": [f"[{f.severity}] {f.rule}: {f.message}" for f in c.findings]}
                                     for c in picked]
    return out


def format_result(r: dict[str, Any]) -> str:
    lines = [f"{r['assets']:,} assets checked in {r['seconds']} s ({r['stored_status_agrees']:,} agree with the "
             "status the last ingest stored)",
             "status: " + ", ".join(f"{k} {v:,}" for k, v in r["by_status"].items())
             + f"; safe for commercial use across lineage: {r['commercial_use_across_lineage']:,}",
             f"with ancestors: {r['with_ancestors']:,}; with training datasets: {r['with_training_data']:,}",
             "by rule (findings / assets):"]
    for rule, v in r["findings_by_rule"].items():
        lines.append(f"  {v['severity']:<9}{rule:<32}{v['findings']:>8,}{v['assets']:>8,}  {v['meaning']}")
    for status, items in r.get("sample", {}).items():
        lines.append(f"\nsample of {len(items)} {status} assets:")
        for it in items:
            lines.append(f"  {it['asset_id']}  ({it['license']}; {it['ancestors']} ancestors, "
                         f"{it['datasets']} training datasets)")
            for f in it["findings"]:
                if not f.startswith("[unknown]") or status == "clean":
                    lines.append(f"      {f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="assetscout eval licenses", description=__doc__.split("\n\n")[0])
    p.add_argument("--catalog", type=Path, default=None, metavar="DIR", help="the catalog (default: the configured one)")
    p.add_argument("--sample", type=int, default=0, metavar="N", help="also list N conflict and N clean assets")
    p.add_argument("--seed", type=int, default=0, help="seed of the sample")
    p.add_argument("--json", action="store_true", help="print JSON")
    a = p.parse_args(argv)
    try:
        if a.sample < 0:
            raise InvalidInput(f"--sample must be >= 0, got {a.sample}")
        from assetscout.catalog.store import open_catalog
        from assetscout.config import default_catalog_dir

        result = run(open_catalog(a.catalog or default_catalog_dir()), sample=a.sample, seed=a.seed)
    except AssetScoutError as exc:
        print(f"assetscout: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, InvalidInput) else 1
    if a.json:
        json.dump(result, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(format_result(result))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
