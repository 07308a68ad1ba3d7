"""Lake ingest: every table read or rejected on its own, profiles stored, join index usable."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from assetscout.errors import InvalidInput
from assetscout.tables.lake import ingest_lake, open_join_index
from assetscout.tables.minhash import ColumnRef


@pytest.fixture
def lake(tmp_path) -> Path:
    root = tmp_path / "lake"
    (root / "sub").mkdir(parents=True)
    countries = ["France", "Italy", "Peru", "Chile", "Japan", "Kenya", "Egypt", "Spain", "Nepal", "Cuba"]
    (root / "capitals.csv").write_text(
        "country,capital\n" + "".join(f"{c},{c[:3]}city\n" for c in countries), encoding="utf-8")
    (root / "sub" / "gdp.tsv").write_text(
        "Country\tgdp\n" + "".join(f"{c.upper()}\t{i}\n" for i, c in enumerate(countries + ["Chad", "Fiji"])),
        encoding="utf-8")
    (root / "sub" / "people.jsonl").write_text(
        "".join(json.dumps({"name": f"p{i}", "country": countries[i % 4]}) + "\n" for i in range(20)),
        encoding="utf-8")
    (root / "broken.csv").write_bytes(b"\x00\x01\x02" * 100)
    (root / "empty.csv").write_bytes(b"")
    (root / "README.md").write_text("# not a table\n", encoding="utf-8")
    return root


def test_ingest_reads_good_tables_and_rejects_bad_ones(lake, tmp_path):
    calls = []
    report = ingest_lake(lake, tmp_path / "idx", progress=lambda i, n, p: calls.append((i, n, p)))
    assert report.tables_read == 3 and report.files_skipped == 1
    assert sorted(p for p, _ in report.rejected) == ["broken.csv", "empty.csv"]
    reasons = dict(report.rejected)
    assert "NUL" in reasons["broken.csv"] and "empty" in reasons["empty.csv"]
    assert report.columns_profiled == 6 and report.columns_indexed == 6
    assert [c[0] for c in calls] == [1, 2, 3, 4, 5] and calls[-1][1] == 5


def test_profiles_are_stored(lake, tmp_path):
    ingest_lake(lake, tmp_path / "idx", progress=False)
    con = duckdb.connect(str(tmp_path / "idx" / "profiles.duckdb"), read_only=True)
    tables = con.execute("SELECT table_id, format, delimiter, n_rows, n_columns, subject_column "
                         "FROM lake_table ORDER BY table_id").fetchall()
    assert tables == [("capitals.csv", "csv", ",", 10, 2, 0), ("sub/gdp.tsv", "csv", "\t", 12, 2, 0),
                      ("sub/people.jsonl", "jsonl", None, 20, 2, 0)]
    cols = con.execute("SELECT name, type, distinct_count, null_fraction, num_min, num_max, is_key, samples "
                       "FROM lake_column WHERE table_id = 'sub/gdp.tsv' ORDER BY ordinal").fetchall()
    assert cols[1][:7] == ("gdp", "integer", 12, 0.0, 0.0, 11.0, True)
    assert cols[0][0] == "Country" and cols[0][2] == 12 and len(cols[0][7]) == 10
    rejected = con.execute("SELECT path FROM lake_rejected ORDER BY path").fetchall()
    assert rejected == [("broken.csv",), ("empty.csv",)]
    con.close()
    manifest = json.loads((tmp_path / "idx" / "manifest.json").read_text())
    assert manifest["format_version"] == 1 and manifest["counts"]["tables"] == 3


def test_join_index_finds_the_planted_join(lake, tmp_path):
    ingest_lake(lake, tmp_path / "idx", progress=False)
    idx = open_join_index(tmp_path / "idx")
    got = idx.query_column(ColumnRef("capitals.csv", 0, "country"))
    assert [(m.table, m.column, m.containment, m.overlap) for m in got] == [("sub/gdp.tsv", "Country", 1.0, 10)]
    people = idx.query_column(ColumnRef("sub/people.jsonl", 1, "country"), min_containment=1.0)
    assert {m.table for m in people} == {"capitals.csv", "sub/gdp.tsv"}
    idx.close()


def test_reingest_replaces_and_leaves_no_staging(lake, tmp_path):
    ingest_lake(lake, tmp_path / "idx", progress=False)
    (lake / "capitals.csv").unlink()
    report = ingest_lake(lake, tmp_path / "idx", progress=False)
    assert report.tables_read == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["idx", "lake"]


def test_refuses_to_replace_a_folder_that_is_not_an_index(lake, tmp_path):
    other = tmp_path / "precious"
    other.mkdir()
    (other / "data.txt").write_text("keep")
    with pytest.raises(InvalidInput, match="not a lake index"):
        ingest_lake(lake, other, progress=False)
    assert (other / "data.txt").read_text() == "keep"
    with pytest.raises(InvalidInput, match="folder"):
        ingest_lake(tmp_path / "missing", tmp_path / "idx", progress=False)


def test_progress_line_on_stderr(lake, tmp_path, capsys):
    ingest_lake(lake, tmp_path / "idx", progress=True)
    assert "lake: 5/5 tables (100%)" in capsys.readouterr().err


def test_smoke_dust_imdb(shared_data, tmp_path):
    folder = shared_data / "tables" / "dust_imdb"
    if not folder.is_dir():
        pytest.skip("dust_imdb not in the shared data")
    report = ingest_lake(folder, tmp_path / "idx", progress=False)
    assert report.tables_read == 23 and report.rejected == [] and report.files_skipped == 1
    con = duckdb.connect(str(tmp_path / "idx" / "profiles.duckdb"), read_only=True)
    subjects = con.execute(
        "SELECT c.name FROM lake_table t JOIN lake_column c ON c.table_id = t.table_id "
        "AND c.ordinal = t.subject_column WHERE t.table_id = 'query/query_table.csv'").fetchall()
    assert subjects == [("Title",)]
    con.close()
    idx = open_join_index(tmp_path / "idx")
    got = idx.query_column(ColumnRef("query/query_table.csv", 0, "Title"), k=30)
    # the query table has a copy in the lake folder: its titles are contained in full
    assert got[0].table == "datalake/query_table.csv" and got[0].containment == 1.0
    assert all(m.table.startswith("datalake/") for m in got)
    idx.close()
