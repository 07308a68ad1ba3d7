"""The demo corpus's embeddings, shipped beside it: `assetscout demo` answers in seconds, not minutes.

Embedding the demo's ~10k card and column texts takes ~4 minutes on two cores, nearly all
of the time from the command to the first answer. The maintainer who rebuilds the demo
archive also exports the vectors of its texts (`--vectors CATALOG`: a catalog indexed
from the demo with the packaged model), as float16 (cosine to float32 > 0.9999) with the
encoder's description. `seed_cache` puts them into a catalog's embedding cache, keyed as
the cache keys every text (sha256 of the encoder name and the text), so the index build
that follows finds them and encodes only what is missing (e.g. texts a newer serializer
writes differently). They are used only when the configured encoder's weights have the
same fingerprint as the encoder that made them; otherwise nothing is seeded and the
demo embeds as before.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from assetscout.catalog.store import Catalog
    from assetscout.embed.base import Encoder

VECTORS_NAME = "demo_vectors.npz"
CACHE_DIR = "embedding_cache"  # the catalog's embedding cache (search/build.py, tables/catalog_index.py)


def export_vectors(catalog_root: Path, encoder: Encoder, out: Path) -> dict[str, object]:
    """Write every vector of `catalog_root`'s embedding cache for `encoder` to `out`."""
    from assetscout.embed.cache import EmbeddingCache

    cache = EmbeddingCache.for_encoder(catalog_root / CACHE_DIR, encoder)
    keys = cache.keys()
    vectors, found = cache.get_many(keys)
    assert found.all()
    digests = np.frombuffer(b"".join(bytes.fromhex(k) for k in keys), dtype=np.uint8).reshape(len(keys), 32)
    np.savez_compressed(out, keys=digests, vectors=vectors.astype(np.float16),
                        encoder=np.array(json.dumps(encoder.describe(), sort_keys=True)))
    return {"vectors": len(keys), "bytes": out.stat().st_size, "encoder": encoder.name}


def _shipped() -> Path | None:
    path = Path(str(resources.files("assetscout.catalog.demo").joinpath(VECTORS_NAME)))
    return path if path.is_file() else None


def seed_cache(catalog: Catalog, encoder: Encoder, *, path: Path | None = None) -> tuple[int, str]:
    """Seed `catalog`'s embedding cache with the shipped vectors; (how many were new, what happened)."""
    from assetscout.embed.cache import EmbeddingCache

    path = path or _shipped()
    if path is None:
        return 0, "no shipped demo vectors in this installation"
    with np.load(path, allow_pickle=False) as data:
        made_by = json.loads(str(data["encoder"]))
        current = encoder.describe()
        if not made_by.get("fingerprint") or made_by.get("fingerprint") != current.get("fingerprint") \
                or made_by.get("model") != current.get("model") or made_by.get("dim") != current.get("dim"):
            return 0, (f"shipped demo vectors were made by {made_by.get('model')} (weights "
                       f"{str(made_by.get('fingerprint'))[:12]}), not the configured {current.get('model')} "
                       f"(weights {str(current.get('fingerprint'))[:12]}): the demo is embedded instead")
        keys = [row.tobytes().hex() for row in data["keys"]]  # uint8 rows: 'S32' would drop trailing zero bytes
        vectors = data["vectors"].astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True).clip(1e-12)  # unit rows again after float16
    cache = EmbeddingCache.for_encoder(catalog.root / CACHE_DIR, encoder)
    added = cache.put_many(keys, vectors)
    cache.save()
    return added, f"{len(keys):,} shipped demo vectors match the configured encoder's weights; {added:,} new to this catalog"
