"""The lineage graph on the graph zoo (tests/conftest.py): walks, placeholders, bad metadata, statistics."""

from __future__ import annotations

import pytest

from assetscout.catalog.graph.lineage import find_cycles, graph_stats, subgraph
from assetscout.catalog.summary import catalog_info, format_info
from assetscout.errors import InvalidInput, NotFound


@pytest.fixture(scope="module")
def con(graph_catalog):
    catalog, _ = graph_catalog
    c = catalog.connect()
    yield c
    c.close()


def _edges(g):
    return {(e.src, e.dst, e.relation) for e in g.edges}


def test_up_walks_ancestors_with_relations_and_sources(con):
    g = subgraph(con, "hf:model/org/grandchild", direction="up", depth=5)
    assert _edges(g) == {("hf:model/org/grandchild", "hf:model/org/child-apache", "quantized"),
                         ("hf:model/org/child-apache", "hf:model/org/base-nc", "finetune")}
    depth = {n.id: n.depth for n in g.nodes}
    assert depth == {"hf:model/org/grandchild": 0, "hf:model/org/child-apache": 1, "hf:model/org/base-nc": 2}
    assert all(e.sources == ["hf_card"] for e in g.edges)
    assert {n.id: n.license for n in g.nodes}["hf:model/org/base-nc"] == "CC-BY-NC-4.0"
    assert not g.cycles and not g.self_loops and not g.truncated


def test_depth_bounds_the_walk_and_down_finds_descendants(con):
    assert {n.id for n in subgraph(con, "hf:model/org/grandchild", direction="up", depth=1).nodes} == {
        "hf:model/org/grandchild", "hf:model/org/child-apache"}
    down = subgraph(con, "hf:model/org/base-nc", direction="down", depth=3)
    assert {n.id for n in down.nodes} == {"hf:model/org/base-nc", "hf:model/org/child-apache", "hf:model/org/grandchild"}


def test_dataset_edges_trained_on_and_derived(con):
    g = subgraph(con, "hf:dataset/org/nc-data", direction="down")
    assert _edges(g) == {("hf:model/org/trained-on-nc", "hf:dataset/org/nc-data", "trained_on")}
    g = subgraph(con, "hf:dataset/org/derived-data", direction="up")
    assert ("hf:dataset/org/derived-data", "hf:dataset/org/nd-data", "derived") in _edges(g)


def test_missing_parent_is_a_named_placeholder_and_can_be_asked_about(con):
    g = subgraph(con, "hf:model/org/orphan", direction="up")
    placeholder = next(n for n in g.nodes if n.id == "hf:model/missing/parent")
    assert placeholder.in_catalog is False and placeholder.kind is None and placeholder.name == "missing/parent"
    down = subgraph(con, "missing/parent", direction="down")  # a bare repo id resolves to the placeholder
    assert down.root == "hf:model/missing/parent" and {n.id for n in down.nodes} == {
        "hf:model/missing/parent", "hf:model/org/orphan"}


def test_cycle_and_self_loop_are_reported_and_the_walk_ends(con):
    g = subgraph(con, "hf:model/org/cyc-a", direction="both", depth=20)
    assert g.cycles == [["hf:model/org/cyc-a", "hf:model/org/cyc-b"]]
    assert {n.id for n in g.nodes} == {"hf:model/org/cyc-a", "hf:model/org/cyc-b"}
    s = subgraph(con, "hf:model/org/selfie", depth=20)
    assert s.self_loops == [{"asset_id": "hf:model/org/selfie", "relation": "finetune"}]
    assert [n.id for n in s.nodes] == ["hf:model/org/selfie"]


def test_relation_filter_and_node_limit(con):
    only = subgraph(con, "hf:model/org/clean-child", direction="up", relations=["trained_on"])
    assert _edges(only) == {("hf:model/org/clean-child", "hf:dataset/org/open-data", "trained_on")}
    small = subgraph(con, "hf:model/org/clean-child", direction="up", limit=2)
    assert small.truncated and len(small.nodes) == 2


@pytest.mark.parametrize("kwargs, message", [
    ({"direction": "sideways"}, "direction must be one of"),
    ({"depth": 0}, "depth must be an integer in 1..20"),
    ({"depth": True}, "depth must be an integer"),
    ({"limit": 10**9}, "limit must be an integer in 1..5000"),
])
def test_bad_arguments_are_clear_errors(con, kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        subgraph(con, "hf:model/org/cyc-a", **kwargs)


def test_unknown_asset_is_not_found(con):
    with pytest.raises(NotFound, match="no asset 'nobody/nothing'"):
        subgraph(con, "nobody/nothing")


def test_find_cycles_on_a_long_chain_needs_no_recursion():
    chain = [(f"n{i}", f"n{i + 1}") for i in range(20_000)] + [("n20000", "n0"), ("x", "y")]
    cycles = find_cycles(chain)
    assert len(cycles) == 1 and len(cycles[0]) == 20_001


def test_graph_stats_and_info(graph_catalog, con):
    stats = graph_stats(con)
    assert stats["self_loops"] == 1 and stats["self_loop_examples"] == ["hf:model/org/selfie"]
    assert stats["cycles"] == 1 and stats["cycle_examples"] == [["hf:model/org/cyc-a", "hf:model/org/cyc-b"]]
    assert stats["placeholder_parents"] == 1
    assert stats["edges_by_relation"]["finetune"] == 10 and stats["edges_by_relation"]["trained_on"] == 2
    top = stats["largest_families"][0]
    assert top == {"root": "hf:model/org/base-nc", "size": 3, "depth": 2, "relations": {"finetune": 1, "quantized": 1}}
    text = format_info(catalog_info(graph_catalog[0]))
    assert "1 self-loops" in text and "1 cycles" in text and "family of hf:model/org/base-nc: 3 assets, 2 generations" in text
