"""The data modality an asset works on (text, vision, audio, multimodal, ...), derived.

No zoo states modality the same way (MTEB has `modalities`, the Hub a pipeline tag,
timm is vision by construction), but every asset's tasks, library and source say it:
`image-classification` is vision, `automatic-speech-recognition` audio, a CLIP model
(open_clip, `zero-shot-image-classification`) multimodal. Stored per asset at ingest
(`modality_keys`) so the modality facet and filter are a list lookup.
"""

from __future__ import annotations

import json
import re
from typing import Any

MODALITIES = ("text", "vision", "audio", "multimodal", "video", "tabular", "graph", "time-series",
              "reinforcement-learning")

# task-key patterns, checked in order; a task can name two modalities (video + vision)
_TASK_RULES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"image-text|text-to-image|image-to-text|visual-question|zero-shot-image|image-caption|"
                r"vision-language|document-question|text-to-video|video-text|image-retrieval|cross-modal|"
                r"multimodal|visual-(?:entailment|grounding|reasoning)|text-image"), ("multimodal",)),
    (re.compile(r"video"), ("video", "vision")),
    (re.compile(r"audio|speech|asr\b|sound|speaker|music|voice|text-to-speech|acoustic|spoken"), ("audio",)),
    (re.compile(r"tabular|table-(?:classification|regression)"), ("tabular",)),
    (re.compile(r"graph|node-|link-property|molecul"), ("graph",)),
    (re.compile(r"time-series|forecasting"), ("time-series",)),
    (re.compile(r"reinforcement|robotics|video-games|atari|\bagent\b"), ("reinforcement-learning",)),
    (re.compile(r"image|object-detection|^detection$|segmentation|pose|depth|super-resolution|optical-character|"
                r"\bocr\b|face|keypoint|instance-|panoptic|person-|vehicle|action-recognition|mask-generation|"
                r"^classification$|visual|colorization|matting|computer-vision|object-attributes|inpainting"), ("vision",)),
    (re.compile(r"text|token|question|translation|summari|fill-mask|sentence|language-model|named-entity|"
                r"natural-language|parsing|sentiment|nli|entailment|paraphrase|dialogue|conversational|"
                r"word|coreference|reading-comprehension|common-sense|retrieval|embedding|feature-extraction|"
                r"part-of-speech|grammatical|hate-speech|fact-checking|topic|intent|slot|lemmat|chunking|"
                r"qa$|-qa-|multiple-choice|semantic-similarity|character-level|extraction|generation|keyphrase|semantic-role|"
                r"entity|stance|subjectivity|acceptability|chatbot|lexical|supertagging|\bcode\b|hypernym|"
                r"turing-test|wsd|timex"), ("text",)),
)
_LIBRARY = {"timm": ("vision",), "open_clip": ("multimodal",), "sentence-transformers": ("text",),
            "diffusers": ("vision",), "espnet": ("audio",), "flair": ("text",), "stable-baselines3":
            ("reinforcement-learning",), "ml-agents": ("reinforcement-learning",), "colpali": ("multimodal",)}
_SOURCE = {"timm_results": ("vision",), "timm_model_index": ("vision",), "openclip_results": ("multimodal",),
           "openclip_profile": ("multimodal",), "helm": ("text",), "mteb_meta": ("text",)}
_MTEB_NAMES = {"text": "text", "image": "vision", "audio": "audio", "video": "video"}


def modality_keys(tasks: list[str] | None, library: str | None, sources: list[str] | None,
                  extra: Any = None) -> list[str]:
    """The modalities of one asset, from its task keys, library, readers and stated modalities."""
    found: dict[str, None] = {}
    stated = _stated(extra)
    if stated:
        names = [_MTEB_NAMES[m] for m in stated if m in _MTEB_NAMES]
        if len(names) > 1:
            found["multimodal"] = None
        for name in names:
            found.setdefault(name, None)
    for task in tasks or ():
        for pattern, modalities in _TASK_RULES:
            if pattern.search(task):
                for m in modalities:
                    found.setdefault(m, None)
                break
    if not found:
        for m in _LIBRARY.get((library or "").lower(), ()):
            found.setdefault(m, None)
        for source in sources or ():
            for m in _SOURCE.get(source, ()):
                found.setdefault(m, None)
    return [m for m in MODALITIES if m in found]


def _stated(extra: Any) -> list[str]:
    """MTEB's `modalities` field, when the asset's merged extra carries it."""
    if isinstance(extra, str):
        try:
            extra = json.loads(extra)
        except ValueError:
            return []
    if isinstance(extra, dict) and isinstance(extra.get("modalities"), list):
        return [str(m).lower() for m in extra["modalities"]]
    return []


def refresh_modality_keys(con: Any) -> None:
    """Store every asset's modalities (`asset.modality_keys`); one pass in Python, one UPDATE."""
    import pyarrow as pa

    rows = con.execute("SELECT asset_id, task_keys, library, sources, extra FROM asset").fetchall()
    table = pa.table({"asset_id": [r[0] for r in rows],
                      "keys": pa.array([modality_keys(r[1], r[2], r[3], r[4]) for r in rows], pa.list_(pa.string()))})
    con.register("_modality_keys", table)
    try:
        con.execute("UPDATE asset SET modality_keys = k.keys FROM _modality_keys k "
                    "WHERE asset.asset_id = k.asset_id AND asset.modality_keys IS DISTINCT FROM k.keys")
    finally:
        con.unregister("_modality_keys")
