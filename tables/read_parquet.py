"""Parquet for `read.read_table`: streamed batch by batch, row total from the metadata.

Column types are kept in the sample (the profiler trusts them); string columns are
stripped and their null tokens turned into nulls like any text cell. Nested and binary
columns are rendered as JSON / hex text, since a join or a profile needs comparable
values, not structure. The byte budget counts decoded (Arrow) bytes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assetscout.tables.read import ReadOptions, ReadResult, TableReadError, column_warnings, unique_names
from assetscout.tables.scan import ColumnAccumulator
from assetscout.tables.values import null_set

_BATCH = 8192


def _to_text(arr: Any) -> Any:
    """A pyarrow array as strings (nulls kept); nested values as JSON."""
    import pyarrow as pa
    import pyarrow.compute as pc

    t = arr.type
    if pa.types.is_dictionary(t):
        arr = arr.dictionary_decode()
        t = arr.type
    if pa.types.is_string(t):
        return arr
    if pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return arr.cast(pa.string())
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t):
        return pa.array([None if v is None else v.hex() for v in arr.to_pylist()], type=pa.string())
    if (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t)
            or pa.types.is_temporal(t) or pa.types.is_decimal(t)):
        return pc.cast(arr, pa.string())
    return pa.array([None if v is None else json.dumps(v, sort_keys=True, ensure_ascii=False, default=str)
                     for v in arr.to_pylist()], type=pa.string())


def _keeps_type(t: Any) -> bool:
    """Whether the sample keeps a column's Parquet type (else it holds the text form)."""
    import pyarrow as pa

    return bool(pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t)
                or pa.types.is_temporal(t) or pa.types.is_decimal(t))


def _clean_strings(arr: Any, null_tokens: frozenset[str]) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pc.utf8_trim_whitespace(arr)
    tokens = pa.array(sorted(null_set(null_tokens)), type=pa.string())
    is_null_token = pc.fill_null(pc.is_in(pc.utf8_lower(arr), value_set=tokens), False)
    return pc.if_else(is_null_token, pa.scalar(None, type=pa.string()), arr)


def read_parquet(path: Path, size: int, opts: ReadOptions) -> ReadResult:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowException, ValueError) as exc:
        raise TableReadError(path, f"not a readable Parquet file: {exc}") from None
    meta = pf.metadata
    n_rows = meta.num_rows
    raw_names = list(pf.schema_arrow.names)
    n_fields = len(raw_names)
    if n_fields == 0:
        raise TableReadError(path, "the Parquet file has no columns")
    kept = min(n_fields, opts.max_columns)
    names, renamed = unique_names(raw_names[:kept])
    sample_size, distinct_cap = opts.column_caps(kept)
    accs = [ColumnAccumulator(n, distinct_cap) for n in names]
    total_bytes = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups)) or 1
    reachable = min(n_rows, max(1, int(n_rows * opts.max_bytes_sampled / total_bytes)))
    picks = None
    if opts.sample == "reservoir" and reachable > sample_size:
        rng = np.random.default_rng(opts.seed)
        picks = np.sort(rng.choice(reachable, size=sample_size, replace=False))
    fields = list(pf.schema_arrow)[:kept]
    typed = [_keeps_type(f.type) for f in fields]
    columns_arg = raw_names[:kept] if len(set(raw_names)) == n_fields else None

    pieces: list[Any] = []
    have = 0
    offset = 0
    bytes_scanned = 0
    truncated = False
    try:
        for batch in pf.iter_batches(batch_size=_BATCH, columns=columns_arg, use_threads=False):
            if bytes_scanned >= opts.max_bytes_sampled:
                truncated = True
                break
            bytes_scanned += batch.nbytes
            cols = [batch.column(i) for i in range(kept)]
            out_cols = []
            for j, arr in enumerate(cols):
                text = _clean_strings(_to_text(arr), opts.null_tokens)
                acc = accs[j]
                n_null = text.null_count
                acc.n_nulls += n_null
                acc.n_values += len(text) - n_null
                acc.add_distinct(text.drop_null().unique().to_pylist())
                out_cols.append(arr if typed[j] else text)
            rb = pa.RecordBatch.from_arrays(out_cols, names=names)
            if picks is not None:
                lo, hi = np.searchsorted(picks, [offset, offset + batch.num_rows])
                if hi > lo:
                    pieces.append(rb.take(pa.array(picks[lo:hi] - offset)))
            elif have < sample_size:
                pieces.append(rb.slice(0, sample_size - have))
                have += min(batch.num_rows, sample_size - have)
            offset += batch.num_rows
    except (pa.ArrowException, OSError) as exc:
        raise TableReadError(path, f"the Parquet data could not be decoded: {exc}") from None

    if pieces:
        table = pa.Table.from_batches(pieces)
    else:
        schema = pa.schema([pa.field(n, f.type if t else pa.string()) for n, t, f in zip(names, typed, fields)])
        table = schema.empty_table()
    scans = tuple(a.result() for a in accs)
    complete = not truncated and offset >= n_rows
    warnings: list[str] = []
    if renamed:
        warnings.append("renamed columns: " + ", ".join(f"{r.name!r} (was {r.original!r})" for r in renamed[:20]))
    if n_fields > kept:
        warnings.append(f"{n_fields - kept} columns beyond max_columns={opts.max_columns} were dropped")
    if not complete:
        warnings.append(f"scanned {offset} of {n_rows} rows (max_bytes_sampled={opts.max_bytes_sampled})")
    if n_rows == 0:
        warnings.append("the table has 0 rows")
    capped = sum(1 for c in scans if not c.distinct_complete)
    if capped:
        warnings.append(f"{capped} columns have more than {distinct_cap} distinct values: their distinct "
                        f"counts are estimates")
    warnings.extend(column_warnings(scans, offset))
    return ReadResult(
        path=str(path), format="parquet", table=table, columns=scans, n_rows=n_rows,
        n_rows_estimate=n_rows, rows_scanned=offset, complete=complete, bytes_scanned=bytes_scanned,
        file_size=size, renamed=tuple(renamed), dropped_columns=n_fields - kept, warnings=tuple(warnings),
    )
