"""Union metrics on hand-computed examples; ground truth and ranking parsers on small files."""

from __future__ import annotations

import json

import pytest

from assetscout.errors import InvalidInput
from assetscout.eval.union_metrics import (
    average_precision_at_k,
    evaluate,
    load_ground_truth,
    load_ranking,
    precision_at_k,
    recall_at_k,
    santos_average_precision_at_k,
    table_key,
    write_ranking,
)

RANKED = ["a", "x", "b", "y", "c"]
RELEVANT = frozenset({"a", "b", "c", "d"})


def test_metrics_by_hand():
    # hits at ranks 1, 3, 5; P@1 = 1, P@2 = 1/2, P@3 = 2/3, P@4 = 1/2, P@5 = 3/5
    assert precision_at_k(RANKED, RELEVANT, 5) == pytest.approx(3 / 5)
    assert recall_at_k(RANKED, RELEVANT, 5) == pytest.approx(3 / 4)
    # standard: (P@1 + P@3 + P@5) / min(5, 4)
    assert average_precision_at_k(RANKED, RELEVANT, 5) == pytest.approx((1 + 2 / 3 + 3 / 5) / 4)
    # SANTOS: (P@1 + ... + P@5) / 5
    assert santos_average_precision_at_k(RANKED, RELEVANT, 5) == pytest.approx((1 + 1 / 2 + 2 / 3 + 1 / 2 + 3 / 5) / 5)
    assert precision_at_k(RANKED, RELEVANT, 2) == 0.5
    assert average_precision_at_k(RANKED, RELEVANT, 2) == pytest.approx(1 / 2)  # (P@1) / min(2, 4)


def test_short_rankings_count_missing_ranks_as_misses():
    assert precision_at_k(["a"], frozenset({"a"}), 3) == pytest.approx(1 / 3)
    assert recall_at_k(["a"], frozenset({"a"}), 3) == 1.0
    assert average_precision_at_k(["a"], frozenset({"a"}), 3) == 1.0  # 1 / min(3, 1)
    assert santos_average_precision_at_k(["a"], frozenset({"a"}), 3) == pytest.approx((1 + 1 / 2 + 1 / 3) / 3)
    assert precision_at_k([], frozenset({"a"}), 3) == 0.0
    with pytest.raises(InvalidInput, match="k must"):
        precision_at_k(["a"], frozenset({"a"}), 0)


def test_evaluate_averages_over_queries_with_relevant_tables():
    truth = {"q1": RELEVANT, "q2": frozenset({"z"}), "q3": frozenset()}
    m = evaluate({"q1": RANKED, "other": ["z"]}, truth, 5)
    assert m.queries == 2 and m.queries_without_relevant == ["q3"] and m.queries_missing == ["q2"]
    assert m.precision == pytest.approx((3 / 5 + 0) / 2)
    assert m.recall == pytest.approx((3 / 4 + 0) / 2)
    assert m.map == pytest.approx(((1 + 2 / 3 + 3 / 5) / 4) / 2)
    assert m.map_santos == pytest.approx(((1 + 1 / 2 + 2 / 3 + 1 / 2 + 3 / 5) / 5) / 2)
    assert "per_query" not in m.to_dict() and len(m.to_dict(per_query=True)["per_query"]) == 2


def test_table_key():
    assert table_key("dir/Foo Bar_1.csv") == table_key("Foo Bar_1.CSV") == table_key("Foo Bar_1") == "Foo Bar_1"
    assert table_key("x.parquet") == "x" and table_key(".csv") == ".csv"


def test_ground_truth_pairs_and_labels(tmp_path):
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("query_table,data_lake_table\nq.csv,a.csv\nq.csv,b.csv\nr.csv,a.csv\n", encoding="utf-8")
    assert load_ground_truth(pairs) == {"q": frozenset({"a", "b"}), "r": frozenset({"a"})}
    labelled = tmp_path / "labelled.csv"
    labelled.write_text("query_table,data_lake_table,manual_unionable,remarks\n"
                        "q.csv,a.csv,2,\nq.csv,b.csv,1,\nq.csv,c.csv,0,\n,,,\nr.csv,a.csv,0,\n", encoding="utf-8")
    assert load_ground_truth(labelled) == {"q": frozenset({"a", "b"}), "r": frozenset()}
    ugen = tmp_path / "ugen.csv"
    ugen.write_text("query_table,data_lake_table,unionable,intent_col_name\nq.csv,a.csv,1, Country\n"
                    "q.csv,b.csv,0,\n", encoding="utf-8")
    assert load_ground_truth(ugen) == {"q": frozenset({"a"})}
    bad = tmp_path / "bad.csv"
    bad.write_text("query_table,data_lake_table,unionable\nq.csv,a.csv,maybe\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="row 2: unionable must be an integer"):
        load_ground_truth(bad)
    with pytest.raises(InvalidInput, match="query_table and data_lake_table"):
        load_ground_truth(_write(tmp_path / "x.csv", "a,b\n1,2\n"))


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_ranked_list_format(tmp_path):
    path = _write(tmp_path / "run.csv", "query_table,rank,result_table\nq.csv,2,b.csv\nq.csv,1,a.csv\n"
                                        "q.csv,3,a.csv\nr.csv,1,c.csv\n")
    assert load_ranking(path) == {"q": ["a", "b"], "r": ["c"]}
    with pytest.raises(InvalidInput, match="rank must be an integer"):
        load_ranking(_write(tmp_path / "bad.csv", "query_table,rank,result_table\nq.csv,first,a.csv\n"))


def test_per_k_result_sets_become_a_ranking(tmp_path):
    rows = [("q.csv", ["a", "c"]), ("q.csv", ["a"]), ("q.csv", ["a", "c", "b"]), ("r.csv", ["x"])]
    text = "query_table,groundtruth_set,result_set,intersection\n" + "".join(
        f'{q},"[]","{json.dumps(s).replace(chr(34), chr(34) * 2)}","[]"\n' for q, s in rows)
    assert load_ranking(_write(tmp_path / "starmie.csv", text)) == {"q": ["a", "c", "b"], "r": ["x"]}
    with pytest.raises(InvalidInput, match="JSON list"):
        load_ranking(_write(tmp_path / "bad.csv", 'query_table,result_set\nq.csv,"{""a"": 1}"\n'))
    with pytest.raises(InvalidInput, match="unknown ranking format"):
        load_ranking(_write(tmp_path / "other.csv", "query_table,hits\nq.csv,3\n"))


def test_write_ranking_round_trips(tmp_path):
    path = tmp_path / "ours.csv"
    write_ranking(path, {"q.csv": ["a.csv", "b.csv"], "r.csv": []})
    assert path.read_text(encoding="utf-8").splitlines() == [
        "query_table,rank,result_table", "q.csv,1,a.csv", "q.csv,2,b.csv"]
    assert load_ranking(path) == {"q": ["a", "b"]}


def test_the_shared_ugen_files_parse(shared_data):
    """The formats found in the shared UGEN-V1 folder: counts from its MANIFEST."""
    root = shared_data / "tables" / "ugen_v1"
    orig = load_ground_truth(root / "groundtruth" / "groundtruth.csv")
    assert len(orig) == 50 and sum(len(v) for v in orig.values()) == 500
    assert orig == load_ground_truth(root / "groundtruth" / "union_gt_original_pairs.csv")
    validated = load_ground_truth(root / "groundtruth" / "manual_validation.csv")
    assert sum(len(v) for v in validated.values()) == 631
    assert {q: v for q, v in validated.items() if v} == load_ground_truth(
        root / "groundtruth" / "union_gt_validated_pairs.csv")
    starmie = load_ranking(root / "baseline_results" / "ugen_v1_result_by_starmie_per_k.csv")
    assert len(starmie) == 50 and all(len(v) == 10 for v in starmie.values())
    santos = load_ranking(root / "baseline_results" / "ugen_v1_result_by_santos.csv")
    assert len(santos) == 47 and set(santos) <= set(orig)
