"""Judged structured questions with exact answers computed from the zoo files (maintainer script).

    python -m assetscout.eval.structured_truth --shared-data ../shared/data \\
        --out eval/data/structured_queries.jsonl

Each question (`eval/structured_questions_results.py`: timm, OpenCLIP, MTEB result
tables; `eval/structured_questions_cards.py`: lineage, HELM, TF Hub, OpenVINO) is asked
the way a practitioner types it, carries the flags that state the same need in the
engine's syntax, and an answer that is computed here from the source files
(`eval/structured_sources.py`), never from the catalog, so that `assetscout eval
structured` can find where the catalog is wrong.

The answer follows the engine's documented semantics: a metric constraint holds when
any single row of an asset satisfies it; 'best' is the best single row (highest, or
lowest for time); bounded metrics compare on the fraction scale; datasets match by
benchmark, hardware by normalized substring; `max_parameters` is exclusive.

A question must have one answer. When the sources disagree about a fact a question
depends on (two revisions of an MTEB model with licenses on both sides of the filter,
two parameter counts on both sides of a bound), the answer would depend on which
source the catalog lets win: `Ambiguous` is raised with the ids, and the question is
rephrased until none are left. The script refuses to write a file otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from assetscout.eval.structured_data import KINDS
from assetscout.eval.structured_sources import Score, Sources

Kind = Literal["threshold", "best", "facet", "hardware", "vague"]
MAX_ANSWER = 800  # the runner asks for k=1000; a larger answer could not be returned whole


class Ambiguous(ValueError):
    """The sources disagree on a fact the question depends on, for the ids named."""


@dataclass(frozen=True)
class Question:
    """One judged question: the English text, the equivalent flags and the exact answer."""

    id: str
    kind: Kind
    query: str
    flags: dict[str, Any]
    answer: list[str]
    how: str
    best_value: float | None = None  # 'best' questions: the value the tied ids share (fraction scale if bounded)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"question {self.id}: kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if not self.answer:
            raise ValueError(f"question {self.id}: the answer is empty")
        if len(self.answer) > MAX_ANSWER:
            raise ValueError(f"question {self.id}: {len(self.answer)} answer ids, at most {MAX_ANSWER} allowed")
        if (self.kind == "best") != (self.best_value is not None):
            raise ValueError(f"question {self.id}: best_value is set exactly for 'best' questions")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "kind": self.kind, "query": self.query, "flags": self.flags,
                               "answer": sorted(self.answer), "how": self.how}
        if self.best_value is not None:
            out["best_value"] = round(self.best_value, 9)  # 58.413 / 100 is 0.5841299999999999
        return out


# ---------------------------------------------------------------- answer arithmetic


def at_least(scores: Iterable[Score], threshold: float) -> set[str]:
    """Ids with at least one row >= threshold."""
    return {s.asset_id for s in scores if s.value >= threshold}


def at_most(scores: Iterable[Score], threshold: float) -> set[str]:
    return {s.asset_id for s in scores if s.value <= threshold}


def best_rows(scores: Iterable[Score], *, lower: bool = False,
              keep: "Facts | None" = None) -> tuple[list[str], float]:
    """The ids tied for the best single row among the ids `keep` selects, and that value.

    Ambiguous when an id whose sources disagree about `keep` has a row at least as good:
    whether it is the answer would depend on which source the catalog believes.
    """
    rows = list(scores)
    kept = [s for s in rows if keep is None or s.asset_id in keep]
    if not kept:
        raise ValueError("no rows to take the best of")
    value = min(s.value for s in kept) if lower else max(s.value for s in kept)
    if keep is not None:
        rivals = {s.asset_id for s in rows if s.asset_id in keep.split
                  and (s.value <= value if lower else s.value >= value)}
        if rivals:
            raise Ambiguous(f"{len(rivals)} id(s) with source values on both sides of a filter could be best: "
                            f"{sorted(rivals)[:8]}")
    return sorted({s.asset_id for s in kept if s.value == value}), value


@dataclass(frozen=True)
class Facts:
    """Which ids a fact selects: `yes` when every stated value passes, `split` when the sources disagree."""

    yes: frozenset[str]
    split: frozenset[str]

    def __contains__(self, asset_id: object) -> bool:
        return asset_id in self.yes

    def among(self, candidates: Iterable[str]) -> set[str]:
        """The candidates the fact selects; Ambiguous if a candidate's sources disagree about it."""
        candidates = set(candidates)
        unclear = candidates & self.split
        if unclear:
            raise Ambiguous(f"{len(unclear)} id(s) have source values on both sides: {sorted(unclear)[:8]}")
        return candidates & self.yes

    def __and__(self, other: "Facts") -> "Facts":
        """Both facts: unclear where one is unclear and the other is not a clear no."""
        maybe_a, maybe_b = self.yes | self.split, other.yes | other.split
        split = (self.split & maybe_b) | (other.split & maybe_a)
        return Facts(self.yes & other.yes, frozenset(split))


def decided(ids: Iterable[str], facts: Callable[[str], Iterable[Any]], test: Callable[[Any], bool]) -> Facts:
    """Ids whose every stated value of a fact passes `test`; no value -> not selected; a split is kept apart.

    `facts(id)` gives what each source (or revision) states for that id; a fact stated
    by none of them is unknown, which no filter selects (the engine's NULL). A split
    only makes a question ill-posed when it touches the answer (`Facts.among`,
    `best_rows(..., keep=facts)`).
    """
    keep, split = set(), set()
    for asset_id in ids:
        results = {bool(test(v)) for v in facts(asset_id)}
        if results == {True}:
            keep.add(asset_id)
        elif len(results) == 2:
            split.add(asset_id)
    return Facts(frozenset(keep), frozenset(split))


# ---------------------------------------------------------------- building questions


def flags(*, filters: dict[str, Any] | None = None, metrics: list[str] | None = None, sort: str | None = None,
          kinds: tuple[str, ...] = ("model",), text: str = "") -> dict[str, Any]:
    """The flags dict of a question: kinds, filters, metric constraints, and a sort / text when given."""
    out: dict[str, Any] = {"kinds": list(kinds), "filters": filters or {}, "metrics": metrics or []}
    if sort:
        out["sort"] = sort
    if text:
        out["text"] = text
    return out


def best_question(qid: str, query: str, flags: dict[str, Any], rows: Iterable[Score], how: str, *,
                  lower: bool = False, keep: Facts | None = None) -> Question:
    """A 'best' question whose answer is the ids tied for the best row (`best_rows`)."""
    ids, value = best_rows(rows, lower=lower, keep=keep)
    return Question(qid, "best", query, flags, ids, how, best_value=value)


# ---------------------------------------------------------------- CLI


def build_questions(shared_data: Path) -> list[Question]:
    from assetscout.eval.structured_questions_cards import CARD_QUESTIONS
    from assetscout.eval.structured_questions_results import RESULT_QUESTIONS

    sources = Sources(shared_data / "cards")
    questions: list[Question] = []
    problems: list[str] = []
    for build in [*RESULT_QUESTIONS, *CARD_QUESTIONS]:
        try:
            questions += build(sources)
        except Ambiguous as exc:
            problems.append(f"{build.__name__}: {exc}")
    if problems:
        raise Ambiguous("ill-posed questions:\n  " + "\n  ".join(problems))
    seen: set[str] = set()
    for q in questions:
        if q.id in seen:
            raise ValueError(f"question id {q.id!r} is used twice")
        seen.add(q.id)
    return questions


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assetscout.eval.structured_truth", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared-data", type=Path, required=True, help="the shared data folder (holds cards/)")
    parser.add_argument("--out", type=Path, required=True, help="the JSON-lines file to write")
    args = parser.parse_args(argv)
    if not (args.shared_data / "cards").is_dir():
        print(f"structured_truth: {args.shared_data / 'cards'} is not a folder", file=sys.stderr)
        return 2
    try:
        questions = build_questions(args.shared_data)
    except Ambiguous as exc:
        print(f"structured_truth: {exc}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for q in questions:
            fh.write(json.dumps(q.to_json(), ensure_ascii=False, sort_keys=False) + "\n")
    by_kind = {k: sum(q.kind == k for q in questions) for k in KINDS}
    print(f"wrote {len(questions)} questions to {args.out} ({', '.join(f'{k} {n}' for k, n in by_kind.items())})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
