"""The files of a union index directory, written atomically and read back without pickle.

    manifest.json         format, version, encoder (describe()), options, counts; written last
    lake/                 `lake.ingest_lake` output: profiles.duckdb, join/ (value signatures)
    columns.parquet       one row per usable column, grouped by table: table, ordinal, name,
                          type, is_subject, text
    column_vectors.npy    float32 [n_columns, dim], rows as columns.parquet
    pairs.parquet         one row per (table, subject, other column): table, subject_ordinal,
                          other_ordinal, size (distinct pairs), text
    pair_signatures.npy   uint64 [n_pairs, num_perm]: MinHash of the pair tokens
    pair_vectors.npy      float32 [n_pairs, dim]

Value signatures are not copied: they are the join index's (`lake/join`), looked up by
(table, ordinal) when the index is opened.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assetscout.errors import CatalogError

FORMAT = "assetscout.union-index"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
LAKE_DIR = "lake"
COLUMNS_FILE = "columns.parquet"
COLUMN_VECTORS = "column_vectors.npy"
PAIRS_FILE = "pairs.parquet"
PAIR_SIGNATURES = "pair_signatures.npy"
PAIR_VECTORS = "pair_vectors.npy"


@dataclass
class ColumnRows:
    """Column records in index order (grouped by table, file order within a table)."""

    table: list[str]
    ordinal: list[int]
    name: list[str]
    type: list[str]
    is_subject: list[bool]
    text: list[str]


@dataclass
class PairRows:
    table: list[str]
    subject_ordinal: list[int]
    other_ordinal: list[int]
    size: list[int]
    text: list[str]


@dataclass
class UnionFiles:
    manifest: dict[str, Any]
    columns: ColumnRows
    column_vectors: np.ndarray
    pairs: PairRows
    pair_signatures: np.ndarray
    pair_vectors: np.ndarray


def _save_npy(path: Path, array: np.ndarray) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        np.save(fh, np.ascontiguousarray(array), allow_pickle=False)
    os.replace(tmp, path)


def _save_parquet(path: Path, data: dict[str, Any]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    pq.write_table(pa.table(data), tmp)
    os.replace(tmp, path)


def write_union_files(directory: Path, files: UnionFiles) -> None:
    """Arrays and tables first, the manifest (which makes them a union index) last."""
    import pyarrow as pa

    from assetscout.catalog.store import write_json_atomic

    c, p = files.columns, files.pairs
    _save_parquet(directory / COLUMNS_FILE, {
        "table": pa.array(c.table, pa.string()), "ordinal": pa.array(c.ordinal, pa.int32()),
        "name": pa.array(c.name, pa.string()), "type": pa.array(c.type, pa.string()),
        "is_subject": pa.array(c.is_subject, pa.bool_()), "text": pa.array(c.text, pa.string()),
    })
    _save_npy(directory / COLUMN_VECTORS, files.column_vectors.astype(np.float32))
    _save_parquet(directory / PAIRS_FILE, {
        "table": pa.array(p.table, pa.string()), "subject_ordinal": pa.array(p.subject_ordinal, pa.int32()),
        "other_ordinal": pa.array(p.other_ordinal, pa.int32()), "size": pa.array(p.size, pa.int64()),
        "text": pa.array(p.text, pa.string()),
    })
    _save_npy(directory / PAIR_SIGNATURES, files.pair_signatures.astype(np.uint64))
    _save_npy(directory / PAIR_VECTORS, files.pair_vectors.astype(np.float32))
    write_json_atomic(directory / MANIFEST, files.manifest)


def read_manifest(directory: Path) -> dict[str, Any]:
    """The manifest of a union index; CatalogError when absent, unreadable or of another format."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise CatalogError(f"{directory}: not a union index ({MANIFEST} unreadable: {exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise CatalogError(f"{directory}: not a union index (format {manifest.get('format')!r})"
                           if isinstance(manifest, dict) else f"{directory}: not a union index")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise CatalogError(f"{directory}: union index format version {manifest.get('format_version')!r}; "
                           f"this version reads {FORMAT_VERSION}: rebuild the index")
    return manifest


def read_union_files(directory: Path) -> UnionFiles:
    """Everything `write_union_files` wrote, checked against the manifest's counts."""
    import pyarrow.parquet as pq

    manifest = read_manifest(directory)
    try:
        cols = pq.read_table(directory / COLUMNS_FILE).to_pydict()
        pairs = pq.read_table(directory / PAIRS_FILE).to_pydict()
        col_vec = np.load(directory / COLUMN_VECTORS, allow_pickle=False)
        pair_sig = np.load(directory / PAIR_SIGNATURES, allow_pickle=False)
        pair_vec = np.load(directory / PAIR_VECTORS, allow_pickle=False)
    except (OSError, ValueError, KeyError) as exc:
        raise CatalogError(f"{directory}: union index files cannot be read: {exc}") from None
    counts = manifest.get("counts", {})
    n_cols, n_pairs, dim = counts.get("columns"), counts.get("pairs"), manifest.get("encoder", {}).get("dim")
    if (len(cols.get("table", ())) != n_cols or col_vec.shape != (n_cols, dim) or len(pairs.get("table", ())) != n_pairs
            or pair_vec.shape != (n_pairs, dim) or pair_sig.ndim != 2 or len(pair_sig) != n_pairs):
        raise CatalogError(f"{directory}: union index files disagree with the manifest "
                           f"({n_cols} columns, {n_pairs} pairs, dim {dim} expected); rebuild the index")
    return UnionFiles(
        manifest,
        ColumnRows(cols["table"], [int(x) for x in cols["ordinal"]], cols["name"], cols["type"],
                   [bool(x) for x in cols["is_subject"]], cols["text"]),
        col_vec.astype(np.float32, copy=False),
        PairRows(pairs["table"], [int(x) for x in pairs["subject_ordinal"]], [int(x) for x in pairs["other_ordinal"]],
                 [int(x) for x in pairs["size"]], pairs["text"]),
        pair_sig.astype(np.uint64, copy=False), pair_vec.astype(np.float32, copy=False),
    )
