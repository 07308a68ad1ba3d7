"""The metric vocabulary: one key per metric however a source or a person writes it.

Sources spell one metric many ways ("Top 1 Accuracy" in timm's model-index, "top1" in
its result tables, "Top 1" in OpenVINO cards, "acc@1" in papers), and MTEB and OpenCLIP
store most results only as `main_score`, whose meaning depends on the task type. So an
evaluation row answers to several keys (`metric_keys`): its own specific key, the
broader metric it is an instance of, and `main_score` when it is the benchmark's
headline number. `MTEB Retrieval main_score` answers to `ndcg@10` and `main_score`;
OpenCLIP's `text retr. R@1` to `text-retrieval-recall@1` and `recall@1`.

Each canonical metric knows its direction (higher or lower is better) and whether it is
a bounded ratio that sources write as a fraction or as a percent. Bounded values are
compared on the fraction scale (`value_norm`, see `normalize_bounded`): "accuracy over
90%" matches 0.90 in MTEB and 90.0 in timm. Unknown spellings keep their normalized
name as key (an exact-name match still works) and a direction guessed from their words
("error", "loss", "time" -> lower).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

Direction = Literal["higher", "lower"]


@dataclass(frozen=True)
class MetricInfo:
    """What a canonical metric is: how to show it, which way is better, how it scales."""

    key: str
    label: str
    direction: Direction | None
    bounded: bool = False  # a ratio in [0, 1], written as a fraction or a percent
    unit: str | None = None
    broader: tuple[str, ...] = ()  # more general keys this metric also answers to


def _m(key: str, label: str, direction: Direction | None, bounded: bool = False, unit: str | None = None,
       broader: tuple[str, ...] = (), aliases: tuple[str, ...] = ()) -> tuple[MetricInfo, tuple[str, ...]]:
    return MetricInfo(key, label, direction, bounded, unit, broader), aliases


# canonical metrics and the spellings (after `_squash`) that mean them
_VOCAB = [
    _m("accuracy", "accuracy (top-1)", "higher", True, aliases=(
        "accuracy", "acc", "top1", "top1accuracy", "top1acc", "acc1", "acc@1", "accuracytop1", "accuracy@1",
        "percentagecorrect", "overallaccuracy", "top1accuracies", "accuracyatop1")),
    _m("zero-shot-accuracy", "zero-shot accuracy (top-1)", "higher", True, broader=("accuracy",), aliases=(
        "zeroshotaccuracy", "zeroshottop1", "zeroshottop1accuracy", "zeroshotacc", "zeroshotacc1",
        "zeroshotclassificationaccuracy")),
    _m("top5", "top-5 accuracy", "higher", True, aliases=(
        "top5", "top5accuracy", "top5acc", "acc5", "acc@5", "accuracytop5", "accuracy@5")),
    _m("error", "error rate", "lower", True, aliases=(
        "error", "errorrate", "percentageerror", "top1error", "err", "classificationerror")),
    _m("f1", "F1", "higher", True, aliases=("f1", "f1score", "fmeasure", "fscore", "f1measure", "hmean", "f")),
    _m("f1-macro", "macro F1", "higher", True, broader=("f1",), aliases=("f1macro", "macrof1")),
    _m("f1-micro", "micro F1", "higher", True, broader=("f1",), aliases=("f1micro", "microf1")),
    _m("exact-match", "exact match", "higher", True, aliases=("em", "exactmatch", "exactmatchem")),
    _m("precision", "precision", "higher", True, aliases=("precision",)),
    _m("recall", "recall", "higher", True, aliases=("recall",)),
    _m("map", "mean average precision (mAP / AP)", "higher", True, aliases=(
        "map", "ap", "meanaverageprecision", "averageprecision", "meanaverageprecisionmap", "averageprecisionap",
        "boxap", "boxmap", "bboxap", "bboxmap", "apiou050095", "mapiou050095", "cocomap", "cocoprecision",
        "cocoboxap", "cocoval2017boxap", "apcoco", "cocoap", "apcocoorig", "maxap", "cosineap", "cossimap")),
    _m("ap50", "AP at IoU 0.5", "higher", True, aliases=("ap50", "map50", "apiou050", "cocomap05", "map05")),
    _m("mask-ap", "mask AP (instance segmentation)", "higher", True, aliases=(
        "maskap", "maskmap", "cocoval2017maskap", "segmap", "cocoorigsegmprecision")),
    _m("miou", "mean IoU", "higher", True, aliases=("miou", "meaniou", "iou", "meanintersectionoverunion")),
    _m("mrr", "mean reciprocal rank", "higher", True, aliases=("mrr", "meanreciprocalrank")),
    _m("p-mrr", "p-MRR (instruction following)", "higher", False, aliases=("pmrr",)),
    _m("v-measure", "V-measure (clustering)", "higher", True, aliases=("vmeasure", "vmeas")),
    _m("spearman", "Spearman correlation", "higher", True, aliases=("spearman", "spearmanr", "spearmancorrelation")),
    _m("cosine-spearman", "cosine-similarity Spearman correlation", "higher", True, broader=("spearman",), aliases=(
        "cosinespearman", "cossimspearman", "cosspearman")),
    _m("pearson", "Pearson correlation", "higher", True, aliases=("pearson", "pearsonr")),
    _m("auc", "ROC AUC", "higher", True, aliases=("auc", "rocauc", "aucroc", "areaunderthecurve")),
    _m("bleu", "BLEU", "higher", True, aliases=("bleu", "bleuscore", "sacrebleu", "bleu4")),
    _m("rouge-1", "ROUGE-1", "higher", True, aliases=("rouge1",)),
    _m("rouge-2", "ROUGE-2", "higher", True, aliases=("rouge2",)),
    _m("rouge-l", "ROUGE-L", "higher", True, aliases=("rougel", "rougelsum")),
    _m("meteor", "METEOR", "higher", True, aliases=("meteor",)),
    _m("wer", "word error rate", "lower", True, aliases=("wer", "worderrorrate", "werlibrispeechtestclean")),
    _m("cer", "character error rate", "lower", True, aliases=("cer", "charactererrorrate")),
    _m("perplexity", "perplexity", "lower", aliases=("perplexity", "ppl")),
    _m("bpc", "bits per character", "lower", aliases=("bitpercharacterbpc", "bpc", "bitspercharacter")),
    _m("loss", "loss", "lower", aliases=("loss",)),
    _m("psnr", "PSNR", "higher", unit="dB", aliases=("psnr",)),
    _m("ssim", "SSIM", "higher", aliases=("ssim",)),
    _m("fid", "FID", "lower", aliases=("fid",)),
    _m("mae", "mean absolute error", "lower", aliases=("mae", "meanabsoluteerror")),
    _m("mse", "mean squared error", "lower", aliases=("mse", "meansquarederror")),
    _m("rmse", "root mean squared error", "lower", aliases=("rmse",)),
    _m("pass@1", "pass@1", "higher", True, aliases=("pass@1",)),
    _m("pass@10", "pass@10", "higher", True, aliases=("pass@10",)),
    _m("elo", "Elo rating", "higher", aliases=("elo", "elorating")),
    _m("average", "average over the benchmark's datasets", "higher", True, aliases=(
        "avg", "average", "averagescore", "averageperfon38datasets", "averageperfon35datasets", "avgscore")),
    _m("throughput", "throughput", "higher", unit="samples/s", aliases=(
        "throughput", "samplespersec", "samplespersecond", "imagespersec", "imgpersec", "fps")),
    _m("infer-samples-per-sec", "inference throughput", "higher", unit="samples/s", broader=("throughput",),
       aliases=("infersamplespersec", "inferencethroughput")),
    _m("train-samples-per-sec", "training throughput", "higher", unit="samples/s",
       aliases=("trainsamplespersec", "trainingthroughput")),
    _m("latency", "latency", "lower", unit="ms", aliases=("latency", "steptime", "inferencetime", "inferencelatency")),
    _m("infer-step-time", "inference step time", "lower", unit="ms", broader=("latency",), aliases=("infersteptime",)),
    _m("train-step-time", "training step time", "lower", unit="ms", aliases=("trainsteptime",)),
    _m("gmacs", "compute (GMACs)", "lower", unit="GMACs", aliases=("infergmacs", "gmacs", "gflops", "flops")),
    _m("activations", "activations (M)", "lower", unit="M", aliases=("infermacts", "macts", "activations")),
    _m("main_score", "the benchmark's main score", "higher", aliases=("mainscore", "main")),
]

METRICS: dict[str, MetricInfo] = {info.key: info for info, _ in _VOCAB}
# what a model costs rather than how well it does: not measured on a dataset
COMPUTE_KEYS = ("throughput", "infer-samples-per-sec", "train-samples-per-sec", "latency", "infer-step-time",
                "train-step-time", "gmacs", "activations")
_ALIASES: dict[str, str] = {alias: info.key for info, aliases in _VOCAB for alias in aliases}

# retrieval recall@k in its spellings: r@1, recall@1, R_1, text/image retrieval recall@1
_RECALL = re.compile(r"^(text|image)?(?:retrieval|retr)?(?:r|recall)@(\d+)$")
_AT_K = re.compile(r"^(ndcg|map|mrr|precision|p|hits|recall|r|success|pass)@(\d+)$")
_AT_NAMES = {"p": "precision", "r": "recall"}
_LOWER_WORDS = re.compile(r"(?i)error|loss|perplexity|\bppl\b|\btime\b|latency|\bwer\b|\bcer\b|\bmae\b|\bmse\b"
                          r"|\brmse\b|\bmad\b|\bnme\b|mpjpe|\bfid\b|distance|\bbpc\b|bits? per|\bacer\b|\beer\b")
_SPLIT_WORDS = re.compile(r"(?i)^(?:%\s*)?(?:test|validation|valid|val|dev|eval)[\s_-]+(?=\S)")
_PARENS = re.compile(r"\s*[(\[][^)\]]*[)\]]")
_IOU50 = re.compile(r"(?i)(?:\(|@\s*|iou\s*=\s*)0?\.50?\s*\)?$")


def _squash(text: str) -> str:
    """Lower-case letters, digits and '@' only ('Top-1 Accuracy' -> 'top1accuracy')."""
    text = text.lower().replace("_at_", "@").replace(" at ", "@").replace("retr.", "retrieval")
    return re.sub(r"[^a-z0-9@]", "", text).strip("@")


for _key in METRICS:
    _ALIASES.setdefault(_squash(_key), _key)


@lru_cache(maxsize=65536)
def metric_key(metric: str) -> str:
    """The specific key of a metric as written (case, spaces, punctuation and split words ignored).

    Used for the `metric_key` column and for matching a user's metric name: what they
    type is resolved through the same function, so every spelling above meets its rows.
    """
    text = metric.strip()
    at = re.match(r"^(.*?\S)\s*@\s*(?!\d+\s*$)(\S.*)$", text)
    if at and not re.match(r"^\s*\d", at.group(2)):  # 'WER @ Librispeech test-clean': the metric on a dataset
        text = at.group(1)
    iou50 = bool(_IOU50.search(text)) and "0.95" not in text
    text = _SPLIT_WORDS.sub("", text)
    bare = _PARENS.sub("", text).strip() or text
    key = _squash(bare)
    if key in _ALIASES:
        resolved = _ALIASES[key]
        return "ap50" if iou50 and resolved == "map" else resolved
    m = _RECALL.match(key)
    if m:
        return f"{m.group(1)}-retrieval-recall@{m.group(2)}" if m.group(1) else f"recall@{m.group(2)}"
    m = _AT_K.match(key)
    if m:
        return f"{_AT_NAMES.get(m.group(1), m.group(1))}@{m.group(2)}"
    return key or _squash(text)


def metric_info(key_or_name: str) -> MetricInfo:
    """The vocabulary entry of a metric key or name; an unknown one gets a guessed entry."""
    key = key_or_name if key_or_name in METRICS else metric_key(key_or_name)
    if key in METRICS:
        return METRICS[key]
    m = re.match(r"^(text|image)-retrieval-recall@(\d+)$", key)
    if m:
        return MetricInfo(key, f"{m.group(1)} retrieval recall@{m.group(2)}", "higher", True,
                          broader=(f"recall@{m.group(2)}",))
    m = re.match(r"^(ndcg|map|mrr|precision|recall|hits|success|pass)@(\d+)$", key)
    if m:
        return MetricInfo(key, key.replace("ndcg", "nDCG"), "higher", True)
    direction: Direction = "lower" if _LOWER_WORDS.search(key_or_name) else "higher"
    return MetricInfo(key, key_or_name, direction, False)


def metric_direction(name: str) -> Direction | None:
    """'higher' when a larger value is better (accuracy), 'lower' for errors, losses, latency."""
    return metric_info(name).direction


def broader_keys(key: str) -> list[str]:
    """`key` and every more general key it answers to, most specific first."""
    out = [key]
    for parent in metric_info(key).broader:
        for k in broader_keys(parent):
            if k not in out:
                out.append(k)
    return out


# ---------------------------------------------------------------- main_score

# What `main_score` is for each MTEB task type (MTEB's task metadata: the score its
# leaderboard ranks by). Reranking is MAP in MTEB v1 (MAP@1000 in some later tasks).
MTEB_MAIN_METRIC: dict[str, str] = {
    "Classification": "accuracy", "MultilabelClassification": "accuracy", "ZeroShotClassification": "accuracy",
    "Clustering": "v-measure", "PairClassification": "map", "Reranking": "map", "Retrieval": "ndcg@10",
    "STS": "cosine-spearman", "VisualSTS": "cosine-spearman", "Summarization": "cosine-spearman",
    "BitextMining": "f1", "InstructionRetrieval": "p-mrr", "InstructionReranking": "p-mrr",
    "ImageClassification": "accuracy", "AudioClassification": "accuracy",
}
# OpenCLIP's per-dataset main score is zero-shot classification accuracy except on its
# retrieval and WinoGAViL datasets (their main score is a mean of recalls / Jaccard).
_OPENCLIP_NOT_ACCURACY = re.compile(r"(?i)^(flickr|mscoco|winogavil|crossmodal|multilingual_mscoco)")


def evaluation_keys(metric: str, *, source: str | None = None, task: str | None = None,
                    dataset: str | None = None) -> list[str]:
    """Every key an evaluation row answers to: specific, broader, and `main_score` for headline numbers."""
    key = metric_key(metric)
    if key != "main_score":
        return broader_keys(key)
    concrete: str | None = None
    if source == "mteb_results":
        concrete = MTEB_MAIN_METRIC.get(task or mteb_task_type(dataset or "") or "")
    elif source == "openclip_results" and dataset and not _OPENCLIP_NOT_ACCURACY.match(dataset):
        concrete = "zero-shot-accuracy"
    keys = broader_keys(concrete) if concrete else []
    return [*keys, "main_score"]


def is_bounded(key: str) -> bool:
    return metric_info(key).bounded


def normalize_bounded(value: float, *, percent_scale: bool) -> float:
    """A bounded metric on the fraction scale: percent sources divided by 100.

    `percent_scale` is decided per source file and metric (`value > 1` there, or the
    median of its values above 1), so a weak model's 0.48 % in a percent table is not
    read as 48 %.
    """
    return value / 100.0 if percent_scale or value > 1.0 else value


def constraint_value(key: str, value: float, *, percent: bool = False) -> float:
    """A user's threshold on the scale `value_norm` uses: '90%' and '90' mean 0.90 for accuracy.

    A bounded metric's threshold above 1 (or written with '%') is a percent; at most 1
    it is a fraction. Unbounded metrics compare as given.
    """
    if is_bounded(key) and (percent or value > 1.0):
        return value / 100.0
    return value


# ---------------------------------------------------------------- MTEB task types

_MTEB_SUFFIXES = (
    "MultilabelClassification", "ZeroShotClassification", "PairClassification", "InstructionRetrieval",
    "InstructionReranking", "BitextMining", "Classification", "Classfication", "Summarization", "Clustering",
    "Regression", "Reranking", "Retrieval", "VisualSTS", "STS",
)


@lru_cache(maxsize=8192)
def mteb_task_type(task_name: str) -> str | None:
    """The MTEB task type of a task name: its suffix, else the curated table (`mteb_task_types.tsv`)."""
    base = re.sub(r"\.v\d+$", "", task_name.strip())
    base = re.sub(r"(?<=Clustering)(P2P|S2S)$", "", base)
    for suffix in _MTEB_SUFFIXES:
        if base.endswith(suffix):
            return "Classification" if suffix == "Classfication" else suffix
    known = _curated_task_types()
    for candidate in (base, re.sub(r"-[A-Za-z]{2}$", "", base), re.sub(r"(HardNegatives|Multilingual)$", "", base)):
        if candidate in known:
            return known[candidate]
    for pattern, kind in _MTEB_PATTERNS:
        if pattern.search(base):
            return kind
    return None


_MTEB_PATTERNS = (
    (re.compile(r"HardNegatives$|(?i:retrieval)$"), "Retrieval"), (re.compile(r"(?i)-?reranking$"), "Reranking"),
    (re.compile(r"^VisualSTS"), "VisualSTS"), (re.compile(r"^STS\d"), "STS"), (re.compile(r"ZeroShot$"),
                                                                              "ZeroShotClassification"),
    (re.compile(r"\wPC$"), "PairClassification"),
)


@lru_cache(maxsize=1)
def _curated_task_types() -> dict[str, str]:
    from importlib import resources

    text = resources.files("assetscout.catalog").joinpath("aliases/mteb_task_types.tsv").read_text("utf-8")
    out: dict[str, str] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, kind = line.partition("\t")
            out[name.strip()] = kind.strip()
    return out
