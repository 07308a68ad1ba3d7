"""Property-based input tests (hypothesis): whatever text, number or bytes a user sends, the
parsers give a value or a clean `InvalidInput` naming the problem, never another exception.

Strategies draw arbitrary unicode *including* lone surrogates, NUL and control characters,
right-to-left and combining marks, and extreme numbers. Each property runs `EXAMPLES`
examples (derandomized: the same examples on every run, so CI cannot flake).
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assetscout.errors import InvalidInput, NotFound
from assetscout.search.query import FILTER_KEYS, MetricConstraint, MetricSort, Query, check_filters, parse_filter_args

EXAMPLES = int(os.environ.get("ASSETSCOUT_PROPERTY_EXAMPLES", "300"))
PROPERTY = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# every code point: surrogates (Cs) and controls (Cc) included, which st.text() leaves out by default
ANY_CHAR = st.characters(codec=None, categories=None)
HOSTILE = st.sampled_from(["\ud800", "\udfff", "\x00", "\u202e", "\u0301\u0301\u0301", "\ufeff", "\u2028",
                           "' OR 1=1 --", "../../etc/passwd", "%00", "\U0010ffff", "=", "==", "@", "%", " on "])
TEXT = st.one_of(st.text(ANY_CHAR, max_size=60), st.lists(st.one_of(HOSTILE, st.text(ANY_CHAR, max_size=5)),
                                                          max_size=8).map("".join))
NUMBER = st.one_of(st.integers(min_value=-(10**30), max_value=10**30), st.floats(allow_nan=True, allow_infinity=True),
                   st.booleans(), st.none(), TEXT)
VALUE = st.one_of(NUMBER, st.lists(NUMBER, max_size=4), st.dictionaries(TEXT, NUMBER, max_size=2))


def _encodable(query: Query) -> None:
    """What a query keeps can be written out as UTF-8 JSON (the response echoes it)."""
    json.dumps({"text": query.text, "filters": query.filters, "literal": query.literal, "sort": query.sort,
                "metrics": [m.to_text() for m in query.metrics]}, ensure_ascii=False, allow_nan=False).encode("utf-8")


@PROPERTY
@given(text=TEXT, kinds=st.one_of(TEXT, st.lists(TEXT, max_size=3)), sort=TEXT, k=NUMBER, offset=NUMBER,
       literal=st.lists(TEXT, max_size=3), explain=NUMBER, interpret=NUMBER)
@example(text="\ud800", kinds=[], sort="relevance", k=10, offset=0, literal=[], explain=False, interpret=True)
@example(text="x", kinds=["model"], sort="metric:\udc80@x", k=True, offset=0, literal=[], explain=False, interpret=True)
def test_query_build_gives_a_query_or_invalid_input(text, kinds, sort, k, offset, literal, explain, interpret) -> None:
    try:
        query = Query.build(text=text, kinds=kinds, sort=sort, k=k, offset=offset, literal=literal, explain=explain,
                            interpret=interpret)
    except InvalidInput as exc:
        assert str(exc)
        return
    _encodable(query)
    assert 1 <= query.k <= 1000 and 0 <= query.offset <= 10_000 and not isinstance(query.k, bool)


@PROPERTY
@given(filters=st.dictionaries(st.one_of(st.sampled_from(sorted(FILTER_KEYS)), TEXT), VALUE, max_size=4))
def test_filters_give_normalized_values_or_invalid_input(filters) -> None:
    try:
        checked = check_filters(filters)
    except InvalidInput as exc:
        assert str(exc)
        return
    assert set(checked) <= set(FILTER_KEYS)
    for key, value in checked.items():
        kind = FILTER_KEYS[key][0]
        if kind == "list":
            assert value and all(isinstance(v, str) and v == v.strip() and v for v in value)
            for v in value:
                v.encode("utf-8")  # no lone surrogate kept
        elif kind == "bool":
            assert isinstance(value, bool)
        else:
            assert isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**16


@PROPERTY
@given(items=st.lists(st.one_of(TEXT, st.builds(lambda k, v: f"{k}={v}", st.sampled_from(sorted(FILTER_KEYS)), TEXT)),
                      max_size=4))
@example(items=["license==mit"])
def test_filter_arguments_parse_or_say_why(items) -> None:
    try:
        checked = check_filters(parse_filter_args(items))
    except InvalidInput as exc:
        assert str(exc)
        return
    for values in checked.values():
        if isinstance(values, list):
            assert not any(v.startswith("=") for v in values)


@PROPERTY
@given(text=st.one_of(TEXT, st.builds(lambda n, o, v, d: f"{n}{o}{v}@{d}", TEXT, st.sampled_from([">=", "<", "=", "=="]),
                                      NUMBER.map(str), TEXT)))
@example(text="top1>=1e999@ImageNet")
@example(text="R@1>=0.5@\ud800")
def test_metric_constraints_parse_or_say_why(text) -> None:
    try:
        c = MetricConstraint.parse(text)
    except InvalidInput as exc:
        assert str(exc)
        return
    assert math.isfinite(c.value) and c.op in (">=", "<=", ">", "<", "=")
    assert MetricConstraint.parse(c.to_text()) == c  # the printed form reads back to the same constraint


@PROPERTY
@given(text=TEXT)
def test_metric_sorts_parse_or_say_why(text) -> None:
    try:
        s = MetricSort.parse("metric:" + text)
    except InvalidInput as exc:
        assert str(exc)
        return
    assert s.metric and s.to_text().startswith("metric:")


@PROPERTY
@given(name=st.one_of(TEXT, st.lists(st.sampled_from(["a", "..", ".", "", "b.csv", "/", "\\", "C:", "\x00"]),
                                     max_size=6).map("/".join)))
def test_upload_names_are_safe_relative_paths_or_refused(name) -> None:
    from assetscout.search.http_uploads import safe_upload_name

    try:
        path = safe_upload_name(name)
    except InvalidInput as exc:
        assert str(exc)
        return
    assert not path.is_absolute() and ".." not in path.parts and path.parts
    assert all(ord(ch) >= 32 for ch in str(path))


@pytest.fixture(scope="module")
def interpreter():
    from importlib import resources

    from assetscout.search.interpret.interpret import Interpreter
    from assetscout.search.interpret.vocabulary import vocabulary_from_json

    data = resources.files("assetscout.eval").joinpath("data/interpret_vocabulary.json").read_text("utf-8")
    return Interpreter(vocabulary_from_json(json.loads(data)))


@PROPERTY
@given(text=st.one_of(TEXT, st.lists(st.sampled_from(["under", "20M", "parameters", "mAP", "above", "40", "on", "COCO",
                                                      "apache", "best", "5%", "1e400", "-", "nan", "ResNet-50", "\ud800"]),
                                     max_size=10).map(" ".join)))
def test_interpretation_never_crashes_and_names_its_words(interpreter, text) -> None:
    try:
        clean = Query.build(text=text).text
    except InvalidInput:
        return  # refused where it enters, before interpretation
    result = interpreter.interpret(clean)
    for c in result.constraints:  # each constraint names the words it came from (a benchmark after ' … ')
        words = c.source_text.split(" … ")
        assert clean[c.start:c.end] == words[0] and all(w in clean for w in words)


@PROPERTY
@given(data=st.binary(max_size=2048), suffix=st.sampled_from([".csv", ".tsv", ".jsonl", ".parquet", ".txt"]))
@example(data=b"a,b\n\xff\xfe\x00,1\n", suffix=".csv")
@example(data=b"\xef\xbb\xbf" + b",".join([b"c"] * 3000) + b"\n", suffix=".csv")
def test_any_bytes_read_as_a_table_or_a_table_read_error(tmp_path_factory, data, suffix) -> None:
    from assetscout.tables.read import ReadOptions, TableReadError, read_table

    path = tmp_path_factory.mktemp("bytes") / f"t{suffix}"
    path.write_bytes(data)
    try:
        res = read_table(path, ReadOptions(max_columns=100))
    except TableReadError as exc:
        assert exc.reason
        return
    assert len(res.columns) <= 100
    for col in res.columns:
        str(col.name).encode("utf-8")  # names can be shown and stored


def test_asset_ids_of_any_text_find_the_asset_or_say_not_found(tmp_path: Path, shared_data: Path) -> None:
    """Asset ids reach DuckDB (bound, never pasted) and the lineage resolver: only NotFound or InvalidInput."""
    from assetscout.catalog.ingest import ingest
    from assetscout.catalog.store import open_catalog
    from assetscout.embed.fake import HashingEncoder
    from assetscout.search.build import build_search_index
    from assetscout.search.engine import SearchEngine

    catalog = open_catalog(tmp_path / "cat")
    ingest([shared_data / "cards" / "helm_model_metadata" / "model_metadata.yaml"], catalog)
    build_search_index(catalog, HashingEncoder())
    engine = SearchEngine.open(catalog.root, encoder=HashingEncoder())
    known = engine.search(Query.build(k=1)).hits[0].asset_id
    try:
        @PROPERTY
        @given(asset_id=st.one_of(TEXT, TEXT.map(lambda t: known + t), st.just(known)))
        def check(asset_id) -> None:
            calls = (engine.asset, engine.lineage, engine.license_check, engine.recommend_datasets,
                     lambda a: engine.compare([known, a]), lambda a: engine.recommend_models(dataset=a),
                     lambda a: engine.recommend_models(describe=a))
            for call in calls:
                try:
                    out = call(asset_id)
                except (NotFound, InvalidInput) as exc:
                    assert str(exc)
                    continue
                json.dumps(out, ensure_ascii=False, default=str).encode("utf-8")

        check()
        assert engine.asset(known)["asset_id"] == known
    finally:
        engine.close()
