"""Natural-language interpretation: the packaged phrasing table, undoing, flags first, hostile text."""

from __future__ import annotations

import json
import random

import pytest

from assetscout.eval.interpret import evaluate, load_cases, packaged
from assetscout.search.interpret import Interpreter
from assetscout.search.interpret.signature import signatures
from assetscout.search.interpret.vocabulary import vocabulary_from_json
from assetscout.search.query import MetricConstraint, Query


@pytest.fixture(scope="module")
def interpreter() -> Interpreter:
    return Interpreter(vocabulary_from_json(json.loads(packaged("interpret_vocabulary.json").read_text("utf-8"))))


def test_packaged_table_is_read_exactly_and_states_no_false_constraint(interpreter: Interpreter) -> None:
    result = evaluate(load_cases(packaged("interpret_cases.jsonl")), interpreter.vocab, "snapshot")
    assert result.cases >= 150
    assert result.exact >= 0.95, result.failures
    assert result.false_constraint_rate <= 0.01, [f for f in result.failures if set(f["got"]) - set(f["expected"])]


def test_held_out_phrasings(interpreter: Interpreter) -> None:
    result = evaluate(load_cases(packaged("interpret_heldout.jsonl")), interpreter.vocab, "snapshot")
    assert result.exact >= 0.9 and result.false_constraint_rate <= 0.03, result.failures


def test_each_constraint_names_its_words(interpreter: Interpreter) -> None:
    text = "object detector under 20M parameters with mAP above 40 on COCO, apache licensed"
    r = interpreter.interpret(text)
    by_key = {c.key: c for c in r.constraints}
    assert by_key["max_parameters"].source_text == "under 20M parameters" and by_key["max_parameters"].value == 20_000_000
    assert by_key["metric"].source_text == "mAP above 40 on COCO"
    assert MetricConstraint.parse(by_key["metric"].value) == MetricConstraint("map", ">", 40.0, "COCO")
    assert by_key["license"].value == ["Apache-2.0"] and by_key["task"].preferred
    assert text[by_key["metric"].start:by_key["metric"].end] == "mAP above 40 on COCO"
    assert r.remaining_text == "object detector"  # hard constraints' words leave the text, the task's stay


def test_literal_phrases_stay_text(interpreter: Interpreter) -> None:
    text = "apache licensed models under 20M parameters"
    r = interpreter.interpret(text, literal=["under 20M parameters"])
    assert "max_parameters" not in {c.key for c in r.constraints} and "license" in {c.key for c in r.constraints}
    assert "under 20M parameters" in r.remaining_text


@pytest.mark.parametrize("text", ["not apache", "no GPL models", "ResNet-50", "GPT-2 small", "T5-11B", "COCO 2017",
                                  "models from MIT", "polish this list", "faster than ResNet-50 on cpu",
                                  "non-commercial OK", "multilingual-e5-small", "edge detection"])
def test_false_friends_make_no_hard_constraint(interpreter: Interpreter, text: str) -> None:
    hard = {s for s in signatures(interpreter.interpret(text)) if not s.startswith(("kind=", "task~"))}
    assert hard == set(), text


def test_interpreted_constraints_merge_into_the_query_and_flags_win(interpreter: Interpreter) -> None:
    asked = Query.build(text="apache licensed object detector under 20M parameters", filters={"license": "mit"},
                        sort="metric:map@COCO")
    r = interpreter.interpret(asked.text)
    q = r.apply(asked)
    assert q.filters["license"] == ["mit"] and "license" in r.overridden  # the user's flag wins
    assert q.filters["max_parameters"] == 20_000_000 and q.kinds == ("model",)
    assert q.sort == "metric:map@COCO" and q.text == "object detector" and "task" in q.preferred_filters
    assert not q.interpret or q.interpret == asked.interpret


def test_hostile_text_never_crashes(interpreter: Interpreter) -> None:
    rng = random.Random(7)
    pieces = ["under", "20M", "mAP", ">", "40", "%", "on", "COCO", "apache", "\u202e", "\u0301", "\x00", "🤖",
              "not", "@", "best", "-", "(", ")", "[", "1e308", "999999999999999999999", "à", "ß", "İ"]
    for _ in range(400):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        r = interpreter.interpret(text)
        for c in r.constraints:
            if c.type == "metric":
                MetricConstraint.parse(c.value)  # what the interpreter wrote always parses back
        assert isinstance(r.remaining_text, str)
    interpreter.interpret("accuracy above 90% " * 200)  # long text: no pathological regex time
