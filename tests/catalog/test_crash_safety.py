"""A real ingest process killed midway leaves the previous catalog readable and consistent."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assetscout.catalog.queries import CatalogQueries


def _counts(catalog) -> tuple[int, int, int]:
    con = catalog.connect()
    try:
        return con.execute(
            "SELECT (SELECT count(*) FROM asset), (SELECT count(*) FROM record), "
            "(SELECT count(*) FROM evaluation)"
        ).fetchone()
    finally:
        con.close()


def test_killed_ingest_leaves_previous_catalog(tmp_path: Path, shared_data: Path, catalog) -> None:
    from assetscout.catalog.ingest import ingest

    small = shared_data / "cards" / "helm_model_metadata"
    ingest([small], catalog)
    before = _counts(catalog)
    assert before[0] > 500

    big = shared_data / "cards" / "hf_dataset_cards_2023"
    cmd = [sys.executable, "-m", "assetscout.cli", "ingest", str(big), "--catalog", str(catalog.root), "--quiet"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    # wait until the writer has its working copy and is well into the files
    while time.monotonic() < deadline and not list(catalog.root.glob(".catalog.duckdb.writing-*")):
        time.sleep(0.05)
    time.sleep(2.0)
    assert proc.poll() is None, "ingest finished before it could be killed; use a bigger input"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    assert _counts(catalog) == before  # previous catalog, readable
    q = CatalogQueries.open(catalog)
    try:
        assert q.con.execute("SELECT count(*) FROM asset WHERE source = 'helm'").fetchone()[0] == before[0]
    finally:
        q.close()

    # the next writer cleans the dead writer's copy and lock, and works
    report = ingest([small], catalog)
    assert report.sources["helm"].files_unchanged == 1
    assert not list(catalog.root.glob(".catalog.duckdb.writing-*"))
    assert _counts(catalog) == before


def test_a_second_writer_is_told_which_pid_holds_the_catalog(catalog) -> None:
    from assetscout.catalog.store import open_catalog
    from assetscout.embed.fake import HashingEncoder
    from assetscout.errors import CatalogError
    from assetscout.search.build import build_search_index

    with catalog.writing():
        with pytest.raises(CatalogError, match=rf"locked by pid {os.getpid()} \(an ingest is writing it\)"):
            with open_catalog(catalog.root).writing():
                pass
    with catalog.writing():  # released: the next writer gets it
        pass
    from assetscout.catalog.store import pid_lock
    from assetscout.search.build import SEARCH_LOCK

    with pid_lock(catalog.root / SEARCH_LOCK, "a search index build is running"):
        with pytest.raises(CatalogError, match=rf"locked by pid {os.getpid()} \(a search index build is running"):
            build_search_index(catalog, HashingEncoder())
