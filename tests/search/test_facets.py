"""Facet counts: one query over the matching set, consistent with the filters, size-limited, time-budgeted."""

from __future__ import annotations

import datetime as dt

import pytest

from assetscout.catalog.ingest import _insert, refresh_derived_columns
from assetscout.search.facets import FACETS, facet_counts
from assetscout.search.planner import build_where
from assetscout.search.query import Query


def _asset(i: int, kind: str, license_class: str, tasks: list[str], languages: list[str]) -> dict:
    return {"asset_id": f"a{i}", "kind": kind, "name": f"n{i}", "source": "t", "source_uri": "f", "sources": ["t"],
            "license_class": license_class, "license_spdx": "MIT" if license_class == "permissive" else None,
            "tasks": tasks, "languages": languages, "tags": [], "aliases": [], "content_hash": "h",
            "updated_at": dt.datetime(2026, 1, 1)}


@pytest.fixture
def con(catalog):
    rows = [_asset(0, "model", "permissive", ["Text Classification"], ["en"]),
            _asset(1, "model", "permissive", ["text-classification", "fill-mask"], ["eng-Latn", "fr"]),
            _asset(2, "dataset", "unknown", ["translation"], ["EN", "de"]),
            _asset(3, "dataset", "copyleft", [], [])]
    with catalog.writing() as w:
        _insert(w, "asset", rows)
        refresh_derived_columns(w)
    c = catalog.connect()
    yield c
    c.close()


def _counts(result, name: str) -> dict[str, int]:
    return {v.value: v.count for v in result.counts[name]}


def test_counts_over_the_matching_set(con) -> None:
    everything = facet_counts(con, build_where(con, Query.build()))
    assert set(everything.counts) == set(FACETS) and not everything.timed_out
    assert _counts(everything, "kind") == {"model": 2, "dataset": 2}
    assert _counts(everything, "license") == {"MIT": 2}  # no value: not counted
    # task and language facets count the keys the filters match: one value however it was written
    assert _counts(everything, "task") == {"text-classification": 2, "fill-mask": 1, "translation": 1}
    assert _counts(everything, "language") == {"en": 3, "fr": 1, "de": 1}
    models = facet_counts(con, build_where(con, Query.build(kinds=["model"])))
    assert _counts(models, "kind") == {"model": 2} and _counts(models, "license_class") == {"permissive": 2}


def test_a_facet_value_used_as_a_filter_matches_its_count(con) -> None:
    everything = facet_counts(con, build_where(con, Query.build()))
    for facet, key in (("task", "task"), ("language", "language"), ("license_class", "license_class")):
        for value in everything.counts[facet]:
            where = build_where(con, Query.build(filters={key: [value.value]}))
            n = con.execute(f"SELECT count(*) FROM asset_view a WHERE {where.sql}", where.params).fetchone()[0]
            assert n == value.count, (facet, value)


def test_size_limit_says_truncated_and_ties_break_by_value(con) -> None:
    result = facet_counts(con, build_where(con, Query.build()), size=1)
    assert [v.value for v in result.counts["task"]] == ["text-classification"]
    assert result.truncated["task"] is True and result.truncated["license"] is False
    assert [v.value for v in result.counts["kind"]] == ["dataset"]  # 2 and 2: alphabetical first


def test_spent_budget_reports_every_facet_as_timed_out(con) -> None:
    result = facet_counts(con, build_where(con, Query.build()), time_budget_s=0)
    assert result.timed_out == list(FACETS) and result.counts == {}


def test_a_facet_query_past_its_budget_is_interrupted_and_the_connection_still_works(con) -> None:
    from assetscout.search.planner import Where

    slow = Where()
    slow.add("(SELECT count(*) FROM range(5000000000)) > ?", 0)  # seconds of work in one scalar subquery
    result = facet_counts(con, slow, time_budget_s=0.05)
    assert result.timed_out == list(FACETS) and result.counts == {}
    assert _counts(facet_counts(con, build_where(con, Query.build())), "kind") == {"model": 2, "dataset": 2}
