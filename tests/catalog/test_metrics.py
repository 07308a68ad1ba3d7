"""The metric vocabulary: spellings, main_score meanings, directions and scales."""

from __future__ import annotations

import pytest

from assetscout.catalog.metrics import (constraint_value, evaluation_keys, metric_direction, metric_info,
                                        metric_key, mteb_task_type, normalize_bounded)


@pytest.mark.parametrize("written, key", [
    ("Top 1 Accuracy", "accuracy"), ("top1", "accuracy"), ("acc@1", "accuracy"), ("Top 1", "accuracy"),
    ("top-1 accuracy", "accuracy"), ("Accuracy top-1 (ImageNet)", "accuracy"), ("% Test Accuracy", "accuracy"),
    ("Validation Accuracy", "accuracy"), ("Top 5 Accuracy", "top5"), ("acc5", "top5"),
    ("AP @ [ IoU=0.50:0.95 ]", "map"), ("COCO mAP (0.5:0.05:0.95)", "map"), ("box mAP", "map"),
    ("Mean Average Precision (mAP)", "map"), ("COCO mAP (0.5)", "ap50"), ("mask AP", "mask-ap"),
    ("ndcg_at_10", "ndcg@10"), ("nDCG@10", "ndcg@10"), ("NDCG at 10", "ndcg@10"),
    ("R@1", "recall@1"), ("Recall@10", "recall@10"), ("text retr. R@1", "text-retrieval-recall@1"),
    ("image_retrieval_recall@5", "image-retrieval-recall@5"), ("P@5", "precision@5"),
    ("WER", "wer"), ("Wer", "wer"), ("F1 score", "f1"), ("hmean", "f1"), ("EM", "exact-match"),
    ("zero-shot top-1", "zero-shot-accuracy"), ("infer_samples_per_sec", "infer-samples-per-sec"),
    ("cosine_spearman", "cosine-spearman"), ("v_measure", "v-measure"), ("main_score", "main_score"),
])
def test_spellings_meet_one_key(written: str, key: str) -> None:
    assert metric_key(written) == key


def test_train_accuracy_is_not_test_accuracy() -> None:
    assert metric_key("% Train Accuracy") != metric_key("% Test Accuracy")


@pytest.mark.parametrize("name, direction", [
    ("accuracy", "higher"), ("WER", "lower"), ("Test perplexity", "lower"), ("infer_step_time", "lower"),
    ("Percentage error", "lower"), ("MPJPE (mm)", "lower"), ("Alpha MAD", "lower"), ("PSNR", "higher"),
    ("infer_samples_per_sec", "higher"), ("Normalized Quantile Loss (P50)", "lower"),
])
def test_direction(name: str, direction: str) -> None:
    assert metric_direction(name) == direction


def test_broader_keys_let_a_general_name_find_specific_rows() -> None:
    assert evaluation_keys("text retr. R@1") == ["text-retrieval-recall@1", "recall@1"]
    assert evaluation_keys("infer_samples_per_sec") == ["infer-samples-per-sec", "throughput"]
    assert evaluation_keys("zero-shot top-1") == ["zero-shot-accuracy", "accuracy"]


@pytest.mark.parametrize("task, dataset, keys", [
    ("Retrieval", "SciFactRetrieval", ["ndcg@10", "main_score"]),
    (None, "SciFact", ["ndcg@10", "main_score"]),  # no suffix: the curated table
    (None, "Banking77Classification", ["accuracy", "main_score"]),
    (None, "STS12", ["cosine-spearman", "spearman", "main_score"]),
    (None, "FEVERHardNegatives", ["ndcg@10", "main_score"]),
    (None, "SCIDOCS-NL.v2", ["ndcg@10", "main_score"]),
    ("Clustering", "ArxivClusteringP2P", ["v-measure", "main_score"]),
    (None, "SomeUnknownBenchmark", ["main_score"]),
])
def test_mteb_main_score_means_the_task_types_metric(task, dataset, keys) -> None:
    assert evaluation_keys("main_score", source="mteb_results", task=task, dataset=dataset) == keys


def test_openclip_main_score_is_zero_shot_accuracy_except_retrieval() -> None:
    assert evaluation_keys("main_score", source="openclip_results", dataset="ImageNet 1k")[:2] == [
        "zero-shot-accuracy", "accuracy"]
    assert evaluation_keys("main_score", source="openclip_results", dataset="Flickr") == ["main_score"]


def test_mteb_task_types() -> None:
    assert mteb_task_type("ArxivClusteringS2S") == "Clustering"
    assert mteb_task_type("BulgarianStoreReviewSentimentClassfication") == "Classification"  # MTEB's spelling
    assert mteb_task_type("PubChemSMILESPC") == "PairClassification"
    assert mteb_task_type("Food101ZeroShot") == "ZeroShotClassification"
    assert mteb_task_type("CMedQAv2-reranking") == "Reranking"


def test_percent_and_fraction_thresholds_are_one_scale() -> None:
    assert constraint_value("accuracy", 90) == constraint_value("accuracy", 0.9) == 0.9
    assert constraint_value("accuracy", 1, percent=True) == 0.01  # '1%' is a percent
    assert constraint_value("accuracy", 1) == 1  # 1 without '%' is the fraction 1.0
    assert constraint_value("psnr", 30) == 30  # unbounded: as given
    assert normalize_bounded(76.1, percent_scale=True) == pytest.approx(0.761)
    assert normalize_bounded(0.48, percent_scale=True) == pytest.approx(0.0048)
    assert normalize_bounded(0.48, percent_scale=False) == 0.48


def test_unknown_metric_keeps_its_name_and_a_guessed_direction() -> None:
    info = metric_info("Ratio of correct reads")
    assert info.key == "ratioofcorrectreads" and info.direction == "higher" and not info.bounded
