"""The judged structured questions file: loading, checking, and the queries each form asks.

    {"id", "kind", "query", "flags": {"kinds", "filters", "metrics", "sort"?, "text"?},
     "answer": [asset ids], "how", "best_value"? (kind 'best')}

Written by the maintainer script `eval/structured_truth.py`; the packaged copy is
`eval/data/structured_queries.jsonl`. Every line is checked where it is read, with the
line number in the error, so a hand edit that breaks a question is caught before a run.
"""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from assetscout.errors import InvalidInput
from assetscout.search.query import MAX_K, Query

STRUCTURED_FILE = "structured_queries.jsonl"
KINDS: tuple[str, ...] = ("threshold", "best", "facet", "hardware", "vague")
Form = Literal["flags", "text"]
FORMS: tuple[str, ...] = ("flags", "text")
_FLAG_KEYS = {"kinds", "filters", "metrics", "sort", "text"}


@dataclass(frozen=True)
class StructuredQuestion:
    """One judged question as read from the file."""

    id: str
    kind: str
    query: str
    flags: dict[str, Any]
    answer: frozenset[str]
    how: str
    best_value: float | None = None

    @property
    def is_best(self) -> bool:
        """Scored by its first hit (one of the ids tied for best), not by its returned set."""
        return self.kind == "best"


def packaged_structured_file() -> Path:
    """The judged structured questions shipped with assetscout."""
    return Path(str(resources.files("assetscout.eval").joinpath("data", STRUCTURED_FILE)))


def load_structured(path: Path | str) -> list[StructuredQuestion]:
    """Every question of a JSON-lines file, each checked (and its flags built once as a Query)."""
    path = Path(path)
    try:
        lines = path.read_text("utf-8").splitlines()
    except OSError as exc:
        raise InvalidInput(f"cannot read structured questions {path}: {exc.strerror}") from None
    out: list[StructuredQuestion] = []
    seen: set[str] = set()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            q = _question(json.loads(line))
            flags_query(q)  # the flags must build a valid query
        except (ValueError, TypeError, KeyError, InvalidInput) as exc:
            raise InvalidInput(f"{path}:{n}: {exc}") from None
        if q.id in seen:
            raise InvalidInput(f"{path}:{n}: question id {q.id!r} is used twice")
        seen.add(q.id)
        out.append(q)
    if not out:
        raise InvalidInput(f"{path} holds no questions")
    return out


def _question(raw: Any) -> StructuredQuestion:
    if not isinstance(raw, dict):
        raise ValueError("a line must be a JSON object")
    for key in ("id", "kind", "query", "how"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise ValueError(f"'{key}' must be a non-empty string")
    if raw["kind"] not in KINDS:
        raise ValueError(f"kind {raw['kind']!r} is not one of {', '.join(KINDS)}")
    flags = raw.get("flags")
    if not isinstance(flags, dict) or set(flags) - _FLAG_KEYS:
        raise ValueError(f"'flags' must be an object with keys among {sorted(_FLAG_KEYS)}")
    answer = raw.get("answer")
    if not isinstance(answer, list) or not answer or not all(isinstance(a, str) for a in answer):
        raise ValueError("'answer' must be a non-empty list of asset ids")
    if len(answer) > MAX_K:
        raise ValueError(f"'answer' has {len(answer)} ids; at most {MAX_K} can be returned by one search")
    best = raw.get("best_value")
    if (raw["kind"] == "best") != (best is not None):
        raise ValueError("'best_value' is given exactly for kind 'best'")
    if best is not None and not isinstance(best, (int, float)):
        raise ValueError("'best_value' must be a number")
    if raw["kind"] == "best" and not str(flags.get("sort", "")).startswith("metric:"):
        raise ValueError("a 'best' question's flags must sort by a metric (sort: metric:NAME@DATASET)")
    return StructuredQuestion(raw["id"], raw["kind"], raw["query"], flags, frozenset(answer), raw["how"],
                              None if best is None else float(best))


def interpret_supported() -> bool:
    """Whether Query.build takes `interpret` (natural-language interpretation of the text)."""
    return "interpret" in inspect.signature(Query.build).parameters


def flags_query(q: StructuredQuestion, *, k: int = MAX_K) -> Query:
    """The hand-written flags as a query; their text (if any) is taken literally."""
    f = q.flags
    extra: dict[str, Any] = {"interpret": False} if interpret_supported() else {}
    return Query.build(text=f.get("text", ""), kinds=f.get("kinds", ()), filters=f.get("filters") or {},
                       metrics=f.get("metrics") or (), sort=f.get("sort", "relevance"), k=k, **extra)


def text_query(q: StructuredQuestion, *, k: int = MAX_K) -> Query:
    """The English question alone, interpreted when the engine can."""
    extra: dict[str, Any] = {"interpret": True} if interpret_supported() else {}
    return Query.build(text=q.query, k=k, **extra)


def form_query(q: StructuredQuestion, form: str, *, k: int = MAX_K) -> Query:
    if form == "flags":
        return flags_query(q, k=k)
    if form == "text":
        return text_query(q, k=k)
    raise InvalidInput(f"form {form!r} is not one of {', '.join(FORMS)}")
