"""Inferring a column's type from its text values: pure functions, thresholds as parameters.

A type wins when at least `threshold` of the non-null cells (counted with repeats) parse
as it, because real columns carry a few stray values ("n.a.", "see note"). The order of
the checks decides overlaps: boolean words before numbers, integer before float,
datetime before date; '0'/'1' columns are integers (their meaning is not knowable).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Literal

ColumnType = Literal["integer", "float", "boolean", "date", "datetime", "text", "categorical", "id", "empty"]
NUMERIC_TYPES: frozenset[str] = frozenset({"integer", "float"})
STRING_TYPES: frozenset[str] = frozenset({"text", "categorical", "id"})

BOOLEAN_WORDS: frozenset[str] = frozenset({"true", "false", "yes", "no", "t", "f", "y", "n"})
_INT = re.compile(r"[+-]?\d+\Z")
_FLOAT = re.compile(r"[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|inf(?:inity)?)\Z", re.I)
_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\Z")
_DMY_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\Z")
_NAMED_DATE = re.compile(r"\d{1,2}[- ][A-Za-z]{3,9}[- ,]+\d{4}\Z|[A-Za-z]{3,9}\.? \d{1,2},? \d{4}\Z")
_DATETIME = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(?:Z|UTC|[+-]\d{2}:?\d{2})?\Z")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_TOKEN_ID = re.compile(r"[^\s]*[\d_\-./:#@][^\s]*\Z")


def is_integer(v: str) -> bool:
    return bool(_INT.match(v))


def is_float(v: str) -> bool:
    return bool(_FLOAT.match(v))


def _valid_ymd(y: int, m: int, d: int) -> bool:
    try:
        date(y, m, d)
    except ValueError:
        return False
    return True


def is_date(v: str) -> bool:
    """ISO (2023-01-31, 2023/01/31), day-first or month-first with a 4-digit year, or named months."""
    m = _ISO_DATE.match(v)
    if m:
        return _valid_ymd(int(m[1]), int(m[2]), int(m[3]))
    m = _DMY_DATE.match(v)
    if m:
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        return _valid_ymd(y, b, a) or _valid_ymd(y, a, b)
    if _NAMED_DATE.match(v):
        return any(mon in v.lower() for mon in _MONTHS)
    return False


def is_datetime(v: str) -> bool:
    m = _DATETIME.match(v)
    return bool(m) and _valid_ymd(int(m[1]), int(m[2]), int(m[3])) and int(m[4]) < 24 and int(m[5]) < 60


def infer_type(counts: Mapping[str, int], *, distinct_count: int | None = None, n_values: int | None = None,
               threshold: float = 0.95, categorical_max_distinct: int = 1000,
               categorical_max_ratio: float = 0.5) -> ColumnType:
    """The type of a column whose non-null cleaned values occur `counts` times each.

    `distinct_count` and `n_values` (over the whole column, when the caller knows more
    than this sample) decide between text, categorical and id.
    """
    total = sum(counts.values())
    if total == 0:
        return "empty"

    def share(pred) -> float:
        return sum(c for v, c in counts.items() if pred(v)) / total

    if share(lambda v: v.lower() in BOOLEAN_WORDS) >= threshold and len({v.lower() for v in counts}) <= 2 \
            or share(lambda v: v.lower() in ("true", "false")) >= threshold:
        return "boolean"
    if share(lambda v: is_integer(v) or is_float(v)) >= threshold:
        numbers = [v for v in counts if is_integer(v) or is_float(v)]
        return "integer" if all(is_integer(v) for v in numbers) else "float"
    dts = share(is_datetime)
    if dts >= threshold:
        return "datetime"
    if share(is_date) >= threshold:
        return "date"
    if dts > 0 and share(lambda v: is_date(v) or is_datetime(v)) >= threshold:
        return "datetime"
    n = n_values if n_values is not None else total
    distinct = distinct_count if distinct_count is not None else len(counts)
    uniqueness = distinct / n if n else 0.0
    if uniqueness <= categorical_max_ratio and distinct <= categorical_max_distinct:
        return "categorical"
    if distinct >= n and n >= 2 and share(lambda v: bool(_TOKEN_ID.match(v))) >= threshold:
        return "id"
    return "text"


def entity_share(values: list[str]) -> float:
    """Share of values that name something (hold a letter and are not a number or date)."""
    if not values:
        return 0.0
    hits = 0
    for v in values:
        if any(ch.isalpha() for ch in v) and not is_float(v) and not is_date(v) and not is_datetime(v):
            hits += 1
    return hits / len(values)
