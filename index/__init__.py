"""assetscout.index: the vector and lexical indexes (see DESIGN.md, section 4).

- `base`: the `VectorIndex` interface, `SearchPlan`, input checks, exact top-k helpers
- `exact`: `ExactIndex`, the NumPy reference backend
- `faiss_index`: `FaissIndex`, a FAISS factory string with selectivity-aware filtered search
- `factory`: `create_index(backend, dim, ...)`, `load_index(directory)`
- `lexical` / `tokenize`: `LexicalIndex`, BM25 (bm25s) with name-preserving tokens
- `storage`: index directories (generation files + manifest, atomic commit)

Nothing is imported here, so that `import assetscout.index` stays free of FAISS and bm25s.
"""
