"""referenced_by: distinct other assets that evaluate on, train on, derive from or name an asset."""

from __future__ import annotations

import datetime as dt
import json

from assetscout.catalog.ingest import _insert, ingest, refresh_derived_columns
from assetscout.catalog.references import NameMatcher, name_tokens


def test_name_tokens_skip_names_that_are_ordinary_lower_case_words() -> None:
    assert name_tokens("CIFAR-10") == ("CIFAR", "10")
    assert name_tokens("squad v2") == ("squad", "v2")  # a digit makes it a name
    assert name_tokens("Image网") == ("Image网",)  # any script, not split at the first non-ASCII letter
    assert name_tokens("emotion") is None
    assert name_tokens("data set") is None
    assert name_tokens("Ab") is None  # too short to tell
    assert name_tokens("") is None


def test_matcher_finds_whole_token_sequences_only() -> None:
    m = NameMatcher([("d1", "CIFAR-10"), ("d2", "ImageNet"), ("d3", "Penn Treebank"), ("d3", "PTB")])
    assert m.find("Trained on CIFAR-10 (and the Penn Treebank); see ImageNet.") == {
        ("CIFAR", "10"), ("Penn", "Treebank"), ("ImageNet",)}
    assert m.find("CIFAR-100 and ImageNetV2 and Penn State") == set()  # no partial tokens or prefixes


def test_capitalized_word_names_count_only_when_texts_use_them_as_names() -> None:
    m = NameMatcher([("g", "General"), ("c", "Cityscapes")])
    texts = ["General results.", "a general method", "in general", "General. Cityscapes, cityscapes", "general"]
    found = [name for t in texts for name in m.find(t)]
    assert found.count(("General",)) == 2 and found.count(("Cityscapes",)) == 1
    assert m.targets(("General",)) == set()  # written in lower case more often: an ordinary word
    assert m.targets(("Cityscapes",)) == {"c"}  # as often capitalized as not: a name


def _asset(asset_id: str, kind: str, name: str, text: str = "", aliases: tuple[str, ...] = ()) -> dict:
    return {"asset_id": asset_id, "kind": kind, "name": name, "card_text": text, "source": "t", "source_uri": "f",
            "sources": ["t"], "license_class": "unknown", "tasks": [], "languages": [], "tags": [],
            "aliases": list(aliases), "content_hash": "h", "updated_at": dt.datetime(2026, 1, 1)}


def test_every_kind_of_reference_counts_once_per_referring_asset(catalog) -> None:
    with catalog.writing() as con:
        _insert(con, "asset", [
            _asset("d:squad", "dataset", "SQuAD", "The Stanford QA set.", ("SQuAD1.1",)),
            _asset("d:other", "dataset", "Other", "Built from SQuAD1.1 questions."),  # mention
            _asset("m:base", "model", "base", "Fine-tuned on SQuAD and evaluated on SQuAD."),  # mention + eval
            _asset("m:child", "model", "child"),
        ])
        _insert(con, "evaluation", [{"asset_id": "m:base", "dataset_name": "SQuAD", "dataset_id": "d:squad",
                                     "metric": "f1", "metric_key": "f1", "value": 90.0, "origin": "o", "source": "t"}])
        _insert(con, "asset_dataset", [{"asset_id": "m:child", "dataset_name": "squad", "dataset_id": "d:squad",
                                        "role": "train", "origin": "o", "source": "t"}])
        _insert(con, "lineage", [{"child_id": "m:child", "parent_name": "base", "parent_id": "m:base",
                                  "relation": "finetune", "origin": "o", "source": "t"}])
        refresh_derived_columns(con)
        counts = dict(con.execute("SELECT asset_id, referenced_by FROM asset").fetchall())
        assert counts == {"d:squad": 3, "d:other": 0, "m:base": 1, "m:child": 0}
        con.execute("DELETE FROM lineage")
        con.execute("DELETE FROM asset_dataset")
        refresh_derived_columns(con)
        counts = dict(con.execute("SELECT asset_id, referenced_by FROM asset").fetchall())
    assert counts == {"d:squad": 2, "d:other": 0, "m:base": 0, "m:child": 0}  # links gone: counts follow


def test_ingest_stores_mention_counts_of_a_dataset_corpus(tmp_path, catalog) -> None:
    corpus = tmp_path / "corpus_pwc_datasets.jsonl"
    docs = [("MNIST", "Handwritten digits."), ("Fashion-MNIST", "A drop-in replacement for MNIST."),
            ("EMNIST", "Extends MNIST to letters; harder than Fashion-MNIST.")]
    corpus.write_text("".join(json.dumps({"id": i, "contents": t, "variants": [i]}) + "\n" for i, t in docs))
    ingest([corpus], catalog)
    con = catalog.connect()
    counts = dict(con.execute("SELECT name, referenced_by FROM asset").fetchall())
    assert counts == {"MNIST": 2, "Fashion-MNIST": 1, "EMNIST": 0}


def test_code_citations_and_task_names_are_not_mentions(catalog) -> None:
    card = ("Trained for Question Answering on SQuAD.\n\n```python\nload_dataset('MNIST')\n```\n\n"
            "@article{x,\n  journal={MNIST preprint}\n}\n")
    with catalog.writing() as con:
        _insert(con, "asset", [
            _asset("d:squad", "dataset", "SQuAD"), _asset("d:mnist", "dataset", "MNIST"),
            _asset("d:qa", "dataset", "Question-Answering"),  # named like a task
            {**_asset("m", "model", "m", card), "tasks": ["question answering"]},
        ])
        refresh_derived_columns(con)
        counts = dict(con.execute("SELECT asset_id, referenced_by FROM asset").fetchall())
    assert counts == {"d:squad": 1, "d:mnist": 0, "d:qa": 0, "m": 0}


def test_prose_drops_code_and_citations_and_an_unclosed_entry_ends_early() -> None:
    from assetscout.catalog.references import MAX_BIBTEX_LINES, _prose

    text = "a\n```py\nMNIST\n```\nb\n@article{x,\n  t={MNIST}\n}\nc"
    assert _prose(text) == "a\nb\nc"
    unclosed = "@misc{q,\n" + "x\n" * MAX_BIBTEX_LINES + "uses SQuAD"  # a broken entry hides at most its block
    assert _prose(unclosed).endswith("uses SQuAD")
    assert _prose("```\nnever closed\nMNIST") == ""  # an unclosed fence: code to the end
    assert _prose("@a{\n" * 50_000).strip() == ""  # one pass over the lines (the old pattern took seconds)
