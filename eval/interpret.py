"""How well query text is interpreted: exact-interpretation accuracy and false-constraint rate.

    assetscout eval interpret [--cases FILE] [--catalog DIR] [--json] [--failures]

The cases (default: the packaged `eval/data/interpret_cases.jsonl`, 225 phrasings
written by hand: metric thresholds in many wordings and units, best-on-a-benchmark,
sizes, licenses, languages, lineage, zoos, formats, negations, typos, and false friends
such as "ResNet-50", "GPT-2 small", "COCO 2017", "models from MIT") each list the
constraints a correct reading yields, as signatures (search/interpret/signature.py).
The interpreter reads them against a vocabulary: a catalog's own (`--catalog`), or by
default the packaged snapshot of the full shared-data catalog's
(`eval/data/interpret_vocabulary.json`), so the figures reproduce without a catalog.

Reported: exact = the share of phrasings whose constraints are exactly the expected
set; constraint precision / recall over all constraints; false-constraint rate = the
share of produced constraints that were not expected (and the share of phrasings with
at least one), i.e. how often text became a filter the user did not state.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Sequence

from assetscout.errors import AssetScoutError, InvalidInput


@dataclass
class InterpretCase:
    case_id: str
    text: str
    expect: set[str]
    note: str = ""


@dataclass
class InterpretResult:
    vocabulary: str
    cases: int
    exact: float
    precision: float
    recall: float
    false_constraint_rate: float  # produced constraints not expected / all produced
    phrasings_with_false_constraint: float
    ms_per_query: float
    by_group: dict[str, dict[str, float]] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def packaged(name: str) -> Path:
    return Path(str(resources.files("assetscout.eval").joinpath(f"data/{name}")))


def load_cases(path: Path) -> list[InterpretCase]:
    cases: list[InterpretCase] = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                cases.append(InterpretCase(str(row["id"]), str(row["text"]), set(row["expect"]), row.get("note", "")))
            except (ValueError, KeyError, TypeError) as exc:
                raise InvalidInput(f"{path}:{n}: not an interpretation case ({exc})") from None
    if not cases:
        raise InvalidInput(f"{path}: no cases")
    return cases


def _group(signature: str) -> str:
    key = signature.split("=")[0].split("~")[0]
    return {"min_parameters": "parameters", "max_parameters": "parameters", "min_size_bytes": "size",
            "max_size_bytes": "size", "license_class": "license", "commercial_use": "license",
            "non_commercial": "license", "multilingual": "language", "library": "zoo", "source": "zoo",
            "precision": "format"}.get(key, key)


def evaluate(cases: Sequence[InterpretCase], vocab, label: str) -> InterpretResult:
    from assetscout.search.interpret import Interpreter
    from assetscout.search.interpret.signature import signatures

    interpreter = Interpreter(vocab)
    tp = fp = fn = exact = with_false = 0
    groups: dict[str, dict[str, int]] = {}
    failures: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    for case in cases:
        got = signatures(interpreter.interpret(case.text))
        hit, false, missed = got & case.expect, got - case.expect, case.expect - got
        tp, fp, fn = tp + len(hit), fp + len(false), fn + len(missed)
        exact += got == case.expect
        with_false += bool(false)
        for s, kind in [(s, "tp") for s in hit] + [(s, "fp") for s in false] + [(s, "fn") for s in missed]:
            g = groups.setdefault(_group(s), {"tp": 0, "fp": 0, "fn": 0})
            g[kind] += 1
        if got != case.expect:
            failures.append({"id": case.case_id, "text": case.text, "expected": sorted(case.expect),
                             "got": sorted(got), "note": case.note})
    ms = (time.perf_counter() - t0) * 1000 / len(cases)
    n = len(cases)
    by_group = {g: {"precision": round(c["tp"] / (c["tp"] + c["fp"]), 4) if c["tp"] + c["fp"] else 1.0,
                    "recall": round(c["tp"] / (c["tp"] + c["fn"]), 4) if c["tp"] + c["fn"] else 1.0,
                    "expected": c["tp"] + c["fn"], "false": c["fp"]} for g, c in sorted(groups.items())}
    return InterpretResult(
        vocabulary=label, cases=n, exact=round(exact / n, 4),
        precision=round(tp / (tp + fp), 4) if tp + fp else 1.0, recall=round(tp / (tp + fn), 4) if tp + fn else 1.0,
        false_constraint_rate=round(fp / (tp + fp), 4) if tp + fp else 0.0,
        phrasings_with_false_constraint=round(with_false / n, 4), ms_per_query=round(ms, 3),
        by_group=by_group, failures=failures)


def print_report(r: InterpretResult, out, *, failures: bool) -> None:
    out.write(f"interpretation of {r.cases} phrasings (vocabulary: {r.vocabulary})\n")
    out.write(f"  exact interpretation   {r.exact:.3f}\n")
    out.write(f"  constraint precision   {r.precision:.3f}   recall {r.recall:.3f}\n")
    out.write(f"  false-constraint rate  {r.false_constraint_rate:.3f} of constraints produced; "
              f"{r.phrasings_with_false_constraint:.3f} of phrasings have one\n")
    out.write(f"  {r.ms_per_query:.2f} ms per phrasing\n\n  by constraint type:\n")
    for g, v in r.by_group.items():
        out.write(f"    {g:<12} precision {v['precision']:.3f}  recall {v['recall']:.3f}  "
                  f"({v['expected']} expected, {v['false']} false)\n")
    if failures and r.failures:
        out.write(f"\n  {len(r.failures)} phrasings not read exactly:\n")
        for f in r.failures:
            out.write(f"    {f['id']} {f['text']!r}\n      expected {f['expected']}\n      got      {f['got']}"
                      + (f"\n      ({f['note']})" if f["note"] else "") + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="assetscout eval interpret", description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", type=Path, default=None, help="cases JSON lines (default: the packaged table)")
    p.add_argument("--catalog", type=Path, default=None, metavar="DIR",
                   help="read against this catalog's vocabulary (default: the packaged snapshot)")
    p.add_argument("--json", action="store_true", help="print everything as JSON")
    p.add_argument("--failures", action="store_true", help="list every phrasing not read exactly")
    a = p.parse_args(argv)
    try:
        cases = load_cases(a.cases or packaged("interpret_cases.jsonl"))
        if a.catalog is not None:
            from assetscout.catalog.store import open_catalog
            from assetscout.search.interpret import Vocabulary

            con = open_catalog(a.catalog).connect()
            try:
                vocab, label = Vocabulary.from_connection(con), f"catalog {a.catalog}"
            finally:
                con.close()
        else:
            from assetscout.search.interpret.vocabulary import vocabulary_from_json

            path = packaged("interpret_vocabulary.json")
            vocab, label = vocabulary_from_json(json.loads(path.read_text("utf-8"))), f"snapshot {path.name}"
        result = evaluate(cases, vocab, label)
    except AssetScoutError as exc:
        print(f"assetscout: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, InvalidInput) else 1
    if a.json:
        json.dump(result.to_dict(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print_report(result, sys.stdout, failures=a.failures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
