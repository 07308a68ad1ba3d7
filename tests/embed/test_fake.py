"""HashingEncoder: the deterministic stand-in every unit test of the project relies on."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from assetscout.embed.base import check_compatible
from assetscout.embed.fake import HashingEncoder, word_ngrams
from assetscout.errors import InvalidInput

CARDS = [
    "sentence embedding model for semantic search and clustering of paragraphs",
    "image classification model fine-tuned on ImageNet with a vision transformer",
    "speech recognition model for English audio transcription",
    "text generation large language model for chat and instructions",
]


def test_same_text_same_vector_across_instances_and_processes():
    text = "bert base uncased for fill mask"
    a = HashingEncoder().encode([text])
    b = HashingEncoder().encode([text, "other"])[:1]
    np.testing.assert_array_equal(a, b)
    code = (
        "from assetscout.embed.fake import HashingEncoder;"
        f"print(HashingEncoder().encode([{text!r}])[0].tobytes().hex())"
    )
    other_process = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert other_process.stdout.strip() == a[0].tobytes().hex()


def test_rows_are_float32_unit_norm_with_the_configured_dim():
    enc = HashingEncoder(dim=64)
    out = enc.encode(CARDS + ["", "!!!", "a a a a"])
    assert out.dtype == np.float32 and out.shape == (len(CARDS) + 3, 64)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, rtol=1e-5)


def test_empty_input_gives_an_empty_matrix():
    out = HashingEncoder(dim=16).encode([])
    assert out.shape == (0, 16) and out.dtype == np.float32


def test_similar_texts_are_closer_than_unrelated_ones():
    enc = HashingEncoder()
    cards = enc.encode(CARDS)
    queries = enc.encode([
        "semantic search embedding model",
        "vision transformer for image classification",
        "transcription of English speech audio",
        "chat language model for text generation",
    ])
    scores = queries @ cards.T
    assert list(scores.argmax(axis=1)) == [0, 1, 2, 3]
    # Unrelated texts (no shared word) are nearly orthogonal.
    unrelated = enc.encode(["zebra quartz violin", "harbor lantern meadow"])
    assert abs(float(unrelated[0] @ unrelated[1])) < 0.35


def test_bigrams_make_word_order_matter_a_little():
    enc = HashingEncoder(max_ngram=2)
    a, b, c = enc.encode(["new york city", "york new city", "new york city"])
    assert float(a @ c) == pytest.approx(1.0, abs=1e-6)
    assert float(a @ b) < 0.999


def test_word_ngrams_split_on_punctuation_and_underscores():
    grams = word_ngrams("BERT-base_uncased, bert", 2)
    assert grams["bert"] == 2 and grams["base"] == 1 and grams["bert base"] == 1
    assert "uncased bert" in grams


def test_seed_and_parameters_change_vectors_and_name():
    a, b = HashingEncoder(seed=0), HashingEncoder(seed=1)
    assert a.name != b.name
    assert not np.allclose(a.encode(["hello world"]), b.encode(["hello world"]))
    assert HashingEncoder(dim=32).name != HashingEncoder(dim=64).name


@pytest.mark.parametrize("kwargs, parameter", [
    ({"dim": 4}, "dim"), ({"dim": 100_000}, "dim"), ({"dim": 64.0}, "dim"),
    ({"max_ngram": 0}, "max_ngram"), ({"max_ngram": 9}, "max_ngram"), ({"seed": -1}, "seed"),
])
def test_bad_constructor_arguments_name_the_parameter(kwargs, parameter):
    with pytest.raises(InvalidInput, match=parameter):
        HashingEncoder(**kwargs)


@pytest.mark.parametrize("texts, match", [("a single string", "single str"), ([1, "a"], r"texts\[0\]"),
                                          (None, "list of str")])
def test_encode_refuses_what_is_not_a_list_of_str(texts, match):
    with pytest.raises(InvalidInput, match=match):
        HashingEncoder().encode(texts)


@pytest.mark.parametrize("batch_size", [0, -1, 1.5, True])
def test_encode_checks_batch_size(batch_size):
    with pytest.raises(InvalidInput, match="batch_size"):
        HashingEncoder().encode(["a"], batch_size=batch_size)


def test_describe_records_model_dim_normalization_and_versions():
    info = HashingEncoder(dim=32).describe()
    assert info["model"] == "assetscout/hashing-v1-d32-n2-s0"
    assert info["dim"] == 32 and info["normalization"] == "l2"
    assert info["libraries"]["numpy"] == np.__version__


def test_check_compatible_refuses_another_encoder_and_names_the_difference():
    built, same = HashingEncoder(dim=32).describe(), HashingEncoder(dim=32).describe()
    check_compatible(built, same)
    with pytest.raises(InvalidInput, match=r"model: index has .*d32.*configured encoder has .*d64"):
        check_compatible(built, HashingEncoder(dim=64).describe())
    # Library versions alone never refuse a load.
    check_compatible(built, {**same, "libraries": {"numpy": "0.0"}})
