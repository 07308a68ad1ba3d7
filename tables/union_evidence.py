"""What union search keeps of one table: column texts, value keys, subject-column relationships.

Pure functions from what `read_table` and `profile_read` return (the lake ingest hands
both to a hook, so a lake is read once for join and union search together):

- a *column text* per usable column (its name, type and representative values) for the
  encoder; the table's other headers are left out on purpose, because on UGEN-V1 they
  pulled every column of a table towards the same vector and cost precision;
- the *distinct value keys* of each column (`values.join_set`), signed by MinHash;
- for the subject (intent) column s and every other column c, the *relationship*: the
  set of (s, c) value pairs seen together in a row, as hashed tokens (bounded by
  `max_pair_rows` rows), and a *pair text* for the encoder ("s and c: v1 w1; v2 w2").

A column is usable when it holds at least one value; empty columns carry no evidence
and are left out (they also do not count in score normalization).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assetscout.embed.serialize import representative_values
from assetscout.errors import InvalidInput
from assetscout.tables.values import NULL_TOKENS, clean_cell, join_key, join_set, null_set

if TYPE_CHECKING:
    from assetscout.tables.profile import TableProfile
    from assetscout.tables.read import ReadResult

PAIR_SEPARATOR = "\x1f"  # between the two values of a pair token; never inside a stripped cell


def _check_int(name: str, value: int, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"{name} must be an integer in [{low}, {high}], got {value!r}")


@dataclass(frozen=True)
class EvidenceOptions:
    """How much of each table the union index keeps; checked on construction.

    max_values: representative values in a column text. max_value_chars: longer values
    are cut. max_pair_rows: rows whose (subject, other) pairs are hashed. pair_examples:
    value pairs written into a pair text. table_name_in_text: start column texts with
    the table's name (off by default: a file name is often a label, e.g. UGEN-V1 names
    files after their topic, or noise like 'table_17').
    """

    max_values: int = 10
    max_value_chars: int = 50
    max_pair_rows: int = 1000
    pair_examples: int = 5
    table_name_in_text: bool = False

    def __post_init__(self) -> None:
        _check_int("max_values", self.max_values, 0, 1000)
        _check_int("max_value_chars", self.max_value_chars, 4, 10_000)
        _check_int("max_pair_rows", self.max_pair_rows, 1, 10_000_000)
        _check_int("pair_examples", self.pair_examples, 0, 1000)
        if not isinstance(self.table_name_in_text, bool):
            raise InvalidInput(f"table_name_in_text must be a bool, got {self.table_name_in_text!r}")


@dataclass(frozen=True)
class PairEvidence:
    """The relationship between a table's subject column and one other column."""

    other: int  # position (in TableEvidence.columns) of the other column
    tokens: frozenset[str]  # 'subject key' + PAIR_SEPARATOR + 'other key', one per distinct pair
    text: str  # what the encoder sees


@dataclass(frozen=True)
class ColumnEvidence:
    ordinal: int  # position in the file
    name: str
    type: str
    text: str
    values: frozenset[str]  # distinct join keys over every row scanned


@dataclass(frozen=True)
class TableEvidence:
    """One table as union search sees it (usable columns only, in file order)."""

    table: str
    columns: tuple[ColumnEvidence, ...]
    subject: int | None  # position in `columns` of the subject column
    pairs: tuple[PairEvidence, ...]


def column_text(name: str, type_: str, values: Sequence[str], *, table_name: str | None = None,
                max_values: int = 10, max_value_chars: int = 50) -> str:
    """'name (type): v1, v2, ...', optionally prefixed by 'table T.'; values deduplicated and cut."""
    shown = representative_values(values, limit=max_values, max_chars=max_value_chars) if max_values else []
    text = f"{name.strip()} ({type_})" if type_ not in ("text", "categorical") else name.strip()
    if shown:
        text += ": " + ", ".join(shown)
    return f"table {table_name.strip()}. {text}" if table_name and table_name.strip() else text


def pair_text(subject_name: str, other_name: str, examples: Sequence[tuple[str, str]]) -> str:
    """'subject and other: s1 o1; s2 o2' -- the pair as a phrase, so the encoder sees both sides."""
    text = f"{subject_name.strip()} and {other_name.strip()}"
    if examples:
        text += ": " + "; ".join(f"{s} {o}" for s, o in examples)
    return text


def _clean_rows(result: ReadResult, ordinals: Sequence[int], max_rows: int,
                null_tokens: frozenset[str]) -> list[list[str | None]]:
    """The first `max_rows` sampled rows, as cleaned cells of the given columns (None for nulls)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = min(result.table.num_rows, max_rows)
    columns = []
    for o in ordinals:
        col = result.table.column(o).slice(0, n)
        if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            try:
                col = pc.cast(col, pa.string())
            except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
                col = pa.chunked_array([pa.array([None if v is None else str(v) for v in col.to_pylist()],
                                                 pa.string())])
        columns.append([clean_cell(v, null_tokens) for v in col.to_pylist()])
    return columns


def table_evidence(table_id: str, result: ReadResult, profile: TableProfile,
                   options: EvidenceOptions | None = None,
                   null_tokens: frozenset[str] = NULL_TOKENS) -> TableEvidence:
    """Column texts, value keys and subject relationships of one read + profiled table."""
    opts = options or EvidenceOptions()
    nt = null_set(null_tokens)
    usable = [c for c in profile.columns if c.n_values > 0]
    name = result.name if opts.table_name_in_text else None
    columns = []
    for c in usable:
        keys = frozenset(join_set(result.columns[c.ordinal].distinct, nt))
        text = column_text(c.name, c.type, c.samples, table_name=name, max_values=opts.max_values,
                           max_value_chars=opts.max_value_chars)
        columns.append(ColumnEvidence(c.ordinal, c.name, c.type, text, keys))
    positions = {c.ordinal: i for i, c in enumerate(usable)}
    subject = positions.get(profile.subject_column) if profile.subject_column is not None else None
    pairs: list[PairEvidence] = []
    if subject is not None and len(usable) > 1:
        cells = _clean_rows(result, [c.ordinal for c in usable], opts.max_pair_rows, nt)
        s_cells = cells[subject]
        for j, other in enumerate(cells):
            if j == subject:
                continue
            tokens: set[str] = set()
            examples: list[tuple[str, str]] = []
            for s, o in zip(s_cells, other):
                if s is None or o is None:
                    continue
                tokens.add(join_key(s) + PAIR_SEPARATOR + join_key(o))
                if len(examples) < opts.pair_examples:
                    cut = opts.max_value_chars
                    examples.append((s[:cut], o[:cut]))
            if tokens:
                text = pair_text(usable[subject].name, usable[j].name, examples)
                pairs.append(PairEvidence(j, frozenset(tokens), text))
    return TableEvidence(table_id, tuple(columns), subject, tuple(pairs))
