"""Encoder throughput of an indexed catalog: what its index build recorded, and a fresh
measurement on a sample of its cards serialized exactly as the build serializes them.

Separate from the latency code because it reads the build's own records (manifest,
`/usr/bin/time -v` report) as well as measuring.
"""

from __future__ import annotations

import random
import statistics
import time
from pathlib import Path
from typing import Any

from assetscout.embed.base import Encoder


def manifest_throughput(manifest: dict[str, Any] | None) -> dict[str, Any] | None:
    """cards/s and texts/s of the last index build, from its manifest (a cold embedding
    cache assumed: cached texts cost nothing and would inflate both)."""
    if not manifest or not manifest.get("embed_seconds"):
        return None
    seconds = float(manifest["embed_seconds"])
    texts = int(manifest.get("texts_embedded") or 0)
    assets = int(manifest.get("assets") or 0)
    return {"assets": assets, "chunks": manifest.get("chunks"), "texts_embedded": texts,
            "embed_seconds": seconds, "cards_per_s": assets / seconds, "texts_per_s": texts / seconds,
            "built_at": manifest.get("built_at")}


_TIME_FIELDS = {
    "Elapsed (wall clock) time (h:mm:ss or m:ss)": "wall",
    "Maximum resident set size (kbytes)": "max_rss_kb",
    "Percent of CPU this job got": "cpu_percent",
    "User time (seconds)": "user_s",
    "System time (seconds)": "system_s",
}


def parse_time_log(path: Path) -> dict[str, Any]:
    """The numbers of a `/usr/bin/time -v` report (the rest of the file is ignored)."""
    out: dict[str, Any] = {}
    for line in path.read_text("utf-8", errors="replace").splitlines():
        name, sep, value = line.strip().rpartition(": ")
        if sep and name in _TIME_FIELDS:
            out[_TIME_FIELDS[name]] = value.strip()
    if "max_rss_kb" in out:
        out["max_rss_mb"] = round(int(out.pop("max_rss_kb")) / 1024, 1)
    if "wall" in out:
        parts = [float(p) for p in out["wall"].split(":")]
        out["wall_s"] = round(sum(p * 60 ** i for i, p in enumerate(reversed(parts))), 2)
    return out


def card_texts(con: Any, n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """Headers and body chunks of `n` random assets, serialized exactly as the index build does."""
    from assetscout.embed.serialize import serialize_card
    from assetscout.search.build import ASSET_COLUMNS, CHUNK_WORDS, MAX_CHUNKS

    ids = [r[0] for r in con.execute("SELECT asset_id FROM asset ORDER BY asset_id").fetchall()]
    picked = sorted(random.Random(seed).sample(ids, min(n, len(ids))))
    rows = con.execute(f"SELECT {', '.join(ASSET_COLUMNS)} FROM asset WHERE asset_id IN "
                       "(SELECT unnest(?::VARCHAR[])) ORDER BY asset_id", [picked]).fetchall()
    headers: list[str] = []
    chunks: list[str] = []
    for values in rows:
        card = serialize_card(dict(zip(ASSET_COLUMNS, values)), chunk_size=CHUNK_WORDS,
                              chunk_overlap=CHUNK_WORDS // 5, max_chunks=max(1, MAX_CHUNKS))
        headers.append(card.header)
        chunks.extend(card.chunks[:MAX_CHUNKS])
    return headers, chunks


def measure_embedding(encoder: Encoder, con: Any, n: int, *, seed: int = 0, batch_size: int = 64) -> dict[str, Any]:
    """Encode `n` sampled cards (headers, then chunks, as the build does; no cache): cards/s, texts/s."""
    headers, chunks = card_texts(con, n, seed)
    encoder.encode(["warm up"])  # loads the model: not part of the throughput
    t0 = time.perf_counter()
    encoder.encode(headers, batch_size=batch_size)
    t1 = time.perf_counter()
    if chunks:
        encoder.encode(chunks, batch_size=batch_size)
    t2 = time.perf_counter()
    seconds = t2 - t0
    texts = headers + chunks
    out: dict[str, Any] = {
        "cards": len(headers), "chunks": len(chunks), "seconds": seconds, "header_seconds": t1 - t0,
        "chunk_seconds": t2 - t1, "cards_per_s": len(headers) / seconds if seconds else 0.0,
        "texts_per_s": len(texts) / seconds if seconds else 0.0, "batch_size": batch_size,
        "mean_words": statistics.mean(len(t.split()) for t in texts) if texts else 0.0,
    }
    lengths = getattr(encoder, "token_lengths", None)
    if lengths is not None and texts:
        out["mean_tokens"] = statistics.mean(lengths(texts))
    return out
