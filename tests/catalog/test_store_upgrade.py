"""A catalog written before a column existed: refused with what to do, brought up to date by an ingest."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from assetscout.catalog.ingest import ingest
from assetscout.catalog.store import open_catalog
from assetscout.errors import CatalogError


def test_a_catalog_of_an_older_version_is_refused_with_what_to_do_then_upgraded_by_ingest(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus_pwc_datasets.jsonl"
    corpus.write_text('{"id": "MNIST", "contents": "Digits."}\n')
    catalog = open_catalog(tmp_path / "cat")
    ingest([corpus], catalog)
    old = duckdb.connect(str(catalog.db_path))  # as written before referenced_by existed
    old.execute("DROP VIEW asset_view")
    old.execute("ALTER TABLE asset DROP COLUMN referenced_by")
    old.close()
    with pytest.raises(CatalogError, match=r"older assetscout \(it lacks asset.referenced_by\).*assetscout ingest"):
        catalog.connect()
    ingest([corpus], catalog)  # unchanged source: nothing re-read, the catalog rewritten in the current format
    con = catalog.connect()
    assert con.execute("SELECT name, referenced_by FROM asset_view").fetchall() == [("MNIST", 0)]
