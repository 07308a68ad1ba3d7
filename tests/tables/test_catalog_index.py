"""A catalog's table indexes: built from ingested tables, searched by id and by file, grown incrementally."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assetscout.catalog.ingest import ingest
from assetscout.catalog.store import open_catalog
from assetscout.embed.fake import HashingEncoder
from assetscout.errors import CatalogError, InvalidInput, NotFound, NotInCatalog
from assetscout.tables.catalog_index import read_sources, tables_dir, update_table_index
from assetscout.tables.catalog_search import CatalogTables, NoTables

ENCODER = HashingEncoder()


class NoEncoding(HashingEncoder):
    """Proves an update encoded nothing."""

    def _encode(self, texts, *, batch_size, progress):  # noqa: ANN001, ANN202
        raise AssertionError(f"encoded {len(texts)} texts")


def tid(lake: Path, name: str) -> str:
    return f"table:{lake.parent.name}/{lake.name}/{name}"


def build(lake: Path, cat_dir: Path, encoder=ENCODER):  # noqa: ANN001, ANN202
    catalog = open_catalog(cat_dir)
    report = ingest([lake], catalog)
    assert report.anything_read
    return catalog, update_table_index(catalog, encoder, progress=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory, tiny_lake_writer):
    root = tmp_path_factory.mktemp("tables")
    lake = tiny_lake_writer(root / "lake")
    catalog, report = build(lake, root / "cat")
    tables = CatalogTables.open(catalog.root)
    yield lake, catalog, report, tables
    tables.close()


def test_ingest_builds_both_indexes_under_the_catalog(built):
    lake, catalog, report, _ = built
    assert report.mode == "rebuilt" and report.added == 5 and not report.rejected
    assert report.tables == 4 and report.columns == 11  # empty.csv has no value to index
    d = tables_dir(catalog.root)
    manifest = json.loads((d / "manifest.json").read_text())
    assert manifest["format"] == "assetscout.union-index" and manifest["catalog_tables"]["format_version"] == 1
    assert (d / "lake" / "join" / "values.duckdb").is_file() and (d / "lake" / "profiles.duckdb").is_file()
    status = {s.asset_id: s.status for s in read_sources(d)}
    assert status[tid(lake, "empty.csv")] == "no_values" and status[tid(lake, "cities.csv")] == "indexed"
    assert not list(d.rglob("*.pkl")) and not list(catalog.root.glob(".tables.[bo]*"))
    con = catalog.connect()
    kinds = dict(con.execute("SELECT kind, count(*) FROM asset GROUP BY kind").fetchall())
    cols = [r[0] for r in con.execute("SELECT name FROM col WHERE asset_id = ? ORDER BY ordinal",
                                      [tid(lake, "towns.tsv")]).fetchall()]
    con.close()
    assert kinds == {"table": 5} and cols == ["town", "nation", "people"]


def test_an_unchanged_catalog_reads_and_encodes_nothing(built):
    _, catalog, _, _ = built
    again = update_table_index(catalog, NoEncoding(), progress=False)
    assert again.mode == "unchanged" and again.added == 0 and again.tables == 4


def test_union_by_id_aligns_columns_and_excludes_the_query(built):
    lake, _, _, tables = built
    result = tables.union(tid(lake, "cities.csv"), ENCODER, k=3)
    assert result.hits[0].table == tid(lake, "towns.tsv")
    assert tid(lake, "cities.csv") not in {h.table for h in result.hits}
    pairs = {(m.query_column, m.candidate_column) for m in result.hits[0].alignment}
    assert pairs == {("city", "town"), ("country", "nation"), ("population", "people")}
    out = result.to_dict()
    assert out["query"]["table_id"] == tid(lake, "cities.csv") and out["hits"][0]["path"].endswith("towns.tsv")
    assert {"cosine", "value_overlap", "name_similarity", "type_compatibility"} <= set(out["hits"][0]["alignment"][0])
    assert json.dumps(out)


def test_union_by_file_outside_and_inside_the_catalog(built, tmp_path):
    lake, _, _, tables = built
    copy = tmp_path / "mine.csv"
    shutil.copy(lake / "cities.csv", copy)
    outside = tables.union(str(copy), ENCODER, k=2)
    assert outside.query.table_id is None and outside.hits[0].table == tid(lake, "cities.csv")
    assert outside.hits[0].column_score == pytest.approx(1.0)
    inside = tables.union(str(lake / "cities.csv"), ENCODER, k=2)  # the catalog's own file: itself left out
    assert inside.query.table_id == tid(lake, "cities.csv") and inside.hits[0].table == tid(lake, "towns.tsv")


def test_join_by_id_and_by_file_counts_exact_overlap(built, tmp_path):
    lake, _, _, tables = built
    result = tables.join(tid(lake, "cities.csv"), "COUNTRY", k=5)  # names match case-insensitively
    best = result.hits[0]
    assert (best.table, best.column, best.containment, best.overlap) == (tid(lake, "countries.parquet"), "country",
                                                                         1.0, 10)
    assert best.exact and best.size == 13 and result.distinct_values == 10 and result.column == "country"
    assert tid(lake, "cities.csv") not in {h.table for h in result.hits}
    query = tmp_path / "q.tsv"
    query.write_text("place\tland\nA\tPeru\nB\tFiji\nC\tAtlantis\n", encoding="utf-8")
    by_file = tables.join(str(query), "land", k=5, min_containment=0.6)
    assert [(h.table, h.overlap) for h in by_file.hits] == [(tid(lake, "countries.parquet"), 2)]
    assert by_file.to_dict()["query"]["column"] == "land" and by_file.min_containment == 0.6


def test_bad_inputs_say_what_is_wrong(built, tmp_path):
    lake, catalog, _, tables = built
    with pytest.raises(NotInCatalog, match="no table 'table:nope/x.csv'") as exc:
        tables.union("table:nope/x.csv", ENCODER)
    assert isinstance(exc.value, InvalidInput) and isinstance(exc.value, NotFound)
    with pytest.raises(InvalidInput, match=r"has no column 'nope'; its columns: 'city', 'country', 'population'"):
        tables.join(tid(lake, "cities.csv"), "nope")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00\x01\x02" * 50)
    with pytest.raises(InvalidInput, match="cannot read table"):
        tables.union(str(bad), ENCODER)
    with pytest.raises(InvalidInput, match="cannot read table"):
        tables.join(str(bad), "x")
    with pytest.raises(InvalidInput, match="is a folder"):
        tables.union(str(tmp_path), ENCODER)
    with pytest.raises(InvalidInput, match="nothing to union"):
        tables.union(tid(lake, "empty.csv"), ENCODER)
    with pytest.raises(InvalidInput, match="k must be"):
        tables.union(tid(lake, "cities.csv"), ENCODER, k=0)
    with pytest.raises(InvalidInput, match=r"min_containment must be a number in \[0.5, 1\]"):
        tables.join(tid(lake, "cities.csv"), "country", min_containment=0.1)
    with pytest.raises(NotInCatalog):
        tables.table(str(lake / "cities.csv"))  # ids only: an HTTP client never names a server file
    with pytest.raises(CatalogError, match="another encoder"):
        CatalogTables.open(catalog.root).union(tid(lake, "cities.csv"), HashingEncoder(seed=5))


def test_catalog_without_tables(tmp_path):
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "notes.xyz").write_text("hello")
    catalog = open_catalog(tmp_path / "cat")
    ingest([junk], catalog)
    report = update_table_index(catalog, NoEncoding(), progress=False)
    assert report.mode == "none" and not tables_dir(catalog.root).exists()
    with pytest.raises(NoTables, match="has no tables: ingest a folder of table files"):
        CatalogTables.open(catalog.root)
    with pytest.raises(CatalogError, match="no catalog"):
        CatalogTables.open(tmp_path / "nowhere")


def test_new_tables_are_added_incrementally_then_found(tmp_path, tiny_lake_writer, capsys):
    lake = tiny_lake_writer(tmp_path / "lake")
    catalog, first = build(lake, tmp_path / "cat")
    (lake / "villages.csv").write_text(
        "village,state,inhabitants\n" + (lake / "cities.csv").read_text().split("\n", 1)[1], encoding="utf-8")
    ingest([lake], catalog)
    added = update_table_index(catalog, ENCODER, progress=True)
    assert "tables: adding 1 tables" in capsys.readouterr().err
    assert added.mode == "added" and added.added == 1 and added.tables == first.tables + 1
    assert added.columns == first.columns + 3
    tables = CatalogTables.open(catalog.root)
    try:
        top = tables.union(tid(lake, "cities.csv"), ENCODER, k=1).hits[0]
        assert top.table == tid(lake, "villages.csv")
        joined = {h.table for h in tables.join(tid(lake, "villages.csv"), "state", k=5).hits}
        assert joined == {tid(lake, "countries.parquet"), tid(lake, "cities.csv"), tid(lake, "towns.tsv")}
        old = {h.table for h in tables.union(tid(lake, "towns.tsv"), ENCODER, k=2).hits}  # old and new together
        assert old == {tid(lake, "cities.csv"), tid(lake, "villages.csv")}
    finally:
        tables.close()


def test_a_changed_table_rebuilds_and_a_kill_leaves_the_old_index(tmp_path, tiny_lake_writer, monkeypatch):
    lake = tiny_lake_writer(tmp_path / "lake")
    catalog, first = build(lake, tmp_path / "cat")
    (lake / "films.jsonl").write_text('{"title": "Only", "director": "One", "year": 2000}\n', encoding="utf-8")
    ingest([lake], catalog)

    def boom(*a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        raise KeyboardInterrupt

    import assetscout.tables.union_store as store

    monkeypatch.setattr(store, "write_union_files", boom)
    with pytest.raises(KeyboardInterrupt):
        update_table_index(catalog, ENCODER, progress=False)
    assert not list(catalog.root.glob(".tables.[bo]*"))
    old = CatalogTables.open(catalog.root)
    assert len(old.tables) == 5 and old.union(tid(lake, "films.jsonl"), ENCODER, k=1).query.table_id
    old.close()
    monkeypatch.undo()
    again = update_table_index(catalog, ENCODER, progress=False)
    assert again.mode == "rebuilt" and "1 tables changed" in again.why and again.added == 5


def test_rebuild_with_another_encoder(tmp_path, tiny_lake_writer):
    lake = tiny_lake_writer(tmp_path / "lake")
    catalog, _ = build(lake, tmp_path / "cat")
    other = HashingEncoder(seed=9)
    report = update_table_index(catalog, other, progress=False)
    assert report.mode == "rebuilt" and report.why == "another encoder"
    tables = CatalogTables.open(catalog.root)
    assert tables.union(tid(lake, "cities.csv"), other, k=1).hits[0].table == tid(lake, "towns.tsv")
    tables.close()


def test_smoke_dust_imdb(shared_data, tmp_path):
    """DUST's IMDB lake: the query file's identical copy in the lake ranks first; its titles join."""
    root = shared_data / "tables" / "dust_imdb"
    catalog, report = build(root / "datalake", tmp_path / "cat")
    assert report.tables == 21 and not report.rejected
    tables = CatalogTables.open(catalog.root)
    try:
        hit = tables.union(str(root / "query" / "query_table.csv"), ENCODER, k=3).hits[0]
        assert hit.table == "table:dust_imdb/datalake/query_table.csv" and hit.column_score == pytest.approx(1.0)
        join = tables.join(str(root / "query" / "query_table.csv"), "Title", k=3)
        assert join.hits[0].containment == 1.0 and join.hits[0].table == hit.table
    finally:
        tables.close()


def test_tables_left_out_are_reported_with_their_reason(tmp_path, tiny_lake_writer):
    lake = tiny_lake_writer(tmp_path / "lake")
    catalog, _ = build(lake, tmp_path / "cat")
    (lake / "late.csv").write_text("city,country\nOslo,NO\nBergen,NO\n")
    ingest([lake], catalog)  # a table ingested after the index update, the index not updated since
    tables = CatalogTables.open(catalog.root)
    try:
        coverage = tables.left_out()
    finally:
        tables.close()
    reasons = {t["table"]: t["reason"] for t in coverage["tables"]}
    assert coverage["catalog_tables"] == 6 and coverage["indexed"] == 4 and coverage["left_out"] == 2
    assert reasons[tid(lake, "empty.csv")] == "no column holds a value"
    assert "assetscout index" in reasons[tid(lake, "late.csv")]


def test_a_missing_table_index_says_what_is_missing_and_how_to_rebuild(tmp_path, tiny_lake_writer):
    """After a crash during table encoding the tables are in the catalog but their index is not."""
    lake = tiny_lake_writer(tmp_path / "lake")
    catalog, _ = build(lake, tmp_path / "cat")
    shutil.rmtree(tables_dir(catalog.root))
    with pytest.raises(NoTables, match=r"holds 5 tables but their union/join index is missing.*assetscout index"):
        CatalogTables.open(catalog.root)


def test_an_update_killed_between_its_renames_is_recovered(tmp_path, tiny_lake_writer):
    """swap_dir moves the live folder aside, then the new one in: a kill between leaves no folder."""
    import subprocess
    import sys

    lake = tiny_lake_writer(tmp_path / "lake")
    catalog, _ = build(lake, tmp_path / "cat")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    d = tables_dir(catalog.root)
    d.rename(d.parent / f".{d.name}.old-{int(dead.stdout)}")  # what the killed process left
    tables = CatalogTables.open(catalog.root)
    try:
        assert len(tables.tables) == 5
    finally:
        tables.close()
    assert d.is_dir()
