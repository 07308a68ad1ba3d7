"""Scoring one candidate table against a query table: pure functions over arrays.

Column evidence, for every (query column i, candidate column j):

    cosine[i, j]   embedding cosine of the two column texts
    overlap[i, j]  |A ∩ B| / min(|A|, |B|) of the distinct value keys, estimated from
                   MinHash: J = share of equal hash values, |A ∩ B| = J (|A| + |B|) / (1 + J)
    name[i, j]     Jaccard of the header words ('Birth Year' vs 'year': 0.5; equal: 1)
    types[i, j]    compatibility of the inferred types (`type_compatibility`)

    combined = (w_cos cosine + w_val overlap + w_name name) / (w_cos + w_val + w_name)
               * (1 - type_penalty (1 - types))

Pairs whose combined score is below `min_column_score` cannot be aligned. The alignment
is the maximum-weight bipartite matching (scipy `linear_sum_assignment`) and the column
score is the matched weight over sqrt(m n) (m, n: usable columns of query and
candidate), so that neither a wide candidate nor a narrow one is favoured.

Relationship evidence, SANTOS-style: when the query's subject column s is aligned with
the candidate's subject column, then for every other query column c with value pairs,
aligned with c', r_c = (w_po po + w_pc max(pc, 0)) / (w_po + w_pc), where po is the
MinHash overlap of the (s, c) and (s', c') pair sets and pc the cosine of the two pair
texts; an unaligned c counts 0. The relationship score is the mean r_c (0 when the
subjects are not aligned: the relationship cannot be checked, only not confirmed).

    score = column score + relationship_weight * relationship score
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from assetscout.errors import InvalidInput

if TYPE_CHECKING:
    from collections.abc import Sequence

Normalization = Literal["geometric", "query", "max"]

_NUMERIC = frozenset({"integer", "float"})
_STRING = frozenset({"text", "categorical", "id"})
_TEMPORAL = frozenset({"date", "datetime"})
_WORD = re.compile(r"[^\W_]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


@dataclass(frozen=True)
class TableSide:
    """A table's union evidence as arrays: the query and every candidate look alike.

    Rows of `vectors`, `value_sigs` and `value_sizes` follow `names`; rows of the pair
    arrays follow `pair_others` (positions of the columns related to `subject`).
    """

    table: str
    names: tuple[str, ...]
    ordinals: tuple[int, ...]
    types: tuple[str, ...]
    subject: int | None
    vectors: np.ndarray  # float32 [m, dim], unit rows
    value_sigs: np.ndarray  # uint64 [m, num_perm]
    value_sizes: np.ndarray  # int64 [m]
    pair_others: tuple[int, ...]
    pair_sigs: np.ndarray  # uint64 [p, num_perm]
    pair_sizes: np.ndarray  # int64 [p]
    pair_vectors: np.ndarray  # float32 [p, dim]

    def __len__(self) -> int:
        return len(self.names)


def _check_number(name: str, value: float, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise InvalidInput(f"{name} must be a number in [{low}, {high}], got {value!r}")


@dataclass(frozen=True)
class UnionOptions:
    """Every threshold and weight of union search; checked on construction.

    Candidates: the `column_candidates` nearest lake columns of each query column (by
    embedding cosine) propose their tables; at most `max_candidates` tables, those with
    the best single column cosine, are scored. Scoring: see the module docstring.
    """

    column_candidates: int = 100
    max_candidates: int = 1000
    cosine_weight: float = 1.0
    value_weight: float = 0.5
    name_weight: float = 0.5
    type_penalty: float = 0.5
    min_column_score: float = 0.2
    normalization: Normalization = "geometric"
    relationship_weight: float = 0.1
    pair_overlap_weight: float = 0.5
    pair_cosine_weight: float = 0.5

    def __post_init__(self) -> None:
        for name, low in (("column_candidates", 1), ("max_candidates", 1)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < low:
                raise InvalidInput(f"{name} must be an integer >= {low}, got {v!r}")
        for name in ("cosine_weight", "value_weight", "name_weight", "relationship_weight",
                     "pair_overlap_weight", "pair_cosine_weight"):
            _check_number(name, getattr(self, name), 0.0, 100.0)
        _check_number("type_penalty", self.type_penalty, 0.0, 1.0)
        _check_number("min_column_score", self.min_column_score, 0.0, 1.0)
        if self.cosine_weight + self.value_weight + self.name_weight <= 0:
            raise InvalidInput("cosine_weight, value_weight and name_weight must not all be 0")
        if self.relationship_weight > 0 and self.pair_overlap_weight + self.pair_cosine_weight <= 0:
            raise InvalidInput("pair_overlap_weight and pair_cosine_weight must not both be 0 "
                               "while relationship_weight > 0")
        if self.normalization not in ("geometric", "query", "max"):
            raise InvalidInput(f"normalization must be 'geometric', 'query' or 'max', got {self.normalization!r}")


@dataclass(frozen=True)
class ColumnEvidenceMatrix:
    cosine: np.ndarray
    overlap: np.ndarray
    name: np.ndarray
    types: np.ndarray
    combined: np.ndarray


@dataclass(frozen=True)
class Relationship:
    query_other: int  # position of the query's other column
    candidate_other: int | None  # position of the aligned candidate column, None when unaligned
    pair_overlap: float
    pair_cosine: float
    score: float


@dataclass(frozen=True)
class CandidateScore:
    score: float
    column_score: float
    relationship_score: float
    alignment: tuple[tuple[int, int], ...]  # (query position, candidate position), by query position
    evidence: ColumnEvidenceMatrix
    relationships: tuple[Relationship, ...]


def header_words(name: str) -> frozenset[str]:
    """Lowercase words of a header: 'BirthYear', 'birth_year' and 'Birth Year' agree."""
    return frozenset(w.lower() for part in _WORD.findall(name) for w in _CAMEL.split(part) if w)


def name_similarity(a: str, b: str) -> float:
    """Jaccard of the header words (1.0 for equal headers, 0.0 when either has none)."""
    wa, wb = header_words(a), header_words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / len(wa | wb)


def type_compatibility(a: str, b: str) -> float:
    """1 for the same family (numbers, strings, dates), 0.5 across a plausible confusion, else 0.

    Plausible confusions: integer codes vs identifiers or categories, booleans vs
    categories, dates vs text (a date column with stray text reads as text).
    """
    if a == b:
        return 1.0
    for family in (_NUMERIC, _STRING, _TEMPORAL):
        if a in family and b in family:
            return 1.0
    pair = {a, b}
    if pair in ({"integer", "id"}, {"integer", "categorical"}, {"boolean", "categorical"},
                {"date", "text"}, {"datetime", "text"}):
        return 0.5
    return 0.0


def minhash_overlap(a_sigs: np.ndarray, a_sizes: np.ndarray, b_sigs: np.ndarray,
                    b_sizes: np.ndarray) -> np.ndarray:
    """Estimated |A ∩ B| / min(|A|, |B|) for every row pair, [len(a), len(b)]; 0 for empty sets."""
    if len(a_sigs) == 0 or len(b_sigs) == 0:
        return np.zeros((len(a_sigs), len(b_sigs)))
    jac = (a_sigs[:, None, :] == b_sigs[None, :, :]).mean(axis=2)
    sa = a_sizes.astype(np.float64)[:, None]
    sb = b_sizes.astype(np.float64)[None, :]
    inter = jac * (sa + sb) / (1.0 + jac)
    smaller = np.minimum(sa, sb)
    out = np.divide(inter, smaller, out=np.zeros_like(inter), where=smaller > 0)
    return np.clip(out, 0.0, 1.0)


def column_evidence(query: TableSide, cand: TableSide, w: UnionOptions) -> ColumnEvidenceMatrix:
    """Every column-pair score component and their combination (see the module docstring)."""
    cosine = np.clip(query.vectors @ cand.vectors.T, -1.0, 1.0).astype(np.float64)
    overlap = minhash_overlap(query.value_sigs, query.value_sizes, cand.value_sigs, cand.value_sizes)
    shape = (len(query), len(cand))
    name = np.array([[name_similarity(a, b) for b in cand.names] for a in query.names]).reshape(shape)
    types = np.array([[type_compatibility(a, b) for b in cand.types] for a in query.types]).reshape(shape)
    total = w.cosine_weight + w.value_weight + w.name_weight  # > 0: UnionOptions checks it
    mixed = (w.cosine_weight * cosine + w.value_weight * overlap + w.name_weight * name) / total
    combined = mixed * (1.0 - w.type_penalty * (1.0 - types))
    return ColumnEvidenceMatrix(cosine, overlap, name, types, combined)


def match_columns(combined: np.ndarray, min_score: float) -> tuple[tuple[int, int], ...]:
    """Maximum-weight one-to-one alignment; pairs scoring below `min_score` stay unaligned."""
    from scipy.optimize import linear_sum_assignment

    if combined.size == 0:
        return ()
    eligible = np.where(combined >= min_score, combined, 0.0)
    rows, cols = linear_sum_assignment(eligible, maximize=True)
    return tuple((int(i), int(j)) for i, j in zip(rows, cols) if eligible[i, j] > 0 and combined[i, j] >= min_score)


def normalizer(m: int, n: int, how: Normalization) -> float:
    """The column score's denominator for m query and n candidate columns."""
    if how == "query":
        return float(max(m, 1))
    if how == "max":
        return float(max(m, n, 1))
    return float(np.sqrt(max(m, 1) * max(n, 1)))


def relationships(query: TableSide, cand: TableSide, alignment: Sequence[tuple[int, int]],
                  w: UnionOptions) -> tuple[Relationship, ...]:
    """r_c for every other query column with pairs; empty when the subjects are not aligned."""
    if query.subject is None or cand.subject is None or not query.pair_others:
        return ()
    aligned = dict(alignment)
    if aligned.get(query.subject) != cand.subject:
        return ()
    cand_rows = {other: r for r, other in enumerate(cand.pair_others)}
    total = w.pair_overlap_weight + w.pair_cosine_weight
    out = []
    for qrow, qother in enumerate(query.pair_others):
        cother = aligned.get(qother)
        crow = cand_rows.get(cother) if cother is not None else None
        if crow is None:
            out.append(Relationship(qother, cother, 0.0, 0.0, 0.0))
            continue
        po = float(minhash_overlap(query.pair_sigs[qrow:qrow + 1], query.pair_sizes[qrow:qrow + 1],
                                   cand.pair_sigs[crow:crow + 1], cand.pair_sizes[crow:crow + 1])[0, 0])
        pc = float(np.clip(query.pair_vectors[qrow] @ cand.pair_vectors[crow], -1.0, 1.0))
        r = (w.pair_overlap_weight * po + w.pair_cosine_weight * max(pc, 0.0)) / total if total > 0 else 0.0
        out.append(Relationship(qother, cother, po, pc, r))
    return tuple(out)


def score_candidate(query: TableSide, cand: TableSide, w: UnionOptions) -> CandidateScore:
    """Column evidence -> alignment -> column score, plus the relationship score."""
    ev = column_evidence(query, cand, w)
    alignment = match_columns(ev.combined, w.min_column_score)
    matched = float(sum(ev.combined[i, j] for i, j in alignment))
    column_score = matched / normalizer(len(query), len(cand), w.normalization)
    rels = relationships(query, cand, alignment, w)
    rel_score = float(np.mean([r.score for r in rels])) if rels else 0.0
    return CandidateScore(column_score + w.relationship_weight * rel_score, column_score, rel_score,
                          alignment, ev, rels)
