"""Judged questions on lineage and the descriptor/card zoos (HELM, TF Hub, OpenVINO), answers from their files.

See `structured_questions_results.py` for how a builder works; vague words use the
interpreter's documented thresholds (microcontroller < 1M parameters, own GPU < 10B).
"""

from __future__ import annotations

from collections.abc import Callable

from assetscout.eval.structured_sources import Sources
from assetscout.eval.structured_truth import Question, at_least, decided, flags

TIMM = {"library": ["timm"]}
M = 1_000_000


def lineage_questions(src: Sources) -> list[Question]:
    resnet50 = set()
    for eval_set in ("imagenet", "imagenet-real", "imagenet-a", "imagenet-r", "sketch", "imagenetv2-matched-frequency",
                     "imagenet-a-clean", "imagenet-r-clean"):
        resnet50 |= {s.asset_id for s in src.timm_top1(eval_set) if s.asset_id.startswith("timm:model/resnet50.")}
    vitb32 = {f"openclip:model/ViT-B-32/{tag}" for table in ("openclip_results.csv",
                                                             "openclip_classification_results.csv",
                                                             "openclip_retrieval_results.csv")
              for arch, tag, _ in src.openclip_checkpoints(table) if arch == "ViT-B-32"}
    return [
        Question("timm-resnet50-checkpoints", "facet", "timm pretrained checkpoints of resnet50",
                 flags(filters={**TIMM, "base_model": ["timm:model/resnet50"]}), sorted(resnet50),
                 "results/results-*.csv: every checkpoint named resnet50.<pretrained tag> (timm's "
                 "<architecture>.<tag> naming)."),
        Question("openclip-vitb32-checkpoints", "facet", "all OpenCLIP pretrained weights for ViT-B-32",
                 flags(filters={"base_model": ["openclip:model/ViT-B-32"]}), sorted(vitb32),
                 "openclip_results.csv and its classification/retrieval breakdowns: every row whose name is "
                 "exactly ViT-B-32 (not ViT-B-32-quickgelu or -256)."),
    ]


# ---------------------------------------------------------------- HELM, TF Hub, OpenVINO


def helm_questions(src: Sources) -> list[Question]:
    helm = src.helm
    h = {"source": ["helm"]}
    meta_open = {a for a, e in helm.items() if str(e.get("creator_organization_name")).lower() == "meta"
                 and e.get("access") == "open"}
    big = {a for a, e in helm.items() if (e.get("num_parameters") or 0) >= 100_000_000_000}
    audio = {a for a, e in helm.items() if "AUDIO_LANGUAGE_MODEL_TAG" in (e.get("tags") or [])}
    local = {a for a, e in helm.items() if e.get("access") == "open" and e.get("num_parameters") is not None
             and e["num_parameters"] < 10_000_000_000}
    yml = "helm_model_metadata/model_metadata.yaml"
    return [
        Question("helm-meta-open", "facet", "open-access models from Meta in HELM",
                 flags(filters={**h, "organization": ["Meta"], "access": ["open"]}), sorted(meta_open),
                 f"{yml}: creator_organization_name Meta and access open."),
        Question("helm-100b", "facet", "HELM models with at least 100B parameters",
                 flags(filters={**h, "min_parameters": "100B"}), sorted(big), f"{yml}: num_parameters >= 1e11."),
        Question("helm-audio", "facet", "audio language models listed by HELM",
                 flags(filters={**h, "tag": ["audio-language-model"]}), sorted(audio),
                 f"{yml}: tags include AUDIO_LANGUAGE_MODEL_TAG."),
        Question("vague-helm-run-locally", "vague", "an open language model from HELM I can run on my own GPU",
                 flags(filters={**h, "access": ["open"], "max_parameters": "10B"}), sorted(local),
                 f"{yml}: access open and num_parameters < 1e10 (fits one GPU; models without a count left out)."),
    ]


def tfhub_questions(src: Sources) -> list[Question]:
    models = src.tfhub_models()

    def union(asset_id: str, key: str) -> set[str]:
        return {v for d in models[asset_id] for v in d["meta"].get(key, [])}

    def has_kind(asset_id: str, kind: str) -> bool:
        return any(d["kind"] == kind for d in models[asset_id])

    licenses = decided(models, lambda a: [v for d in models[a] for v in d["meta"].get("license", [])],
                       lambda v: v == "mit")
    tf = {"source": ["tfhub"]}
    docs = "tfhub_models/docs/**.md"
    return [
        Question("tfhub-coral", "hardware", "TF Hub models that run on a Coral Edge TPU",
                 flags(filters={**tf, "format": ["coral-edgetpu"]}),
                 sorted(a for a in models if has_kind(a, "Coral")),
                 f"{docs}: the models a '# Coral' deployment doc names as its parent-model."),
        Question("tfhub-tflite-image-classification", "hardware",
                 "TF Hub image classification models with a TF Lite version for mobile",
                 flags(filters={**tf, "task": ["image-classification"], "format": ["tflite"]}),
                 sorted(a for a in models if has_kind(a, "Lite") and "image-classification" in union(a, "task")),
                 f"{docs}: a '# Lite' doc deploys the model and one of its docs says task image-classification."),
        Question("tfhub-korean-text-embedding", "facet", "TF Hub text embedding models for Korean",
                 flags(filters={**tf, "task": ["text-embedding"], "language": ["ko"]}),
                 sorted(a for a in models if "text-embedding" in union(a, "task") and "ko" in union(a, "language")),
                 f"{docs}: one of the model's docs says task text-embedding and one says language ko."),
        Question("tfhub-multilingual-text-embedding", "facet", "multilingual text embedding models on TF Hub",
                 flags(filters={**tf, "task": ["text-embedding"], "multilingual": True}),
                 sorted(a for a in models if "text-embedding" in union(a, "task")
                        and (len(union(a, "language")) >= 2 or "multilingual" in union(a, "language"))),
                 f"{docs}: task text-embedding, and two or more languages (or 'multilingual') over the model's "
                 "docs."),
        Question("tfhub-mit", "facet", "TF Hub models released under the MIT license",
                 flags(filters={**tf, "license": ["mit"]}), sorted(licenses.among(models)),
                 f"{docs}: the model's docs that state a license all say mit."),
    ]


def openvino_questions(src: Sources) -> list[Question]:
    ov = src.openvino
    int8_det = {a for a, d in ov.items() if d.get("task_type") == "detection"
                and any("INT8" in p for p in d["precisions"])}
    fp16int8_seg = {a for a, d in ov.items() if d.get("task_type") == "semantic_segmentation"
                    and "FP16-INT8" in d["precisions"]}
    f = {"source": ["openvino"]}
    params = src.openvino_mparams()
    classifiers = {a for a, d in ov.items() if d.get("task_type") == "classification"}
    tiny = decided(params, lambda a: params.get(a, set()), lambda p: p < 1 * M)
    return [
        Question("openvino-classification-top1-80", "threshold",
                 "OpenVINO image classification models with at least 80% accuracy",
                 flags(filters={**f, "task": ["classification"]}, metrics=["accuracy>=80%"]),
                 sorted(classifiers & at_least(src.openvino_top1(), 0.80)),
                 "model.yml task_type classification, and a README.md table row 'Top 1', 'Accuracy' or "
                 "'Accuracy top-1 (ImageNet)' >= 80%."),
        Question("vague-openvino-microcontroller", "vague", "an OpenVINO model small enough for a microcontroller",
                 flags(filters={**f, "max_parameters": "1M"}), sorted(tiny.among(params)),
                 "microcontroller = < 1M parameters: the README.md specification rows 'MParams' (summed over a "
                 "composite's parts) < 1."),
        Question("openvino-int8-detection", "hardware", "OpenVINO object detectors that come in INT8 precision",
                 flags(filters={**f, "task": ["detection"], "precision": ["int8"]}), sorted(int8_det),
                 "openvino_open_model_zoo/models/**/model.yml: task_type detection and a files entry under an "
                 "*INT8 precision folder (FP16-INT8/...)."),
        Question("openvino-fp16-int8-segmentation", "hardware",
                 "OpenVINO semantic segmentation models with an FP16-INT8 quantized version",
                 flags(filters={**f, "task": ["semantic_segmentation"], "precision": ["fp16-int8"]}),
                 sorted(fp16int8_seg),
                 "model.yml: task_type semantic_segmentation and a files entry under FP16-INT8/."),
    ]


CARD_QUESTIONS: list[Callable[[Sources], list[Question]]] = [
    lineage_questions, helm_questions, tfhub_questions, openvino_questions,
]
