"""License compliance across lineage: every rule on the graph zoo, the stored status, the filters."""

from __future__ import annotations

import pytest

from assetscout.catalog.graph.compliance import RULES, check_all, stored_check, summarize
from assetscout.errors import InvalidInput, NotFound

EXPECTED = {  # asset -> (status, commercial use safe across lineage, rules fired)
    "hf:model/org/child-apache": ("conflict", False, {"non-commercial-ancestor"}),
    "hf:model/org/grandchild": ("conflict", False, {"non-commercial-ancestor"}),
    "hf:model/org/rail-adapter-mit": ("conflict", False, {"use-restrictions-dropped"}),
    "hf:model/org/rail-finetune": ("clean", True, {"use-restrictions-inherited"}),
    "hf:model/org/llama-apache": ("conflict", False, {"community-license-dropped"}),
    "hf:model/org/sa-child-mit": ("conflict", False, {"share-alike-ancestor"}),
    "hf:model/org/trained-on-nc": ("conflict", False, {"non-commercial-training-data"}),
    "hf:model/org/orphan": ("unknown", False, {"ancestor-not-in-catalog"}),
    "hf:model/org/unlicensed-base": ("unknown", False, {"own-license-unknown"}),
    "hf:model/org/custom-lic": ("unknown", False, {"own-license-custom"}),
    "hf:model/org/child-of-unlicensed": ("unknown", False, {"ancestor-license-unknown"}),
    "hf:dataset/org/derived-data": ("conflict", False, {"non-commercial-ancestor", "no-derivatives-ancestor"}),
    "hf:model/org/clean-child": ("clean", True, set()),
    "hf:model/org/base-nc": ("clean", False, set()),  # non-commercial itself: consistent, not commercially usable
    "hf:model/org/cyc-a": ("clean", True, set()),  # a cycle terminates
    "hf:model/org/selfie": ("clean", True, set()),  # an asset is not its own ancestor
}


@pytest.fixture(scope="module")
def con(graph_catalog):
    c = graph_catalog[0].connect()
    yield c
    c.close()


@pytest.fixture(scope="module")
def checks(con):
    return {c.asset_id: c for c in check_all(con)}


@pytest.mark.parametrize("asset_id", sorted(EXPECTED))
def test_rules(checks, asset_id):
    status, commercial, rules = EXPECTED[asset_id]
    c = checks[asset_id]
    assert (c.status, c.commercial_use_across_lineage, {f.rule for f in c.findings}) == (status, commercial, rules)
    for f in c.findings:
        assert f.severity == RULES[f.rule][0] and f.asset_id == asset_id and f.message


def test_finding_names_asset_ancestor_both_licenses_and_path(checks):
    f = checks["hf:model/org/grandchild"].findings[0]
    assert (f.ancestor_id, f.ancestor_license, f.asset_license, f.via, f.path) == (
        "hf:model/org/base-nc", "CC-BY-NC-4.0", "Apache-2.0", "lineage", "quantized > finetune")
    t = checks["hf:model/org/trained-on-nc"].findings[0]
    assert (t.ancestor_id, t.ancestor_license, t.via, t.path) == (
        "hf:dataset/org/nc-data", "CC-BY-NC-4.0", "training data", "trained_on")
    o = checks["hf:model/org/orphan"].findings[0]
    assert (o.ancestor_id, o.ancestor_license) == ("hf:model/missing/parent", "not in catalog")


def test_training_data_of_an_ancestor_is_inherited(graph_catalog, tmp_path):
    """A fine-tune of a model trained on non-commercial data inherits that finding, via its parent."""
    from assetscout.catalog.ingest import ingest
    from assetscout.catalog.store import open_catalog

    folder = tmp_path / "cards"
    folder.mkdir()
    for src in graph_catalog[1].iterdir():
        (folder / src.name).write_bytes(src.read_bytes())
    (folder / "org@heir.md").write_text("---\nlicense: mit\nbase_model: org/trained-on-nc\n"
                                        "base_model_relation: finetune\n---\nheir\n", encoding="utf-8")
    catalog = open_catalog(tmp_path / "cat")
    ingest([folder], catalog)
    con = catalog.connect()
    try:
        c = stored_check(con, "hf:model/org/heir")
    finally:
        con.close()
    assert c.status == "conflict"
    f = next(f for f in c.findings if f.rule == "non-commercial-training-data")
    assert (f.ancestor_id, f.via, f.path) == ("hf:dataset/org/nc-data", "training data of hf:model/org/trained-on-nc",
                                              "finetune > trained_on")


def test_stored_check_is_what_the_check_computes(con, checks):
    for asset_id in EXPECTED:
        stored = stored_check(con, asset_id)
        live = checks[asset_id]
        assert (stored.status, stored.commercial_use_across_lineage, stored.ancestors_checked,
                stored.datasets_checked) == (live.status, live.commercial_use_across_lineage,
                                             live.ancestors_checked, live.datasets_checked)
        assert set(stored.findings) == set(live.findings) and len(stored.findings) == len(live.findings)


def test_stored_check_errors(con):
    with pytest.raises(NotFound, match="no asset 'hf:model/none'"):
        stored_check(con, "hf:model/none")
    with pytest.raises(InvalidInput, match="non-empty string"):
        stored_check(con, "")


def test_summary_counts(checks):
    s = summarize(list(checks.values()))
    assert s["assets"] == 24 and sum(s["by_status"].values()) == 24
    assert s["by_status"]["conflict"] == 7
    assert s["findings_by_rule"]["non-commercial-ancestor"] == {
        "severity": "conflict", "findings": 3, "assets": 3, "meaning": RULES["non-commercial-ancestor"][1]}


def test_filters_and_facet(graph_catalog):
    from assetscout.search.engine import SearchEngine
    from assetscout.search.query import Query

    engine = SearchEngine.open(graph_catalog[0])
    try:
        conflict = engine.search(Query.build(filters={"license_lineage": "conflict"}, k=50))
        assert {h.asset_id for h in conflict.hits} == {a for a, v in EXPECTED.items() if v[0] == "conflict"}
        safe = engine.search(Query.build(filters={"commercial_use_lineage": True}, k=50))
        assert {"hf:model/org/clean-child", "hf:model/org/rail-finetune"} <= {h.asset_id for h in safe.hits}
        assert not {a for a, v in EXPECTED.items() if not v[1]} & {h.asset_id for h in safe.hits}
        counts = {v.value: v.count for v in conflict.facets.counts["license_lineage"]}
        assert counts == {"conflict": 7}
        everything = engine.facets(Query.build())
        assert {v.value: v.count for v in everything.counts["license_lineage"]} == {
            "clean": 13, "conflict": 7, "unknown": 4}
    finally:
        engine.close()
    with pytest.raises(InvalidInput, match="license_lineage 'dirty' is not known"):
        Query.build(filters={"license_lineage": "dirty"})
