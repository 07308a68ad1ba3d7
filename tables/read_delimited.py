"""Delimited text (CSV, TSV, ';', '|', ' | ' ...) for `read.read_table`.

Parsing is the csv module's (quotes, doubled quotes, line breaks inside quotes) over a
stream decoded on the fly; a multi-character delimiter is first replaced by a control
character that never occurs in text, so the csv module still does the quoting.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assetscout.tables.read import (
    RaggedCounts,
    ReadOptions,
    RenamedColumn,
    ReadResult,
    TableReadError,
    column_warnings,
    unique_names,
)
from assetscout.tables.scan import ColumnAccumulator, ColumnScan, RowSample
from assetscout.tables.sniff import (
    MULTI_SUB,
    Encoding,
    binary_reason,
    delimiter_hint,
    detect_delimiter,
    detect_encoding,
    substitute,
)
from assetscout.tables.textio import open_text_lines
from assetscout.tables.values import null_set

_BATCH = 4096
_MAX_MALFORMED = 1000  # csv.Error rows tolerated before the file is given up


def _encoding(head: bytes, requested: str | None) -> Encoding:
    detected = detect_encoding(head)
    if requested is None or (detected.bom and codecs.lookup(requested).name in
                             (codecs.lookup(detected.name).name, "utf-16", "utf-8-sig")):
        return detected
    return Encoding(codecs.lookup(requested).name, b"", False)


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


class _Lines:
    """Counts U+FFFD (undecodable bytes) and swaps a multi-character delimiter."""

    def __init__(self, lines: Iterator[str], multi: str | None) -> None:
        self._lines = lines
        self._multi = multi
        self.replaced = 0

    def __iter__(self) -> Iterator[str]:
        multi = self._multi
        for line in self._lines:
            if "\ufffd" in line:
                self.replaced += line.count("\ufffd")
            yield substitute(line, multi) if multi else line


def read_delimited(path: Path, size: int, opts: ReadOptions) -> ReadResult:
    with open(path, "rb") as fh:
        head = fh.read(opts.head_bytes)
        if not head.strip():
            raise TableReadError(path, "the file is empty")
        reason = binary_reason(head)
        if reason:
            raise TableReadError(path, reason)
        enc = _encoding(head, opts.encoding)
        decoder = codecs.getincrementaldecoder("utf-8" if enc.name == "utf-8-sig" else enc.name)("replace")
        text = decoder.decode(head[len(enc.bom):], final=len(head) >= size)
        if not text.strip():
            raise TableReadError(path, "the file is empty (only whitespace)")
        sniff = text.splitlines(keepends=True)
        if len(head) < size and len(sniff) > 1:
            sniff = sniff[:-1]  # the head may end mid-line
        sniff = [ln for ln in sniff if ln.strip()][:100]
        delimiter = opts.delimiter or detect_delimiter(sniff, hint=delimiter_hint(path.suffix))

        fh.seek(len(enc.bom))
        stream, raw = open_text_lines(fh, enc, opts.max_bytes_sampled)
        multi = delimiter if len(delimiter) > 1 else None
        lines = _Lines(stream, multi)
        parsed = _parse(path, csv.reader(iter(lines), delimiter=MULTI_SUB if multi else delimiter,
                                         strict=False), delimiter, opts)
        header_raw, batches_out = parsed
        result = _consume(path, header_raw, batches_out, delimiter, opts, cut_last=lambda: raw.cut_mid_line)

    complete = not raw.truncated and not raw.cut_mid_line
    warnings = result.warnings
    if enc.fallback:
        warnings.insert(0, f"not valid UTF-8: decoded as {enc.name}")
    if lines.replaced:
        warnings.append(f"{lines.replaced} undecodable byte sequences replaced by U+FFFD")
    if not complete:
        warnings.append(f"read the first {raw.bytes_read} of {size} bytes (max_bytes_sampled="
                        f"{opts.max_bytes_sampled}): the row count is an estimate")
    rows = result.rows
    n_rows = rows if complete else None
    estimate = rows if complete else int(rows * size / max(raw.bytes_read + len(enc.bom), 1))
    return ReadResult(
        path=str(path), format="csv", table=result.table, columns=result.columns,
        n_rows=n_rows, n_rows_estimate=max(estimate, rows), rows_scanned=rows, complete=complete,
        bytes_scanned=raw.bytes_read + len(enc.bom), file_size=size, encoding=enc.name,
        encoding_fallback=enc.fallback, delimiter=delimiter, ragged=result.ragged,
        renamed=tuple(result.renamed), dropped_columns=result.dropped, warnings=tuple(warnings),
    )


def _parse(path: Path, reader: Iterator[list[str]], delimiter: str,
           opts: ReadOptions) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header fields and an iterator of (line number, fields) for non-blank rows."""
    malformed = [0]
    line_num = lambda: reader.line_num  # type: ignore[attr-defined]  # noqa: E731

    def rows() -> Iterator[tuple[int, list[str]]]:
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                malformed[0] += 1
                if malformed[0] > _MAX_MALFORMED:
                    raise TableReadError(path, f"more than {_MAX_MALFORMED} rows could not be parsed "
                                               f"(last: {exc})", line=line_num()) from None
                yield line_num(), []  # [] marks a malformed row for the consumer
                continue
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            yield line_num(), row

    it = rows()
    for _line, first in it:
        if first:
            break
    else:
        raise TableReadError(path, "no line could be parsed as a header")
    if not opts.header:
        header = [""] * len(first)

        def with_first() -> Iterator[tuple[int, list[str]]]:
            yield 1, first
            yield from it

        return header, with_first()
    return first, it


@dataclass
class _Consumed:
    table: Any = None
    columns: tuple[ColumnScan, ...] = ()
    rows: int = 0
    ragged: RaggedCounts = field(default_factory=RaggedCounts)
    renamed: list[RenamedColumn] = field(default_factory=list)
    dropped: int = 0
    warnings: list[str] = field(default_factory=list)


def _consume(path: Path, header_raw: list[str], rows: Iterator[tuple[int, list[str]]], delimiter: str,
             opts: ReadOptions, cut_last: Callable[[], bool]) -> _Consumed:
    import pyarrow as pa

    out = _Consumed()
    n_fields = len(header_raw)
    kept = min(n_fields, opts.max_columns)
    names, renamed = unique_names(header_raw[:kept])
    if not opts.header:
        renamed = []
    sample_size, distinct_cap = opts.column_caps(kept)
    accs = [ColumnAccumulator(n, distinct_cap) for n in names]
    sample = RowSample(sample_size, opts.sample, opts.seed)
    nt = null_set(opts.null_tokens)
    counts = {"padded": 0, "trimmed": 0, "merged": 0, "truncated": 0, "skipped": 0, "malformed": 0}
    first_line: dict[str, int] = {}
    policy = opts.extra_fields

    def note(kind: str, line: int) -> None:
        counts[kind] += 1
        first_line.setdefault(kind, line)

    def flush(batch: list[list[str | None]]) -> None:
        if not batch:
            return
        cols = list(zip(*batch))
        cleaned = [[None if v is None else (s if (s := v.strip()).lower() not in nt else None) for v in col]
                   for col in cols]
        for acc, col in zip(accs, cleaned):
            acc.add_batch(col)
        if not sample.full:
            sample.offer_batch(list(zip(*cleaned)))
        else:
            sample.seen += len(batch)
        out.rows += len(batch)

    batch: list[list[str | None]] = []
    for line, row in rows:
        if not row:
            note("malformed", line)
            continue
        nf = len(row)
        if nf < n_fields:
            note("padded", line)
            row = row + [None] * (n_fields - nf)  # type: ignore[list-item]
        elif nf > n_fields:
            extras = row[n_fields:]
            if all(not x.strip() for x in extras):
                note("trimmed", line)
                row = row[:n_fields]
            elif policy == "merge":
                note("merged", line)
                row = row[:n_fields - 1] + [delimiter.join(row[n_fields - 1:])]
            elif policy == "truncate":
                note("truncated", line)
                row = row[:n_fields]
            else:
                note("skipped", line)
                continue
        batch.append(row[:kept] if kept < n_fields else row)  # type: ignore[arg-type]
        if len(batch) > _BATCH:
            flush(batch[:_BATCH])
            batch = batch[_BATCH:]
    if batch and cut_last():
        batch.pop()  # the file was cut inside this row
    flush(batch)

    columns = list(zip(*sample.rows)) if sample.rows else [() for _ in names]
    out.table = pa.table({n: pa.array(list(c), type=pa.string()) for n, c in zip(names, columns)})
    out.columns = tuple(a.result() for a in accs)
    out.ragged = RaggedCounts(**counts)
    out.renamed = renamed
    out.dropped = n_fields - kept
    w = out.warnings
    if opts.header and header_raw and all(h.strip() and _is_number(h.strip()) for h in header_raw):
        w.append("the first line looks like data (every field is a number) but was read as the header")
    if out.rows == 0:
        w.append("only a header line: the table has 0 rows")
    if renamed:
        w.append("renamed columns: " + ", ".join(
            f"{r.name!r} (was {r.original.strip()!r}{', empty' if not r.original.strip() else ', repeated'})"
            for r in renamed[:20]) + (f" and {len(renamed) - 20} more" if len(renamed) > 20 else ""))
    if out.dropped:
        w.append(f"{out.dropped} columns beyond max_columns={opts.max_columns} were dropped")
    texts = {
        "padded": "had fewer fields than the header's {n} (padded with nulls)",
        "merged": "had more fields than the header's {n} (extras merged into the last column)",
        "truncated": "had more fields than the header's {n} (extras dropped)",
        "skipped": "had more fields than the header's {n} (rows skipped)",
        "trimmed": "ended with empty extra fields (a trailing delimiter; dropped)",
        "malformed": "could not be parsed (skipped)",
    }
    for kind, text in texts.items():
        if counts[kind]:
            w.append(f"{counts[kind]} rows {text.format(n=n_fields)}, first at line {first_line[kind]}")
    if sample_size < opts.max_rows and out.rows > sample_size:
        w.append(f"a table this wide keeps {sample_size} sample rows (max_cells={opts.max_cells})")
    capped = sum(1 for c in out.columns if not c.distinct_complete)
    if capped:
        w.append(f"{capped} columns have more than {distinct_cap} distinct values: their distinct "
                 f"counts are estimates")
    w.extend(column_warnings(out.columns, out.rows))
    return out
