"""Join index: recall against exact containment, exact ranking, incremental adds, persistence."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assetscout.errors import CatalogError, InvalidInput, NotFound
from assetscout.tables.join import JoinIndex, JoinMatch
from assetscout.tables.minhash import ColumnRef, signature_of


def synthetic_lake(seed: int, n_queries: int = 20, per_query: int = 6):
    """Query sets plus candidate columns holding a planted share of each query's values.

    Returns (queries, columns): queries[i] = (set, {candidate ref: exact containment}).
    """
    rng = np.random.default_rng(seed)
    queries = []
    columns: list[tuple[ColumnRef, set[str]]] = []
    for i in range(n_queries):
        q = {f"q{i}-{j}" for j in range(int(rng.integers(30, 200)))}
        ql = sorted(q)
        truth = {}
        for k in range(per_query):
            c = [1.0, 0.95, 0.8, 0.6, 0.3, 0.05][k]
            shared = set(ql[: int(round(c * len(ql)))])
            noise = {f"n{i}-{k}-{j}" for j in range(int(rng.integers(0, 5 * len(q))))}
            ref = ColumnRef(f"lake/t{i}_{k}.csv", k % 3, f"col{k}")
            columns.append((ref, shared | noise))
            truth[ref] = len(shared) / len(q)
        queries.append((q, truth))
    return queries, columns


@pytest.fixture
def lake():
    return synthetic_lake(0)


def build(tmp_path, columns, **kw) -> JoinIndex:
    idx = JoinIndex.create(tmp_path / "join", **kw)
    idx.add(columns)
    idx.save()
    return idx


def test_recall_and_exact_ranking_against_ground_truth(tmp_path, lake):
    queries, columns = lake
    idx = build(tmp_path, columns, threshold=0.7)
    found = expected = 0
    for q, truth in queries:
        want = {r for r, c in truth.items() if c >= 0.7}
        got = idx.query(q, k=10)
        assert all(m.exact and m.containment >= 0.7 for m in got)
        assert [m.containment for m in got] == sorted((m.containment for m in got), reverse=True)
        for m in got:  # containment and overlap are exact, not estimates
            ref = ColumnRef(m.table, m.ordinal, m.column)
            assert m.containment == pytest.approx(truth[ref])
            assert m.overlap == round(truth[ref] * len(q))
        found += len({ColumnRef(m.table, m.ordinal, m.column) for m in got} & want)
        expected += len(want)
    assert expected == 60 and found / expected >= 0.95


def test_min_containment_filters_and_k_truncates(tmp_path, lake):
    queries, columns = lake
    idx = build(tmp_path, columns, threshold=0.5)
    q, truth = queries[0]
    got = idx.query(q, min_containment=0.9, k=10)
    assert sorted(m.containment for m in got) == sorted(c for c in truth.values() if c >= 0.9)
    assert len(idx.query(q, k=1)) == 1 and idx.query(q, k=1)[0].containment == 1.0
    with pytest.raises(InvalidInput, match=r"min_containment must be a number in \[0.5, 1\]"):
        idx.query(q, min_containment=0.3)
    with pytest.raises(InvalidInput, match="k must be"):
        idx.query(q, k=0)


def test_query_values_are_normalized(tmp_path):
    cols = [(ColumnRef("a.csv", 0, "city"), ["Paris", "Rome", "Oslo", "Lima"])]
    idx = build(tmp_path, cols, threshold=0.5)
    got = idx.query(["  PARIS", "rome", "NA", None, "oslo"])
    assert got == [JoinMatch("a.csv", "city", 0, 1.0, 3, 4, True)]
    assert idx.query(["NA", None, ""]) == []


def test_signature_only_query_is_estimated(tmp_path, lake):
    queries, columns = lake
    idx = build(tmp_path, columns, threshold=0.7)
    q, truth = queries[1]
    got = idx.query(signature=signature_of(q), k=10)
    assert got and all(not m.exact and m.overlap is None for m in got)
    top = got[0]
    assert truth[ColumnRef(top.table, top.ordinal, top.column)] >= 0.8
    with pytest.raises(InvalidInput, match="exactly one"):
        idx.query()
    with pytest.raises(InvalidInput, match="hash values"):
        idx.query(signature=(np.zeros(5, dtype=np.uint64), 3))


def test_exclusions_and_query_column(tmp_path, lake):
    queries, columns = lake
    ref0, values0 = columns[0]  # planted: holds all of query 0
    idx = build(tmp_path, columns, threshold=0.5)
    got = idx.query(queries[0][0], exclude_tables=[ref0.table])
    assert ref0.table not in {m.table for m in got}
    assert idx.values_of(ref0) == values0
    own = idx.query_column(ref0, k=50)
    assert all(m.table != ref0.table for m in own)
    with pytest.raises(NotFound):
        idx.values_of(ColumnRef("nope", 0, "x"))


def test_incremental_add_uses_the_delta_then_rebuilds(tmp_path, lake):
    queries, columns = lake
    first, later = columns[:60], columns[60:]
    idx = JoinIndex.create(tmp_path / "join", threshold=0.7, max_delta=30)
    idx.add(first)
    idx.rebuild()
    assert idx.delta_size == 0
    idx.add(later[:24])  # queries 10..13: in the delta, searched by signature
    assert idx.delta_size == 24
    q, truth = queries[11]
    got = {ColumnRef(m.table, m.ordinal, m.column) for m in idx.query(q, k=10)}
    assert got == {r for r, c in truth.items() if c >= 0.7}
    idx.add(later[24:])  # past max_delta: the main ensemble is dropped ...
    assert idx.delta_size == 0
    q, truth = queries[19]
    got = {ColumnRef(m.table, m.ordinal, m.column) for m in idx.query(q, k=10)}
    assert got == {r for r, c in truth.items() if c >= 0.7}
    assert idx.delta_size == 0 and len(idx) == len(columns)  # ... and rebuilt over everything


def test_save_open_and_read_only(tmp_path, lake):
    queries, columns = lake
    idx = build(tmp_path, columns[:30], threshold=0.7, num_part=4)
    before = idx.query(queries[2][0])
    idx.close()
    ro = JoinIndex.open(tmp_path / "join")
    assert len(ro) == 30 and ro.num_part == 4 and ro.query(queries[2][0]) == before
    with pytest.raises(InvalidInput, match="read-only"):
        ro.add(columns[30:])
    ro.close()
    manifest = json.loads((tmp_path / "join" / "manifest.json").read_text())
    assert manifest["format_version"] == 1 and manifest["n_columns"] == 30
    assert manifest["threshold"] == 0.7 and "datasketch" in manifest["library_versions"]


def test_unsaved_adds_are_rolled_back_on_open(tmp_path, lake):
    queries, columns = lake
    idx = build(tmp_path, columns[:12], threshold=0.7)
    idx.add(columns[12:24])  # never saved: a crash here
    idx.close()
    rw = JoinIndex.open(tmp_path / "join", read_only=False)
    assert len(rw) == 12
    assert all(rw._live().values(i) == set() for i in range(12, 24))
    rw.add(columns[12:24])
    rw.save()
    q, truth = queries[3]
    assert {ColumnRef(m.table, m.ordinal, m.column) for m in rw.query(q)} == \
        {r for r, c in truth.items() if c >= 0.7}


def test_open_refuses_other_formats_and_other_hashing(tmp_path):
    with pytest.raises(CatalogError, match="not a join index"):
        JoinIndex.open(tmp_path)
    idx = JoinIndex.create(tmp_path / "j")
    idx.close()
    path = tmp_path / "j" / "manifest.json"
    manifest = json.loads(path.read_text())
    path.write_text(json.dumps(manifest | {"probe": [1, 2, 3, 4]}))
    with pytest.raises(CatalogError, match="hashes differently"):
        JoinIndex.open(tmp_path / "j")
    path.write_text(json.dumps(manifest | {"format_version": 99}))
    with pytest.raises(CatalogError, match="version"):
        JoinIndex.open(tmp_path / "j")


@pytest.mark.parametrize("kwargs,name", [
    ({"threshold": 0.0}, "threshold"), ({"threshold": 1.5}, "threshold"), ({"num_part": 0}, "num_part"),
    ({"m": 1}, "m"), ({"num_perm": 7}, "num_perm"), ({"fn_weight": 2}, "fn_weight"),
    ({"delta_slack": 1.0}, "delta_slack"), ({"max_delta": -1}, "max_delta"),
])
def test_create_checks_parameters(tmp_path, kwargs, name):
    with pytest.raises(InvalidInput, match=name):
        JoinIndex.create(tmp_path / "j", **kwargs)


def test_create_refuses_a_non_empty_directory(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "file").write_text("keep me")
    with pytest.raises(InvalidInput, match="directory"):
        JoinIndex.create(tmp_path / "x")


def test_empty_index_and_empty_columns(tmp_path):
    idx = JoinIndex.create(tmp_path / "j")
    assert idx.query(["a", "b"]) == []
    assert idx.add([(ColumnRef("t", 0, "c"), [None, "NA", ""])]) == 0 and len(idx) == 0


def test_scan_without_ensemble_finds_what_the_ensemble_finds(tmp_path, lake):
    """open(ensemble=False) scans every signature: no ensemble is built, recall is not lower."""
    queries, columns = lake
    build(tmp_path, columns, threshold=0.7).close()
    with JoinIndex.open(tmp_path / "join") as ens, JoinIndex.open(tmp_path / "join", ensemble=False) as scan:
        found = {"ensemble": 0, "scan": 0}
        for q, truth in queries:
            want = {r for r, c in truth.items() if c >= 0.7}
            for name, idx in (("ensemble", ens), ("scan", scan)):
                got = idx.query(q, k=10)
                assert all(m.exact and m.containment == pytest.approx(truth[ColumnRef(m.table, m.ordinal, m.column)])
                           for m in got)
                found[name] += len({ColumnRef(m.table, m.ordinal, m.column) for m in got} & want)
        assert scan._main is None and scan.delta_size == 0
        assert found["scan"] >= found["ensemble"] and found["scan"] / 60 >= 0.95
