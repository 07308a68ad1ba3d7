"""Hub popularity, task and language keys stored on asset rows at ingest, as asset_view and the filters read them."""

from __future__ import annotations

import datetime as dt

from assetscout.catalog.ingest import _insert, refresh_derived_columns


def _asset(asset_id: str, tasks: list[str], downloads: int | None, languages: tuple[str, ...] = ()) -> dict:
    return {"asset_id": asset_id, "kind": "model", "name": asset_id, "source": "t", "source_uri": "f",
            "sources": ["t"], "license_class": "unknown", "tasks": tasks, "languages": list(languages), "tags": [],
            "aliases": [], "content_hash": "h", "updated_at": dt.datetime(2026, 1, 1), "downloads": downloads}


def test_hub_totals_and_task_keys_follow_hub_stats(catalog) -> None:
    with catalog.writing() as con:
        _insert(con, "asset", [_asset("m1", ["Text Classification "], None, ("EN", "eng-Latn", "rus-Cyrl", "xx")), _asset("m2", [], 5),
                               _asset("m3", ["fill-mask"], None)])
        _insert(con, "hub_stats", [
            {"asset_id": "m1", "downloads": 10, "likes": 1, "task": None, "origin": "o1", "source": "hub"},
            {"asset_id": "m1", "downloads": 30, "likes": 2, "task": None, "origin": "o2", "source": "hub"},
            {"asset_id": "m2", "downloads": 99, "likes": 7, "task": "Token Classification", "origin": "o1",
             "source": "hub"},
        ])
        refresh_derived_columns(con)
        con.execute("DELETE FROM hub_stats WHERE asset_id = 'm1'")
        _insert(con, "hub_stats", [{"asset_id": "m3", "downloads": 4, "likes": None, "task": "fill mask",
                                    "origin": "o3", "source": "hub"}])
        refresh_derived_columns(con)
    con = catalog.connect()
    keys = dict(con.execute("SELECT asset_id, language_keys FROM asset").fetchall())
    assert keys == {"m1": ["en", "ru", "xx"], "m2": None, "m3": None}  # one key per language
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT asset_id, downloads, likes, task_keys FROM asset_view ORDER BY asset_id").fetchall()}
    assert rows["m1"] == (None, None, ["text-classification"])  # its hub rows are gone: totals cleared
    assert rows["m2"] == (5, 7, ["token-classification"])  # the card's own downloads win over the hub's
    assert rows["m3"] == (4, None, ["fill-mask"])  # one key for "fill-mask" and "fill mask"


def test_the_hub_pipeline_tag_is_the_indexed_task_of_a_card_that_names_none(catalog) -> None:
    from assetscout.embed.fake import HashingEncoder
    from assetscout.search.build import build_search_index
    from assetscout.search.engine import SearchEngine
    from assetscout.search.query import Query

    with catalog.writing() as con:
        _insert(con, "asset", [_asset("org/tagger", [], None), _asset("org/other", [], None)])
        _insert(con, "hub_stats", [{"asset_id": "org/tagger", "downloads": 1, "likes": 0,
                                    "task": "token-classification", "origin": "o", "source": "hub"}])
        refresh_derived_columns(con)
    build_search_index(catalog, HashingEncoder(64))
    engine = SearchEngine(catalog, HashingEncoder(64))
    hits = engine.search(Query.build(text="token-classification"), with_facets=False, mode="lexical").hits
    assert [h.asset_id for h in hits] == ["org/tagger"]  # only the Hub table gave it a task
