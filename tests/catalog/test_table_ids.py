"""Two table files whose last path parts match are two tables, each with its own id."""

from __future__ import annotations

from pathlib import Path

from assetscout.catalog.ingest import ingest
from assetscout.embed.fake import HashingEncoder
from assetscout.tables.catalog_index import update_table_index


def _tables(catalog) -> dict[str, str]:
    con = catalog.connect()
    try:
        return dict(con.execute("SELECT asset_id, source_uri FROM asset WHERE kind = 'table'").fetchall())
    finally:
        con.close()


def test_same_named_tables_in_two_lakes_stay_apart_and_keep_their_ids(tmp_path: Path, catalog) -> None:
    a = tmp_path / "a" / "x" / "y" / "z.csv"
    b = tmp_path / "b" / "x" / "y" / "z.csv"
    for path, text in ((a, "city,pop\nParis,1\nRome,2\n"), (b, "fruit,price\napple,1\npear,2\n")):
        path.parent.mkdir(parents=True)
        path.write_text(text)
    ingest([tmp_path / "a", tmp_path / "b"], catalog)
    # the first keeps the short id; the second grows by one path part (they were one merged asset)
    assert _tables(catalog) == {"table:x/y/z.csv": str(a), "table:b/x/y/z.csv": str(b)}
    report = update_table_index(catalog, HashingEncoder(), progress=False)
    assert report.tables == 2 and not report.rejected

    b.write_text("fruit,price\napple,1\npear,2\nfig,3\n")  # a change re-reads b: same id, nothing duplicated
    ingest([tmp_path / "a", tmp_path / "b"], catalog)
    assert _tables(catalog) == {"table:x/y/z.csv": str(a), "table:b/x/y/z.csv": str(b)}
