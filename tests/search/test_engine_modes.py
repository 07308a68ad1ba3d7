"""Retrieval modes of the engine (hybrid, dense, lexical) and the lexical bound of hybrid fusion.

A six-dataset DataFinder-shaped corpus indexed with the hashing encoder: seconds.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Iterator

import pytest

from assetscout.catalog.ingest import ingest
from assetscout.catalog.store import open_catalog
from assetscout.embed.fake import HashingEncoder
from assetscout.errors import InvalidInput
from assetscout.search.build import build_search_index
from assetscout.search.engine import SearchEngine
from assetscout.search.query import Query

DOCS = {
    "LibriSpeech": "LibriSpeech is a corpus of read English speech from audiobooks for speech recognition.",
    "CommonVoice": "Common Voice is a multilingual corpus of read speech recorded by volunteers.",
    "ImageNet": "ImageNet is a large image classification dataset of labelled photos.",
    "COCO": "COCO is an image dataset for object detection, segmentation and captioning, unlike ImageNet.",
    "SQuAD": "SQuAD is a reading comprehension dataset of questions on Wikipedia paragraphs.",
    "MuMu": "MuMu is a dataset of music albums classified into genre classes.",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchEngine]:
    root = tmp_path_factory.mktemp("modes")
    corpus = root / "corpus_pwc_datasets.jsonl"
    corpus.write_text("".join(json.dumps({"id": k, "contents": v, "variants": [k]}) + "\n" for k, v in DOCS.items()))
    catalog = open_catalog(root / "catalog")
    ingest([corpus], catalog)
    build_search_index(catalog, HashingEncoder())
    eng = SearchEngine(catalog, HashingEncoder())
    yield eng
    eng.close()


def _components(engine: SearchEngine, text: str, **kw) -> dict[str, dict[str, float]]:
    result = engine.search(Query.build(text=text, explain=True, k=10, **kw), with_facets=False)
    return {h.asset_id: h.components for h in result.hits}


def test_unknown_mode_is_refused(engine: SearchEngine) -> None:
    with pytest.raises(InvalidInput, match="mode 'bm25' is not known; use one of hybrid, dense, lexical"):
        engine.search(Query.build(text="speech"), mode="bm25")  # type: ignore[arg-type]


def test_lexical_mode_is_bm25_alone(engine: SearchEngine) -> None:
    result = engine.search(Query.build(text="audiobooks speech", explain=True), mode="lexical")
    assert result.plan["mode"] == "lexical" and "ms_encode" not in result.plan  # no encoder call
    assert result.hits[0].asset_id == "pwc:dataset/LibriSpeech"
    assert set(result.hits[0].components) == {"lexical", "bm25"}
    assert [h.score for h in result.hits] == [h.components["bm25"] for h in result.hits]
    # only documents sharing a term: the speech corpora
    assert {h.asset_id for h in result.hits} == {"pwc:dataset/LibriSpeech", "pwc:dataset/CommonVoice"}


def test_dense_mode_is_cosine_alone(engine: SearchEngine) -> None:
    result = engine.search(Query.build(text="audiobooks speech", explain=True), mode="dense")
    assert "ms_lexical" not in result.plan
    assert all(set(h.components) == {"dense"} and h.score == h.components["dense"] for h in result.hits)
    assert len(result.hits) == len(DOCS)


def test_lexical_component_is_bm25_over_the_corpus_bound(engine: SearchEngine) -> None:
    """lexical = BM25 / (known query tokens x the largest single-term score in the index): no document
    exceeds it, it does not move with filters or other candidates, and common words stay low."""
    from assetscout.index.lexical import LexicalIndex
    from assetscout.index.tokenize import tokenize
    from assetscout.search.build import search_dir

    lexical = LexicalIndex.load(search_dir(engine.catalog) / "lexical")
    text = "speech recorded by volunteers from audiobooks"
    known = len(set(lexical._bm25.get_tokens_ids(tokenize(text))))
    bound = lexical.query_bound(text)
    assert bound == pytest.approx(known * lexical.max_term_score) and bound >= float(lexical.scores(text).max())
    comps = _components(engine, text)
    for comp in comps.values():
        assert 0.0 <= comp["lexical"] <= 1.0 and comp["lexical"] == pytest.approx(comp["bm25"] / bound, abs=1e-4)
    filtered = _components(engine, text, filters={"source": "pwc_datafinder"})
    assert filtered["pwc:dataset/LibriSpeech"]["lexical"] == comps["pwc:dataset/LibriSpeech"]["lexical"]
    # the rare word (one document says 'audiobooks') is worth more than the common one ('speech': two do)
    rare, common = _components(engine, "audiobooks"), _components(engine, "speech")
    assert rare["pwc:dataset/LibriSpeech"]["lexical"] > common["pwc:dataset/LibriSpeech"]["lexical"]


def test_hybrid_boosts_assets_the_catalog_refers_to(engine: SearchEngine) -> None:
    result = engine.search(Query.build(text="image dataset of photos", explain=True, k=10), with_facets=False)
    refs = {h.asset_id: h.referenced_by for h in result.hits}
    boosts = {h.asset_id: h.components["boost_references"] for h in result.hits}
    assert refs["pwc:dataset/ImageNet"] == 1 and refs["pwc:dataset/COCO"] == 0  # COCO's text names ImageNet
    assert boosts["pwc:dataset/ImageNet"] == pytest.approx(engine.weights.reference_boost * math.log10(2) / 3,
                                                           abs=1e-6)
    assert boosts["pwc:dataset/COCO"] == 0.0
    for h in result.hits:
        c = h.components
        assert h.score == pytest.approx(engine.weights.dense * c["dense"] + engine.weights.lexical * c["lexical"]
                                        + c["boost_name"] + c["boost_popularity"] + c["boost_references"], abs=1e-5)
    for mode in ("dense", "lexical"):  # the baselines rank by their raw score, without boosts
        hits = engine.search(Query.build(text="image dataset", explain=True), with_facets=False, mode=mode).hits
        assert all("boost_references" not in h.components for h in hits)


def test_listings_put_referenced_assets_first_when_nothing_has_downloads(engine: SearchEngine) -> None:
    for sort in ("referenced_by", "relevance", "downloads"):  # no text: most downloaded, ties most referenced
        hits = engine.search(Query.build(kinds=["dataset"], sort=sort, k=3), with_facets=False).hits
        assert hits[0].asset_id == "pwc:dataset/ImageNet" and hits[0].referenced_by == 1, sort
        assert [h.asset_id for h in hits[1:]] == ["pwc:dataset/COCO", "pwc:dataset/CommonVoice"]  # then by id


def test_name_boost_needs_the_name_in_whole_words() -> None:
    """Regression: names were compared as ASCII substrings, so 'Image网' (normalized to 'image') and
    'CARS' got the exact-name boost for 'image classification english' / 'n-cars'."""
    from assetscout.search.engine import _name_keys, _names_match, _query_names

    q = _query_names("image classification english")
    assert not _names_match(q, _name_keys("Image网")) and not _names_match(q, _name_keys("ImagiFilter"))
    assert _names_match(_query_names("imagenet classification"), _name_keys("ImageNet"))
    assert _names_match(_query_names("fine-tuned bert-base-uncased checkpoints"), _name_keys("bert-base-uncased"))
    assert _names_match(_query_names("fashion mnist"), _name_keys("MNIST"))  # "mnist" is a whole word there
    assert not _names_match(_query_names("fashionmnist"), _name_keys("MNIST"))
