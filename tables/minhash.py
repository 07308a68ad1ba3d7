"""MinHash signatures of columns (datasketch), stored as plain arrays.

A column's signature is the MinHash of its distinct join keys (`values.join_set`:
stripped, lowercased, null tokens dropped), hashed with SHA-1 (64 bits) under
datasketch's "affine64" permutation scheme. Signatures of many columns live in one
uint64 matrix [n_columns, num_perm]; on disk that is `signatures.npy` plus
`signature_columns.parquet` (table, column, ordinal, set size, whether the set was
complete), whose schema metadata records num_perm, seed, scheme and format version.
No pickles: a signature file is readable by anyone with numpy.

Speed: one template MinHash is built per call and copied per column (building the
permutations is what makes a fresh MinHash slow); values go through `update_batch` in
chunks, which vectorizes the permutations over the chunk.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assetscout.errors import CatalogError, InvalidInput
from assetscout.tables.values import join_set

if TYPE_CHECKING:
    import numpy as np

FORMAT_VERSION = 1
SCHEME = "affine64"
HASH_NAME = "sha1_hash64(utf-8 of the join key)"
SIGNATURES_FILE = "signatures.npy"
COLUMNS_FILE = "signature_columns.parquet"
_CHUNK = 8192
_PROBE = ("assetscout", "minhash", "probe")


@dataclass(frozen=True, order=True)
class ColumnRef:
    """A column of a table: `table` is the caller's table id (a path relative to the lake)."""

    table: str
    ordinal: int
    column: str


def check_num_perm(num_perm: int) -> None:
    if isinstance(num_perm, bool) or not isinstance(num_perm, int) or not 16 <= num_perm <= 1024:
        raise InvalidInput(f"num_perm must be an integer in [16, 1024], got {num_perm!r}")


def _template(num_perm: int, seed: int) -> Any:
    from datasketch import MinHash

    return MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME)


def _sign(template: Any, keys: Iterable[str]) -> np.ndarray:
    m = template.copy()
    chunk: list[bytes] = []
    for v in keys:
        chunk.append(v.encode("utf-8", "surrogatepass"))
        if len(chunk) >= _CHUNK:
            m.update_batch(chunk)
            chunk = []
    if chunk:
        m.update_batch(chunk)
    return m.hashvalues


def signature_of(values: Iterable[str | None], *, num_perm: int = 128, seed: int = 1,
                 normalized: bool = False) -> tuple[np.ndarray, int]:
    """(hash values, distinct join keys) of one value collection, e.g. a query column.

    `normalized=True` says `values` already are distinct join keys (skips `join_set`).
    """
    check_num_perm(num_perm)
    keys = values if normalized else join_set(values)
    keys = keys if isinstance(keys, (set, frozenset)) else set(keys)  # type: ignore[arg-type]
    return _sign(_template(num_perm, seed), keys), len(keys)


def probe(num_perm: int, seed: int) -> list[int]:
    """The first hash values of a fixed set: equal iff this datasketch hashes as the one that wrote."""
    hv, _ = signature_of(_PROBE, num_perm=num_perm, seed=seed)
    return [int(x) for x in hv[:4]]


def estimate_containment(query: np.ndarray, query_size: int, matrix: np.ndarray,
                         sizes: np.ndarray) -> np.ndarray:
    """Estimated |Q ∩ X| / |Q| for every row X of `matrix`, from Jaccard and the set sizes.

    |Q ∩ X| = J (|Q| + |X|) / (1 + J); capped by |X| / |Q| and 1.
    """
    import numpy as np

    if query_size <= 0 or len(matrix) == 0:
        return np.zeros(len(matrix))
    jac = (matrix == query[None, :]).mean(axis=1)
    inter = jac * (query_size + sizes) / (1.0 + jac)
    return np.minimum(np.minimum(inter / query_size, sizes / query_size), 1.0)


@dataclass
class SignatureSet:
    """Signatures of many columns: rows of `hashvalues` match `columns` and `sizes`."""

    columns: list[ColumnRef]
    hashvalues: np.ndarray  # uint64 [n, num_perm]
    sizes: np.ndarray  # int64 [n]: distinct join keys per column
    complete: np.ndarray  # bool [n]: False when the reader capped the distinct set
    num_perm: int = 128
    seed: int = 1

    def __len__(self) -> int:
        return len(self.columns)

    @classmethod
    def empty(cls, num_perm: int = 128, seed: int = 1) -> SignatureSet:
        import numpy as np

        check_num_perm(num_perm)
        return cls([], np.zeros((0, num_perm), dtype=np.uint64), np.zeros(0, dtype=np.int64),
                   np.zeros(0, dtype=bool), num_perm, seed)

    def extend(self, other: SignatureSet) -> None:
        """Append `other`'s rows (same num_perm and seed)."""
        import numpy as np

        if (other.num_perm, other.seed) != (self.num_perm, self.seed):
            raise InvalidInput(f"cannot mix signatures of num_perm/seed {other.num_perm}/{other.seed} "
                               f"with {self.num_perm}/{self.seed}")
        self.columns.extend(other.columns)
        self.hashvalues = np.concatenate([self.hashvalues, other.hashvalues])
        self.sizes = np.concatenate([self.sizes, other.sizes])
        self.complete = np.concatenate([self.complete, other.complete])

    def lean(self, i: int) -> Any:
        """Row i as a datasketch LeanMinHash (what the LSH indexes take)."""
        from datasketch import LeanMinHash

        return LeanMinHash(seed=self.seed, hashvalues=self.hashvalues[i], scheme=SCHEME)


def compute_signatures(columns: Iterable[tuple[ColumnRef, Iterable[str | None]]], *, num_perm: int = 128,
                       seed: int = 1, complete: Sequence[bool] | None = None) -> SignatureSet:
    """Sign each (column, values) pair; values are normalized to distinct join keys here."""
    import numpy as np

    check_num_perm(num_perm)
    template = _template(num_perm, seed)
    refs: list[ColumnRef] = []
    rows: list[np.ndarray] = []
    sizes: list[int] = []
    for ref, values in columns:
        keys = join_set(values)
        refs.append(ref)
        rows.append(_sign(template, keys))
        sizes.append(len(keys))
    matrix = np.vstack(rows).astype(np.uint64) if rows else np.zeros((0, num_perm), dtype=np.uint64)
    flags = np.asarray(complete if complete is not None else [True] * len(refs), dtype=bool)
    if len(flags) != len(refs):
        raise InvalidInput(f"complete must have one flag per column ({len(refs)}), got {len(flags)}")
    return SignatureSet(refs, matrix, np.asarray(sizes, dtype=np.int64), flags, num_perm, seed)


def save_signatures(sigs: SignatureSet, directory: str | os.PathLike[str]) -> None:
    """Write the two files into `directory`, each through a temporary file and a rename."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    tmp = d / f".{SIGNATURES_FILE}.tmp-{os.getpid()}"
    with open(tmp, "wb") as fh:
        np.save(fh, np.ascontiguousarray(sigs.hashvalues, dtype=np.uint64), allow_pickle=False)
    os.replace(tmp, d / SIGNATURES_FILE)
    meta = {"format_version": FORMAT_VERSION, "num_perm": sigs.num_perm, "seed": sigs.seed,
            "scheme": SCHEME, "hash": HASH_NAME, "n_columns": len(sigs)}
    table = pa.table({
        "table": pa.array([c.table for c in sigs.columns], pa.string()),
        "ordinal": pa.array([c.ordinal for c in sigs.columns], pa.int32()),
        "column": pa.array([c.column for c in sigs.columns], pa.string()),
        "size": pa.array(sigs.sizes, pa.int64()),
        "complete": pa.array(sigs.complete, pa.bool_()),
    }).replace_schema_metadata({"assetscout.signatures": json.dumps(meta)})
    tmp = d / f".{COLUMNS_FILE}.tmp-{os.getpid()}"
    pq.write_table(table, tmp)
    os.replace(tmp, d / COLUMNS_FILE)


def load_signatures(directory: str | os.PathLike[str], *, n_columns: int | None = None) -> SignatureSet:
    """Read what `save_signatures` wrote; `n_columns` keeps the first rows only (a manifest's count)."""
    import numpy as np
    import pyarrow.parquet as pq

    d = Path(directory)
    try:
        table = pq.read_table(d / COLUMNS_FILE)
        matrix = np.load(d / SIGNATURES_FILE, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise CatalogError(f"{d}: signatures cannot be read: {exc}") from None
    raw = (table.schema.metadata or {}).get(b"assetscout.signatures")
    if raw is None:
        raise CatalogError(f"{d / COLUMNS_FILE}: not an assetscout signature file (no metadata)")
    meta = json.loads(raw)
    if meta.get("format_version") != FORMAT_VERSION or meta.get("scheme") != SCHEME:
        raise CatalogError(f"{d}: signatures of format {meta.get('format_version')} / scheme "
                           f"{meta.get('scheme')}; this version reads {FORMAT_VERSION} / {SCHEME}")
    n = min(len(table), len(matrix)) if n_columns is None else n_columns
    if len(table) < n or len(matrix) < n or matrix.ndim != 2 or matrix.shape[1] != meta["num_perm"]:
        raise CatalogError(f"{d}: signature files hold {len(matrix)} x {matrix.shape[1:]} hash values and "
                           f"{len(table)} columns; {n} x {meta['num_perm']} expected")
    cols = table.slice(0, n).to_pydict()
    refs = [ColumnRef(t, int(o), c) for t, o, c in zip(cols["table"], cols["ordinal"], cols["column"])]
    return SignatureSet(refs, np.ascontiguousarray(matrix[:n], dtype=np.uint64),
                        np.asarray(cols["size"], dtype=np.int64), np.asarray(cols["complete"], dtype=bool),
                        int(meta["num_perm"]), int(meta["seed"]))
