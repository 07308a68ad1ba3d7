"""Judged questions on the result-table zoos (timm, OpenCLIP, MTEB), answers computed from their files.

Each builder takes the `Sources` (the zoo files parsed independently of the catalog)
and returns Questions; `structured_truth` writes them. The `how` of each question says
which file and which rule gave its answer. Vague words use the thresholds the
interpreter documents (search/interpret/lexicon.py): small < 100M parameters, mobile /
edge / Raspberry Pi < 30M, tiny < 10M.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from assetscout.eval.structured_sources import Score, Sources, on_hardware
from assetscout.eval.structured_truth import Facts, Question, at_least, best_question, decided, flags

TIMM = {"library": ["timm"]}
M = 1_000_000


# ---------------------------------------------------------------- timm


def _timm_params(src: Sources) -> Callable[[str], set[float]]:
    """Every parameter count a timm file states for a model: results and benchmark tables, model-index docs."""
    tables: list[dict[str, set[float]]] = [src.timm_result_params(), src.timm_benchmark_params(),
                                           src.timm_index_params()]
    return lambda asset_id: set().union(*(t.get(asset_id, set()) for t in tables))


def timm_questions(src: Sources) -> list[Question]:
    in1k = src.timm_top1("imagenet") + [s for s in src.timm_index_top1() if s.dataset == "ImageNet"]
    params = _timm_params(src)
    all_ids = {s.asset_id for s in in1k} | {s.asset_id for s in src.timm_benchmarks}

    def under(bound: float) -> Facts:
        return decided(all_ids, params, lambda p: p < bound)

    small30, small5 = under(30 * M), under(5 * M)
    in1k_how = ("results/results-imagenet.csv top1 and the 'Top 1 Accuracy' on ImageNet of the models/*.mdx "
                "model-index docs (both percent)")
    qs = [
        Question("timm-in1k-top1-88", "threshold", "timm image classifiers with ImageNet top-1 of at least 88%",
                 flags(filters=TIMM, metrics=["top1>=88@ImageNet"]), sorted(at_least(in1k, 0.88)),
                 f"{in1k_how}: any row >= 88."),
        Question("timm-real-top1-90", "threshold", "timm models with at least 90% top-1 on ImageNet-ReaL",
                 flags(filters=TIMM, metrics=["top1>=90@ImageNet-ReaL"]),
                 sorted(at_least(src.timm_top1("imagenet-real"), 0.90)),
                 "results/results-imagenet-real.csv: top1 >= 90 (ImageNet-ReaL relabelled validation set)."),
        Question("timm-a-top1-60", "threshold", "timm models that reach 60% top-1 on ImageNet-A",
                 flags(filters=TIMM, metrics=["top1>=60@ImageNet-A"]),
                 sorted(at_least(src.timm_top1("imagenet-a"), 0.60)),
                 "results/results-imagenet-a.csv (not the -clean variant): top1 >= 60."),
        Question("timm-v2-top1-80", "threshold", "timm models with at least 80% top-1 on ImageNetV2",
                 flags(filters=TIMM, metrics=["top1>=80@ImageNetV2"]),
                 sorted(at_least(src.timm_top1("imagenetv2-matched-frequency"), 0.80)),
                 "results/results-imagenetv2-matched-frequency.csv (the matched-frequency test set, the one "
                 "ImageNetV2 results report): top1 >= 80."),
        Question("timm-in1k-75-under5m", "threshold",
                 "timm models under 5M parameters with at least 75% ImageNet top-1",
                 flags(filters={**TIMM, "max_parameters": "5M"}, metrics=["top1>=75@ImageNet"]),
                 sorted(small5.among(at_least(in1k, 0.75))),
                 f"{in1k_how}: any row >= 75, and every parameter count the timm files state for the model < 5M."),
        best_question("best-timm-in1k", "best timm model on ImageNet",
                      flags(filters=TIMM, sort="metric:top1@ImageNet"), in1k, f"{in1k_how}: the highest single row."),
        best_question("best-timm-in1k-under30m", "most accurate timm ImageNet classifier under 30M parameters",
                      flags(filters={**TIMM, "max_parameters": "30M"}, sort="metric:top1@ImageNet"), in1k,
                      f"{in1k_how}: the highest row among models whose stated parameter counts are all < 30M.",
                      keep=small30),
        best_question("best-timm-a-under30m", "best timm model on ImageNet-A with fewer than 30M parameters",
                      flags(filters={**TIMM, "max_parameters": "30M"}, sort="metric:top1@ImageNet-A"),
                      src.timm_top1("imagenet-a"),
                      "results/results-imagenet-a.csv: the highest top1 among models < 30M parameters (param_count).",
                      keep=small30),
    ]
    return qs + _timm_hardware(src, in1k, small30)


def _timm_hardware(src: Sources, in1k: list[Score], small30: Facts) -> list[Question]:
    infer = [s for s in src.timm_benchmarks if s.metric == "infer_samples_per_sec"]
    step = [s for s in src.timm_benchmarks if s.metric == "infer_step_time"]

    def on(rows: list[Score], hw: str) -> list[Score]:
        return [s for s in rows if on_hardware(s, hw)]

    bench = "results/benchmark-*.csv"
    fast4090 = at_least(on(infer, "rtx 4090"), 3000)
    return [
        best_question("fastest-timm-4090", "fastest timm model on an RTX 4090",
                      flags(filters=TIMM, sort="metric:infer_samples_per_sec on rtx 4090"), on(infer, "rtx 4090"),
                      f"{bench} whose file names the RTX 4090 (rtx4090 and 4090 runs, eager and dynamo): the highest "
                      "infer_samples_per_sec row."),
        best_question("fastest-timm-cpu", "fastest timm model for CPU inference",
                      flags(filters=TIMM, sort="metric:infer_samples_per_sec on cpu"), on(infer, "cpu"),
                      f"{bench} of the CPU runs (i9-10940X, i7-12700H): the highest infer_samples_per_sec row."),
        best_question("lowest-step-time-3090", "timm model with the lowest inference step time on an RTX 3090",
                      flags(filters=TIMM, sort="metric:infer_step_time on rtx3090"), on(step, "rtx3090"),
                      f"{bench} of the RTX 3090 runs: the lowest infer_step_time row.", lower=True),
        Question("timm-cpu-200", "hardware", "timm models that run at least 200 images per second on a CPU",
                 flags(filters=TIMM, metrics=["infer_samples_per_sec>=200 on cpu"]),
                 sorted(at_least(on(infer, "cpu"), 200)),
                 f"{bench} of the CPU runs: any infer_samples_per_sec row >= 200."),
        Question("timm-5090-20k", "hardware", "timm models doing 20000 images/s or more on an RTX 5090",
                 flags(filters=TIMM, metrics=["infer_samples_per_sec>=20000 on rtx 5090"]),
                 sorted(at_least(on(infer, "rtx 5090"), 20000)),
                 f"{bench} of the 5090 runs: any infer_samples_per_sec row >= 20000."),
        Question("timm-4090-fast-accurate", "hardware",
                 "timm models with at least 80% ImageNet top-1 that process 3000 images/s on an RTX 4090",
                 flags(filters=TIMM, metrics=["top1>=80@ImageNet", "infer_samples_per_sec>=3000 on rtx 4090"]),
                 sorted(at_least(in1k, 0.80) & fast4090),
                 "both facts on one asset id: ImageNet top1 >= 80 (results-imagenet.csv, model-index docs) and an "
                 "RTX 4090 benchmark row >= 3000 samples/s. Benchmarks name bare architectures and result tables "
                 "name checkpoints (arch.tag), so only the model-index names carry both."),
        Question("vague-raspberry-pi-cpu", "vague",
                 "a timm image classifier small enough for a Raspberry Pi that is fast on a CPU",
                 flags(filters={**TIMM, "max_parameters": "30M"}, metrics=["infer_samples_per_sec>=100 on cpu"]),
                 sorted(small30.among(at_least(on(infer, "cpu"), 100))),
                 f"Raspberry Pi = < 30M parameters (every stated count); fast on a CPU = a CPU {bench} row with "
                 "infer_samples_per_sec >= 100."),
        best_question("fastest-timm-4090-accurate",
                      "fastest timm model on an RTX 4090 with at least 80% ImageNet top-1",
                      flags(filters=TIMM, metrics=["top1>=80@ImageNet"],
                            sort="metric:infer_samples_per_sec on rtx 4090"),
                      on(infer, "rtx 4090"), f"{bench} of the RTX 4090 runs: the highest infer_samples_per_sec row "
                      "among ids with an ImageNet top1 >= 80 row (results-imagenet.csv, model-index docs).",
                      keep=Facts(frozenset(at_least(in1k, 0.80)), frozenset())),
    ]


# ---------------------------------------------------------------- OpenCLIP


def openclip_questions(src: Sources) -> list[Question]:
    in1k = src.openclip_scores("openclip_results.csv", "ImageNet 1k") + src.openclip_scores(
        "openclip_classification_results.csv", "ImageNet 1k")
    coco_img = src.openclip_scores("openclip_retrieval_results.csv", "MSCOCO image retr. R@1")
    oc = {"source": ["openclip_results"]}
    params = {checkpoint: {p * M} for table in ("openclip_results.csv", "openclip_classification_results.csv",
                                                "openclip_retrieval_results.csv")
              for arch, tag, p in src.openclip_checkpoints(table) if p is not None
              for checkpoint in [f"openclip:model/{arch}/{tag}"]}
    small = decided(params, lambda a: params.get(a, set()), lambda p: p < 200 * M)
    cls = "openclip_results.csv / openclip_classification_results.csv column 'ImageNet 1k' (zero-shot top-1)"
    return [
        Question("openclip-in1k-80", "threshold", "OpenCLIP models with zero-shot ImageNet top-1 of at least 80%",
                 flags(filters=oc, metrics=["zero-shot top-1>=80%@ImageNet"]), sorted(at_least(in1k, 0.80)),
                 f"{cls}: >= 0.80."),
        Question("openclip-coco-image-r1-50", "threshold",
                 "OpenCLIP checkpoints with MSCOCO image retrieval recall@1 of at least 0.5",
                 flags(filters=oc, metrics=["image retr. R@1>=0.5@MSCOCO"]), sorted(at_least(coco_img, 0.5)),
                 "openclip_retrieval_results.csv column 'MSCOCO image retr. R@1' >= 0.5."),
        best_question("best-openclip-in1k", "best OpenCLIP model for zero-shot ImageNet",
                      flags(filters=oc, sort="metric:zero-shot top-1@ImageNet"), in1k, f"{cls}: the highest value."),
        best_question("best-openclip-in1k-under200m", "best zero-shot ImageNet OpenCLIP model under 200M parameters",
                      flags(filters={**oc, "max_parameters": "200M"}, sort="metric:zero-shot top-1@ImageNet"), in1k,
                      f"{cls}: the highest value among checkpoints whose 'params (M)' < 200.", keep=small),
    ]


# ---------------------------------------------------------------- MTEB


def _mteb_values(src: Sources, key: str) -> Callable[[str], list[Any]]:
    """What each revision line of a model states for `key` (empty values are no statement)."""
    return lambda asset_id: [m.get(key) for m in src.mteb_meta.get(asset_id, []) if m.get(key) not in (None, "", [])]


def _lang_codes(value: Any) -> set[str]:
    """'fra-Latn' -> 'fra'; languages as MTEB writes them (a list, rarely one string)."""
    items = value if isinstance(value, list) else [value]
    return {re.split(r"[-_]", str(v).strip().lower(), maxsplit=1)[0] for v in items if str(v).strip()}


def mteb_questions(src: Sources) -> list[Question]:
    scores = src.mteb_scores

    def task(name: str) -> list[Score]:
        return [s for s in scores if s.dataset == name]

    meta_ids = set(src.mteb_meta)
    lic = _mteb_values(src, "license")
    apache = decided(meta_ids, lic, lambda v: str(v).lower() in ("apache-2.0", "apache-2"))
    french = decided(meta_ids, _mteb_values(src, "languages"), lambda v: bool(_lang_codes(v) & {"fra", "fr"}))
    params = _mteb_values(src, "n_parameters")
    under1b = decided(meta_ids, params, lambda p: p < 1_000_000_000)
    under100m = decided(meta_ids, params, lambda p: p < 100 * M)
    multilingual = decided(meta_ids, _mteb_values(src, "languages"), lambda v: len(_lang_codes(v)) >= 2)
    commercial = decided(meta_ids, lic, lambda v: str(v).lower() in ("apache-2.0", "apache-2", "mit",
                                                                         "bsd-3-clause", "cc-by-4.0"))
    res = {"source": ["mteb_results"]}
    tsv = "results_main_score.tsv"
    meta = "model_meta.jsonl"
    return [
        Question("mteb-arguana-ndcg-60", "threshold", "MTEB models with nDCG@10 of at least 0.6 on ArguAna",
                 flags(filters=res, metrics=["ndcg@10>=0.6@ArguAna"]), sorted(at_least(task("ArguAna"), 0.6)),
                 f"{tsv}: task ArguAna (a Retrieval task: main score = nDCG@10), any row >= 0.6."),
        Question("mteb-banking77-acc-90", "threshold", "MTEB models with at least 90% accuracy on Banking77",
                 flags(filters=res, metrics=["accuracy>=90%@Banking77Classification"]),
                 sorted(at_least(task("Banking77Classification"), 0.90)),
                 f"{tsv}: task Banking77Classification (main score = accuracy), any row >= 0.90."),
        Question("mteb-stsb-spearman-88", "threshold",
                 "MTEB embedding models with STSBenchmark cosine Spearman correlation of at least 0.88",
                 flags(filters=res, metrics=["cosine_spearman>=0.88@STSBenchmark"]),
                 sorted(at_least(task("STSBenchmark"), 0.88)),
                 f"{tsv}: task STSBenchmark (an STS task: main score = cosine Spearman), any row >= 0.88."),
        Question("mteb-20news-vmeasure-55", "threshold",
                 "MTEB models with a V-measure of 0.55 or more on TwentyNewsgroups clustering",
                 flags(filters=res, metrics=["v_measure>=0.55@TwentyNewsgroupsClustering"]),
                 sorted(at_least(task("TwentyNewsgroupsClustering"), 0.55)),
                 f"{tsv}: task TwentyNewsgroupsClustering (main score = V-measure), any row >= 0.55."),
        Question("mteb-nfcorpus-small", "threshold",
                 "MTEB models under 1B parameters with NFCorpus nDCG@10 of at least 0.38",
                 flags(filters={**res, "max_parameters": "1B"}, metrics=["ndcg@10>=0.38@NFCorpus"]),
                 sorted(under1b.among(at_least(task("NFCorpus"), 0.38))),
                 f"{tsv}: task NFCorpus, any row >= 0.38; {meta}: n_parameters < 1e9 in every revision that "
                 "states it."),
        best_question("best-mteb-arguana", "best MTEB model on ArguAna retrieval",
                      flags(filters=res, sort="metric:ndcg@10@ArguAna"), task("ArguAna"),
                      f"{tsv}: task ArguAna, the highest row."),
        best_question("best-mteb-banking77-under1b",
                      "most accurate MTEB model on Banking77Classification under 1B parameters",
                      flags(filters={**res, "max_parameters": "1B"}, sort="metric:accuracy@Banking77Classification"),
                      task("Banking77Classification"), f"{tsv}: the highest Banking77Classification row among models "
                      f"whose {meta} n_parameters < 1e9.", keep=under1b),
        best_question("best-mteb-stsb-apache", "best Apache-licensed MTEB model on STSBenchmark",
                      flags(filters={**res, "license": ["apache-2.0"]}, sort="metric:cosine_spearman@STSBenchmark"),
                      task("STSBenchmark"), f"{tsv}: the highest STSBenchmark row among models whose {meta} license is "
                      "apache-2.0.", keep=apache),
        Question("mteb-apache-french", "facet",
                 "MTEB models under 1B parameters with an Apache license that support French",
                 flags(filters={"source": ["mteb_meta"], "license": ["apache-2.0"], "language": ["fr"],
                                "max_parameters": "1B"}),
                 sorted((apache & french & under1b).among(meta_ids)),
                 f"{meta}: license apache-2.0, a French code (fra-*) among languages and n_parameters < 1e9, in "
                 "every revision that states them. (Without the size bound openai/whisper-large-v3 makes the "
                 "question ill-posed: MTEB says mit, its Hub card, merged into the same asset, apache-2.0.)"),
        Question("vague-small-arguana", "vague", "a small embedding model that is good at argument retrieval",
                 flags(filters={**res, "max_parameters": "100M"}, metrics=["ndcg@10>=0.55@ArguAna"]),
                 sorted(under100m.among(at_least(task("ArguAna"), 0.55))),
                 f"small = {meta} n_parameters < 100M; good at argument retrieval = an ArguAna ({tsv}) row with "
                 "nDCG@10 >= 0.55."),
        Question("mteb-bge-m3-finetunes", "facet", "MTEB models fine-tuned from BAAI/bge-m3",
                 flags(filters={"source": ["mteb_meta"], "base_model": ["hf:model/BAAI/bge-m3"]}),
                 sorted(_descendants(src, "BAAI/bge-m3")),
                 f"{meta}: adapted_from BAAI/bge-m3, and transitively the models adapted from those."),
        Question("vague-small-multilingual-commercial", "vague",
                 "a small multilingual embedding model I can use commercially",
                 flags(filters={"source": ["mteb_meta"], "multilingual": True, "max_parameters": "100M",
                                "commercial_use": True}),
                 sorted((multilingual & under100m & commercial).among(meta_ids)),
                 f"{meta}: two or more languages, n_parameters < 100M (small), license apache-2.0, mit, "
                 "bsd-3-clause or cc-by-4.0 (commercial use allowed)."),
    ]


def _descendants(src: Sources, root: str) -> set[str]:
    parents: dict[str, set[str]] = {}
    for asset_id, lines in src.mteb_meta.items():
        for m in lines:
            if isinstance(m.get("adapted_from"), str) and m["adapted_from"].strip():
                parents.setdefault(m["adapted_from"].strip(), set()).add(asset_id)
    out: set[str] = set()
    frontier = [root]
    while frontier:
        name = frontier.pop()
        for child in parents.get(name, set()) | parents.get(f"hf:model/{name}", set()):
            if child not in out:
                out.add(child)
                frontier.append(child.removeprefix("hf:model/").removeprefix("mteb:model/"))
    return out


RESULT_QUESTIONS: list[Callable[[Sources], list[Question]]] = [timm_questions, openclip_questions, mteb_questions]
