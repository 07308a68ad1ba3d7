"""Regression: re-ingesting a changed file followed by an unchanged one crashed the flush.

DuckDB 2 keeps a result that was not read to its end (the file_state lookup's
`fetchone()`) open, and the flush's `register()` then failed with "connection has an
unfinished result from execute()".
"""

from __future__ import annotations

from pathlib import Path

from assetscout.catalog.ingest import ingest


def test_changed_file_before_an_unchanged_one(tmp_path: Path, catalog) -> None:
    lake = tmp_path / "lake"
    lake.mkdir()
    (lake / "a.csv").write_text("x,y\n1,2\n", encoding="utf-8")
    (lake / "b.csv").write_text("x,y\n1,2\n", encoding="utf-8")
    ingest([lake], catalog)
    (lake / "a.csv").write_text("x,y\n1,3\n", encoding="utf-8")
    report = ingest([lake], catalog)
    src = report.sources["table_file"]
    assert (src.files_read, src.files_unchanged, src.assets_updated) == (1, 1, 1)
