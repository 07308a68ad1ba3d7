"""timm's ``results/`` tables: accuracy per eval set, throughput per device, pretrain tags.

Checkpoints are named ``<architecture>.<pretrained tag>`` in ``results-*.csv``
(``resnet50.a1_in1k``); benchmarks name the bare architecture (``resnet50``) because
throughput does not depend on the weights; ``model_metadata-*.csv`` uses timm's older
names (``gluon_resnet50_v1b``). Each file yields one record per model: rows of one model
(measured at several image sizes) are grouped, since a file may name an asset once.
"""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path
from typing import Any, Iterator

from assetscout.catalog.readers.base import Reader, read_text, to_float
from assetscout.catalog.records import (
    AssetRecord,
    Configuration,
    DatasetLink,
    Evaluation,
    LineageEdge,
    ReaderItem,
    Rejected,
    Skipped,
)
from assetscout.errors import RecordError

LIBRARY = "timm"
IMAGE_CLASSIFICATION = "Image Classification"  # the model-index's own spelling

# results-<set>.csv -> (evaluation set as timm's README names it, split if known)
_EVAL_SETS: dict[str, tuple[str, str | None]] = {
    "imagenet": ("imagenet-1k", "validation"),
    "imagenet-real": ("imagenet-real", "validation"),
    "imagenet-a-clean": ("imagenet-a-clean", "validation"),
    "imagenet-r-clean": ("imagenet-r-clean", "validation"),
    "imagenetv2-matched-frequency": ("imagenetv2-matched-frequency", None),
    "sketch": ("imagenet-sketch", None),
    "imagenet-a": ("imagenet-a", None),
    "imagenet-r": ("imagenet-r", None),
}


def timm_id(name: str) -> str:
    """The asset id of a timm model, spelled as timm spells it."""
    return f"timm:model/{name}"


def _peek(path: Path, n: int = 512) -> str:
    """The first bytes of a file as text; '' when unreadable (claims must never raise)."""
    try:
        with path.open("rb") as fh:
            return fh.read(n).decode("utf-8", "replace").lstrip("\ufeff")
    except OSError:
        return ""


class TimmResultsReader(Reader):
    """The tables of timm's ``results/`` folder.

    ``results-<set>.csv`` (accuracy per eval set), ``benchmark-*.csv`` (throughput per
    hardware), ``model_metadata-*.csv`` (pretraining tag); the folder's README is skipped.
    One record per model per file: rows of one model (several image sizes) are grouped.
    """

    name = "timm_results"

    def claims(self, path: Path) -> bool:
        return _table_kind(path) is not None

    def read(self, path: Path) -> Iterator[ReaderItem]:
        kind = _table_kind(path)
        if kind == "readme":
            yield Skipped("timm results README: describes the eval sets, no model metadata")
            return
        header, rows = _csv_rows(path)
        if kind == "results":
            yield from _read_accuracy(path, header, rows)
        elif kind == "benchmark":
            yield from _read_benchmark(path, header, rows)
        else:
            yield from _read_pretrain(header, rows)


def _table_kind(path: Path) -> str | None:
    """Which timm results file this is, from its name and a peek at its first line."""
    name = path.name
    if name == "README.md":
        return "readme" if _peek(path).startswith("# Validation and Benchmark Results") else None
    if path.suffix.lower() != ".csv":
        return None
    for prefix, kind in (("results-", "results"), ("benchmark-", "benchmark"),
                         ("model_metadata-", "metadata")):
        if name.startswith(prefix) and _peek(path).startswith("model,"):
            return kind
    return None


Row = tuple[int, dict[str, str]]
Rows = Iterator[Row | Rejected]


def _csv_rows(path: Path) -> tuple[list[str], Rows]:
    """Header and an iterator of (line, row); a ragged row comes out as Rejected."""
    reader = csv.reader(io.StringIO(read_text(path), newline=""))
    header = [h.strip() for h in next(reader, [])]
    if not header or header[0] != "model":
        raise RecordError("first line is not a header starting with 'model'", line=1)

    def rows() -> Rows:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                yield Rejected(f"row has {len(values)} values, the header has {len(header)} "
                               "columns", line=reader.line_num)
                continue
            yield reader.line_num, {h: v.strip() for h, v in zip(header, values)}

    return header, rows()


def _require(header: list[str], columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in header]
    if missing:
        raise RecordError(f"header lacks column(s) {', '.join(missing)}", line=1)


def _finite(raw: str) -> float | None:
    """A number as the tables write it ('25.56', '1,013.01'); None for text, NaN or infinity."""
    value = to_float(raw.replace(",", ""))
    return value if value is not None and math.isfinite(value) else None


def _number(row: dict[str, str], column: str, model: str, line: int,
            notes: list[Rejected]) -> float | None:
    """A numeric cell; empty or 'nan' -> None; not a number -> None and a note naming it."""
    raw = row.get(column, "")
    if not raw or raw.lower() == "nan":
        return None
    value = _finite(raw)
    if value is None:
        notes.append(Rejected(f"model '{model}': column '{column}' value {raw!r} is not a "
                              "number; left out", line=line))
    return value


def _set_parameters(rec: AssetRecord, row: dict[str, str], line: int,
                    notes: list[Rejected]) -> None:
    """Take the model's parameter count (written in millions) from its first row with one."""
    if rec.parameters is None:
        millions = _number(row, "param_count", rec.name, line, notes)
        rec.parameters = round(millions * 1_000_000) if millions is not None else None


class _Grouped:
    """Records keyed by model, in first-seen order: one record per model per file."""

    def __init__(self) -> None:
        self.records: dict[str, AssetRecord] = {}

    def get(self, model: str, line: int, **fields: Any) -> AssetRecord:
        rec = self.records.get(model)
        if rec is None:
            rec = AssetRecord(asset_id=timm_id(model), kind="model", name=model, library=LIBRARY,
                              priority=30, line=line, **fields)
            self.records[model] = rec
        return rec


def _add_config(rec: AssetRecord, key: str, value: str) -> None:
    if value and not any(c.key == key and c.value == value for c in rec.configurations):
        rec.configurations.append(Configuration(key, value))


def _read_accuracy(path: Path, header: list[str], rows: Rows) -> Iterator[ReaderItem]:
    """results-<set>.csv: top1/top5 per model and test image size."""
    _require(header, ("top1", "top5"))
    eval_set = path.stem[len("results-"):]
    dataset, split = _EVAL_SETS.get(eval_set, (eval_set, None))
    grouped = _Grouped()
    for item in rows:
        if isinstance(item, Rejected):
            yield item
            continue
        line, row = item
        model = row["model"]
        if not model:
            yield Rejected("row has no model name", line=line)
            continue
        notes: list[Rejected] = []
        arch, _, tag = model.partition(".")
        checkpoint = bool(arch and tag)  # '<architecture>.<pretrained tag>'
        rec = grouped.get(model, line, tasks=[IMAGE_CLASSIFICATION],
                          lineage=[LineageEdge(timm_id(arch), "base")] if checkpoint else [],
                          extra={"architecture": arch, "pretrained_tag": tag} if checkpoint else {})
        _set_parameters(rec, row, line, notes)
        setting = ", ".join(f"{k}={row[k]}" for k in ("img_size", "crop_pct", "interpolation")
                            if row.get(k))
        for metric in ("top1", "top5"):
            value = _number(row, metric, model, line, notes)
            if value is not None:
                rec.evaluations.append(Evaluation(
                    metric, value, dataset=dataset, split=split, task=IMAGE_CLASSIFICATION,
                    config=setting or None))
        for key in ("img_size", "crop_pct", "interpolation"):
            _add_config(rec, key, row.get(key, ""))
        yield from notes
    yield from grouped.records.values()


def benchmark_setting(stem: str) -> tuple[str | None, dict[str, str]]:
    """'benchmark-infer-amp-nchw-pt240-cu124-rtx4090-dynamo' -> ('rtx4090', settings).

    The name carries mode, precision, memory layout, torch/CUDA versions, the device
    and whether torch.compile (dynamo) was on; the CPU runs name the CPU model.
    """
    parts = stem.split("-")[1:]
    settings: dict[str, str] = {}
    for key, part in zip(("mode", "precision", "layout"), parts[:3]):
        settings[key] = part
    device: list[str] = []
    cpu = False
    for part in parts[3:]:
        if re.fullmatch(r"pt\d+", part):
            settings["torch"] = part
        elif re.fullmatch(r"cu\d+", part):
            settings["cuda"] = part
        elif part == "dynamo":
            settings["compile"] = part
        elif part == "cpu":
            cpu = True
        else:
            device.append(part)
    hardware = "-".join((["cpu"] if cpu else []) + device) or None
    return hardware, settings


def _read_benchmark(path: Path, header: list[str], rows: Rows) -> Iterator[ReaderItem]:
    """benchmark-*.csv: samples/s and step time per model, image size and batch size."""
    hardware, settings = benchmark_setting(path.stem)
    speed = [h for h in header if h.endswith(("_samples_per_sec", "_step_time"))]
    compute = [h for h in header if h.endswith(("_gmacs", "_macts"))]
    if not speed:
        raise RecordError("header has no '*_samples_per_sec' or '*_step_time' column", line=1)
    grouped = _Grouped()
    for item in rows:
        if isinstance(item, Rejected):
            yield item
            continue
        line, row = item
        model = row["model"]
        if not model:
            yield Rejected("row has no model name", line=line)
            continue
        notes: list[Rejected] = []
        rec = grouped.get(model, line)
        _set_parameters(rec, row, line, notes)
        img = _first(row, "_img_size")
        batch = _first(row, "_batch_size")
        run = dict(settings)
        run.update({"batch_size": _int_text(batch), "img_size": img})
        config = ", ".join(f"{k}={v}" for k, v in run.items() if v and k != "mode")
        for column in speed:
            value = _number(row, column, model, line, notes)
            if value is not None:
                rec.evaluations.append(Evaluation(column, value, config=config, hardware=hardware))
        for column in compute:  # GMACs depend on the image size, not on the device
            value = _number(row, column, model, line, notes)
            if value is not None:
                rec.evaluations.append(Evaluation(column, value,
                                                  config=f"img_size={img}" if img else None))
        yield from notes
    yield from grouped.records.values()


def _first(row: dict[str, str], suffix: str) -> str:
    return next((v for k, v in row.items() if k.endswith(suffix) and v), "")


def _int_text(raw: str) -> str:
    """'1024.0' -> '1024' (some benchmark files write batch sizes as floats)."""
    value = _finite(raw)
    return str(int(value)) if value is not None and value == int(value) else raw


def _read_pretrain(header: list[str], rows: Rows) -> Iterator[ReaderItem]:
    """model_metadata-*.csv: the pretraining data and technique tag of each model."""
    _require(header, ("pretrain",))
    seen: dict[str, int] = {}
    for item in rows:
        if isinstance(item, Rejected):
            yield item
            continue
        line, row = item
        model, tag = row["model"], row["pretrain"]
        if not model or not tag:
            yield Rejected("row needs both a model name and a pretrain tag", line=line)
            continue
        if model in seen:
            yield Rejected(f"model '{model}' is listed again (first on line {seen[model]})",
                           line=line)
            continue
        seen[model] = line
        dataset = tag.split("-", 1)[0]  # 'in1k-dist' = ImageNet-1k + distillation
        yield AssetRecord(asset_id=timm_id(model), kind="model", name=model, library=LIBRARY,
                          tags=[f"pretrain:{tag}"], datasets=[DatasetLink(dataset, "pretrain")],
                          extra={"pretrain": tag}, priority=30, line=line)
