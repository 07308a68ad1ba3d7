"""Text encoder throughput: short queries and card-length chunks, texts per second.

    python -m assetscout.eval.bench_embed                       # packaged all-MiniLM-L6-v2
    python -m assetscout.eval.bench_embed --json                # one JSON object instead of a table
    python -m assetscout.eval.bench_embed --model /path/to/dir --threads 2

Card-length texts are what ingest really encodes: body chunks of the real cards under
`--cards` (serialized with embed.serialize), or synthetic ~200-word texts when the
folder is absent. Short texts are seeded synthetic queries of 6-14 words. Each
workload is encoded once to warm up, then `--repeat` times; the median is reported.
The last row re-encodes the chunks through an EmbeddingCache that already holds
them, which is what re-ingesting unchanged cards costs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DEFAULT_CARDS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "cards" / "hf_model_cards_misc"

_VOCAB = (
    "model dataset sentence embedding semantic search image classification speech recognition english "
    "french license apache mit small fast retrieval text generation chat instruction tuned bert roberta "
    "vision transformer detection coco imagenet parameters under 100M multilingual translation summarization "
    "question answering tabular time series audio code python finetuned lora quantized gguf"
).split()


def short_queries(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(_VOCAB) for _ in range(rng.randint(6, 14))) for _ in range(n)]


def card_chunks(cards_dir: Path, n: int, seed: int = 0) -> tuple[list[str], str]:
    """Up to n serialized body chunks of real cards, or synthetic 200-word texts."""
    from assetscout.embed.serialize import serialize_card

    chunks: list[str] = []
    if cards_dir.is_dir():
        for path in sorted(cards_dir.rglob("*.md")):
            if path.name == "MANIFEST.md" or path.name.startswith("2_"):
                continue
            name = (path.parent.name if path.name == "1_raw.md" else path.stem).replace("@", "/")
            text = path.read_text(encoding="utf-8", errors="replace")
            chunks.extend(serialize_card({"kind": "model", "name": name, "card_text": text}).chunks)
            if len(chunks) >= 4 * n:
                break
    if len(chunks) >= n:
        rng = random.Random(seed)
        return rng.sample(chunks, n), f"real card chunks from {cards_dir}"
    rng = random.Random(seed)
    return [" ".join(rng.choice(_VOCAB) for _ in range(200)) for _ in range(n)], "synthetic 200-word texts"


def _time(fn: Any, repeat: int) -> float:
    fn()  # warm-up: first batches pay for allocations and kernel selection
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def run(args: argparse.Namespace) -> dict[str, Any]:
    from assetscout.embed.cache import EmbeddingCache, encode_cached
    from assetscout.embed.fake import HashingEncoder
    from assetscout.embed.text import SentenceTransformerEncoder

    if args.encoder == "hashing":
        encoder: Any = HashingEncoder()
    else:
        encoder = SentenceTransformerEncoder(args.model, num_threads=args.threads)
    start = time.perf_counter()
    encoder.encode(["warm up"])
    load_s = time.perf_counter() - start

    shorts = short_queries(args.n_short, args.seed)
    chunks, chunk_source = card_chunks(Path(args.cards), args.n_cards, args.seed)
    rows = []
    for workload, texts in (("short query", shorts), ("card chunk", chunks)):
        seconds = _time(lambda t=texts: encoder.encode(t, batch_size=args.batch_size), args.repeat)
        row: dict[str, Any] = {
            "workload": workload, "n": len(texts), "batch_size": args.batch_size,
            "mean_words": round(statistics.mean(len(t.split()) for t in texts), 1),
            "seconds": round(seconds, 3), "texts_per_s": round(len(texts) / seconds, 1),
        }
        if hasattr(encoder, "token_lengths"):
            lengths = encoder.token_lengths(texts)
            row["mean_tokens"] = round(statistics.mean(lengths), 1)
            row["truncated_share"] = round(sum(n > encoder.max_seq_length for n in lengths) / len(lengths), 3)
        rows.append(row)

    with tempfile.TemporaryDirectory() as tmp:
        cache = EmbeddingCache.for_encoder(tmp, encoder)
        encode_cached(encoder, chunks, cache, batch_size=args.batch_size)
        seconds = _time(lambda: encode_cached(encoder, chunks, cache, batch_size=args.batch_size), args.repeat)
        rows.append({"workload": "card chunk, cached", "n": len(chunks), "batch_size": args.batch_size,
                     "mean_words": rows[-1]["mean_words"], "seconds": round(seconds, 4),
                     "texts_per_s": round(len(chunks) / seconds, 1)})

    import numpy

    return {
        "command": "python -m assetscout.eval.bench_embed " + " ".join(sys.argv[1:]),
        "encoder": encoder.describe(),
        "load_and_first_encode_s": round(load_s, 2),
        "chunk_source": chunk_source,
        "threads": _threads(),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "numpy": numpy.__version__,
        "repeat": args.repeat,
        "rows": rows,
    }


def _threads() -> int | None:
    if "torch" not in sys.modules:
        return None
    return int(sys.modules["torch"].get_num_threads())


def format_table(result: dict[str, Any]) -> str:
    enc = result["encoder"]
    lines = [
        f"encoder  {enc['model']}  dim {enc['dim']}  max_seq_length {enc.get('max_seq_length', '-')}"
        f"  torch threads {result['threads']}  cpus {result['cpu_count']}",
        f"load + first encode {result['load_and_first_encode_s']} s; chunks: {result['chunk_source']}; "
        f"median of {result['repeat']} runs after a warm-up",
        "",
        f"{'workload':<20} {'n':>6} {'batch':>6} {'words':>7} {'tokens':>7} {'trunc':>6} {'seconds':>9} {'texts/s':>9}",
    ]
    for r in result["rows"]:
        trunc = f"{r['truncated_share']:.0%}" if "truncated_share" in r else "-"
        lines.append(
            f"{r['workload']:<20} {r['n']:>6} {r['batch_size']:>6} {r['mean_words']:>7} "
            f"{r.get('mean_tokens', '-'):>7} {trunc:>6} {r['seconds']:>9} {r['texts_per_s']:>9}")
    lines += ["", f"command: {result['command']}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--encoder", choices=("minilm", "hashing"), default="minilm",
                        help="minilm: sentence-transformers (packaged default or --model); hashing: the fake encoder")
    parser.add_argument("--model", default=None, help="local sentence-transformers model directory")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: leave as is)")
    parser.add_argument("--n-short", type=int, default=512)
    parser.add_argument("--n-cards", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cards", default=str(DEFAULT_CARDS), help="folder of card .md files")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args(argv)
    for name in ("n_short", "n_cards", "batch_size", "repeat"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be >= 1")
    result = run(args)
    print(json.dumps(result, indent=2) if args.json else format_table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
