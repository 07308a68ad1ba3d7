"""Join search: given a column, find the indexed columns whose values contain it.

Pipeline per query: MinHash LSH Ensemble (datasketch) proposes candidates whose
containment |Q ∩ X| / |Q| likely reaches the index threshold; the exact overlap of each
candidate with the query is then counted in DuckDB against the stored distinct value
sets; matches are ranked by exact containment, then overlap.

Adding tables later. datasketch's MinHashLSHEnsemble can be indexed only once (its
partitions are cut from the set-size distribution it is given), so the index keeps:

- a *main* ensemble over the columns present when it was (re)built, and
- a *delta*: columns added since, searched by brute force over their signatures
  (estimated containment >= min_containment - delta_slack, vectorized numpy), then
  verified exactly like ensemble candidates.

When the delta passes `max_delta` columns the main ensemble is dropped and rebuilt in
memory, over everything, at the next query. The ensemble itself is never written to
disk (datasketch offers only pickle for it); opening an index rebuilds it from the
stored signatures on the first query: seconds for 10^4 columns, about a minute for
10^5 (MACHINE-NOTES). `open(..., ensemble=False)` skips it: every column is then
scanned like the delta, which one-shot queries and large lakes can afford better.

Directory layout (written by `create`, `add` + `save`):

    manifest.json                 format version, parameters, column count, probe hashes
    signatures.npy                uint64 [n_columns, num_perm]
    signature_columns.parquet     table, ordinal, column, set size, complete
    values.duckdb                 column_values(col_id, value): the distinct join keys

The manifest is written last and its column count is authoritative: rows past it in
the other files (a crash between writes) are ignored, and removed by the next writer.
"""

from __future__ import annotations

import os
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assetscout.errors import CatalogError, InvalidInput, NotFound
from assetscout.tables.minhash import (
    SCHEME,
    ColumnRef,
    SignatureSet,
    check_num_perm,
    compute_signatures,
    estimate_containment,
    load_signatures,
    probe,
    save_signatures,
    signature_of,
)
from assetscout.tables.values import join_set
from assetscout.tables.valuestore import ValueStore

if TYPE_CHECKING:
    import numpy as np

FORMAT = "assetscout.join-index"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
VALUES_DB = "values.duckdb"


@dataclass(frozen=True)
class JoinMatch:
    """One joinable column: how much of the query's distinct values it holds."""

    table: str
    column: str
    ordinal: int
    containment: float  # |Q ∩ X| / |Q|: exact when `exact`, else estimated from MinHash
    overlap: int | None  # |Q ∩ X| (None when estimated)
    size: int  # |X|: distinct join keys of the candidate
    exact: bool


def _unit(name: str, v: float) -> None:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.0 < v <= 1.0:
        raise InvalidInput(f"{name} must be a number in (0, 1], got {v!r}")


def _int(name: str, v: int, low: int, high: int | None = None) -> None:
    if isinstance(v, bool) or not isinstance(v, int) or v < low or (high is not None and v > high):
        rng = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise InvalidInput(f"{name} must be an integer {rng}, got {v!r}")


class JoinIndex:
    """Containment search over column value sets; see the module docstring."""

    def __init__(self, directory: Path, manifest: dict[str, Any], sigs: SignatureSet, store: ValueStore,
                 read_only: bool, *, ensemble: bool = True) -> None:
        self.directory = directory
        self.ensemble = ensemble  # False: every column is scanned like the delta (no ensemble is built)
        self.threshold: float = manifest["threshold"]
        self.num_perm: int = manifest["num_perm"]
        self.num_part: int = manifest["num_part"]
        self.m: int = manifest["m"]
        self.fn_weight: float = manifest["fn_weight"]
        self.max_delta: int = manifest["max_delta"]
        self.delta_slack: float = manifest["delta_slack"]
        self.seed: int = manifest["seed"]
        self.read_only = read_only
        self._base = sigs  # consolidated signatures; adds wait in _pending (no quadratic copying)
        self._pending: list[SignatureSet] = []
        self._n = len(sigs)
        self._ids: dict[ColumnRef, int] | None = None
        self._store: ValueStore | None = store
        self._main: Any = None  # the MinHashLSHEnsemble, built lazily
        self._main_n = 0  # columns 0.._main_n-1 are in the main ensemble; the rest is the delta

    # -- lifecycle ---------------------------------------------------------------------------

    @classmethod
    def create(cls, directory: str | os.PathLike[str], *, threshold: float = 0.5, num_perm: int = 128,
               num_part: int = 16, m: int = 8, fn_weight: float = 0.8, max_delta: int = 1000,
               delta_slack: float = 0.15, seed: int = 1) -> JoinIndex:
        """A new empty index in `directory` (which must not exist or be empty).

        threshold: containment the ensemble is tuned for, in (0, 1]; queries may ask for
        more, not less. num_part: set-size partitions (more: better precision, slower).
        m: memory factor of the ensemble, in [2, num_perm]. fn_weight: weight of false
        negatives against false positives when the ensemble picks its bands, in [0, 1];
        above 0.5 it trades precision for recall, which the exact check then restores.
        max_delta: columns added after the last build searched by brute force before a
        rebuild; delta_slack: how far below min_containment a delta estimate may fall.
        """
        _unit("threshold", threshold)
        check_num_perm(num_perm)
        _int("num_part", num_part, 1, 256)
        _int("m", m, 2, num_perm)
        _int("max_delta", max_delta, 0)
        if isinstance(fn_weight, bool) or not isinstance(fn_weight, (int, float)) or not 0.0 <= fn_weight <= 1.0:
            raise InvalidInput(f"fn_weight must be a number in [0, 1], got {fn_weight!r}")
        _int("seed", seed, 0, 2**32 - 1)
        if isinstance(delta_slack, bool) or not isinstance(delta_slack, (int, float)) or not 0 <= delta_slack < 1:
            raise InvalidInput(f"delta_slack must be a number in [0, 1), got {delta_slack!r}")
        d = Path(directory)
        if d.exists() and (not d.is_dir() or any(d.iterdir())):
            raise InvalidInput(f"directory must not exist or be empty, got {str(d)!r}")
        d.mkdir(parents=True, exist_ok=True)
        store = ValueStore(d / VALUES_DB, read_only=False, create=True)
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "threshold": float(threshold),
            "num_perm": num_perm, "num_part": num_part, "m": m, "fn_weight": float(fn_weight),
            "max_delta": max_delta, "delta_slack": float(delta_slack), "seed": seed, "scheme": SCHEME,
            "probe": probe(num_perm, seed), "n_columns": 0,
        }
        idx = cls(d, manifest, SignatureSet.empty(num_perm, seed), store, read_only=False)
        idx.save()
        return idx

    @classmethod
    def open(cls, directory: str | os.PathLike[str], *, read_only: bool = True, ensemble: bool = True) -> JoinIndex:
        """Open an index; CatalogError when it is missing, damaged or of another format.

        ensemble=False: propose candidates by scanning every signature (vectorized, as the
        delta is) instead of building the LSH Ensemble. The ensemble costs seconds and
        tens of KB per column to build (UGEN-V1's 9,822 columns: 5 s and +690 MB resident,
        `rebuild()` timed on this machine); a scan reads num_perm x 8 bytes per column per
        query, so one-shot queries (the CLI) and lakes whose ensemble would not fit in
        memory are better served by the scan.
        """
        import json

        d = Path(directory)
        try:
            manifest = json.loads((d / MANIFEST).read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise CatalogError(f"{d}: not a join index ({MANIFEST} unreadable: {exc})") from None
        if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
            raise CatalogError(f"{d}: join index format {manifest.get('format')!r} version "
                               f"{manifest.get('format_version')!r}; this version reads {FORMAT!r} {FORMAT_VERSION}")
        if manifest.get("probe") != probe(manifest["num_perm"], manifest["seed"]):
            raise CatalogError(f"{d}: its signatures were made by a MinHash that hashes differently from the "
                               f"installed datasketch; rebuild the index")
        n = int(manifest["n_columns"])
        sigs = load_signatures(d, n_columns=n)
        store = ValueStore(d / VALUES_DB, read_only=read_only)
        if not read_only:
            store.truncate(n)  # sets of an add() that was never saved
        return cls(d, manifest, sigs, store, read_only, ensemble=ensemble)

    def save(self) -> None:
        """Make every add() so far durable: arrays first, the manifest (the commit) last."""
        from assetscout.catalog.store import write_json_atomic

        self._writable()
        self._live().checkpoint()
        save_signatures(self._sigs, self.directory)
        write_json_atomic(self.directory / MANIFEST, {
            "format": FORMAT, "format_version": FORMAT_VERSION, "threshold": self.threshold,
            "num_perm": self.num_perm, "num_part": self.num_part, "m": self.m, "fn_weight": self.fn_weight,
            "max_delta": self.max_delta,
            "delta_slack": self.delta_slack, "seed": self.seed, "scheme": SCHEME,
            "probe": probe(self.num_perm, self.seed), "n_columns": len(self._sigs),
            "library_versions": _versions(), "saved_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        })

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> JoinIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return self._n

    @property
    def _sigs(self) -> SignatureSet:
        """All signatures in one array (pending adds concatenated once, when first needed)."""
        if self._pending:
            import numpy as np

            parts = [self._base, *self._pending]
            self._base = SignatureSet(
                [c for p in parts for c in p.columns], np.concatenate([p.hashvalues for p in parts]),
                np.concatenate([p.sizes for p in parts]), np.concatenate([p.complete for p in parts]),
                self.num_perm, self.seed)
            self._pending = []
        return self._base

    @property
    def columns(self) -> list[ColumnRef]:
        """Every indexed column, by id (the id is the position)."""
        return list(self._sigs.columns)

    @property
    def delta_size(self) -> int:
        """Columns searched by brute force until the next rebuild."""
        return self._n - self._main_n if self._main is not None else 0

    # -- writing -----------------------------------------------------------------------------

    def add(self, columns: Iterable[tuple[ColumnRef, Iterable[str | None]]], *,
            complete: Iterable[bool] | None = None) -> int:
        """Index more columns: (ref, values); values are normalized to distinct join keys.

        Columns without any value are skipped (nothing can be contained in them usefully).
        Returns the number added. Call save() to make them durable.
        """
        self._writable()
        flags = list(complete) if complete is not None else None
        refs: list[ColumnRef] = []
        sets: list[set[str]] = []
        kept_flags: list[bool] = []
        for i, (ref, values) in enumerate(columns):
            if not isinstance(ref, ColumnRef):
                raise InvalidInput(f"columns must hold (ColumnRef, values) pairs, got {type(ref).__name__}")
            if flags is not None and i >= len(flags):
                raise InvalidInput(f"complete must have one flag per column, got {len(flags)} for more columns")
            keys = join_set(values)
            if keys:
                refs.append(ref)
                sets.append(keys)
                kept_flags.append(True if flags is None else bool(flags[i]))
        if not refs:
            return 0
        new = compute_signatures(zip(refs, sets), num_perm=self.num_perm, seed=self.seed, complete=kept_flags)
        self._live().append(self._n, sets)
        self._pending.append(new)
        self._n += len(new)
        self._ids = None
        if self._main is not None and self._n - self._main_n > self.max_delta:
            self._main = None  # rebuilt over everything at the next query
        return len(refs)

    def rebuild(self) -> None:
        """Build the main ensemble now over every column (else done at the first query)."""
        from datasketch import MinHashLSHEnsemble

        n = len(self._sigs)
        if n == 0:
            self._main, self._main_n = None, 0
            return
        fn = self.fn_weight
        ens = MinHashLSHEnsemble(threshold=self.threshold, num_perm=self.num_perm, num_part=self.num_part,
                                 m=self.m, weights=(1.0 - fn, fn))
        sizes = self._sigs.sizes
        ens.index([(i, self._sigs.lean(i), int(sizes[i])) for i in range(n)])
        self._main, self._main_n = ens, n

    # -- reading -----------------------------------------------------------------------------

    def candidates(self, values: Iterable[str | None] | None = None, *,
                   signature: tuple[np.ndarray, int] | None = None,
                   min_containment: float | None = None) -> list[int]:
        """Column ids proposed by the ensemble plus the delta scan (before exact checks), sorted."""
        hv, size = self._query_signature(values, signature)
        mc = self._min_containment(min_containment)
        return self._candidate_ids(hv, size, mc)

    def query(self, values: Iterable[str | None] | None = None, *,
              signature: tuple[np.ndarray, int] | None = None, min_containment: float | None = None,
              k: int = 10, exclude_tables: Collection[str] = (),
              exclude_columns: Collection[ColumnRef] = ()) -> list[JoinMatch]:
        """Columns containing at least `min_containment` of the query's distinct values, best first.

        Give the query column's `values` (then containment is verified exactly) or only
        its `signature` (hash values, distinct count), e.g. from `minhash.signature_of`
        (then containment is the MinHash estimate and `overlap` is None).
        min_containment: in [threshold, 1], default the index threshold.
        """
        _int("k", k, 1)
        mc = self._min_containment(min_containment)
        if values is not None and signature is None:
            qset = join_set(values)
            if not qset:
                return []
            hv, size = signature_of(qset, num_perm=self.num_perm, seed=self.seed, normalized=True)
        else:
            qset = None
            hv, size = self._query_signature(values, signature)
        ids = self._candidate_ids(hv, size, mc)
        cols = self._sigs.columns
        skip_tables = set(exclude_tables)
        skip_cols = set(exclude_columns)
        ids = [i for i in ids if cols[i].table not in skip_tables and cols[i] not in skip_cols]
        if not ids:
            return []
        sizes = self._sigs.sizes
        matches: list[JoinMatch] = []
        if qset is None:
            est = estimate_containment(hv, size, self._sigs.hashvalues[ids], sizes[ids])
            for i, c in zip(ids, est):
                if c >= mc:
                    ref = cols[i]
                    matches.append(JoinMatch(ref.table, ref.column, ref.ordinal, float(c), None, int(sizes[i]), False))
        else:
            for i, overlap in self._live().overlaps(qset, ids).items():
                c = overlap / size
                if c >= mc:
                    ref = cols[i]
                    matches.append(JoinMatch(ref.table, ref.column, ref.ordinal, c, overlap, int(sizes[i]), True))
        matches.sort(key=lambda m: (-m.containment, -(m.overlap or 0), m.table, m.ordinal))
        return matches[:k]

    def query_column(self, ref: ColumnRef, *, min_containment: float | None = None, k: int = 10,
                     same_table: bool = False) -> list[JoinMatch]:
        """Query with an indexed column's own values; itself (and its table, unless `same_table`) excluded."""
        return self.query(self.values_of(ref), min_containment=min_containment, k=k,
                          exclude_tables=() if same_table else (ref.table,), exclude_columns=(ref,))

    def values_of(self, ref: ColumnRef) -> set[str]:
        """The stored distinct join keys of an indexed column (NotFound when absent)."""
        if self._ids is None:
            self._ids = {r: i for i, r in enumerate(self._sigs.columns)}
        col_id = self._ids.get(ref)
        if col_id is None:
            raise NotFound(f"column not in the join index: {ref.table} / {ref.column} (#{ref.ordinal})")
        return self._live().values(col_id)

    # -- internals ---------------------------------------------------------------------------

    def _live(self) -> ValueStore:
        if self._store is None:
            raise InvalidInput(f"the join index at {str(self.directory)!r} is closed")
        return self._store

    def _writable(self) -> None:
        self._live()
        if self.read_only:
            raise InvalidInput(f"the join index at {str(self.directory)!r} is open read-only")

    def _min_containment(self, mc: float | None) -> float:
        if mc is None:
            return self.threshold
        if isinstance(mc, bool) or not isinstance(mc, (int, float)) or not self.threshold <= mc <= 1.0:
            raise InvalidInput(f"min_containment must be a number in [{self.threshold}, 1] (the index was "
                               f"built for containment >= {self.threshold}), got {mc!r}")
        return float(mc)

    def _query_signature(self, values: Iterable[str | None] | None,
                         signature: tuple[np.ndarray, int] | None) -> tuple[np.ndarray, int]:
        import numpy as np

        if (values is None) == (signature is None):
            raise InvalidInput("give exactly one of values and signature")
        if signature is not None:
            hv, size = signature
            hv = np.asarray(hv, dtype=np.uint64)
            if hv.shape != (self.num_perm,):
                raise InvalidInput(f"signature must hold {self.num_perm} hash values, got shape {hv.shape}")
            _int("signature size", int(size), 0)
            return hv, int(size)
        return signature_of(values, num_perm=self.num_perm, seed=self.seed)  # type: ignore[arg-type]

    def _candidate_ids(self, hv: np.ndarray, size: int, mc: float) -> list[int]:
        if size <= 0 or self._n == 0:
            return []
        if self._main is None and self.ensemble:
            self.rebuild()
        found: set[int] = set()
        if self._main is not None:
            from datasketch import LeanMinHash

            found.update(self._main.query(LeanMinHash(seed=self.seed, hashvalues=hv, scheme=SCHEME), size))
        n = len(self._sigs)
        if n > self._main_n:
            lo = self._main_n
            est = estimate_containment(hv, size, self._sigs.hashvalues[lo:n], self._sigs.sizes[lo:n])
            found.update(int(lo + j) for j in (est >= mc - self.delta_slack).nonzero()[0])
        return sorted(found)


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("datasketch", "duckdb", "numpy", "pyarrow"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "absent"
    return out
