"""Building the search indexes of a catalog: card vectors, chunk vectors, BM25.

Layout under `<catalog>/search/`:

    manifest.json   format version, encoder (model, dim, normalization), counts,
                    the catalog state it was built from
    assets.parquet  int64 id -> asset_id (the vector indexes know only int ids)
    chunks.parquet  chunk id -> owning asset int id
    cards/          vector index of card headers (one per asset)
    chunks/         vector index of body chunks
    lexical/        BM25 over names, titles, tags, summaries and card text

The whole folder is rebuilt after an ingest, but embeddings come from a cache keyed
by content hash (`<catalog>/embedding_cache/`), so an unchanged card costs nothing.
It is written next to the live folder and swapped in by rename: readers see the old
or the new index, never half of one.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from assetscout.catalog.store import Catalog, pid_lock, recover_dir, remove_stale, swap_dir, write_json_atomic
from assetscout.embed.base import Encoder
from assetscout.embed.cache import EmbeddingCache, encode_cached
from assetscout.embed.serialize import language_name, serialize_card
from assetscout.index.factory import create_index
from assetscout.index.lexical import LexicalIndex

FORMAT_VERSION = 1
SEARCH_DIR = "search"
SEARCH_LOCK = ".search.lock"
_BUILDING = f".{SEARCH_DIR}.building-"
CHUNK_STRIDE = 64  # chunk id = asset int id * CHUNK_STRIDE + chunk number
MAX_CHUNKS = 3  # body chunks embedded per card (cost grows with tokens; the header carries the gist)
CHUNK_WORDS = 150
LEXICAL_BODY_WORDS = 1500

# what the serializers read (embed/serialize.py); hub_task: the Hub's pipeline tag, the task of a card that names none
ASSET_COLUMNS = (
    "asset_id", "kind", "name", "title", "summary", "card_text", "tasks", "hub_task", "library", "languages",
    "tags", "license_spdx", "organization", "parameters", "size_bytes", "aliases",
)


def search_dir(catalog: Catalog) -> Path:
    return catalog.root / SEARCH_DIR


def _lexical_text(a: dict[str, Any]) -> str:
    tasks = a.get("tasks") or [a.get("hub_task") or ""]
    parts = [a["asset_id"].split("/", 1)[-1], a["name"], a.get("title") or "", " ".join(a.get("aliases") or []),
             " ".join(tasks), " ".join(a.get("tags") or []), a.get("library") or "",
             " ".join(dict.fromkeys(language_name(c) for c in (a.get("languages") or [])[:20])),
             a.get("organization") or "", a.get("summary") or ""]
    body = a.get("card_text") or ""
    if body:
        parts.append(" ".join(body.split()[:LEXICAL_BODY_WORDS]))
    return "\n".join(p for p in parts if p)


def build_search_index(catalog: Catalog, encoder: Encoder, *, progress: bool = False,
                       max_chunks: int = MAX_CHUNKS, chunk_words: int = CHUNK_WORDS) -> dict[str, Any]:
    """(Re)build the search indexes of `catalog` with `encoder`; return what was built.

    One build per catalog at a time: a second one gets CatalogError naming the pid of the
    first at once (not after minutes of embedding). What a killed build left is removed.
    """
    with pid_lock(catalog.root / SEARCH_LOCK, "a search index build is running"):
        remove_stale(catalog.root, _BUILDING)
        recover_dir(search_dir(catalog))
        return _build(catalog, encoder, progress=progress, max_chunks=max_chunks, chunk_words=chunk_words)


def _build(catalog: Catalog, encoder: Encoder, *, progress: bool, max_chunks: int, chunk_words: int) -> dict[str, Any]:
    started = time.monotonic()
    con = catalog.connect()
    try:
        cur = con.execute(f"SELECT {', '.join(ASSET_COLUMNS)} FROM asset ORDER BY asset_id")
        rows = [dict(zip(ASSET_COLUMNS, r)) for r in cur.fetchall()]
        catalog_updated = catalog.manifest().get("updated_at")
    finally:
        con.close()
    say = (lambda msg: print(f"index: {msg}", file=sys.stderr, flush=True)) if progress else (lambda msg: None)
    say(f"serializing {len(rows):,} assets")
    headers: list[str] = []
    chunk_texts: list[str] = []
    chunk_ids: list[int] = []
    for i, a in enumerate(rows):
        card = serialize_card(a, chunk_size=chunk_words, chunk_overlap=chunk_words // 5,
                              max_chunks=max(1, max_chunks))
        headers.append(card.header)
        for j, chunk in enumerate(card.chunks[:max_chunks]):
            chunk_texts.append(chunk)
            chunk_ids.append(i * CHUNK_STRIDE + j)
    cache = EmbeddingCache.for_encoder(catalog.root / "embedding_cache", encoder)
    say(f"embedding {len(headers):,} card headers and {len(chunk_texts):,} body chunks with {encoder.name}")
    t0 = time.monotonic()
    header_vecs = encode_cached(encoder, headers, cache, progress=progress) if headers else np.zeros((0, encoder.dim), np.float32)
    chunk_vecs = encode_cached(encoder, chunk_texts, cache, progress=progress) if chunk_texts else np.zeros((0, encoder.dim), np.float32)
    embed_seconds = time.monotonic() - t0
    cache.save()

    target = search_dir(catalog)
    work = catalog.root / f"{_BUILDING}{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    described = encoder.describe()
    # the vector indexes record the scalar identity of the encoder; the manifest keeps it all
    identity = {k: v for k, v in described.items() if isinstance(v, (str, int, float, bool)) or v is None}
    ids = np.arange(len(rows), dtype=np.int64)
    cards = create_index("faiss", encoder.dim, expected_size=len(rows), encoder=identity)
    if len(rows):
        cards.add(ids, header_vecs)
    cards.save(work / "cards")
    chunks = create_index("faiss", encoder.dim, expected_size=len(chunk_ids), encoder=identity)
    if chunk_ids:
        chunks.add(np.asarray(chunk_ids, np.int64), chunk_vecs)
    chunks.save(work / "chunks")
    say("building the BM25 index")
    lexical = LexicalIndex()
    lexical.build(ids, [_lexical_text(a) for a in rows])
    lexical.save(work / "lexical")
    pq.write_table(pa.table({"id": ids, "asset_id": [a["asset_id"] for a in rows]}), work / "assets.parquet")
    pq.write_table(pa.table({"chunk_id": np.asarray(chunk_ids, np.int64),
                             "id": np.asarray(chunk_ids, np.int64) // CHUNK_STRIDE,
                             "text": chunk_texts}), work / "chunks.parquet")
    info = {
        "format_version": FORMAT_VERSION,
        "encoder": described,
        "assets": len(rows),
        "chunks": len(chunk_ids),
        "cards_factory": cards.factory,
        "chunks_factory": chunks.factory,
        "catalog_updated_at": catalog_updated,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "embed_seconds": round(embed_seconds, 2),
        "texts_embedded": len(headers) + len(chunk_texts),
    }
    write_json_atomic(work / "manifest.json", info)  # written last: a folder without it is never loaded
    swap_dir(work, target)
    info["seconds"] = round(time.monotonic() - started, 2)
    say(f"built in {info['seconds']} s (embedding {info['embed_seconds']} s)")
    return info


def read_search_manifest(catalog: Catalog) -> dict[str, Any] | None:
    recover_dir(search_dir(catalog))  # a build killed mid-swap: its previous index is the current one
    path = search_dir(catalog) / "manifest.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text("utf-8"))
