"""JSON lines for `read.read_table`: one object per line, columns in order of first use.

Scalars become text as JSON writes them (true, 1.5); nested values become compact
JSON. A line that is not a JSON object is counted as malformed and skipped; a key seen
for the first time late in the file gives a column that is null in earlier rows.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from assetscout.tables.read import (
    RaggedCounts,
    ReadOptions,
    ReadResult,
    TableReadError,
    column_warnings,
    unique_names,
)
from assetscout.tables.scan import ColumnAccumulator, RowSample
from assetscout.tables.sniff import binary_reason, detect_encoding
from assetscout.tables.textio import open_text_lines
from assetscout.tables.values import null_set

_BATCH = 2048


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, str):
        return v
    return json.dumps(v, sort_keys=True, ensure_ascii=False)


def read_jsonl(path: Path, size: int, opts: ReadOptions) -> ReadResult:
    import pyarrow as pa

    keys: list[str] = []  # raw keys, in order of first appearance (capped)
    key_index: dict[str, int] = {}
    extra_keys: set[str] = set()
    accs: list[ColumnAccumulator] = []
    nt = null_set(opts.null_tokens)
    sample = RowSample(opts.max_rows, opts.sample, opts.seed)
    distinct_cap = opts.column_caps(1)[1]
    rows = 0
    malformed = 0
    first_bad: tuple[int, str] | None = None

    def flush(batch: list[dict[str, Any]]) -> None:
        nonlocal rows
        width = len(keys)
        matrix: list[list[str | None]] = []
        for k in keys:
            col = [_text(obj.get(k)) for obj in batch]
            matrix.append([None if v is None else (s if (s := v.strip()).lower() not in nt else None) for v in col])
        for acc, col in zip(accs, matrix):
            acc.add_batch(col)
        if not sample.full:
            sample.offer_batch([(width, r) for r in zip(*matrix)] if matrix else [(0, ())] * len(batch))
        else:
            sample.seen += len(batch)
        rows += len(batch)

    with open(path, "rb") as fh:
        head = fh.read(opts.head_bytes)
        if not head.strip():
            raise TableReadError(path, "the file is empty")
        reason = binary_reason(head)
        if reason:
            raise TableReadError(path, reason)
        enc = detect_encoding(head)
        fh.seek(len(enc.bom))
        lines, raw = open_text_lines(fh, enc, opts.max_bytes_sampled)
        batch: list[dict[str, Any]] = []
        for line_no, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                obj, why = None, f"invalid JSON ({exc.msg})"
            else:
                why = "not a JSON object"
            if not isinstance(obj, dict):
                malformed += 1
                first_bad = first_bad or (line_no, why)
                continue
            for k in obj:
                if k not in key_index and k not in extra_keys:
                    if len(keys) >= opts.max_columns:
                        extra_keys.add(k)
                        continue
                    flush(batch)  # rows before this key hold nulls for it
                    batch = []
                    key_index[k] = len(keys)
                    keys.append(k)
                    accs.append(ColumnAccumulator(k, distinct_cap, n_nulls=rows))
                    # a wider table keeps fewer sample rows and distinct values per column
                    sample_size, distinct_cap = opts.column_caps(len(keys))
                    if sample_size < sample.size:
                        sample.size = sample_size
                        del sample.rows[sample_size:]
                    for a in accs:
                        a.cap = min(a.cap, distinct_cap)
            batch.append(obj)
            if len(batch) >= _BATCH:
                flush(batch)
                batch = []
        if batch and raw.cut_mid_line:
            batch.pop()
        flush(batch)

    if rows == 0 and malformed:
        line_no, why = first_bad or (1, "")
        raise TableReadError(path, f"no line is a JSON object ({malformed} lines; first: {why})", line=line_no)
    names, renamed = unique_names(keys)
    width = len(keys)
    padded = [tuple(r) + (None,) * (width - w) for w, r in sample.rows]
    columns = list(zip(*padded)) if padded else [() for _ in names]
    table = pa.table({n: pa.array(list(c), type=pa.string()) for n, c in zip(names, columns)})
    scans = tuple(a.result() for a in accs)
    scans = tuple(replace(s, name=n) for n, s in zip(names, scans))
    complete = not raw.truncated and not raw.cut_mid_line
    warnings: list[str] = []
    if enc.fallback:
        warnings.append(f"not valid UTF-8: decoded as {enc.name}")
    if malformed:
        line_no, why = first_bad or (0, "")
        warnings.append(f"{malformed} lines are not JSON objects (skipped), first at line {line_no}: {why}")
    if extra_keys:
        warnings.append(f"{len(extra_keys)} keys beyond max_columns={opts.max_columns} were dropped")
    if renamed:
        warnings.append("renamed columns: " + ", ".join(f"{r.name!r} (was {r.original!r})" for r in renamed[:20]))
    if not complete:
        warnings.append(f"read the first {raw.bytes_read} of {size} bytes (max_bytes_sampled="
                        f"{opts.max_bytes_sampled}): the row count is an estimate")
    if sum(1 for s in scans if not s.distinct_complete):
        warnings.append(f"some columns have more than {distinct_cap} distinct values: counts estimated")
    warnings.extend(column_warnings(scans, rows))
    estimate = rows if complete else int(rows * size / max(raw.bytes_read, 1))
    return ReadResult(
        path=str(path), format="jsonl", table=table, columns=scans,
        n_rows=rows if complete else None, n_rows_estimate=max(estimate, rows), rows_scanned=rows,
        complete=complete, bytes_scanned=raw.bytes_read + len(enc.bom), file_size=size,
        encoding=enc.name, encoding_fallback=enc.fallback, ragged=RaggedCounts(malformed=malformed),
        renamed=tuple(renamed), dropped_columns=len(extra_keys), warnings=tuple(warnings),
    )
