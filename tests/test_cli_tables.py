"""`assetscout union` / `join` and the table indexes that `ingest` and `index` keep (hashing encoder)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assetscout import cli
from assetscout.embed.fake import HashingEncoder


@pytest.fixture
def fake_encoder(monkeypatch):
    monkeypatch.setattr(cli, "_encoder", lambda args: HashingEncoder())


@pytest.fixture
def lake_catalog(tmp_path, tiny_lake_writer, fake_encoder, capsys):
    lake = tiny_lake_writer(tmp_path / "data" / "lake")
    cat = tmp_path / "cat"
    assert cli.main(["ingest", str(lake), "--catalog", str(cat), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "table index: 4 tables, 11 columns" in out and "rebuilt (no table index yet), 5 tables read" in out
    return lake, cat


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assetscout.cli", *args], capture_output=True, text=True, timeout=600)


def test_union_by_id_json_and_text(lake_catalog, capsys):
    lake, cat = lake_catalog
    assert cli.main(["union", "table:data/lake/cities.csv", "--catalog", str(cat), "--k", "2", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    top = result["hits"][0]
    assert top["table"] == "table:data/lake/towns.tsv" and top["path"] == str(lake / "towns.tsv")
    assert {(m["query_column"], m["candidate_column"]) for m in top["alignment"]} == {
        ("city", "town"), ("country", "nation"), ("population", "people")}
    assert {"score", "column_score", "relationship_score", "relationships"} <= set(top)
    assert cli.main(["union", str(lake / "towns.tsv"), "--catalog", str(cat), "--k", "1"]) == 0
    text = capsys.readouterr().out
    assert "1. table:data/lake/cities.csv" in text and "town -> city" in text and "cosine" in text


def test_join_in_a_real_process_json(lake_catalog, tmp_path):
    _, cat = lake_catalog
    query = tmp_path / "q.psv"
    query.write_text("who|where\nA|Peru\nB|Chile\nC|Fiji\nD|Mars\n", encoding="utf-8")
    r = run("join", str(query), "--column", "where", "--catalog", str(cat), "--min-containment", "0.7", "--json")
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["min_containment"] == 0.7 and result["query"]["distinct_values"] == 4
    assert [(h["table"], h["column"], h["overlap"], h["containment"]) for h in result["hits"]] == [
        ("table:data/lake/countries.parquet", "country", 3, 0.75)]
    r = run("join", "table:data/lake/cities.csv", "--column", "country", "--catalog", str(cat))
    assert r.returncode == 0 and "1. table:data/lake/countries.parquet  column 'country' (#0)  containment 1.000" \
        in r.stdout


def test_mistakes_exit_2_and_say_what_is_wrong(lake_catalog, tmp_path, capsys):
    lake, cat = lake_catalog
    assert cli.main(["union", "table:data/lake/nope.csv", "--catalog", str(cat)]) == 2
    assert "no table 'table:data/lake/nope.csv'" in capsys.readouterr().err
    assert cli.main(["join", "table:data/lake/cities.csv", "--column", "size", "--catalog", str(cat)]) == 2
    assert "has no column 'size'; its columns: 'city', 'country', 'population'" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00" * 300)
    assert cli.main(["union", str(bad), "--catalog", str(cat)]) == 2
    assert "cannot read table" in capsys.readouterr().err
    assert cli.main(["union", "table:data/lake/cities.csv", "--k", "0", "--catalog", str(cat)]) == 2
    assert "k must be" in capsys.readouterr().err
    empty = tmp_path / "empty-cat"
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "notes.xyz").write_text("hi")
    cli.main(["ingest", str(junk), "--catalog", str(empty), "--quiet"])
    capsys.readouterr()
    assert cli.main(["join", str(lake / "cities.csv"), "--column", "city", "--catalog", str(empty)]) == 2
    assert "has no tables: ingest a folder of table files first" in capsys.readouterr().err
    assert cli.main(["union", "x", "--catalog", str(tmp_path / "none")]) == 1
    assert "no catalog" in capsys.readouterr().err


def test_new_tables_reach_the_index_through_ingest_and_index(lake_catalog, capsys):
    lake, cat = lake_catalog
    assert cli.main(["ingest", str(lake), "--catalog", str(cat), "--quiet"]) == 0
    assert "table index: 4 tables, 11 columns, 7 column pairs; up to date" in capsys.readouterr().out
    (lake / "hamlets.csv").write_text("hamlet,land\nPort Brook,Peru\nSan Dale,Chile\n", encoding="utf-8")
    assert cli.main(["ingest", str(lake), "--catalog", str(cat), "--quiet", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["sources"]["table_file"]["assets_added"] == 1
    assert "1 tables added" in captured.err  # stdout carries only the JSON
    (lake / "more.csv").write_text("place,nation\nNew Elm,Kenya\n", encoding="utf-8")
    cli.main(["ingest", str(lake), "--catalog", str(cat), "--quiet", "--no-index"])
    capsys.readouterr()
    assert cli.main(["index", "--catalog", str(cat), "--quiet", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["assets"] == 7 and info["tables"]["mode"] == "unchanged" and info["tables"]["tables"] == 6
    assert cli.main(["index", "--catalog", str(cat), "--quiet", "--rebuild-tables"]) == 0
    assert "rebuilt (asked to), 7 tables read" in capsys.readouterr().out
    assert cli.main(["join", "table:data/lake/hamlets.csv", "--column", "LAND", "--catalog", str(cat), "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert ("table:data/lake/countries.parquet", 1.0) in [(h["table"], h["containment"]) for h in hits]
