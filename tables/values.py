"""Cell values as every table module sees them: null tokens and normalization.

One definition, so that the reader, the profiler, the MinHash signatures and the exact
containment check agree on what a null is and when two values are "the same".
"""

from __future__ import annotations

from collections.abc import Iterable

#: Spellings of "no value" found in real tables, compared after stripping whitespace and
#: lowercasing (so 'NA', 'N/A', 'NULL', 'None', 'NaN' are all covered).
NULL_TOKENS: frozenset[str] = frozenset({"", "na", "n/a", "#n/a", "-", "--", "null", "none", "nan", "?"})


def null_set(tokens: frozenset[str]) -> frozenset[str]:
    """The lowercase form every comparison uses (callers may pass tokens in any case)."""
    return frozenset(t.strip().lower() for t in tokens)


def clean_cell(value: str | None, null_tokens: frozenset[str] = NULL_TOKENS) -> str | None:
    """Strip whitespace; None for a null token (any case). What the reader stores in its sample."""
    if value is None:
        return None
    v = value.strip()
    return None if v.lower() in null_tokens else v


def join_key(value: str) -> str:
    """The form two cells must share to count as the same value in a join: lowercase.

    Applied on top of `clean_cell`; casefold() would also equate 'ß' and 'ss', which
    is more than a join on identifiers should assume.
    """
    return value.lower()


def join_set(values: Iterable[str | None], null_tokens: frozenset[str] = NULL_TOKENS) -> set[str]:
    """Distinct join keys of `values`: stripped, lowercased, null tokens dropped (idempotent)."""
    out: set[str] = set()
    nt = null_set(null_tokens) if null_tokens is not NULL_TOKENS else NULL_TOKENS
    for v in values:
        c = clean_cell(v, nt)
        if c is not None:
            out.add(join_key(c))
    return out
