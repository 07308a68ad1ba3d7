"""Ranked-retrieval metrics for one query: P@k, R@k, AP@k, RR@k, nDCG@k.

Definitions (`ranking` best first, `grades` the judged relevant documents with a grade
>= 1, R = the set of them, rel(i) = whether the document at rank i is in R; a ranking
shorter than k counts its missing ranks as misses, and a repeated id counts once):

    P@k    = |top-k ∩ R| / k
    R@k    = |top-k ∩ R| / |R|
    AP@k   = (Σ_{i ≤ k, rel(i)} P@i) / min(k, |R|)     (1 for a perfect top k; as in
             `union_metrics`, so one MAP means one thing across the project)
    RR@k   = 1 / (rank of the first relevant document) if it is within the top k, else 0
    nDCG@k = DCG@k / IDCG@k, DCG@k = Σ_{i ≤ k} g(i) / log2(i + 1), g(i) the grade of
             rank i (0 if unjudged): linear gain, as trec_eval and BEIR compute it, so
             binary judgments give the usual binary nDCG. IDCG@k is the DCG of the
             judged grades sorted in decreasing order.

MAP and MRR are the means of AP@k and RR@k over queries. A query without any relevant
document has no defined recall, AP or nDCG: those functions refuse it, and callers
leave such queries out (and say how many they left out).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from assetscout.errors import InvalidInput

METRIC_NAMES: tuple[str, ...] = ("p@5", "r@5", "map", "mrr", "ndcg")


def _check_k(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InvalidInput(f"k: must be an integer >= 1, got {k!r}")
    return k


def _top(ranking: Sequence[str], k: int) -> list[str]:
    """The first k distinct ids of `ranking` (a repeated id would otherwise count twice)."""
    return list(dict.fromkeys(ranking))[:_check_k(k)]


def _relevant(grades: Mapping[str, int] | frozenset[str] | set[str]) -> dict[str, int]:
    """Judged documents with grade >= 1 (a set means grade 1 for each)."""
    if isinstance(grades, (set, frozenset)):
        return {doc: 1 for doc in grades}
    for doc, grade in grades.items():
        if isinstance(grade, bool) or not isinstance(grade, int) or grade < 0:
            raise InvalidInput(f"grades: the grade of {doc!r} must be an integer >= 0, got {grade!r}")
    return {doc: grade for doc, grade in grades.items() if grade >= 1}


def _need_relevant(rel: Mapping[str, int], metric: str) -> None:
    if not rel:
        raise InvalidInput(f"{metric} is undefined for a query without relevant documents; leave the query out")


def precision_at_k(ranking: Sequence[str], grades: Mapping[str, int] | frozenset[str] | set[str], k: int) -> float:
    """|top-k ∩ R| / k (0 when nothing is relevant)."""
    rel = _relevant(grades)
    return sum(doc in rel for doc in _top(ranking, k)) / k


def recall_at_k(ranking: Sequence[str], grades: Mapping[str, int] | frozenset[str] | set[str], k: int) -> float:
    """|top-k ∩ R| / |R|."""
    rel = _relevant(grades)
    _need_relevant(rel, "recall")
    return sum(doc in rel for doc in _top(ranking, k)) / len(rel)


def average_precision(ranking: Sequence[str], grades: Mapping[str, int] | frozenset[str] | set[str], k: int) -> float:
    """AP@k = (Σ_{i ≤ k, rel(i)} P@i) / min(k, |R|)."""
    rel = _relevant(grades)
    _need_relevant(rel, "average precision")
    hits = 0
    total = 0.0
    for i, doc in enumerate(_top(ranking, k), 1):
        if doc in rel:
            hits += 1
            total += hits / i
    return total / min(k, len(rel))


def reciprocal_rank(ranking: Sequence[str], grades: Mapping[str, int] | frozenset[str] | set[str], k: int) -> float:
    """1 / rank of the first relevant document within the top k; 0 when there is none."""
    rel = _relevant(grades)
    for i, doc in enumerate(_top(ranking, k), 1):
        if doc in rel:
            return 1.0 / i
    return 0.0


def ndcg_at_k(ranking: Sequence[str], grades: Mapping[str, int] | frozenset[str] | set[str], k: int) -> float:
    """DCG@k / IDCG@k with linear gain (the grade) and log2(rank + 1) discount."""
    rel = _relevant(grades)
    _need_relevant(rel, "nDCG")
    dcg = sum(rel.get(doc, 0) / math.log2(i + 1) for i, doc in enumerate(_top(ranking, k), 1))
    ideal = sorted(rel.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 1) for i, g in enumerate(ideal, 1))
    return dcg / idcg


def query_metrics(ranking: Sequence[str], grades: Mapping[str, int], k: int) -> dict[str, float]:
    """The five reported metrics of one query: P@5, R@5, AP@k, RR@k, nDCG@k."""
    return {
        "p@5": precision_at_k(ranking, grades, 5),
        "r@5": recall_at_k(ranking, grades, 5),
        "map": average_precision(ranking, grades, k),
        "mrr": reciprocal_rank(ranking, grades, k),
        "ndcg": ndcg_at_k(ranking, grades, k),
    }


def mean_metrics(per_query: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Each metric averaged over the queries (0.0 for an empty list, with n = 0 saying so)."""
    n = len(per_query)
    return {name: (sum(m[name] for m in per_query) / n if n else 0.0) for name in METRIC_NAMES}
