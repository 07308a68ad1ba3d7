"""Structured questions with exact answers: does the engine return exactly the right assets?

    assetscout eval structured --catalog DIR [--queries FILE] [--form flags|text|both] [--json]

Each judged question (default: the packaged `eval/data/structured_queries.jsonl`,
answers computed from the zoo files by `eval/structured_truth.py`) runs through
`SearchEngine.search` in two forms, k = 1000, facets off:

- flags: the hand-written kinds, filters, metric constraints and sort (no text unless
  the flags carry some, taken literally);
- text: the English question alone, interpreted into constraints when the engine's
  `Query.build` takes `interpret` (else plain text search).

Set questions (threshold, facet, hardware, vague) are scored by exact-set precision,
recall and F1 of the returned ids against the answer, and R-precision (the share of the
first |answer| hits that are in the answer: whether the answer ranks first when loose
words such as a task or "small" rank rather than filter); 'best' questions by top-1: is
the first hit one of the ids tied for best. Means are over questions, overall and per
kind; latency is the wall time of one search call (p50, after one warm-up).
The catalog is opened read-only; the flags form of questions without text needs no
search index (a SQL listing), the text form does.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from assetscout.errors import AssetScoutError, InvalidInput
from assetscout.eval.structured_data import (FORMS, KINDS, StructuredQuestion, form_query, interpret_supported,
                                             load_structured, packaged_structured_file)

MAX_SHOWN = 5  # wrong ids listed per question in the JSON report


@dataclass
class Outcome:
    """One question in one form."""

    id: str
    kind: str
    form: str
    answer_size: int
    returned: int = 0
    total: int = 0  # assets the engine says match (more than returned when it hit k)
    precision: float | None = None
    recall: float | None = None
    f1: float | None = None
    # precision of the first |answer| hits: whether the answer ranks first, for text whose loose words
    # (a task, "small") rank rather than filter
    r_precision: float | None = None
    top1: float | None = None  # best questions: 1.0 when the first hit is one of the tied best
    first_hit: str | None = None
    ms: float = 0.0
    missing: list[str] = field(default_factory=list)  # answer ids not returned (first few)
    extra: list[str] = field(default_factory=list)  # returned ids not in the answer (first few)
    interpreted: dict[str, Any] | None = None
    error: str | None = None


def score_set(returned: Sequence[str], answer: frozenset[str] | set[str]) -> tuple[float, float, float]:
    """Exact-set precision, recall and F1; nothing returned scores 0 (an answer is never empty)."""
    got = set(returned)
    hit = len(got & answer)
    precision = hit / len(got) if got else 0.0
    recall = hit / len(answer) if answer else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def score_top1(returned: Sequence[str], answer: frozenset[str] | set[str]) -> float:
    return 1.0 if returned and returned[0] in answer else 0.0


def run_question(engine: Any, q: StructuredQuestion, form: str) -> Outcome:
    """Ask one question in one form and score what comes back."""
    out = Outcome(q.id, q.kind, form, len(q.answer))
    try:
        query = form_query(q, form)
        t0 = time.perf_counter()
        result = engine.search(query, with_facets=False)
        out.ms = round((time.perf_counter() - t0) * 1000, 2)
    except AssetScoutError as exc:
        out.error = str(exc)
        return out
    ids = [h.asset_id for h in result.hits]
    out.returned, out.total = len(ids), int(result.total)
    out.first_hit = ids[0] if ids else None
    out.interpreted = result.interpreted
    if q.is_best:
        out.top1 = score_top1(ids, q.answer)
    else:
        out.precision, out.recall, out.f1 = score_set(ids, q.answer)
        out.r_precision = round(len(set(ids[:len(q.answer)]) & q.answer) / len(q.answer), 4)
        out.missing = sorted(q.answer - set(ids))[:MAX_SHOWN]
        out.extra = sorted(set(ids) - q.answer)[:MAX_SHOWN]
    return out


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 4) if values else None


def summarize(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """Means over questions, overall and per kind: F1 / P / R of set questions, top-1 of best questions."""

    def block(rows: Sequence[Outcome]) -> dict[str, Any]:
        sets = [o for o in rows if o.f1 is not None]
        best = [o for o in rows if o.top1 is not None]
        ms = [o.ms for o in rows if o.error is None]
        return {"questions": len(rows), "set_questions": len(sets), "best_questions": len(best),
                "f1": _mean([o.f1 for o in sets]), "precision": _mean([o.precision for o in sets]),
                "recall": _mean([o.recall for o in sets]), "r_precision": _mean([o.r_precision for o in sets]),
                "top1": _mean([o.top1 for o in best]),
                "errors": sum(o.error is not None for o in rows),
                "latency_ms_p50": round(statistics.median(ms), 2) if ms else None}

    out = {"all": block(outcomes)}
    for kind in KINDS:
        rows = [o for o in outcomes if o.kind == kind]
        if rows:
            out[kind] = block(rows)
    return out


def absent_from_catalog(engine: Any, questions: Sequence[StructuredQuestion]) -> dict[str, int]:
    """Per question, how many answer ids the catalog does not hold at all (an id-convention mismatch)."""
    wanted = sorted(set().union(*(q.answer for q in questions))) if questions else []
    con = engine.catalog.connect()
    try:
        rows = con.execute("SELECT asset_id FROM asset WHERE asset_id IN (SELECT unnest(?::VARCHAR[]))",
                           [wanted]).fetchall()
        present = {r[0] for r in rows}
    finally:
        con.close()
    return {q.id: len(q.answer - present) for q in questions if q.answer - present}


def evaluate(engine: Any, questions: Sequence[StructuredQuestion], forms: Sequence[str] = FORMS) -> dict[str, Any]:
    """Every question in every form: per-question outcomes and the summary per form."""
    report: dict[str, Any] = {"interpret": interpret_supported(), "forms": {},
                              "absent_from_catalog": absent_from_catalog(engine, questions)}
    for form in forms:
        if questions:  # warm-up: the first search loads the encoder / caches
            run_question(engine, questions[0], form)
        outcomes = [run_question(engine, q, form) for q in questions]
        report["forms"][form] = {"summary": summarize(outcomes), "questions": [asdict(o) for o in outcomes]}
    return report


# ---------------------------------------------------------------- report


def _num(value: float | None, width: int = 5) -> str:
    return f"{value:>{width}.3f}" if value is not None else " " * (width - 1) + "-"


def print_report(report: dict[str, Any], questions: Sequence[StructuredQuestion], out: TextIO) -> None:
    forms = list(report["forms"])
    by_form = {f: {o["id"]: o for o in report["forms"][f]["questions"]} for f in forms}
    head = f"{'question':<38} {'kind':<9} {'|A|':>4}"
    for f in forms:
        head += f" | {f + ' ret':>9} {'P':>5} {'R':>5} {'F1':>5} {'top1':>4}"
    out.write(head + "\n" + "-" * len(head) + "\n")
    for q in questions:
        line = f"{q.id[:38]:<38} {q.kind:<9} {len(q.answer):>4}"
        for f in forms:
            o = by_form[f][q.id]
            if o["error"]:
                line += f" | {'error':>9} {'':>5} {'':>5} {'':>5} {'':>4}"
                continue
            top1 = f"{o['top1']:>4.0f}" if o["top1"] is not None else "   -"
            line += f" | {o['returned']:>9} {_num(o['precision'])} {_num(o['recall'])} {_num(o['f1'])} {top1}"
        out.write(line + "\n")
    out.write("\n")
    for f in forms:
        out.write(f"{f} form{' (interpreted)' if f == 'text' and report['interpret'] else ''}:\n")
        for kind, s in report["forms"][f]["summary"].items():
            out.write(f"  {kind:<9} n={s['questions']:<3} F1 {_num(s['f1'])}  P {_num(s['precision'])}  "
                      f"R {_num(s['recall'])}  R-prec {_num(s['r_precision'])}  top-1 {_num(s['top1'])}  "
                      f"p50 {s['latency_ms_p50']} ms"
                      + (f"  errors {s['errors']}" if s["errors"] else "") + "\n")
    for qid, n in report.get("absent_from_catalog", {}).items():
        out.write(f"{qid}: {n} answer id(s) are not in the catalog at all\n")
    errors = [(f, o) for f in forms for o in report["forms"][f]["questions"] if o["error"]]
    for f, o in errors[:10]:
        out.write(f"error ({f}) {o['id']}: {o['error']}\n")


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="assetscout eval structured", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--catalog", type=Path, required=True, metavar="DIR", help="the catalog to ask (read-only)")
    p.add_argument("--queries", type=Path, default=None, metavar="FILE",
                   help="judged structured questions (default: the packaged structured_queries.jsonl)")
    p.add_argument("--form", choices=("flags", "text", "both"), default="both", help="which forms to run")
    p.add_argument("--encoder", choices=("minilm", "fake"), default="minilm",
                   help="text encoder for the text form (fake: the hashing encoder, for tests)")
    p.add_argument("--json", action="store_true", help="print everything (per question too) as JSON")
    a = p.parse_args(argv)
    from assetscout.eval.retrieval import make_encoder
    from assetscout.search.engine import SearchEngine

    forms = FORMS if a.form == "both" else (a.form,)
    try:
        questions = load_structured(a.queries or packaged_structured_file())
        encoder = make_encoder(a.encoder) if "text" in forms else None
        engine = SearchEngine.open(a.catalog, encoder=encoder)
        try:
            report = evaluate(engine, questions, forms)
        finally:
            engine.close()
    except AssetScoutError as exc:
        print(f"assetscout: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, InvalidInput) else 1
    report["catalog"] = str(a.catalog)
    report["queries"] = str(a.queries or packaged_structured_file())
    if a.json:
        json.dump(report, sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        print_report(report, questions, sys.stdout)
    return 0
