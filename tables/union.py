"""Union search, SANTOS-like (DESIGN.md section 5): which lake tables can extend a query table?

A candidate is unionable when its columns align with the query's columns *and* the
relationships between the query's subject column and its other columns hold in it too.

    from assetscout.embed import SentenceTransformerEncoder
    from assetscout.tables.union import UnionIndex, build_union_index, union_search

    encoder = SentenceTransformerEncoder()
    build_union_index("lake/", "union-index/", encoder)
    index = UnionIndex.open("union-index/", encoder)
    for hit in union_search(index, "query.csv", k=10):
        print(hit.table, hit.score, [(m.query_column, m.candidate_column) for m in hit.alignment])

Pipeline per query: read + profile the query (or take a lake table's stored evidence) ->
the `column_candidates` nearest lake columns of each query column in the column vector
index propose candidate tables -> each candidate is scored by `union_score.score_candidate`
(column evidence, bipartite alignment, relationship evidence) -> the k best, with their
alignment and every score component.

Modules: `union_evidence` (what a table contributes), `union_build` (the index build),
`union_store` (its files), `union_score` (pure scoring, `UnionOptions`).
"""

from __future__ import annotations

import dataclasses

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assetscout.errors import CatalogError, InvalidInput, NotFound
from assetscout.tables.read import MAX_QUERY_COLUMNS
from assetscout.tables.union_build import PAIR_SEED, UnionBuildReport, build_union_index
from assetscout.tables.union_evidence import EvidenceOptions, table_evidence
from assetscout.tables.union_score import CandidateScore, TableSide, UnionOptions, score_candidate
from assetscout.tables.union_store import LAKE_DIR, UnionFiles, read_union_files

if TYPE_CHECKING:
    from collections.abc import Collection

    from assetscout.embed.base import Encoder
    from assetscout.index.base import VectorIndex
    from assetscout.index.factory import Backend
    from assetscout.tables.profile import ProfileOptions
    from assetscout.tables.read import ReadOptions

__all__ = [
    "ColumnMatch",
    "EvidenceOptions",
    "RelationshipMatch",
    "UnionBuildReport",
    "UnionHit",
    "UnionIndex",
    "UnionOptions",
    "build_union_index",
    "union_search",
]


@dataclass(frozen=True)
class ColumnMatch:
    """One aligned column pair and the components of its score (see `union_score`)."""

    query_column: str
    query_ordinal: int
    candidate_column: str
    candidate_ordinal: int
    score: float  # the combined score the alignment maximized
    cosine: float
    value_overlap: float
    name_similarity: float
    type_compatibility: float


@dataclass(frozen=True)
class RelationshipMatch:
    """Whether the candidate holds the query's (subject, column) relationship."""

    query_column: str  # the query's other column (its subject is UnionHit.query_subject)
    candidate_column: str | None  # the candidate column aligned with it, None when unaligned
    pair_overlap: float  # MinHash overlap of the (subject, column) value pairs
    pair_cosine: float  # cosine of the two pair texts
    score: float


@dataclass(frozen=True)
class UnionHit:
    """A unionable table: score = column_score + relationship_weight * relationship_score."""

    table: str
    score: float
    column_score: float
    relationship_score: float
    query_subject: str | None
    candidate_subject: str | None
    alignment: tuple[ColumnMatch, ...]
    relationships: tuple[RelationshipMatch, ...]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _read_options(lake_manifest: dict[str, Any]) -> ReadOptions:
    from assetscout.tables.read import ReadOptions

    raw = dict(lake_manifest.get("read_options") or {})
    if "null_tokens" in raw:
        raw["null_tokens"] = frozenset(raw["null_tokens"])
    try:
        return ReadOptions(**raw)
    except (TypeError, InvalidInput) as exc:
        raise CatalogError(f"the lake index's read options cannot be used: {exc}") from None


class UnionIndex:
    """A union index opened for search; build one with `build_union_index`.

    encoder: the encoder the index was built with (checked against the manifest); it
    encodes query tables read from files. backend: the column vector index used for
    candidate generation ('exact' NumPy scan, or 'faiss').
    """

    def __init__(self, directory: Path, files: UnionFiles, encoder: Encoder, *, backend: Backend = "exact") -> None:
        self.directory = directory
        self.encoder = encoder
        self.backend: Backend = backend
        self._files = files
        manifest = files.manifest
        self._evidence = EvidenceOptions(**manifest.get("evidence", {}))
        self._pair_perm = int(manifest["pairs"]["num_perm"])
        cols = files.columns
        self._tables: list[str] = []
        self._slices: dict[str, tuple[int, int]] = {}
        for i, t in enumerate(cols.table):  # columns are grouped by table (union_store)
            if t not in self._slices:
                self._tables.append(t)
            self._slices[t] = (self._slices.get(t, (i, i))[0], i + 1)
        self._col_table = np.repeat(np.arange(len(self._tables)), [b - a for a, b in self._slices.values()])
        self._pair_slices: dict[str, tuple[int, int]] = {}
        for i, t in enumerate(files.pairs.table):
            a, _ = self._pair_slices.get(t, (i, i))
            self._pair_slices[t] = (a, i + 1)
        self._load_value_signatures()
        self._vectors: VectorIndex | None = None
        self._sides: dict[str, TableSide] = {}

    @classmethod
    def open(cls, directory: str | os.PathLike[str], encoder: Encoder, *, backend: Backend = "exact") -> UnionIndex:
        """Open a built index; CatalogError when damaged, InvalidInput for another encoder."""
        from assetscout.embed.base import check_compatible

        d = Path(directory).expanduser()
        if backend not in ("exact", "faiss"):
            raise InvalidInput(f"backend must be 'exact' or 'faiss', got {backend!r}")
        files = read_union_files(d)
        check_compatible(files.manifest.get("encoder", {}), encoder.describe(), what="union index")
        return cls(d, files, encoder, backend=backend)

    def _load_value_signatures(self) -> None:
        import json

        from assetscout.tables.minhash import load_signatures, probe

        from assetscout.tables.lake import JOIN_DIR

        join_dir = self.directory / LAKE_DIR / JOIN_DIR
        try:
            jm = json.loads((join_dir / "manifest.json").read_text("utf-8"))
            self._lake_manifest = json.loads((self.directory / LAKE_DIR / "manifest.json").read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise CatalogError(f"{self.directory}: the lake index inside is unreadable: {exc}") from None
        self._value_perm, self._value_seed = int(jm["num_perm"]), int(jm["seed"])
        if jm.get("probe") != probe(self._value_perm, self._value_seed):
            raise CatalogError(f"{self.directory}: value signatures were made by a MinHash that hashes "
                               f"differently from the installed datasketch; rebuild the index")
        sigs = load_signatures(join_dir, n_columns=int(jm["n_columns"]))
        rows = {(ref.table, ref.ordinal): i for i, ref in enumerate(sigs.columns)}
        cols = self._files.columns
        n = len(cols.table)
        self._value_sigs = np.zeros((n, self._value_perm), dtype=np.uint64)
        self._value_sizes = np.zeros(n, dtype=np.int64)
        for i, key in enumerate(zip(cols.table, cols.ordinal)):
            r = rows.get(key)
            if r is not None:
                self._value_sigs[i] = sigs.hashvalues[r]
                self._value_sizes[i] = sigs.sizes[r]

    # -- what the index holds ---------------------------------------------------------

    @property
    def tables(self) -> tuple[str, ...]:
        """Ids of the searchable tables (paths relative to the lake folder)."""
        return tuple(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    def __contains__(self, table: object) -> bool:
        return table in self._slices

    def side(self, table: str) -> TableSide:
        """The stored evidence of a lake table (NotFound when the index lacks it)."""
        cached = self._sides.get(table)
        if cached is not None:
            return cached
        if table not in self._slices:
            raise NotFound(f"table not in the union index: {table}")
        a, b = self._slices[table]
        cols = self._files.columns
        ordinals = tuple(cols.ordinal[a:b])
        position = {o: i for i, o in enumerate(ordinals)}
        subject = next((i for i in range(b - a) if cols.is_subject[a + i]), None)
        pa_, pb = self._pair_slices.get(table, (0, 0))
        pairs = self._files.pairs
        side = TableSide(
            table, tuple(cols.name[a:b]), ordinals, tuple(cols.type[a:b]), subject,
            self._files.column_vectors[a:b], self._value_sigs[a:b], self._value_sizes[a:b],
            tuple(position[o] for o in pairs.other_ordinal[pa_:pb]), self._files.pair_signatures[pa_:pb],
            np.asarray(pairs.size[pa_:pb], dtype=np.int64), self._files.pair_vectors[pa_:pb])
        self._sides[table] = side
        return side

    def read_query(self, path: str | os.PathLike[str], *, read_options: ReadOptions | None = None,
                   profile_options: ProfileOptions | None = None) -> TableSide:
        """Read, profile and encode a table file the way the lake's tables were."""
        from assetscout.tables.minhash import signature_of
        from assetscout.tables.profile import profile_read
        from assetscout.tables.read import read_table

        p = Path(path).expanduser()
        if not p.is_file():
            raise InvalidInput(f"query must be a table of this index or a table file, got {str(path)!r}")
        opts = read_options or _read_options(self._lake_manifest)
        # reading stops one column past the limit: a 10,000-column upload costs what 501 columns cost
        res = read_table(p, dataclasses.replace(opts, max_columns=min(opts.max_columns, MAX_QUERY_COLUMNS + 1)))
        if len(res.columns) > MAX_QUERY_COLUMNS:
            raise InvalidInput(f"the query table has more than {MAX_QUERY_COLUMNS} columns; union search "
                               f"aligns at most {MAX_QUERY_COLUMNS} query columns: send the columns to be matched")
        ev = table_evidence(str(p), res, profile_read(res, profile_options), self._evidence)
        if not ev.columns:
            raise InvalidInput(f"query table {str(path)!r} has no column with a value")
        texts = [c.text for c in ev.columns] + [pr.text for pr in ev.pairs]
        vectors = self.encoder.encode(texts)
        m = len(ev.columns)
        vsig = [signature_of(c.values, num_perm=self._value_perm, seed=self._value_seed, normalized=True)
                for c in ev.columns]
        psig = [signature_of(pr.tokens, num_perm=self._pair_perm, seed=PAIR_SEED, normalized=True) for pr in ev.pairs]
        return TableSide(
            str(p), tuple(c.name for c in ev.columns), tuple(c.ordinal for c in ev.columns),
            tuple(c.type for c in ev.columns), ev.subject, vectors[:m],
            np.array([h for h, _ in vsig], dtype=np.uint64).reshape(m, self._value_perm),
            np.array([s for _, s in vsig], dtype=np.int64),
            tuple(pr.other for pr in ev.pairs),
            np.array([h for h, _ in psig], dtype=np.uint64).reshape(len(psig), self._pair_perm),
            np.array([s for _, s in psig], dtype=np.int64), vectors[m:])

    # -- search -------------------------------------------------------------------------

    def _vector_index(self) -> VectorIndex:
        """The column vector index, built on first use from the stored vectors."""
        if self._vectors is None:
            from assetscout.index.factory import create_index

            vec = self._files.column_vectors
            index = create_index(self.backend, int(vec.shape[1]), expected_size=len(vec))
            if len(vec):
                index.add(np.arange(len(vec), dtype=np.int64), vec)
            self._vectors = index
        return self._vectors

    def prepare(self) -> None:
        """Build the column vector index now (else the first search does it)."""
        self._vector_index()

    def candidates(self, query: TableSide, options: UnionOptions, exclude: Collection[str] = ()) -> list[str]:
        """Tables owning one of the `column_candidates` nearest columns of a query column.

        Ordered by their best single column cosine; at most `max_candidates`.
        """
        n_cols = len(self._files.column_vectors)
        if n_cols == 0 or len(query) == 0:
            return []
        scores, ids = self._vector_index().search(query.vectors, k=min(options.column_candidates, n_cols))
        valid = ids >= 0
        best = np.full(len(self._tables), -np.inf)
        np.maximum.at(best, self._col_table[ids[valid]], scores[valid])
        found = np.nonzero(np.isfinite(best))[0]
        order = found[np.lexsort((found, -best[found]))]
        skip = set(exclude)
        out = [self._tables[t] for t in order if self._tables[t] not in skip]
        return out[: options.max_candidates]

    def search(self, query: str | os.PathLike[str], k: int = 10, options: UnionOptions | None = None, *,
               exclude: Collection[str] = ()) -> list[UnionHit]:
        """The k best unionable tables for `query`: a table id of this index (itself excluded)
        or the path of a table file. `exclude`: more table ids to leave out."""
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise InvalidInput(f"k must be an integer >= 1, got {k!r}")
        opts = options or UnionOptions()
        skip = set(exclude)
        if isinstance(query, str) and query in self._slices:
            side = self.side(query)
            skip.add(query)
        else:
            side = self.read_query(query)
        return self.search_side(side, k, opts, exclude=skip)

    def search_side(self, query: TableSide, k: int, options: UnionOptions, *,
                    exclude: Collection[str] = ()) -> list[UnionHit]:
        """`search` for a query already turned into evidence (e.g. by `read_query`).

        A candidate with no column aligned (every pair below `min_column_score`) is not
        unionable and is not returned, so fewer than k hits may come back.
        """
        scored = [(score_candidate(query, self.side(t), options), t) for t in self.candidates(query, options, exclude)]
        scored = [(s, t) for s, t in scored if s.alignment]
        scored.sort(key=lambda st: (-st[0].score, st[1]))
        return [_hit(query, self.side(t), s) for s, t in scored[:k]]


def _hit(query: TableSide, cand: TableSide, s: CandidateScore) -> UnionHit:
    ev = s.evidence
    alignment = tuple(
        ColumnMatch(query.names[i], query.ordinals[i], cand.names[j], cand.ordinals[j], float(ev.combined[i, j]),
                    float(ev.cosine[i, j]), float(ev.overlap[i, j]), float(ev.name[i, j]), float(ev.types[i, j]))
        for i, j in s.alignment)
    rels = tuple(
        RelationshipMatch(query.names[r.query_other],
                          cand.names[r.candidate_other] if r.candidate_other is not None else None,
                          r.pair_overlap, r.pair_cosine, r.score)
        for r in s.relationships)
    return UnionHit(cand.table, s.score, s.column_score, s.relationship_score,
                    query.names[query.subject] if query.subject is not None else None,
                    cand.names[cand.subject] if cand.subject is not None else None, alignment, rels)


def union_search(index: UnionIndex, query: str | os.PathLike[str], k: int = 10,
                 options: UnionOptions | None = None) -> list[UnionHit]:
    """The k best unionable tables of `index` for `query` (a table id of the index or a file)."""
    return index.search(query, k, options)
