"""Retrieval evaluation: metric functions against hand-computed values, the CLI end to
end on a tiny DataFinder-shaped corpus (hashing encoder, seconds), the judged-query file."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from assetscout.catalog.ingest import ingest
from assetscout.catalog.store import open_catalog
from assetscout.errors import InvalidInput
from assetscout.eval import retrieval
from assetscout.eval.ir_metrics import (average_precision, mean_metrics, ndcg_at_k, precision_at_k, query_metrics,
                                        recall_at_k, reciprocal_rank)
from assetscout.eval.retrieval_data import ASSET_ID, load_datafinder, load_judged, packaged_judged_file

RANKING = ["a", "b", "c", "d", "e"]
GRADES = {"b": 1, "d": 2, "x": 1}  # x is relevant but never retrieved


# ---------------------------------------------------------------- metrics


def test_precision_and_recall_at_k() -> None:
    assert precision_at_k(RANKING, GRADES, 5) == pytest.approx(2 / 5)
    assert precision_at_k(RANKING, GRADES, 2) == pytest.approx(1 / 2)
    assert recall_at_k(RANKING, GRADES, 5) == pytest.approx(2 / 3)
    assert recall_at_k(RANKING, GRADES, 1) == 0.0


def test_average_precision_divides_by_min_k_and_relevant() -> None:
    # relevant at ranks 2 and 4: (1/2 + 2/4) / min(5, 3)
    assert average_precision(RANKING, GRADES, 5) == pytest.approx((1 / 2 + 2 / 4) / 3)
    # k = 2 < |R|: (1/2) / 2
    assert average_precision(RANKING, GRADES, 2) == pytest.approx(0.25)
    assert average_precision(["b", "d", "x"], GRADES, 10) == pytest.approx(1.0)


def test_reciprocal_rank_within_k() -> None:
    assert reciprocal_rank(RANKING, GRADES, 5) == pytest.approx(0.5)
    assert reciprocal_rank(RANKING, GRADES, 1) == 0.0


def test_ndcg_with_graded_relevance() -> None:
    dcg = 1 / math.log2(3) + 2 / math.log2(5)
    idcg = 2 / math.log2(2) + 1 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at_k(RANKING, GRADES, 5) == pytest.approx(dcg / idcg)
    assert ndcg_at_k(["d", "b", "x"], GRADES, 10) == pytest.approx(1.0)
    # binary judgments give the binary nDCG
    assert ndcg_at_k(["z", "q"], {"q"}, 10) == pytest.approx(1 / math.log2(3))


def test_fewer_than_k_results_count_as_misses() -> None:
    m = query_metrics(["b"], {"b": 1}, 10)
    assert m == pytest.approx({"p@5": 0.2, "r@5": 1.0, "map": 1.0, "mrr": 1.0, "ndcg": 1.0})
    assert query_metrics([], {"b": 1}, 10) == {"p@5": 0.0, "r@5": 0.0, "map": 0.0, "mrr": 0.0, "ndcg": 0.0}


def test_no_relevant_document_is_refused_where_undefined() -> None:
    assert precision_at_k(RANKING, {}, 5) == 0.0
    assert reciprocal_rank(RANKING, {"a": 0}, 5) == 0.0  # grade 0 = judged not relevant
    for metric in (recall_at_k, average_precision, ndcg_at_k):
        with pytest.raises(InvalidInput, match="without relevant"):
            metric(RANKING, {"a": 0}, 5)


def test_repeated_ids_count_once_and_bad_input_is_refused() -> None:
    assert precision_at_k(["b", "b", "b"], {"b": 1}, 3) == pytest.approx(1 / 3)
    with pytest.raises(InvalidInput, match="k: "):
        precision_at_k(RANKING, GRADES, 0)
    with pytest.raises(InvalidInput, match="grade"):
        ndcg_at_k(RANKING, {"a": -1}, 5)


def test_mean_metrics() -> None:
    means = mean_metrics([query_metrics(["b"], {"b": 1}, 10), query_metrics([], {"b": 1}, 10)])
    assert means["mrr"] == pytest.approx(0.5)
    assert mean_metrics([])["ndcg"] == 0.0


# ---------------------------------------------------------------- CLI end to end

DOCS = [
    ("Cityscapes", "Cityscapes is a large-scale dataset for semantic urban scene understanding of street "
                   "scenes recorded while driving, with pixel-level annotations for segmentation."),
    ("SQuAD", "The Stanford Question Answering Dataset is a reading comprehension dataset of questions "
              "posed on Wikipedia paragraphs; answers are spans of the paragraph."),
    ("LibriSpeech", "LibriSpeech is a corpus of about 1000 hours of read English speech for automatic "
                    "speech recognition, derived from audiobooks."),
    ("ImageNet", "ImageNet is a large image classification dataset organized according to the WordNet "
                 "hierarchy, with millions of labelled photos."),
    ("MuMu", "MuMu is a dataset of more than 31k albums classified into 250 music genre classes."),
    ("CoNLL-2003", "CoNLL-2003 is a named entity recognition dataset of English and German news text "
                   "annotated with persons, locations and organizations."),
]
QUERIES = [
    ("q1", "We want to segment street scenes recorded while driving into semantic classes.",
     "semantic segmentation driving"),
    ("q2", "I want a system that answers questions about Wikipedia paragraphs.", "question answering text"),
    ("q3", "Transcribe read English speech from audiobooks.", "speech recognition audio"),
    ("q4", "Classify music albums into genres.", ""),  # no keyphrase form
    ("q5", "Detect tumours in MRI scans.", "tumour detection mri"),  # its dataset is not in the corpus
]
QRELS = [("q1", "Cityscapes", 1, 1), ("q2", "SQuAD", 1, 1), ("q3", "LibriSpeech", 1, 1), ("q4", "MuMu", 1, 1),
         ("q5", "BraTS", 0, 1)]


def write_benchmark(root: Path) -> tuple[Path, Path, Path]:
    root.mkdir(parents=True, exist_ok=True)
    corpus = root / "corpus_pwc_datasets.jsonl"
    corpus.write_text("".join(json.dumps({"id": i, "contents": c, "variants": [i]}) + "\n" for i, c in DOCS))
    queries = root / "queries_dev.tsv"
    queries.write_text("query_id\tquery\tkeyphrase_query\n" + "".join(f"{q}\t{s}\t{kp}\n" for q, s, kp in QUERIES))
    qrels = root / "qrels_dev.tsv"
    qrels.write_text("query_id\tqrels_query_key\tquery\tkeyphrase_query\tdoc_id\tdoc_in_corpus\trelevance\n"
                     + "".join(f"{q}\tkey\ttext\tkp\t{d}\t{inc}\t{rel}\n" for q, d, inc, rel in QRELS))
    return corpus, queries, qrels


def _run_json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict:
    assert retrieval.main([*argv, "--encoder", "fake", "--json", "--quiet"]) == 0
    return json.loads(capsys.readouterr().out)


def test_datafinder_cli_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus, queries, qrels = write_benchmark(tmp_path / "df")
    argv = ["--corpus", str(corpus), "--queries", str(queries), "--qrels", str(qrels), "--catalog",
            str(tmp_path / "cat"), "--k", "3"]
    out = _run_json(capsys, argv)
    assert out["label"] == "DataFinder-6, dev half"
    assert out["queries_loaded"] == 5 and out["queries_skipped"] == ["q5"]
    assert out["judged_ids_not_in_catalog"] == []
    rows = {(r["method"], r["form"]): r for r in out["rows"]}
    assert set(rows) == {(m, f) for m in ("BM25", "dense", "hybrid", "hybrid-nr", "hybrid-literal")
                         for f in ("sentence", "keyphrase")}  # no hybrid-NL: DataFinder carries no flags
    assert rows[("hybrid", "sentence")]["queries"] == 4 and rows[("hybrid", "keyphrase")]["queries"] == 3
    for row in out["rows"]:
        assert all(0.0 <= v <= 1.0 for v in row["metrics"].values())
        assert row["latency_ms"]["n"] == row["queries"]
    # the sentences share rare words with their datasets: BM25 ranks each first
    assert rows[("BM25", "sentence")]["metrics"]["mrr"] == pytest.approx(1.0)
    assert set(out["hybrid_over_bm25_ndcg"]) == {"sentence", "keyphrase"}
    assert set(out["hybrid_over_bm25_ci"]) == {"sentence", "keyphrase"}
    for form in ("sentence", "keyphrase"):  # hybrid minus each part, with its interval
        for part in ("BM25", "dense"):
            d = out["hybrid_minus_parts"][form][part]
            assert d["ci_low"] <= d["mean"] <= d["ci_high"]
    assert all(len(q["ranking"]) <= 3 for q in out["per_query"])
    assert out["build"]["index"]["assets"] == 6
    # rerun on the kept catalog: nothing re-ingested, the index reused
    assert _run_json(capsys, argv)["build"]["index"] == "reused"

    # the corpus inside a larger catalog: only the benchmark's (judged) documents are ranked
    card = tmp_path / "hf_dataset_cards_t" / "cards" / "speech.md"
    card.parent.mkdir(parents=True)
    card.write_text("---\nlicense: mit\n---\n# speech\n\nRead English speech from audiobooks, transcribed.\n")
    ingest([card], open_catalog(tmp_path / "cat"))
    out = _run_json(capsys, argv)
    assert out["build"]["index"]["assets"] == 7  # rebuilt with the card
    ranked = {aid for q in out["per_query"] for aid in q["ranking"]}
    assert ranked and all(aid.startswith("pwc:dataset/") for aid in ranked)

    # the judged form against the same catalog, read-only, with a kind filter
    judged = tmp_path / "judged.jsonl"
    judged.write_text(json.dumps({"id": "j1", "query": "speech corpus", "kinds": ["dataset"],
                                  "relevant": {"pwc:dataset/LibriSpeech": 2, "pwc:dataset/NotThere": 1},
                                  "note": "speech datasets"}) + "\n")
    out = _run_json(capsys, ["--judged", str(judged), "--catalog", str(tmp_path / "cat")])
    assert out["judged_ids_not_in_catalog"] == ["pwc:dataset/NotThere"]
    assert [r["form"] for r in out["rows"]] == ["text"] * 6
    assert [r["method"] for r in out["rows"]][-1] == "hybrid-NL"  # a judged query with flags: the text alone too


def test_text_report_and_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus, queries, qrels = write_benchmark(tmp_path / "df")
    assert retrieval.main(["--corpus", str(corpus), "--queries", str(queries), "--qrels", str(qrels),
                           "--encoder", "fake", "--quiet"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("DataFinder-6, dev half: 5 queries, 4 scored, 1 skipped (no relevant document")
    assert "hybrid / BM25 nDCG@10" in text and "p50 ms" in text
    with pytest.raises(SystemExit):
        retrieval.main(["--judged"])  # needs --catalog
    with pytest.raises(SystemExit):
        retrieval.main(["--corpus", str(corpus)])
    assert retrieval.main(["--judged", str(tmp_path / "none.jsonl"), "--catalog", str(tmp_path / "c"),
                           "--encoder", "fake"]) == 2


def test_load_datafinder_keeps_in_corpus_judgments(tmp_path: Path) -> None:
    _, queries, qrels = write_benchmark(tmp_path)
    data = load_datafinder(queries, qrels)
    assert [q.query_id for q in data.queries] == ["q1", "q2", "q3", "q4"]
    assert data.skipped == ["q5"] and data.judgments == 4
    assert data.queries[0].grades == {"pwc:dataset/Cityscapes": 1}
    assert set(data.queries[3].texts) == {"sentence"}


# ---------------------------------------------------------------- judged queries


def test_judged_query_file_parses_and_ids_are_well_formed() -> None:
    queries = load_judged(packaged_judged_file())
    assert len(queries) >= 30
    assert len({q.query_id for q in queries}) == len(queries)
    for q in queries:
        assert q.grades and all(ASSET_ID.match(aid) and g in (1, 2) for aid, g in q.grades.items())
        assert q.note, f"{q.query_id} has no judging criterion"
        from assetscout.search.query import Query

        Query.build(text=q.texts["text"], kinds=q.kinds, filters=q.filters)  # kinds and filters are valid


def test_judged_file_errors_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x", "query": "q", "relevant": {"bert": 1}}) + "\n")
    with pytest.raises(InvalidInput, match=r"bad.jsonl:1: 'bert' is not an asset id"):
        load_judged(bad)
    bad.write_text(json.dumps({"id": "x", "query": "q", "relevant": {"hf:model/a": 3}}) + "\n")
    with pytest.raises(InvalidInput, match="must be 1 or 2"):
        load_judged(bad)


def test_ratio_interval_is_a_paired_bootstrap_of_the_mean_ratio() -> None:
    import numpy as np

    from assetscout.eval.retrieval import ratio_interval

    bm25 = [0.1, 0.5, 0.0, 0.3, 0.2]
    assert ratio_interval([2 * x for x in bm25], bm25) == [2.0, 2.0]  # paired: every resample has ratio 2
    rng = np.random.default_rng(3)
    b = rng.random(200)
    h = b * 1.5 + rng.normal(0, 0.2, 200)
    lo, hi = ratio_interval(h.tolist(), b.tolist())
    assert lo < h.mean() / b.mean() < hi and hi - lo < 0.5
    assert ratio_interval([0.5], [0.1]) is None  # one query: no interval
    assert ratio_interval([0.5, 0.2], [0.0, 0.0]) is None  # BM25 found nothing: no ratio
