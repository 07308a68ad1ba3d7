"""The join evaluation runner on a tiny lake whose containments are known by construction."""

from __future__ import annotations

import io
import json

import pytest

from assetscout.errors import InvalidInput
from assetscout.eval.join import ground_truth, main, run_join_eval
from assetscout.tables.minhash import ColumnRef


@pytest.fixture
def lake(tmp_path):
    root = tmp_path / "lake"
    root.mkdir()
    base = [f"item{i}" for i in range(40)]

    def table(name, values, other=None):
        other = other or [f"{name}-{i}" for i in range(len(values))]
        (root / name).write_text("key,other\n" + "".join(f"{v},{o}\n" for v, o in zip(values, other)),
                                 encoding="utf-8")

    table("a.csv", base[:20])  # query: 20 values
    table("b.csv", base[:40])  # contains all of a.key (1.0); a.key holds 20/40 of b.key (0.5)
    table("c.csv", base[:15] + [f"x{i}" for i in range(25)])  # holds 15/20 of a.key (0.75)
    table("d.csv", base[:5])  # fewer than 10 distinct values: left out
    (root / "notes.md").write_text("not a table", encoding="utf-8")
    return root


def test_ground_truth_is_exact_and_skips_same_table_pairs():
    refs = [ColumnRef("t1", 0, "a"), ColumnRef("t2", 0, "b"), ColumnRef("t1", 1, "c")]
    sets = [{"1", "2", "3", "4"}, {"1", "2", "3"}, {"1", "2", "3", "4"}]
    truth = ground_truth(refs, sets, 0.5)
    assert truth == {0: {1: 0.75}, 1: {0: 1.0, 2: 1.0}, 2: {1: 0.75}}


def test_runner_on_a_known_lake(lake):
    r = run_join_eval(lake, thresholds=(0.5, 0.7, 0.9), k=10, quiet=True)
    assert (r.tables, r.columns) == (4, 6)  # d.csv's columns are too small
    by_t = {t.threshold: t for t in r.thresholds}
    # key pairs: a->b 1.0, a->c 0.75, b->a 0.5; b->c, c->a, c->b 0.375; 'other' columns share nothing
    assert by_t[0.5].truth_pairs == 3 and by_t[0.7].truth_pairs == 2 and by_t[0.9].truth_pairs == 1
    for t in r.thresholds:
        assert t.candidates_recall == 1.0 and t.topk_recall == 1.0 and t.topk_precision == 1.0
        assert t.latency_p50_ms > 0 and t.latency_p95_ms >= t.latency_p50_ms


def test_text_report(lake):
    out = io.StringIO()
    run_join_eval(lake, thresholds=(0.7,), out=out)
    text = out.getvalue()
    assert "4 tables" in text and "6 columns" in text and "0.70" in text


def test_cli_json(lake, capsys):
    assert main(["--lake", str(lake), "--thresholds", "0.6,0.9", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [t["threshold"] for t in data["thresholds"]] == [0.6, 0.9]
    assert main(["--lake", str(lake / "missing")]) == 2


@pytest.mark.parametrize("thresholds,k", [((0.0,), 10), ((1.2,), 10), ((), 10), ((0.5,), 0)])
def test_arguments_are_checked(lake, thresholds, k):
    with pytest.raises(InvalidInput):
        run_join_eval(lake, thresholds=thresholds, k=k, quiet=True)
