"""Union search end to end on seeded synthetic lakes with exact ground truth (fake encoder)."""

from __future__ import annotations

import json
import shutil

import pytest

from assetscout.embed import HashingEncoder
from assetscout.errors import CatalogError, InvalidInput, NotFound
from assetscout.eval.union_synth import make_synthetic_union_lake
from assetscout.tables.union import UnionIndex, UnionOptions, build_union_index, union_search


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    root = tmp_path_factory.mktemp("union")
    lake = make_synthetic_union_lake(root, topics=3, unions=4, decoys=4, seed=7)
    encoder = HashingEncoder()
    report = build_union_index(lake.lake, root / "index", encoder, progress=False)
    return lake, UnionIndex.open(root / "index", encoder), report


def test_build_report_and_files(synth):
    lake, index, report = synth
    assert report.lake.tables_read == 24 and report.tables_indexed == 24 and not report.lake.rejected
    assert report.columns == 24 * 4 and report.pairs == 24 * 3 and report.tables_without_subject == 0
    assert len(index) == 24 and "city_union_0.csv" in index
    manifest = json.loads((index.directory / "manifest.json").read_text())
    assert manifest["format"] == "assetscout.union-index" and manifest["counts"]["columns"] == 96
    assert not list(index.directory.rglob("*.pkl")) and not list(index.directory.rglob("*.pickle"))


def test_true_unions_outrank_their_decoys(synth):
    """A decoy holds exactly its union's column values, re-paired: only relationships tell them apart."""
    lake, index, _ = synth
    for query, unions in lake.truth.items():
        hits = {h.table: h for h in union_search(index, lake.queries / query, k=24)}
        for decoy in lake.decoys[query]:
            union = lake.decoy_of[decoy]
            assert hits[union].column_score == pytest.approx(hits[decoy].column_score, abs=1e-9)
            assert hits[union].relationship_score > hits[decoy].relationship_score + 0.1
            assert hits[union].score > hits[decoy].score
            assert max(r.pair_overlap for r in hits[decoy].relationships) < 0.35
            assert min(r.pair_overlap for r in hits[union].relationships) > 0.3


def test_relationship_weight_separates_unions_from_decoys(synth):
    lake, index, _ = synth
    opts = UnionOptions(relationship_weight=1.0)
    for query, unions in lake.truth.items():
        hits = index.search(lake.queries / query, k=len(unions), options=opts)
        assert {h.table for h in hits} == unions


def test_other_topics_rank_below_the_query_topic(synth):
    lake, index, _ = synth
    for query in lake.truth:
        topic = query.split("_")[0]
        hits = index.search(lake.queries / query, k=24)
        own = [h.table.split("_")[0] == topic for h in hits]
        assert own[:8] == [True] * 8 and not any(own[8:])


def test_alignment_follows_the_columns_not_their_order(synth):
    lake, index, _ = synth
    hit = index.search(lake.queries / "film_query.csv", k=1)[0]
    assert {(m.query_column, m.candidate_column) for m in hit.alignment} == {
        ("film", "film"), ("director", "director"), ("studio", "studio"), ("genre", "genre")}
    assert hit.query_subject == "film" and hit.candidate_subject == "film"
    assert all(0.0 <= m.type_compatibility <= 1.0 and m.score > 0 for m in hit.alignment)
    assert hit.score == pytest.approx(hit.column_score + UnionOptions().relationship_weight * hit.relationship_score)
    assert json.loads(json.dumps(hit.to_dict()))["table"] == hit.table


def test_a_lake_table_as_query_matches_its_file_and_excludes_itself(synth, tmp_path):
    lake, index, _ = synth
    by_id = index.search("city_union_1.csv", k=5)
    assert "city_union_1.csv" not in [h.table for h in by_id]
    outside = tmp_path / "copy.csv"
    shutil.copy(lake.lake / "city_union_1.csv", outside)
    by_file = index.search(outside, k=6)
    assert by_file[0].table == "city_union_1.csv" and by_file[0].column_score == pytest.approx(1.0, abs=0.02)
    assert [h.table for h in by_file[1:]] == [h.table for h in by_id]
    assert [h.score for h in by_file[1:]] == pytest.approx([h.score for h in by_id], abs=1e-5)


def test_bad_queries(synth, tmp_path):
    lake, index, _ = synth
    with pytest.raises(InvalidInput, match="k must"):
        index.search(lake.queries / "city_query.csv", k=0)
    with pytest.raises(InvalidInput, match="query must be"):
        index.search("no-such-table.csv")
    with pytest.raises(NotFound):
        index.side("no-such-table.csv")
    empty = tmp_path / "empty_cols.csv"
    empty.write_text("a,b\n,\n,\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="no column with a value"):
        index.search(empty)


def test_open_checks_encoder_and_files(synth, tmp_path):
    lake, index, _ = synth
    with pytest.raises(InvalidInput, match="another encoder"):
        UnionIndex.open(index.directory, HashingEncoder(dim=64))
    with pytest.raises(CatalogError, match="not a union index"):
        UnionIndex.open(tmp_path, HashingEncoder())
    broken = tmp_path / "broken"
    shutil.copytree(index.directory, broken)
    (broken / "column_vectors.npy").write_bytes(b"not an array")
    with pytest.raises(CatalogError, match="cannot be read"):
        UnionIndex.open(broken, HashingEncoder())


def test_build_refuses_to_replace_other_folders_and_replaces_its_own(synth, tmp_path):
    lake, _, _ = synth
    other = tmp_path / "precious"
    other.mkdir()
    (other / "thesis.txt").write_text("do not delete", encoding="utf-8")
    with pytest.raises(InvalidInput, match="not a union index"):
        build_union_index(lake.lake, other, HashingEncoder(), progress=False)
    assert (other / "thesis.txt").exists()
    target = tmp_path / "idx"
    build_union_index(lake.lake, target, HashingEncoder(), progress=False)
    (lake.lake / "city_union_0.csv").rename(tmp_path / "moved.csv")
    try:
        report = build_union_index(lake.lake, target, HashingEncoder(), progress=False)
    finally:
        (tmp_path / "moved.csv").rename(lake.lake / "city_union_0.csv")
    assert report.tables_indexed == 23 and len(UnionIndex.open(target, HashingEncoder())) == 23
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".idx.")]  # no staging left


def test_faiss_backend_gives_the_same_answer(synth):
    pytest.importorskip("faiss")
    lake, index, _ = synth
    faiss_index = UnionIndex.open(index.directory, HashingEncoder(), backend="faiss")
    q = lake.queries / "species_query.csv"
    assert [h.table for h in faiss_index.search(q, k=8)] == [h.table for h in index.search(q, k=8)]


def test_an_empty_lake_answers_nothing(tmp_path):
    (tmp_path / "lake").mkdir()
    (tmp_path / "q.csv").write_text("city,country\nParis,France\n", encoding="utf-8")
    report = build_union_index(tmp_path / "lake", tmp_path / "idx", HashingEncoder(), progress=False)
    assert report.tables_indexed == 0 and report.columns == 0
    index = UnionIndex.open(tmp_path / "idx", HashingEncoder())
    assert len(index) == 0 and index.search(tmp_path / "q.csv") == []


def test_build_checks_its_arguments_before_reading(synth, tmp_path):
    lake, _, _ = synth
    with pytest.raises(InvalidInput, match="batch_size"):
        build_union_index(lake.lake, tmp_path / "idx", HashingEncoder(), batch_size=0, progress=False)
    with pytest.raises(InvalidInput, match="num_perm"):
        build_union_index(lake.lake, tmp_path / "idx", HashingEncoder(), num_perm=8, progress=False)
    assert not (tmp_path / "idx").exists()
