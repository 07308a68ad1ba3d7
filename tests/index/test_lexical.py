"""LexicalIndex: names found first, BM25 scores checked against a small reference, filters exact."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from assetscout.errors import CatalogError, InvalidInput
from assetscout.index.lexical import LexicalIndex
from assetscout.index.tokenize import tokenize

CARDS = {
    11: "bert-base-cased. BERT base model (cased), pretrained on English with masked language modeling.",
    12: "bert-base-uncased. BERT base model (uncased), pretrained on English with masked language modeling.",
    13: "bert-large-uncased. BERT large model (uncased) pretrained on English.",
    14: "distilbert-base-uncased. A distilled version of the BERT base model (uncased).",
    15: "bert-base-multilingual-uncased. BERT base model (uncased) for 102 languages.",
    16: "roberta-base. RoBERTa base model, pretrained on English, a robustly optimized BERT.",
    17: "ResNet-50 image classification model trained on ImageNet-1k.",
    18: "resnet101: a deeper residual network for image classification on ImageNet.",
    19: "DETR object detection model trained on COCO 2017.",
}


@pytest.fixture(scope="module")
def cards() -> LexicalIndex:
    index = LexicalIndex()
    index.build(list(CARDS), list(CARDS.values()))
    return index


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("bert-base-uncased", 12),
        ("bert-base-cased", 11),
        ("BERT large uncased", 13),
        ("ResNet50", 17),
        ("resnet-50 imagenet", 17),
        ("COCO", 19),
        ("google-bert/bert-base-uncased", 12),
    ],
)
def test_exact_names_come_first_among_similar_ones(cards: LexicalIndex, query: str, first: int) -> None:
    scores, ids = cards.search(query, 5)
    assert ids[0] == first, (query, ids)
    assert scores[0] > scores[1]


def test_filter_returns_the_best_allowed(cards: LexicalIndex) -> None:
    scores, ids = cards.search("bert-base-uncased", 3, allowed=np.array([11, 13, 17, 999]))
    assert ids[:2].tolist() == [13, 11] or ids[:2].tolist() == [11, 13]
    assert ids[2] == -1 and np.isneginf(scores[2]), "17 matches no query term"
    assert (cards.search("bert", 4, allowed=np.array([], np.int64))[1] == -1).all()


def test_no_match_gives_padding(cards: LexicalIndex) -> None:
    for query in ("", "the of and", "zzzunknownzzz"):
        scores, ids = cards.search(query, 4)
        assert ids.shape == (4,) and (ids == -1).all() and np.isneginf(scores).all()


# --- BM25 against a reference computed here ---------------------------------------

WORDS = [f"w{i}" for i in range(60)]


def synthetic_corpus(n: int, seed: int) -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, len(WORDS) + 1)  # Zipf-like: some words are common
    weights /= weights.sum()
    texts = [" ".join(rng.choice(WORDS, size=rng.integers(3, 40), p=weights)) for _ in range(n)]
    ids = rng.choice(10**9, size=n, replace=False).astype(np.int64)
    return ids, texts


def reference_bm25(texts: list[str], query: str, k1: float = 1.5, b: float = 0.75) -> np.ndarray:
    """Lucene BM25 (Kamphuis et al. 2020), as bm25s documents it."""
    docs = [Counter(tokenize(t)) for t in texts]
    lengths = np.array([sum(d.values()) for d in docs], float)
    avg = lengths.mean()
    n = len(docs)
    out = np.zeros(n)
    for term in tokenize(query):
        df = sum(term in d for d in docs)
        if df == 0:
            continue
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        for j, d in enumerate(docs):
            tf = d.get(term, 0)
            out[j] += idf * tf / (k1 * ((1 - b) + b * lengths[j] / avg) + tf)
    return out


@pytest.mark.parametrize("fraction", [None, 0.5, 0.05])
def test_top_k_matches_the_reference(fraction: float | None) -> None:
    ids, texts = synthetic_corpus(400, seed=5)
    index = LexicalIndex()
    index.build(ids, texts)
    rng = np.random.default_rng(9)
    allowed = None if fraction is None else rng.choice(ids, size=int(len(ids) * fraction), replace=False)
    for query in ("w0 w7", "w33", "w12 w40 w59", "w1 w1 w2"):
        ref = reference_bm25(texts, query)
        mask = ref > 0
        if allowed is not None:
            mask &= np.isin(ids, allowed)
        want = np.sort(ref[mask])[::-1][:10]
        scores, got = index.search(query, 10, allowed=allowed)
        again = index.top(index.scores(query), 10, allowed=allowed)  # the engine's path: score once
        np.testing.assert_array_equal(again[1], got)
        np.testing.assert_allclose(scores[: len(want)], want, rtol=1e-4)
        assert (got[len(want):] == -1).all()
        by_id = dict(zip(ids.tolist(), ref.tolist()))
        np.testing.assert_allclose([by_id[i] for i in got[: len(want)]], scores[: len(want)], rtol=1e-4)
        if allowed is not None:
            assert np.isin(got[: len(want)], allowed).all()


# --- persistence and arguments ----------------------------------------------------


def test_save_load_round_trip(cards: LexicalIndex, tmp_path: Path) -> None:
    cards.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    assert len(loaded) == len(cards) and loaded.ids().tolist() == sorted(CARDS)
    for query in ("bert-base-uncased", "ResNet50 imagenet", "coco"):
        for got, want in zip(loaded.search(query, 5, allowed=[11, 12, 17, 19]), cards.search(query, 5, allowed=[11, 12, 17, 19])):
            np.testing.assert_array_equal(got, want)
    stored = [p.name for p in tmp_path.rglob("*") if p.is_file()]
    assert not [name for name in stored if name.endswith((".pkl", ".pickle"))]

    manifest = json.loads((tmp_path / "manifest.json").read_text())
    (tmp_path / "manifest.json").write_text(json.dumps({**manifest, "tokenizer_version": 0}))
    with pytest.raises(CatalogError, match="rebuild the lexical index"):
        LexicalIndex.load(tmp_path)


def test_empty_corpus_and_rebuild(tmp_path: Path) -> None:
    index = LexicalIndex(k1=1.2, b=0.5)
    assert (index.search("anything", 3)[1] == -1).all()
    index.build([1, 2], ["", "..."])  # documents without a token
    index.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    assert len(loaded) == 2 and (loaded.search("x", 2)[1] == -1).all()
    assert (loaded.k1, loaded.b) == (1.2, 0.5)
    loaded.build([7], ["now with words"])  # build replaces everything
    assert loaded.ids().tolist() == [7] and loaded.search("words", 2)[1].tolist() == [7, -1]


def test_bad_arguments_name_the_parameter(cards: LexicalIndex) -> None:
    cases = [
        ("k", lambda: cards.search("bert", 0)),
        ("query", lambda: cards.search(None, 3)),  # type: ignore[arg-type]
        ("allowed", lambda: cards.search("bert", 3, allowed=np.array(["a"]))),
        ("scores", lambda: cards.top(np.zeros(len(cards) + 1, np.float32), 3)),
        ("ids", lambda: LexicalIndex().build([1, 1], ["a", "b"])),
        ("texts", lambda: LexicalIndex().build([1, 2], ["a"])),
        ("texts", lambda: LexicalIndex().build([1], [b"bytes"])),  # type: ignore[list-item]
        ("texts", lambda: LexicalIndex().build([1], "a")),
        ("k1", lambda: LexicalIndex(k1=-1)),
        ("b", lambda: LexicalIndex(b=2)),
        ("method", lambda: LexicalIndex(method="tfidf")),  # type: ignore[arg-type]
    ]
    for param, call in cases:
        with pytest.raises(InvalidInput, match=rf"^{param}:"):
            call()
