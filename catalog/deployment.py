"""Deployment facts as facets: the formats a model ships in and the numeric precisions it comes in.

Zoos state them in their own ways: TF Hub tags a model's pages by format (`tflite`,
`tfjs`, `coral` for the Edge TPU, `saved_model_2`, TF1 `hub`), the Open Model Zoo lists
the precisions of its IR files (FP32, FP16, FP16-INT8) and ships OpenVINO IR, Hub cards
tag `onnx`, `gguf`, `gptq`/`awq`, `8-bit`/`4-bit`. Stored per asset at ingest
(`format_keys`, `precision_keys`) so that "an int8 model for the Edge TPU" is two list
lookups, like any facet.
"""

from __future__ import annotations

import re
from typing import Any

# tag (lower-case) -> format key
_FORMAT_TAGS = {
    "tflite": "tflite", "tfjs": "tfjs", "coral": "coral-edgetpu", "saved_model_2": "savedmodel",
    "saved_model": "savedmodel", "hub": "tf1-hub", "onnx": "onnx", "gguf": "gguf", "safetensors": "safetensors",
    "openvino": "openvino-ir", "coreml": "coreml", "mlx": "mlx", "tensorrt": "tensorrt", "edgetpu": "coral-edgetpu",
}
_FORMAT_LIBRARIES = {"dldt": "openvino-ir", "onnx": "onnx", "gguf": "gguf", "mlx": "mlx", "transformers.js": "onnx",
                     "openvino": "openvino-ir"}
_PRECISION_TAGS = {"8-bit": "int8", "int8": "int8", "4-bit": "int4", "int4": "int4", "gptq": "int4",
                   "awq": "int4", "fp16": "fp16", "bf16": "bf16", "fp8": "fp8", "1-bit": "int1"}
_PRECISION = re.compile(r"(?i)\b(FP32|FP16|BF16|FP8|INT8|INT4|INT1)\b")


def format_keys(tags: list[str] | None, library: str | None, sources: list[str] | None) -> list[str]:
    """Deployment formats of one asset (TF Lite, TF.js, Coral Edge TPU, SavedModel, OpenVINO IR, ONNX, GGUF...)."""
    found: dict[str, None] = {}
    for tag in tags or ():
        key = _FORMAT_TAGS.get(tag.lower())
        if key:
            found.setdefault(key, None)
    lib = _FORMAT_LIBRARIES.get((library or "").lower())
    if lib:
        found.setdefault(lib, None)
    if "openvino" in (sources or ()):  # the Open Model Zoo converts every model to IR
        found.setdefault("openvino-ir", None)
    return sorted(found)


def precision_keys(tags: list[str] | None, precisions: list[str] | None) -> list[str]:
    """Numeric precisions a model is offered in ('FP16-INT8' -> fp16-int8 and int8)."""
    found: dict[str, None] = {}
    for value in precisions or ():
        text = value.strip().lower()
        if text:
            found.setdefault(text, None)
        for m in _PRECISION.finditer(value):
            found.setdefault(m.group(1).lower(), None)
    for tag in tags or ():
        key = _PRECISION_TAGS.get(tag.lower())
        if key:
            found.setdefault(key, None)
    return sorted(found)


def refresh_deployment_keys(con: Any) -> None:
    """Store `format_keys` and `precision_keys` on every asset row (one pass, one UPDATE)."""
    import pyarrow as pa

    precisions: dict[str, list[str]] = {}
    for asset_id, values in con.execute(
            "SELECT asset_id, list(DISTINCT value) FROM configuration WHERE key IN ('precision', 'quantized') "
            "AND value IS NOT NULL GROUP BY asset_id").fetchall():
        precisions[asset_id] = values
    rows = con.execute("SELECT asset_id, tags, library, sources FROM asset").fetchall()
    table = pa.table({
        "asset_id": [r[0] for r in rows],
        "formats": pa.array([format_keys(r[1], r[2], r[3]) for r in rows], pa.list_(pa.string())),
        "precisions": pa.array([precision_keys(r[1], precisions.get(r[0])) for r in rows], pa.list_(pa.string())),
    })
    con.register("_deployment_keys", table)
    try:
        con.execute("UPDATE asset SET format_keys = k.formats, precision_keys = k.precisions FROM _deployment_keys k "
                    "WHERE asset.asset_id = k.asset_id AND (asset.format_keys IS DISTINCT FROM k.formats "
                    "OR asset.precision_keys IS DISTINCT FROM k.precisions)")
    finally:
        con.unregister("_deployment_keys")
