"""The union evaluation CLI on a tiny synthetic lake, and DUST-IMDB as a smoke test.

The real model is the default; every test here asks for the hashing encoder (`--encoder fake`).
"""

from __future__ import annotations

import csv
import json

import pytest

from assetscout.eval.union import main, parse_settings, run_union_eval
from assetscout.eval.union_synth import make_synthetic_union_lake
from assetscout.errors import InvalidInput


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    lake = make_synthetic_union_lake(root, topics=2, unions=3, decoys=2, seed=3)
    baseline = root / "published.csv"
    # city: hits at ranks 1 and 3 of 3 -> P@3 2/3, AP (1 + 2/3) / 3, SANTOS AP (1 + 1/2 + 2/3) / 3
    # film: missing -> 0
    baseline.write_text("query_table,rank,result_table\n"
                        "city_query.csv,1,city_union_0.csv\ncity_query.csv,2,film_union_0.csv\n"
                        "city_query.csv,3,city_union_2.csv\n", encoding="utf-8")
    return lake, baseline


def test_cli_json_scores_every_ranking(tiny, tmp_path, capsys):
    lake, baseline = tiny
    out = tmp_path / "ours.csv"
    code = main(["--lake", str(lake.lake), "--queries", str(lake.queries), "--groundtruth", str(lake.groundtruth),
                 "--k", "3", "--json", "--baseline", str(baseline), "--rankings", str(out),
                 "--set", "relationship_weight=1", "--quiet", "--encoder", "fake"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    rows = {r["ranking"]: r["metrics"] for r in result["rows"]}
    assert set(rows) == {"ours", "lexical", "published"}
    assert rows["ours"]["precision"] == 1.0 and rows["ours"]["map"] == 1.0 and rows["ours"]["map_santos"] == 1.0
    pub = rows["published"]
    assert pub["queries"] == 2 and pub["queries_missing"] == ["film_query"]
    assert pub["precision"] == pytest.approx((2 / 3) / 2)
    assert pub["recall"] == pytest.approx((2 / 3) / 2)
    assert pub["map"] == pytest.approx(((1 + 2 / 3) / 3) / 2)
    assert pub["map_santos"] == pytest.approx(((1 + 1 / 2 + 2 / 3) / 3) / 2)
    assert result["options"]["relationship_weight"] == 1.0 and result["build"]["tables_indexed"] == 10
    assert set(result["latency_ms"]) == {"ours", "lexical"} and result["latency_ms"]["ours"]["n"] == 2
    with open(out, newline="", encoding="utf-8") as fh:
        written = list(csv.DictReader(fh))
    assert len(written) == 6 and {r["query_table"] for r in written} == {"city_query.csv", "film_query.csv"}
    assert {r["result_table"] for r in written if r["query_table"] == "city_query.csv"} == lake.truth["city_query.csv"]


def test_cli_text_report_states_both_map_definitions(tiny, capsys):
    lake, _ = tiny
    assert main(["--lake", str(lake.lake), "--queries", str(lake.queries), "--groundtruth", str(lake.groundtruth),
                 "--quiet", "--encoder", "fake"]) == 0
    text = capsys.readouterr().out
    assert "SANTOS MAP@10" in text and "min(k, |R|)" in text and "(P@1 + ... + P@k) / k" in text
    assert "latency ours: p50" in text and "peak RSS" in text
    lines = [line.split() for line in text.splitlines()]
    assert any(parts[:1] == ["ours"] for parts in lines) and any(parts[:1] == ["lexical"] for parts in lines)


def test_cli_reports_bad_input(tiny, tmp_path, capsys):
    lake, _ = tiny
    assert main(["--lake", str(lake.lake), "--queries", str(lake.queries), "--groundtruth", str(lake.groundtruth),
                 "--set", "no_such_knob=1", "--quiet", "--encoder", "fake"]) == 2
    assert "--set must be NAME=VALUE" in capsys.readouterr().err
    assert main(["--lake", str(lake.lake), "--queries", str(tmp_path / "missing"),
                 "--groundtruth", str(lake.groundtruth), "--quiet", "--encoder", "fake"]) == 2


def test_parse_settings_types_values():
    assert parse_settings(["column_candidates=20", "value_weight=0.25", "normalization=max"]) == {
        "column_candidates": 20, "value_weight": 0.25, "normalization": "max"}
    with pytest.raises(InvalidInput, match="column_candidates must be an integer"):
        parse_settings(["column_candidates=many"])


def test_index_dir_can_be_kept_and_reused(tiny, tmp_path):
    lake, _ = tiny
    index_dir = tmp_path / "idx"
    first = run_union_eval(str(lake.lake), str(lake.queries), [str(lake.groundtruth)], k=3,
                           index_dir=str(index_dir), encoder="fake", progress=False)
    again = run_union_eval(str(lake.lake), str(lake.queries), [str(lake.groundtruth)], k=3,
                           index_dir=str(index_dir), reuse_index=True, encoder="fake", progress=False)
    assert (index_dir / "manifest.json").is_file() and "reused" in again.build
    assert [r.metrics for r in first.rows] == [r.metrics for r in again.rows]


def test_dust_imdb_smoke(shared_data, tmp_path):
    """DUST's IMDB case: every lake table is unionable with the query, the query's own copy included."""
    root = shared_data / "tables" / "dust_imdb"
    out = tmp_path / "ranking.csv"
    result = run_union_eval(str(root / "datalake"), str(root / "query"),
                            [str(root / "groundtruth" / "union_gt_pairs.csv")], k=10, rankings_out=str(out),
                            encoder="fake", progress=False)
    ours = next(r.metrics for r in result.rows if r.ranking == "ours")
    assert result.queries == 1 and not result.queries_failed and result.build["tables_indexed"] == 21
    assert ours["precision"] == 1.0 and ours["map"] == 1.0
    with open(out, newline="", encoding="utf-8") as fh:
        first = next(csv.DictReader(fh))
    assert first["result_table"] == "query_table.csv"  # the identical copy ranks first
