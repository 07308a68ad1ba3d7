"""`assetscout eval pages` prints a latency row per page kind (here: the page-test catalog, server only)."""

from __future__ import annotations

import re
from pathlib import Path

from assetscout.eval import pages


def test_prints_latency_rows_beside_the_api_baseline(web_catalog: Path, capsys) -> None:
    assert pages.main(["--catalog", str(web_catalog), "--rounds", "1", "--no-browser"]) == 0
    out = capsys.readouterr().out
    for kind in ("search", "asset", "compare", "tables (union + join)", "GET /search JSON (baseline)"):
        row = re.search(rf"^{re.escape(kind)}\s+([\d.]+)\s+([\d.]+)\s+(\d+)$", out, re.M)
        assert row, (kind, out)
        assert float(row.group(1)) > 0 and int(row.group(3)) >= 1
    assert "search page / API p50 ratio" in out


def test_a_missing_catalog_is_a_clear_error(tmp_path: Path, capsys) -> None:
    assert pages.main(["--catalog", str(tmp_path / "none"), "--rounds", "1", "--no-browser"]) == 2
    assert "no catalog at" in capsys.readouterr().err
