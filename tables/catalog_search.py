"""Union and join search over a catalog's tables: what `assetscout union/join` and /tables/* call.

    tables = CatalogTables.open(catalog_dir)
    tables.union("table:ugen_v1/datalake/Art_X.csv", encoder, k=10)      # a table id ...
    tables.join("new.csv", "Country", k=10, min_containment=0.8)           # ... or a table file
    tables.close()

A query names a table of the catalog by id, or a table file (read with the bounded
reader and the read options the index was built with). A file the catalog holds (the
same path as an indexed table) is searched as that table, so it does not find itself.
Mistakes are `InvalidInput` naming what was wrong (an unknown table id is
`NotInCatalog`: HTTP 404); a catalog without tables is `NoTables`.

Join candidates come from a scan of every column's MinHash signature, then exact
containment from the value store. The join index's LSH Ensemble is not built: on
UGEN-V1 (9,822 columns) it cost 5 s and ~700 MB before the first answer, against
milliseconds for a scan; it would not fit in memory long before a scan gets slow.
"""

from __future__ import annotations

import os
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assetscout.errors import CatalogError, InvalidInput, NotInCatalog
from assetscout.tables.catalog_index import Source, read_sources, tables_dir

if TYPE_CHECKING:
    from assetscout.embed.base import Encoder
    from assetscout.tables.join import JoinIndex
    from assetscout.tables.union import UnionHit, UnionIndex, UnionOptions
    from assetscout.tables.read import ReadResult

MAX_K = 1000
_SHOWN_COLUMNS = 60


class NoTables(InvalidInput):
    """The catalog has no table index (no tables were ingested into it)."""


@dataclass(frozen=True)
class QueryTable:
    """What a query named: a catalog table (`table_id`) or a file read for the query."""

    table_id: str | None
    path: str | None  # the table's file (for a catalog table: the file it was read from)
    label: str  # how messages and results name it


@dataclass(frozen=True)
class UnionResult:
    query: QueryTable
    columns: tuple[str, ...]  # the query's usable columns
    k: int
    hits: tuple[UnionHit, ...]
    paths: dict[str, str]  # table id -> its file, for the hits

    def to_dict(self) -> dict[str, Any]:
        return {"query": {**asdict(self.query), "columns": list(self.columns)}, "k": self.k,
                "hits": [{"table": h.table, "path": self.paths.get(h.table), **{k: v for k, v in h.to_dict().items()
                                                                              if k != "table"}}
                         for h in self.hits]}


@dataclass(frozen=True)
class JoinHit:
    """A column containing the query column's values: containment = overlap / query's distinct values."""

    table: str
    path: str | None
    column: str
    ordinal: int
    containment: float
    overlap: int | None
    size: int  # distinct values of this column
    exact: bool


@dataclass(frozen=True)
class JoinResult:
    query: QueryTable
    column: str
    distinct_values: int  # distinct join keys of the query column
    min_containment: float
    k: int
    hits: tuple[JoinHit, ...]

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["query"] = {**asdict(self.query), "column": self.column, "distinct_values": self.distinct_values}
        del out["column"], out["distinct_values"]
        return out


def check_k(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise InvalidInput(f"k must be an integer in 1..{MAX_K}, got {k!r}")
    return k


def pick_column(names: list[str], column: str, label: str) -> int:
    """Position of `column` in `names`: exact name, else the one case-insensitive match."""
    if not isinstance(column, str) or not column.strip():
        raise InvalidInput(f"column must be a column name of {label}, got {column!r}")
    if column in names:
        return names.index(column)
    folded = [i for i, n in enumerate(names) if n.casefold() == column.strip().casefold()]
    if len(folded) == 1:
        return folded[0]
    shown = ", ".join(repr(n) for n in names[:_SHOWN_COLUMNS]) + (" ..." if len(names) > _SHOWN_COLUMNS else "")
    raise InvalidInput(f"{label} has no column {column!r}; its columns: {shown or '(none)'}")


def _table_assets(root: Path) -> int:
    """How many table assets the catalog holds (0 when it cannot be read)."""
    from assetscout.catalog.store import open_catalog

    try:
        con = open_catalog(root).connect()
    except (CatalogError, InvalidInput):
        return 0
    try:
        return int(con.execute("SELECT count(*) FROM asset WHERE kind = 'table'").fetchone()[0])
    finally:
        con.close()


class CatalogTables:
    """A catalog's table indexes opened for search. Thread-safe; indexes open on first use."""

    def __init__(self, catalog_dir: Path, manifest: dict[str, Any], sources: list[Source]) -> None:
        self.catalog_dir = catalog_dir
        self.directory = tables_dir(catalog_dir)
        self.manifest = manifest
        self._sources = {s.asset_id: s for s in sources}
        self._by_origin = {s.origin: s.asset_id for s in sources}
        self._lock = threading.Lock()
        self._union: UnionIndex | None = None
        self._join: JoinIndex | None = None
        self._columns: dict[str, list[tuple[int, str, bool]]] | None = None
        self._refs: dict[tuple[str, int], Any] | None = None
        self._left_out: dict[int, dict[str, Any]] = {}

    @classmethod
    def open(cls, catalog_dir: str | os.PathLike[str]) -> CatalogTables:
        """The table indexes of the catalog at `catalog_dir`; NoTables when it has none."""
        from assetscout.tables.union_store import MANIFEST, read_manifest

        from assetscout.catalog.store import recover_dir

        root = Path(catalog_dir).expanduser().resolve()
        d = tables_dir(root)
        recover_dir(d)  # an update killed mid-swap: its previous index is the current one
        if not (d / MANIFEST).is_file():
            if not (root / "manifest.json").is_file():
                raise CatalogError(f"no catalog at {root}: run 'assetscout ingest LAKE_DIR --catalog {root}' first")
            n = _table_assets(root)
            if n:
                raise NoTables(f"the catalog at {root} holds {n:,} tables but their union/join index is missing "
                               f"(an index build was interrupted, or never ran): rebuild it with "
                               f"'assetscout index --catalog {root}'")
            raise NoTables(f"the catalog at {root} has no tables: ingest a folder of table files first "
                           f"('assetscout ingest LAKE_DIR --catalog {root}')")
        return cls(root, read_manifest(d), read_sources(d))

    def left_out(self, limit: int = 50) -> dict[str, Any]:
        """Which of the catalog's tables union and join search cannot find, and why.

        Rejected when indexed (unreadable), read but without a single value, or not in
        the index at all (ingested after the last index update: `assetscout index` adds them).
        """
        if limit in self._left_out:
            return self._left_out[limit]
        reasons = [(s.asset_id, s.reason or "unreadable") for s in self._sources.values() if s.status == "rejected"]
        reasons += [(s.asset_id, "no column holds a value") for s in self._sources.values() if s.status == "no_values"]
        from assetscout.catalog.store import open_catalog

        try:
            con = open_catalog(self.catalog_dir).connect()
            try:
                ids = [r[0] for r in con.execute("SELECT asset_id FROM asset WHERE kind = 'table'").fetchall()]
            finally:
                con.close()
        except (CatalogError, InvalidInput):
            ids = []
        missing = sorted(set(ids) - set(self._sources))
        reasons += [(a, "not in the table index yet: run 'assetscout index' to add it") for a in missing]
        indexed = sum(1 for s in self._sources.values() if s.status == "indexed")
        out = {"catalog_tables": len(ids), "indexed": indexed, "left_out": len(reasons),
               "tables": [{"table": a, "reason": r} for a, r in sorted(reasons)[:limit]]}
        self._left_out[limit] = out  # per opened index: a server reopens it when the index changes
        return out

    @property
    def tables(self) -> tuple[str, ...]:
        """Ids of the catalog tables the index holds (rejected ones included)."""
        return tuple(self._sources)

    def path_of(self, table_id: str) -> str | None:
        s = self._sources.get(table_id)
        return s.origin if s else None

    def close(self) -> None:
        with self._lock:
            if self._join is not None:
                self._join.close()
                self._join = None
            self._union = None

    # -- queries ----------------------------------------------------------------------

    def resolve(self, query: str | os.PathLike[str]) -> QueryTable:
        """A table id of the catalog, else an existing file (searched as its catalog table
        when the catalog holds that file); NotInCatalog / InvalidInput otherwise."""
        text = os.fspath(query) if isinstance(query, os.PathLike) else query
        if not isinstance(text, str) or not text.strip():
            raise InvalidInput(f"table must be a table id of the catalog or a table file, got {query!r}")
        if text in self._sources:
            return QueryTable(text, self._sources[text].origin, text)
        p = Path(text).expanduser()
        if p.is_file():
            table_id = self._by_origin.get(str(p.resolve()))
            return QueryTable(table_id, str(p.resolve()) if table_id else str(p), table_id or text)
        if p.exists():
            raise InvalidInput(f"table {text!r} is a folder; give one table file or a table id")
        example = next(iter(self._sources), None)
        raise NotInCatalog(f"no table {text!r} in the catalog at {self.catalog_dir} and no such file "
                           f"({len(self._sources):,} tables; ids look like {example!r})")

    def table(self, table_id: str) -> QueryTable:
        """A table of the catalog by id only (never a file: for callers who must not name files)."""
        if not isinstance(table_id, str) or not table_id.strip():
            raise InvalidInput(f"table_id must be a table id of the catalog, got {table_id!r}")
        if table_id not in self._sources:
            example = next(iter(self._sources), None)
            raise NotInCatalog(f"no table {table_id!r} in the catalog ({len(self._sources):,} tables; "
                               f"ids look like {example!r})")
        return QueryTable(table_id, self._sources[table_id].origin, table_id)

    def _indexed(self, table_id: str) -> Source:
        s = self._sources[table_id]
        if s.status == "rejected":
            raise InvalidInput(f"table {table_id} could not be read when it was indexed: {s.reason}")
        return s

    def union(self, query: str | os.PathLike[str], encoder: Encoder, *, k: int = 10,
              options: UnionOptions | None = None) -> UnionResult:
        """The k tables most unionable with `query` (a table id or a table file)."""
        return self.union_table(self.resolve(query), encoder, k=k, options=options)

    def union_table(self, query: QueryTable, encoder: Encoder, *, k: int = 10,
                    options: UnionOptions | None = None) -> UnionResult:
        """`union` for a resolved query (an upload is a QueryTable with no table_id)."""
        from assetscout.tables.read import TableReadError
        from assetscout.tables.union import UnionOptions

        check_k(k)
        opts = options or UnionOptions()
        with self._lock:
            index = self._union_index(encoder)
        if query.table_id is None:  # read and encoded outside the lock: other queries go on meanwhile
            try:
                side = index.read_query(query.path or query.label)
            except TableReadError as exc:
                raise InvalidInput(f"cannot read table {query.label!r}: {exc.reason}") from None
        else:
            self._indexed(query.table_id)
            if query.table_id not in index:
                raise InvalidInput(f"table {query.table_id} has no column with a value: nothing to union with")
        with self._lock:
            if query.table_id is not None:
                side = index.side(query.table_id)
            hits = index.search_side(side, k, opts, exclude={query.table_id} if query.table_id else ())
        return UnionResult(query, side.names, k, tuple(hits), {h.table: self.path_of(h.table) or "" for h in hits})

    def join(self, query: str | os.PathLike[str], column: str, *, k: int = 10,
             min_containment: float | None = None) -> JoinResult:
        """Columns containing most of the values of `column` of `query` (a table id or a table file)."""
        return self.join_table(self.resolve(query), column, k=k, min_containment=min_containment)

    def read_query(self, query: QueryTable) -> ReadResult:
        """An uploaded query table read as join search reads it (pass it to `join_table` to
        join several of its columns with one read)."""
        from assetscout.tables.catalog_index import stored_read_options
        from assetscout.tables.read import TableReadError, read_table

        try:
            return read_table(query.path or query.label, stored_read_options(self.directory))
        except TableReadError as exc:
            raise InvalidInput(f"cannot read table {query.label!r}: {exc.reason}") from None

    def join_table(self, query: QueryTable, column: str, *, k: int = 10,
                   min_containment: float | None = None, read: ReadResult | None = None) -> JoinResult:
        """`join` for a resolved query; `read` = the query table already read (`read_query`)."""
        from assetscout.tables.values import join_set

        check_k(k)
        values: set[str] = set()
        if query.table_id is None:  # read outside the lock
            res = read if read is not None else self.read_query(query)
            names = [c.name for c in res.columns]
            i = pick_column(names, column, f"table {query.label!r}")
            name, values = names[i], set(res.columns[i].distinct)
            if not values:
                raise InvalidInput(f"column {name!r} of table {query.label!r} has no values to join on")
        else:
            self._indexed(query.table_id)
        with self._lock:
            join = self._join_index()
            if query.table_id is not None:
                cols = self._table_columns().get(query.table_id, [])
                i = pick_column([c[1] for c in cols], column, f"table {query.table_id}")
                ordinal, name, indexed = cols[i]
                if not indexed:
                    raise InvalidInput(f"column {name!r} of table {query.table_id} has no values to join on")
                values = join.values_of(self._join_refs()[(query.table_id, ordinal)])
            mc = join.threshold if min_containment is None else min_containment
            matches = join.query(values, k=k, min_containment=mc,
                                 exclude_tables=(query.table_id,) if query.table_id else ())
        hits = tuple(JoinHit(m.table, self.path_of(m.table), m.column, m.ordinal, m.containment, m.overlap, m.size,
                             m.exact) for m in matches)
        return JoinResult(query, name, len(join_set(values)), float(mc), k, hits)

    # -- lazily opened parts (called under the lock) ------------------------------------

    def _union_index(self, encoder: Encoder) -> UnionIndex:
        from assetscout.tables.union import UnionIndex

        if self._union is None or self._union.encoder is not encoder:
            try:
                self._union = UnionIndex.open(self.directory, encoder)
            except InvalidInput as exc:  # built with another encoder: the setup's problem, not the query's
                raise CatalogError(f"{exc} ('assetscout index --catalog {self.catalog_dir}' rebuilds it "
                                   f"with the configured model)") from None
        return self._union

    def _join_index(self) -> JoinIndex:
        from assetscout.tables.join import JoinIndex
        from assetscout.tables.lake import JOIN_DIR
        from assetscout.tables.union_store import LAKE_DIR

        if self._join is None:  # a scan, not the LSH Ensemble: see the module docstring
            self._join = JoinIndex.open(self.directory / LAKE_DIR / JOIN_DIR, read_only=True, ensemble=False)
        return self._join

    def _join_refs(self) -> dict[tuple[str, int], Any]:
        if self._refs is None:
            self._refs = {(r.table, r.ordinal): r for r in self._join_index().columns}
        return self._refs

    def _table_columns(self) -> dict[str, list[tuple[int, str, bool]]]:
        """Every profiled column by table: (ordinal, name, in the join index)."""
        if self._columns is None:
            import duckdb

            from assetscout.tables.lake import PROFILES_DB
            from assetscout.tables.union_store import LAKE_DIR

            con = duckdb.connect(str(self.directory / LAKE_DIR / PROFILES_DB), read_only=True)
            try:
                rows = con.execute("SELECT table_id, ordinal, name, join_indexed FROM lake_column "
                                   "ORDER BY table_id, ordinal").fetchall()
            finally:
                con.close()
            cols: dict[str, list[tuple[int, str, bool]]] = {}
            for table_id, ordinal, name, indexed in rows:
                cols.setdefault(table_id, []).append((int(ordinal), name, bool(indexed)))
            self._columns = cols
        return self._columns
