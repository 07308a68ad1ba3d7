"""Serializers: card header and chunks, table schema, column; synthetic and real cards."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from assetscout.embed.fake import HashingEncoder
from assetscout.embed.serialize import (
    CardText,
    bytes_in_words,
    count_in_words,
    representative_values,
    serialize_card,
    serialize_column,
    serialize_schema,
    split_name,
)
from assetscout.errors import InvalidInput

PIPELINE_TAGS = {"image-classification", "sentence-similarity", "feature-extraction", "fill-mask",
                 "automatic-speech-recognition", "text-generation", "text-classification",
                 "token-classification", "translation", "summarization", "question-answering"}

BERT = {
    "kind": "model",
    "name": "google-bert/bert-base-uncased",
    "title": None,
    "summary": "Pretrained model on English language using a masked language modeling objective.",
    "card_text": "# BERT base model (uncased)\n\nBERT is a transformers model pretrained on a large corpus.\n",
    "tasks": ["fill-mask"],
    "library": "transformers",
    "languages": ["en"],
    "tags": ["transformers", "pytorch", "fill-mask", "exbert", "en", "license:apache-2.0", "region:us",
             "dataset:bookcorpus", "dataset:wikipedia", "arxiv:1810.04805", "base_model:finetune:bert-init"],
    "license_spdx": "Apache-2.0",
    "organization": "google-bert",
    "parameters": 110_000_000,
    "aliases": ["bert-base-uncased"],
}


def test_split_name_gives_the_words_of_an_identifier():
    assert split_name("bert-base-uncased") == "bert base uncased"
    assert split_name("google-bert/bert-base-uncased") == "google bert bert base uncased"
    assert split_name("roberta-base-go_emotions") == "roberta base go emotions"
    assert split_name("WizardCoder-15B-V1.0") == "Wizard Coder 15B V1 0"


@pytest.mark.parametrize("n, words", [(110_000_000, "110M"), (6_738_415_616, "6.74B"), (22_713_216, "22.7M"),
                                      (13_000_000_000, "13B"), (7_000, "7K"), (950, "950"), (1.5e12, "1.5T")])
def test_count_in_words(n, words):
    assert count_in_words(n) == words


def test_bytes_in_words():
    assert bytes_in_words(1_234_567_890) == "1.23 GB"
    assert bytes_in_words(512) == "512 bytes"


def test_card_header_names_the_asset_the_way_users_ask():
    card = serialize_card(BERT)
    assert isinstance(card, CardText)
    assert card.header == (
        "google-bert/bert-base-uncased, google bert bert base uncased. Model by google-bert. "
        "Tasks: fill mask. Library: transformers. Languages: English. Base model: bert-init. "
        "Datasets: bookcorpus, wikipedia. Tags: exbert. License: Apache-2.0. 110M parameters. "
        "Also known as: bert-base-uncased. "
        "Pretrained model on English language using a masked language modeling objective.")
    assert card.chunks == ("google-bert/bert-base-uncased: BERT base model (uncased). "
                           "BERT is a transformers model pretrained on a large corpus.",)
    assert card.texts() == [card.header, *card.chunks]


def test_header_of_a_sparse_dataset_card_borrows_the_body_opening():
    card = serialize_card({
        "kind": "dataset", "name": "rajpurkar/squad", "title": "SQuAD", "size_bytes": 35_000_000,
        "card_text": "# squad\n\nStanford Question Answering Dataset is a reading comprehension dataset.\n\nMore.",
        "tasks": None, "languages": "en", "tags": [],
    })
    assert card.header == ("SQuAD (rajpurkar/squad), rajpurkar squad. Dataset. Languages: English. Size 35 MB. "
                           "Stanford Question Answering Dataset is a reading comprehension dataset. More.")


def test_many_languages_are_summarized():
    card = serialize_card({"kind": "model", "name": "m", "languages": [f"l{i}" for i in range(30)]}, max_languages=3)
    assert "Languages: l0, l1, l2 and 27 more (multilingual)." in card.header


def test_long_bodies_are_chunked_with_the_title_on_every_chunk():
    body = " ".join(f"word{i}" for i in range(1000))
    card = serialize_card({"kind": "model", "name": "org/long-model", "title": "Long Model", "card_text": body},
                          chunk_size=100, chunk_overlap=20, max_chunks=5)
    assert len(card.chunks) == 5
    assert all(c.startswith("Long Model: word") for c in card.chunks)
    assert card.chunks[1].split()[2] == "word80"


def test_serialize_card_needs_a_name():
    with pytest.raises(InvalidInput, match="name or a title"):
        serialize_card({"kind": "model"})


def test_serialize_card_accepts_numpy_lists_from_duckdb():
    card = serialize_card({"kind": "model", "name": "m", "tasks": np.array(["text-classification"]),
                           "languages": np.array([], dtype=object)})
    assert "Tasks: text classification." in card.header and "Languages" not in card.header


def test_serialize_schema():
    text = serialize_schema("sales_2023", [("region", "string"), ("amount", "int64"), ("note", None)])
    assert text == "table sales_2023 (sales 2023): columns region (string), amount (int64), note"
    many = serialize_schema("t", [(f"c{i}", "int") for i in range(5)], max_columns=2, description="Daily sales.")
    assert many == "table t: columns c0 (int), c1 (int) and 3 more. Daily sales."
    with pytest.raises(InvalidInput, match="table_name"):
        serialize_schema(" ", [])


def test_serialize_column_puts_values_before_the_table_context():
    text = serialize_column("cities", "name", "string", ["Paris", None, "nan", "Paris", "Lyon", ""],
                            ["name", "country", "population"])
    assert text == ("column name (string) of table cities: values Paris, Lyon. "
                    "Table columns: country, population")
    short = serialize_column("t", "c", None, ["x" * 80], ["c", "d", "e"], max_value_chars=10, max_header=1)
    assert short == "column c of table t: values xxxxxxxxxx…. Table columns: d and 1 more"
    with pytest.raises(InvalidInput, match="column_name"):
        serialize_column("t", "", None, [], [])


def test_representative_values_are_distinct_non_null_and_bounded():
    assert representative_values([1, 2, 2, None, "NULL", " 3 "], limit=2) == ["1", "2"]
    assert representative_values(["a  b\nc"]) == ["a b c"]


# --- real cards ------------------------------------------------------------------------

def _hn5318(shared_data: Path) -> dict[str, dict]:
    path = shared_data / "cards" / "hf_model_cards_misc" / "hn5318_quality_sample" / "models.jsonl"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    rows = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        tags = row["tags"]
        rows[row["modelId"]] = {
            "kind": "model", "name": row["modelId"], "card_text": row["modelcard_text"], "tags": tags,
            "tasks": [t for t in tags if t in PIPELINE_TAGS],
            "license_spdx": next((t.split(":", 1)[1] for t in tags if t.startswith("license:")), None),
        }
    return rows


URL_OR_CODE = re.compile(r"https?://|```|<img|<div|<a href|!\[")


def test_real_cards_serialize_without_markup(shared_data: Path):
    rows = _hn5318(shared_data)
    raw = sorted((shared_data / "cards" / "hf_model_cards_misc" / "asgaardlab_popular_cards").glob("*/1_raw.md"))
    assets = list(rows.values()) + [
        {"kind": "model", "name": p.parent.name.replace("@", "/"), "card_text": p.read_text(encoding="utf-8")}
        for p in raw]
    assert len(assets) > 700
    for asset in assets:
        card = serialize_card(asset)
        assert split_name(asset["name"]) in card.header
        assert len(card.chunks) <= 32
        for chunk in card.chunks:
            assert chunk.startswith(asset["name"] + ": ")
            assert not URL_OR_CODE.search(chunk), (asset["name"], URL_OR_CODE.search(chunk).group(0))
            assert len(chunk.split()) <= 200 + len(asset["name"].split())


def test_real_card_headers_carry_task_license_and_datasets(shared_data: Path):
    vit = serialize_card(_hn5318(shared_data)["Aalaa/Fine_tuned_Vit_trash_classification"])
    assert "Tasks: image classification." in vit.header
    assert "License: apache-2.0." in vit.header and "Datasets: tarshnet." in vit.header
    assert "region" not in vit.header and "arxiv" not in vit.header and "endpoints" not in vit.header
    assert "Vision Transformer" in vit.header  # summary borrowed from the body


def test_yaml_front_matter_never_reaches_the_encoder(shared_data: Path):
    path = shared_data / "cards" / "hf_model_cards_misc" / "asgaardlab_popular_cards" / "BAAI@bge-m3" / "1_raw.md"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    card = serialize_card({"kind": "model", "name": "BAAI/bge-m3", "card_text": path.read_text(encoding="utf-8")})
    assert "pipeline_tag" not in " ".join(card.texts())
    assert "BGE-M3" in card.chunks[0] and "Multi-Linguality" in card.chunks[0]


def test_serialized_real_cards_rank_by_topic_with_the_fake_encoder(shared_data: Path):
    rows = _hn5318(shared_data)
    names = ["aditeyabaral/sentencetransformer-xlm-roberta-base", "Aalaa/Fine_tuned_Vit_trash_classification"]
    enc = HashingEncoder()
    headers = enc.encode([serialize_card(rows[n]).header for n in names])
    queries = enc.encode(["sentence similarity embeddings for semantic search",
                          "image classification with a vision transformer"])
    assert list((queries @ headers.T).argmax(axis=1)) == [0, 1]


def test_language_codes_of_every_form_become_names():
    from assetscout.embed.serialize import language_name

    assert language_name("ru") == language_name("rus") == language_name("rus-Cyrl") == "Russian"
    assert language_name("cmn-Hans") == "Chinese" and language_name("eng-Latn") == "English"
    assert language_name("tlh") == "tlh"  # unknown codes stay as written
