"""Union scoring as pure functions: hand-made arrays with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from assetscout.errors import InvalidInput
from assetscout.tables.minhash import signature_of
from assetscout.tables.union_score import (
    TableSide,
    UnionOptions,
    match_columns,
    minhash_overlap,
    name_similarity,
    normalizer,
    relationships,
    score_candidate,
    type_compatibility,
)


def _unit(*rows: list[float]) -> np.ndarray:
    a = np.asarray(rows, dtype=np.float32)
    return a / np.linalg.norm(a, axis=1, keepdims=True)


def _sigs(sets: list[set[str]]) -> tuple[np.ndarray, np.ndarray]:
    made = [signature_of(s, num_perm=128, normalized=True) for s in sets]
    return np.array([h for h, _ in made], dtype=np.uint64), np.array([n for _, n in made], dtype=np.int64)


def _side(name: str, names: list[str], types: list[str], vectors: np.ndarray, values: list[set[str]],
          subject: int | None = None, pairs: dict[int, set[str]] | None = None,
          pair_vectors: np.ndarray | None = None) -> TableSide:
    vs, vz = _sigs(values)
    pairs = pairs or {}
    ps, pz = _sigs(list(pairs.values())) if pairs else (np.zeros((0, 128), np.uint64), np.zeros(0, np.int64))
    pv = pair_vectors if pair_vectors is not None else np.zeros((len(pairs), vectors.shape[1]), np.float32)
    return TableSide(name, tuple(names), tuple(range(len(names))), tuple(types), subject, vectors, vs, vz,
                     tuple(pairs), ps, pz, pv)


def test_name_similarity_is_jaccard_of_header_words():
    assert name_similarity("BirthYear", "birth_year") == 1.0
    assert name_similarity("Birth Year", "year") == 0.5
    assert name_similarity("city", "country") == 0.0
    assert name_similarity("", "city") == 0.0


def test_type_compatibility_is_symmetric_and_graded():
    assert type_compatibility("integer", "float") == 1.0
    assert type_compatibility("text", "id") == 1.0
    assert type_compatibility("date", "datetime") == 1.0
    assert type_compatibility("integer", "id") == type_compatibility("id", "integer") == 0.5
    assert type_compatibility("integer", "text") == 0.0
    assert type_compatibility("boolean", "date") == 0.0


def test_minhash_overlap_estimates_the_overlap_coefficient():
    small = {f"v{i}" for i in range(50)}
    big = {f"v{i}" for i in range(200)}
    other = {f"w{i}" for i in range(80)}
    half = {f"v{i}" for i in range(25)} | {f"w{i}" for i in range(25)}
    s, z = _sigs([small, big, other, half])
    ov = minhash_overlap(s, z, s, z)
    assert ov[0, 1] == pytest.approx(1.0, abs=0.15)  # small is inside big
    assert ov[0, 2] == pytest.approx(0.0, abs=0.05)
    assert ov[0, 3] == pytest.approx(0.5, abs=0.15)
    assert np.allclose(ov, ov.T)
    empty = minhash_overlap(s[:1], np.array([0]), s[:1], np.array([0]))
    assert empty[0, 0] == 0.0  # empty sets overlap nothing, even with equal (zero) signatures


def test_match_columns_finds_the_best_total_not_the_greedy_one():
    combined = np.array([[0.9, 0.8], [0.85, 0.1]])
    # greedy takes (0, 0) then (1, 1): 1.0; the optimum is (0, 1) + (1, 0): 1.65
    assert match_columns(combined, 0.0) == ((0, 1), (1, 0))
    # a pair below the threshold stays unaligned
    assert match_columns(np.array([[0.9, 0.0], [0.0, 0.15]]), 0.2) == ((0, 0),)
    assert match_columns(np.zeros((0, 3)), 0.2) == ()


def test_normalizer():
    assert normalizer(4, 9, "geometric") == 6.0
    assert normalizer(4, 9, "query") == 4.0
    assert normalizer(4, 9, "max") == 9.0


def test_score_components_and_alignment():
    q = _side("q", ["city", "country"], ["text", "categorical"], _unit([1, 0, 0], [0, 1, 0]),
              [{"paris", "rome"}, {"france", "italy"}])
    c = _side("c", ["nation", "town", "size"], ["categorical", "text", "integer"],
              _unit([0, 1, 0], [1, 0, 0], [0, 0, 1]), [{"france", "italy"}, {"paris", "rome"}, {"1", "2"}])
    opts = UnionOptions(relationship_weight=0.0)
    s = score_candidate(q, c, opts)
    assert s.alignment == ((0, 1), (1, 0))
    assert s.evidence.cosine[0, 1] == pytest.approx(1.0)
    assert s.evidence.overlap[0, 1] == pytest.approx(1.0, abs=0.1)
    assert s.evidence.types[0, 2] == 0.0 and s.evidence.types[1, 2] == 0.5  # text|categorical vs integer
    # combined = (1 * cos + 0.5 * overlap + 0.5 * name) / 2, times 1 for compatible types
    expected = (s.evidence.cosine + 0.5 * s.evidence.overlap + 0.5 * s.evidence.name) / 2.0
    assert s.evidence.combined[0, 1] == pytest.approx(expected[0, 1])
    assert s.column_score == pytest.approx((s.evidence.combined[0, 1] + s.evidence.combined[1, 0]) / np.sqrt(6))
    assert s.score == s.column_score


def test_relationship_needs_the_subjects_aligned_and_scores_shared_pairs():
    vec = _unit([1, 0, 0], [0, 1, 0])
    pair_vec = _unit([0, 0, 1])
    true_pairs = {"paris\x1ffrance", "rome\x1fitaly", "lima\x1fperu"}
    q = _side("q", ["city", "country"], ["text", "text"], vec, [{"paris"}, {"france"}], subject=0,
              pairs={1: true_pairs}, pair_vectors=pair_vec)
    same = _side("u", ["city", "country"], ["text", "text"], vec, [{"paris"}, {"france"}], subject=0,
                 pairs={1: true_pairs}, pair_vectors=pair_vec)
    shuffled = _side("d", ["city", "country"], ["text", "text"], vec, [{"paris"}, {"france"}], subject=0,
                     pairs={1: {"paris\x1fitaly", "rome\x1fperu", "lima\x1ffrance"}}, pair_vectors=pair_vec)
    opts = UnionOptions()
    rel = relationships(q, same, ((0, 0), (1, 1)), opts)
    assert len(rel) == 1 and rel[0].pair_overlap == pytest.approx(1.0) and rel[0].pair_cosine == pytest.approx(1.0)
    assert rel[0].score == pytest.approx(1.0)
    rel = relationships(q, shuffled, ((0, 0), (1, 1)), opts)
    assert rel[0].pair_overlap == pytest.approx(0.0, abs=0.05) and rel[0].score == pytest.approx(0.5, abs=0.03)
    # subjects not aligned: the relationship cannot be checked
    assert relationships(q, same, ((0, 1), (1, 0)), opts) == ()
    # the other column unaligned: it counts 0
    rel = relationships(q, same, ((0, 0),), opts)
    assert rel[0].candidate_other is None and rel[0].score == 0.0
    a, b = score_candidate(q, same, opts), score_candidate(q, shuffled, opts)
    assert a.column_score == pytest.approx(b.column_score)
    assert a.score - b.score == pytest.approx(opts.relationship_weight * 0.5, abs=0.02)


@pytest.mark.parametrize("kwargs, word", [
    ({"column_candidates": 0}, "column_candidates"),
    ({"max_candidates": 2.5}, "max_candidates"),
    ({"value_weight": -1}, "value_weight"),
    ({"type_penalty": 1.5}, "type_penalty"),
    ({"min_column_score": True}, "min_column_score"),
    ({"normalization": "sum"}, "normalization"),
    ({"cosine_weight": 0, "value_weight": 0, "name_weight": 0}, "cosine_weight"),
    ({"pair_overlap_weight": 0, "pair_cosine_weight": 0}, "pair_overlap_weight"),
])
def test_options_are_checked(kwargs, word):
    with pytest.raises(InvalidInput, match=word):
        UnionOptions(**kwargs)
