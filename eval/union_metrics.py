"""Union search metrics, and readers for ground truth and published rankings.

Definitions (k a cutoff, R the relevant tables of a query, rel(i) whether rank i is in R;
a ranking shorter than k counts its missing ranks as misses):

    P@k            = |top-k ∩ R| / k
    R@k            = |top-k ∩ R| / |R|
    AP@k           = (Σ_{i ≤ k, rel(i)} P@i) / min(k, |R|)          (standard)
    SANTOS AP@k    = (Σ_{i=1..k} P@i) / k                           (SANTOS/Starmie papers)

Each metric is the mean over the queries of the ground truth that have at least one
relevant table; a query absent from a ranking scores 0. MAP@k is the mean of AP@k.

Table names are compared by `table_key`: the file name without its table suffix, so
'a/Foo.csv', 'Foo.csv' and 'Foo' are the same table (published runs drop the suffix).

Ground truth files (CSV, header required):
- positive pairs: `query_table,data_lake_table`;
- labelled pairs: the same plus a label column named `unionable` or `*_unionable`
  (UGEN's `manual_unionable`); a pair is relevant when its label is an integer >= 1
  (UGEN's manual validation labels 1 and 2 both mean unionable).

Rankings:
- ranked lists: `query_table,rank,result_table` (one row per result);
- per-k result sets (Starmie's published runs): `query_table,...,result_set` with the set
  as a JSON list, one row per k; rows are ordered by set size, and a result's rank is the
  first k whose set holds it (exact for nested sets, as Starmie's are).
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assetscout.errors import InvalidInput

GroundTruth = dict[str, frozenset[str]]  # query key -> relevant table keys (possibly empty)
Ranking = dict[str, list[str]]  # query key -> table keys, best first

_SUFFIXES = (".csv", ".tsv", ".tab", ".psv", ".parquet", ".pq", ".jsonl", ".ndjson")


def table_key(name: str) -> str:
    """The name a table is matched by: its file name without a table suffix."""
    base = name.strip().replace("\\", "/").rsplit("/", 1)[-1]
    low = base.lower()
    for suffix in _SUFFIXES:
        if low.endswith(suffix) and len(base) > len(suffix):
            return base[: -len(suffix)]
    return base


def _rows(path: str | os.PathLike[str]) -> tuple[list[str], list[dict[str, str]]]:
    p = Path(path)
    try:
        with open(p, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            rows = [r for r in reader if any((v or "").strip() for v in r.values() if isinstance(v, str))]
            return [f.strip() for f in (reader.fieldnames or [])], rows
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InvalidInput(f"{p}: cannot be read as CSV: {exc}") from None


def _field(row: dict[str, str], name: str) -> str:
    for k, v in row.items():
        if k is not None and k.strip() == name:
            return (v or "").strip()
    return ""


def load_ground_truth(path: str | os.PathLike[str]) -> GroundTruth:
    """Relevant tables per query from a pairs CSV or a labelled-pairs CSV (module docstring)."""
    fields, rows = _rows(path)
    if "query_table" not in fields or "data_lake_table" not in fields:
        raise InvalidInput(f"{path}: a ground truth needs the columns query_table and data_lake_table, "
                           f"found {fields}")
    labels = [f for f in fields if f == "unionable" or f.endswith("_unionable")]
    label = labels[0] if labels else None
    truth: dict[str, set[str]] = {}
    for n, row in enumerate(rows, start=2):
        q, t = _field(row, "query_table"), _field(row, "data_lake_table")
        if not q or not t:
            continue
        relevant = truth.setdefault(table_key(q), set())
        if label is None:
            relevant.add(table_key(t))
            continue
        raw = _field(row, label)
        try:
            value = int(float(raw))
        except ValueError:
            raise InvalidInput(f"{path}, row {n}: {label} must be an integer, got {raw!r}") from None
        if value >= 1:
            relevant.add(table_key(t))
    return {q: frozenset(v) for q, v in truth.items()}


def load_ranking(path: str | os.PathLike[str]) -> Ranking:
    """A published ranking: ranked lists or per-k result sets (module docstring)."""
    fields, rows = _rows(path)
    if "query_table" not in fields:
        raise InvalidInput(f"{path}: a ranking needs a query_table column, found {fields}")
    if "rank" in fields and "result_table" in fields:
        ranked: dict[str, list[tuple[int, str]]] = {}
        for n, row in enumerate(rows, start=2):
            try:
                rank = int(_field(row, "rank"))
            except ValueError:
                raise InvalidInput(f"{path}, row {n}: rank must be an integer, got {_field(row, 'rank')!r}") from None
            query = table_key(_field(row, "query_table"))
            ranked.setdefault(query, []).append((rank, table_key(_field(row, "result_table"))))
        return {q: _dedupe(t for _, t in sorted(v, key=lambda rt: rt[0])) for q, v in ranked.items()}
    if "result_set" in fields:
        sets: dict[str, list[list[str]]] = {}
        for n, row in enumerate(rows, start=2):
            try:
                items = json.loads(_field(row, "result_set"))
            except ValueError:
                raise InvalidInput(f"{path}, row {n}: result_set must be a JSON list") from None
            if not isinstance(items, list):
                raise InvalidInput(f"{path}, row {n}: result_set must be a JSON list, got {type(items).__name__}")
            sets.setdefault(table_key(_field(row, "query_table")), []).append([table_key(str(x)) for x in items])
        return {q: _dedupe(t for s in sorted(v, key=len) for t in s) for q, v in sets.items()}
    raise InvalidInput(f"{path}: unknown ranking format: expected query_table,rank,result_table or a "
                       f"result_set column, found {fields}")


def _dedupe(items: Any) -> list[str]:
    seen: set[str] = set()
    out = []
    for t in items:
        if t not in seen:
            seen.add(t)
            out.append(t)
    return out


def write_ranking(path: str | os.PathLike[str], ranking: Mapping[str, Sequence[str]]) -> None:
    """`query_table,rank,result_table` rows (ranks from 1), queries in the given order."""
    p = Path(path)
    tmp = p.with_name(f".{p.name}.tmp-{os.getpid()}")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["query_table", "rank", "result_table"])
        for q, results in ranking.items():
            for i, t in enumerate(results, start=1):
                w.writerow([q, i, t])
    os.replace(tmp, p)


def _check_k(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InvalidInput(f"k must be an integer >= 1, got {k!r}")


def _hits(ranked: Sequence[str], relevant: frozenset[str], k: int) -> list[bool]:
    top = list(ranked[:k])
    return [t in relevant for t in top] + [False] * (k - len(top))


def precision_at_k(ranked: Sequence[str], relevant: frozenset[str], k: int) -> float:
    _check_k(k)
    return sum(_hits(ranked, relevant, k)) / k


def recall_at_k(ranked: Sequence[str], relevant: frozenset[str], k: int) -> float:
    _check_k(k)
    return sum(_hits(ranked, relevant, k)) / len(relevant) if relevant else 0.0


def average_precision_at_k(ranked: Sequence[str], relevant: frozenset[str], k: int) -> float:
    """Standard AP@k: sum of P@i at the relevant ranks i <= k, over min(k, |R|)."""
    _check_k(k)
    if not relevant:
        return 0.0
    total, found = 0.0, 0
    for i, hit in enumerate(_hits(ranked, relevant, k), start=1):
        if hit:
            found += 1
            total += found / i
    return total / min(k, len(relevant))


def santos_average_precision_at_k(ranked: Sequence[str], relevant: frozenset[str], k: int) -> float:
    """The SANTOS papers' AP@k: the mean of P@1 .. P@k."""
    _check_k(k)
    total, found = 0.0, 0
    for i, hit in enumerate(_hits(ranked, relevant, k), start=1):
        found += hit
        total += found / i
    return total / k


@dataclass(frozen=True)
class QueryMetrics:
    query: str
    relevant: int
    hits: int
    precision: float
    recall: float
    average_precision: float
    santos_average_precision: float


@dataclass
class RankingMetrics:
    """Means over `queries` (ground-truth queries with a relevant table)."""

    k: int
    queries: int
    precision: float
    recall: float
    map: float  # standard
    map_santos: float
    queries_without_relevant: list[str] = field(default_factory=list)  # in the truth, skipped
    queries_missing: list[str] = field(default_factory=list)  # in the truth, absent from the ranking
    per_query: list[QueryMetrics] = field(default_factory=list)

    def to_dict(self, *, per_query: bool = False) -> dict[str, Any]:
        out = asdict(self)
        if not per_query:
            out.pop("per_query")
        return out


def evaluate(ranking: Mapping[str, Sequence[str]], truth: Mapping[str, frozenset[str]], k: int) -> RankingMetrics:
    """P@k, R@k, MAP@k (both variants) of `ranking` against `truth` (keys as `table_key`)."""
    _check_k(k)
    per: list[QueryMetrics] = []
    empty, missing = [], []
    for q in sorted(truth):
        relevant = truth[q]
        if not relevant:
            empty.append(q)
            continue
        if q not in ranking:
            missing.append(q)
        ranked = list(ranking.get(q, ()))
        per.append(QueryMetrics(q, len(relevant), sum(_hits(ranked, relevant, k)),
                                precision_at_k(ranked, relevant, k), recall_at_k(ranked, relevant, k),
                                average_precision_at_k(ranked, relevant, k),
                                santos_average_precision_at_k(ranked, relevant, k)))
    n = len(per)

    def mean(xs: list[float]) -> float:
        return sum(xs) / n if n else float("nan")

    return RankingMetrics(k, n, mean([m.precision for m in per]), mean([m.recall for m in per]),
                          mean([m.average_precision for m in per]), mean([m.santos_average_precision for m in per]),
                          empty, missing, per)
