"""The lexical tokenizer keeps model and dataset names findable."""

from __future__ import annotations

import pytest

from assetscout.index.tokenize import tokenize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bert-base-uncased", ["bert", "base", "uncased", "bertbaseuncased"]),
        ("ResNet-50", ["resnet", "50", "resnet50"]),
        ("resnet50", ["resnet50", "resnet", "50"]),
        ("The model is trained on COCO.", ["model", "trained", "coco"]),
        ("naïve CAFÉ", ["naïve", "café"]),
        ("", []),
    ],
)
def test_examples(text: str, expected: list[str]) -> None:
    assert tokenize(text) == expected


def test_ids_with_an_organization_keep_every_joined_form() -> None:
    tokens = tokenize("google-bert/bert-base-uncased")
    assert {"google", "bert", "base", "uncased", "bertbaseuncased", "googlebertbertbaseuncased"} <= set(tokens)


def test_spellings_of_one_name_share_their_rare_token() -> None:
    assert "resnet50" in set(tokenize("ResNet50")) & set(tokenize("resnet-50")) & set(tokenize("ResNet_50"))


def test_stopwords_are_dropped_as_words_but_kept_inside_names() -> None:
    tokens = tokenize("state-of-the-art model for the task")
    assert "the" not in tokens and "for" not in tokens
    assert "stateoftheart" in tokens


def test_noise_tokens_are_capped() -> None:
    assert tokenize("a" * 65) == []
