"""LexicalIndex: BM25 over card text and names, so exact names are found when embeddings blur them.

Why bm25s: DuckDB's `fts` extension cannot be installed offline, and bm25s is a small,
maintained BM25 implementation on NumPy/SciPy that precomputes every (term, document)
score into a sparse matrix, so a query costs one sparse column sum. We tokenize
ourselves (`tokenize`, which keeps 'bert-base-uncased' findable as one token) and use
bm25s only for indexing and scoring.

The index is rebuilt from scratch by `build` (indexes are rebuilt after each ingest):
BM25's idf and average document length depend on the whole corpus, so there is no
incremental add. A corpus of 100k cards builds in seconds.

Saved as a directory: manifest.json (format version, tokenizer version, BM25
parameters, count), `doc_ids.<gen>.npy` and the folder bm25s writes (`.npy` arrays
saved without pickle, JSON vocabulary and parameters), committed atomically (`storage`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from assetscout.errors import CatalogError, InvalidInput
from assetscout.index import storage
from assetscout.index.base import check_allowed, check_ids, check_k
from assetscout.index.tokenize import TOKENIZER_VERSION, tokenize

LEXICAL_KIND = "lexical_index"
Method = Literal["lucene", "robertson", "atire", "bm25l", "bm25+"]
METHODS: tuple[str, ...] = ("lucene", "robertson", "atire", "bm25l", "bm25+")


class LexicalIndex:
    """BM25 over (int64 id, text) documents with exact filtered top-k."""

    def __init__(self, *, k1: float = 1.5, b: float = 0.75, method: Method = "lucene") -> None:
        if isinstance(k1, bool) or not isinstance(k1, (int, float)) or not 0.0 <= k1 <= 10.0:
            raise InvalidInput(f"k1: must be a number in [0, 10], got {k1!r}")
        if isinstance(b, bool) or not isinstance(b, (int, float)) or not 0.0 <= b <= 1.0:
            raise InvalidInput(f"b: must be a number in [0, 1], got {b!r}")
        if method not in METHODS:
            raise InvalidInput(f"method: must be one of {', '.join(METHODS)}, got {method!r}")
        self.k1, self.b, self.method = float(k1), float(b), method
        self._doc_ids = np.zeros(0, np.int64)
        self._bm25: Any = None  # bm25s.BM25, or None while no document has a token
        self._max_term_score: float | None = None
        self._reindex()

    def _reindex(self) -> None:
        self._order = np.argsort(self._doc_ids, kind="stable")
        self._sorted = self._doc_ids[self._order]

    def __len__(self) -> int:
        return len(self._doc_ids)

    def ids(self) -> np.ndarray:
        """Document ids, ascending."""
        return self._sorted.copy()

    def build(self, ids: object, texts: Sequence[str]) -> None:
        """Index these documents, replacing whatever the index held."""
        id_arr = check_ids(ids)
        if isinstance(texts, str) or not isinstance(texts, Sequence):
            raise InvalidInput("texts: must be a sequence of strings, one per id")
        if len(texts) != len(id_arr):
            raise InvalidInput(f"texts: {len(texts)} texts for {len(id_arr)} ids")
        corpus: list[list[str]] = []
        for pos, text in enumerate(texts):
            if not isinstance(text, str):
                raise InvalidInput(f"texts: item {pos} is {type(text).__name__}, not str")
            corpus.append(tokenize(text))
        self._bm25 = self._new_bm25() if any(corpus) else None
        self._max_term_score = None
        if self._bm25 is not None:
            self._bm25.index(corpus, show_progress=False)
        self._doc_ids = id_arr
        self._reindex()

    def _new_bm25(self) -> Any:
        import bm25s

        return bm25s.BM25(k1=self.k1, b=self.b, method=self.method, backend="numpy")

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for `query`, in build order (0 = no term matched)."""
        if not isinstance(query, str):
            raise InvalidInput(f"query: must be a string, got {type(query).__name__}")
        if self._bm25 is None:
            return np.zeros(len(self._doc_ids), np.float32)
        token_ids = self._bm25.get_tokens_ids(tokenize(query))
        if not token_ids:
            return np.zeros(len(self._doc_ids), np.float32)
        return np.asarray(self._bm25.get_scores_from_ids(token_ids), np.float32)

    def query_bound(self, query: str) -> float:
        """An upper bound on any document's score for `query` that depends on the corpus, not on the query's words.

        (distinct query tokens the index knows) x (the largest score any single term earns
        in any document): the evidence the rarest possible terms, each matched at best,
        would carry. A query of common words ('image classification') stays far below it
        however many documents repeat them; one that names a rare thing reaches it. 1.0
        when nothing of the query is known.
        """
        if self._bm25 is None:
            return 1.0
        known = len(set(self._bm25.get_tokens_ids(tokenize(query))))
        return known * self.max_term_score if known else 1.0

    @property
    def max_term_score(self) -> float:
        if self._max_term_score is None:
            data = self._bm25.scores["data"] if self._bm25 is not None else np.zeros(0)
            self._max_term_score = float(data.max()) if len(data) else 1.0
        return self._max_term_score

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(scores float32 [k], ids int64 [k]) of the best matching documents, best first.

        Only documents that match at least one query term are returned; the tail is
        padded with -inf / -1. With `allowed`, the top k among those ids exactly (every
        document is scored, the others masked out).
        """
        return self.top(self.scores(query), k, allowed)

    def top(self, scores: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """`search` on scores already computed by `scores(query)`, for a caller that needs both."""
        k = check_k(k)
        allowed_ids = check_allowed(allowed)
        if scores.shape != (len(self._doc_ids),):
            raise InvalidInput(f"scores: expected one per document ({len(self._doc_ids)}), got shape {scores.shape}")
        hit = scores > 0
        if allowed_ids is not None:
            keep = np.zeros(len(scores), bool)
            if len(self._sorted) and len(allowed_ids):
                pos = np.minimum(np.searchsorted(self._sorted, allowed_ids), len(self._sorted) - 1)
                found = self._sorted[pos] == allowed_ids
                keep[self._order[pos[found]]] = True
            hit &= keep
        cand = np.flatnonzero(hit)
        if len(cand) > k:
            cand = cand[np.argpartition(-scores[cand], k - 1)[:k]]
        cand = cand[np.lexsort((self._doc_ids[cand], -scores[cand]))]
        out_s = np.full(k, -np.inf, np.float32)
        out_i = np.full(k, -1, np.int64)
        out_s[: len(cand)] = scores[cand]
        out_i[: len(cand)] = self._doc_ids[cand]
        return out_s, out_i

    # --- persistence --------------------------------------------------------------

    def save(self, directory: str | os.PathLike[str]) -> Path:
        """Write the index to `directory` atomically (see the module docstring)."""
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        generation = storage.new_generation()
        files = {"doc_ids": f"doc_ids.{generation}.npy"}
        storage.write_npy(path / files["doc_ids"], self._doc_ids)
        if self._bm25 is not None:
            files["bm25"] = f"bm25.{generation}"
            storage.write_atomic(path / files["bm25"], lambda tmp: self._bm25.save(str(tmp), show_progress=False))
        storage.commit(
            path,
            {
                "kind": LEXICAL_KIND,
                "backend": "bm25s",
                "tokenizer_version": TOKENIZER_VERSION,
                "params": {"k1": self.k1, "b": self.b, "method": self.method},
                "count": len(self),
                "files": files,
                "library_versions": storage.library_versions("bm25s"),
            },
        )
        return path

    @classmethod
    def load(cls, directory: str | os.PathLike[str]) -> LexicalIndex:
        """Open a saved lexical index; one made by another tokenizer version must be rebuilt."""
        path = Path(directory)
        manifest: Mapping[str, Any] = storage.read_manifest(path, LEXICAL_KIND)
        if manifest.get("tokenizer_version") != TOKENIZER_VERSION:
            raise CatalogError(
                f"{path}: the lexical index was tokenized by tokenizer version "
                f"{manifest.get('tokenizer_version')!r}, this assetscout uses {TOKENIZER_VERSION}: "
                "rebuild the lexical index"
            )
        params = dict(manifest.get("params") or {})
        index = cls(**params)
        files = manifest["files"]
        doc_ids = storage.read_npy(path / files["doc_ids"])
        if doc_ids.dtype != np.int64 or doc_ids.ndim != 1 or len(doc_ids) != manifest.get("count"):
            raise CatalogError(f"{path}: the document ids do not match the manifest; rebuild the index")
        if "bm25" in files:
            import bm25s

            try:
                index._bm25 = bm25s.BM25.load(str(path / files["bm25"]), mmap=False, allow_pickle=False)
            except (OSError, ValueError, KeyError) as exc:
                raise CatalogError(f"{path}: cannot read the BM25 files: {exc}; rebuild the index") from exc
            if index._bm25.scores["num_docs"] != len(doc_ids):
                raise CatalogError(f"{path}: the BM25 files hold another number of documents; rebuild the index")
        index._doc_ids = doc_ids
        index._reindex()
        return index
