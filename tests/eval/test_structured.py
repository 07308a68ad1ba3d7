"""`assetscout eval structured`: exact-set and top-1 scoring on a synthetic catalog, and the packaged questions.

The synthetic catalog's answers are known exactly (the same shape as
tests/search/test_metric_search.py: a percent-scale table, a fraction-scale table,
throughput on named hardware). Listing queries need no vector index; the text form
runs on a hashing-encoder index, so nothing is downloaded.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from assetscout.catalog.datasets import alias_key
from assetscout.catalog.ingest import _insert, refresh_derived_columns
from assetscout.catalog.store import open_catalog
from assetscout.embed.fake import HashingEncoder
from assetscout.errors import InvalidInput
from assetscout.eval.structured import evaluate, main, print_report, score_set, score_top1, summarize
from assetscout.eval.structured_data import (KINDS, flags_query, load_structured, packaged_structured_file,
                                             text_query)
from assetscout.eval.structured_sources import Score
from assetscout.eval.structured_truth import Ambiguous, best_rows, decided
from assetscout.search.build import build_search_index
from assetscout.search.engine import SearchEngine
from assetscout.search.query import Query

T0 = dt.datetime(2026, 1, 1)


def _asset(aid: str, **kw) -> dict:
    row = {"asset_id": aid, "kind": "model", "name": aid.split("/")[-1], "source": "t", "source_uri": "f",
           "sources": ["t"], "license_class": "unknown", "tasks": [], "languages": [], "tags": [], "aliases": [],
           "content_hash": aid, "updated_at": T0, "summary": f"model {aid}", "library": None, "parameters": None,
           "license_spdx": None, "non_commercial": None}
    row.update(kw)
    return row


def _eval(aid: str, metric: str, value: float, dataset: str | None, origin: str, *,
          hardware: str | None = None) -> dict:
    return {"asset_id": aid, "metric": metric, "metric_key": metric, "value": value, "dataset_name": dataset,
            "dataset_key": alias_key(dataset) if dataset else None, "task": None, "hardware": hardware,
            "origin": origin, "source": "t", "unit": None}


ASSETS = [
    _asset("m/alpha", library="timm", parameters=5_000_000, license_spdx="Apache-2.0", license_class="permissive"),
    _asset("m/beta", library="timm", parameters=60_000_000, license_spdx="MIT", license_class="permissive"),
    _asset("m/gamma", library="timm", parameters=300_000_000),
    _asset("m/delta", library="other", parameters=2_000_000),
]
EVALS = [
    _eval("m/alpha", "top1", 85.2, "ImageNet", "timm.csv"), _eval("m/beta", "top1", 80.1, "ImageNet", "timm.csv"),
    _eval("m/gamma", "Top 1 Accuracy", 0.87, "ImageNet-1k", "frac.yaml"),
    _eval("m/delta", "Top 1 Accuracy", 0.90, "ImageNet ReaL", "frac.yaml"),  # another benchmark
    _eval("m/alpha", "infer_samples_per_sec", 3000, None, "bench.csv", hardware="rtx4090"),
    _eval("m/beta", "infer_samples_per_sec", 1500, None, "bench.csv", hardware="4090"),
]


def _q(qid: str, kind: str, answer: list[str], flags: dict, best_value: float | None = None) -> dict:
    out = {"id": qid, "kind": kind, "query": f"question {qid}", "flags": flags, "answer": answer, "how": "test"}
    if best_value is not None:
        out["best_value"] = best_value
    return out


QUESTIONS = [
    _q("right-set", "threshold", ["m/alpha", "m/gamma"],
       {"kinds": ["model"], "filters": {"library": ["timm"]}, "metrics": ["top1>=85@ImageNet"]}),
    _q("wrong-set", "threshold", ["m/alpha", "m/beta", "m/delta"],  # 2 of 3 right, 1 of 2 returned wrong
       {"kinds": ["model"], "filters": {"library": ["timm"]}, "metrics": ["top1>=85@ImageNet"]}),
    _q("right-best", "best", ["m/gamma"], {"kinds": ["model"], "sort": "metric:top1@ImageNet"}, 0.87),
    _q("wrong-best", "best", ["m/alpha"], {"kinds": ["model"], "sort": "metric:top1@ImageNet"}, 0.852),
    _q("hardware", "hardware", ["m/alpha", "m/beta"],
       {"kinds": ["model"], "metrics": ["infer_samples_per_sec>=1000 on rtx 4090"]}),
    _q("vague", "vague", ["m/alpha", "m/delta"], {"kinds": ["model"], "filters": {"max_parameters": "30M"}}),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchEngine]:
    catalog = open_catalog(tmp_path_factory.mktemp("structured") / "catalog")
    with catalog.writing() as w:
        _insert(w, "asset", ASSETS)
        _insert(w, "evaluation", EVALS)
        refresh_derived_columns(w)
    build_search_index(catalog, HashingEncoder())
    eng = SearchEngine(catalog, HashingEncoder())
    yield eng
    eng.close()


@pytest.fixture
def questions_file(tmp_path: Path) -> Path:
    path = tmp_path / "questions.jsonl"
    path.write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS), encoding="utf-8")
    return path


def test_set_and_top1_arithmetic() -> None:
    assert score_set(["a", "b", "c"], frozenset({"a", "b", "d"})) == pytest.approx((2 / 3, 2 / 3, 2 / 3))
    assert score_set(["a"], frozenset({"a", "b"})) == pytest.approx((1.0, 0.5, 2 / 3))
    assert score_set([], frozenset({"a"})) == (0.0, 0.0, 0.0)
    assert score_top1(["b", "a"], frozenset({"a", "b"})) == 1.0  # ties: any of the tied ids is right
    assert score_top1(["c", "a"], frozenset({"a"})) == 0.0 and score_top1([], frozenset({"a"})) == 0.0


def test_runner_scores_right_answers_one_and_wrong_ones_less(engine: SearchEngine, questions_file: Path) -> None:
    questions = load_structured(questions_file)
    report = evaluate(engine, questions, forms=("flags",))
    got = {o["id"]: o for o in report["forms"]["flags"]["questions"]}
    assert got["right-set"]["f1"] == 1.0 and got["hardware"]["f1"] == 1.0 and got["vague"]["f1"] == 1.0
    wrong = got["wrong-set"]  # returned {alpha, gamma}, answer {alpha, beta, delta}
    assert (wrong["precision"], wrong["recall"]) == pytest.approx((0.5, 1 / 3)) and wrong["f1"] == pytest.approx(0.4)
    assert wrong["missing"] == ["m/beta", "m/delta"] and wrong["extra"] == ["m/gamma"]
    assert got["right-best"]["top1"] == 1.0 and got["wrong-best"]["top1"] == 0.0
    assert got["right-best"]["first_hit"] == "m/gamma" and got["right-best"]["f1"] is None
    summary = report["forms"]["flags"]["summary"]
    assert summary["all"]["f1"] == pytest.approx((1 + 0.4 + 1 + 1) / 4)
    assert summary["best"]["top1"] == 0.5 and summary["threshold"]["f1"] == pytest.approx(0.7)
    assert summary["all"]["errors"] == 0 and report["absent_from_catalog"] == {}
    out = io.StringIO()
    print_report(report, questions, out)
    assert "wrong-set" in out.getvalue() and "top-1" in out.getvalue()


def test_absent_answer_ids_are_reported(engine: SearchEngine, tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps(_q("ghost", "facet", ["m/alpha", "m/nowhere"], {"kinds": ["model"]})) + "\n",
                    encoding="utf-8")
    report = evaluate(engine, load_structured(path), forms=("flags",))
    assert report["absent_from_catalog"] == {"ghost": 1}


def test_text_form_runs_on_a_hashing_index(engine: SearchEngine, questions_file: Path) -> None:
    report = evaluate(engine, load_structured(questions_file), forms=("text",))
    rows = report["forms"]["text"]["questions"]
    assert len(rows) == len(QUESTIONS) and not any(o["error"] for o in rows)
    assert all(0.0 <= (o["f1"] if o["f1"] is not None else o["top1"]) <= 1.0 for o in rows)


def test_cli_json(engine: SearchEngine, questions_file: Path) -> None:
    out = io.StringIO()
    with redirect_stdout(out):
        rc = main(["--catalog", str(engine.catalog.root), "--queries", str(questions_file), "--form", "flags",
                   "--json"])
    assert rc == 0
    report = json.loads(out.getvalue())
    assert list(report["forms"]) == ["flags"] and report["forms"]["flags"]["summary"]["best"]["top1"] == 0.5


def test_bad_lines_are_refused_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    good = json.dumps(QUESTIONS[0])
    for bad in (_q("x", "best", ["m/a"], {"kinds": ["model"]}, 1.0),  # best without a metric sort
                _q("x", "threshold", ["m/a"], {"kinds": ["model"], "metrics": ["top1 is high"]}),
                _q("x", "threshold", ["m/a"], {"filters": {"colour": "red"}}),
                _q("x", "nonsense", ["m/a"], {})):
        path.write_text(good + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
        with pytest.raises(InvalidInput, match=r"bad\.jsonl:2"):
            load_structured(path)


def test_ambiguous_facts_make_a_question_ill_posed() -> None:
    params = {"a": [1.0], "b": [1.0, 9.0], "c": [9.0]}
    small = decided(params, params.__getitem__, lambda p: p < 5)
    assert small.yes == {"a"} and small.split == {"b"}
    assert small.among({"a", "c"}) == {"a"}  # b does not touch this answer
    with pytest.raises(Ambiguous):
        small.among({"a", "b"})
    rows = [Score("a", "top1", 0.8), Score("b", "top1", 0.9), Score("c", "top1", 0.95)]
    with pytest.raises(Ambiguous):  # b might be small and is better than a
        best_rows(rows, keep=small)
    assert best_rows(rows[:1] + rows[2:], keep=small) == (["a"], 0.8)
    assert best_rows(rows) == (["c"], 0.95) and best_rows(rows, lower=True) == (["a"], 0.8)


# ---------------------------------------------------------------- the packaged questions


def test_packaged_questions_are_well_formed() -> None:
    questions = load_structured(packaged_structured_file())  # every flags dict builds a valid Query
    assert 30 <= len(questions) <= 60
    assert {q.kind for q in questions} == set(KINDS)
    assert len({q.id for q in questions}) == len(questions)
    for q in questions:
        assert isinstance(flags_query(q), Query) and isinstance(text_query(q), Query)
        assert 1 <= len(q.answer) <= 800, q.id
        assert "--" not in q.query and "=" not in q.query, q.id  # English, not flag syntax
        if q.is_best:
            assert q.best_value is not None and flags_query(q).sort_metric is not None, q.id


def test_packaged_questions_match_the_source_files(shared_data: Path) -> None:
    """The packaged answers are what the truth script computes now from ../shared/data."""
    from assetscout.eval.structured_truth import build_questions

    packaged = {q.id: q for q in load_structured(packaged_structured_file())}
    fresh = build_questions(shared_data)
    assert sorted(packaged) == sorted(q.id for q in fresh)
    for q in fresh:
        assert packaged[q.id].answer == frozenset(q.answer), q.id
        assert packaged[q.id].flags == json.loads(json.dumps(q.flags)), q.id
