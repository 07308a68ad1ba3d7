"""The zoo files read again, independently of the catalog, for the structured-question truth.

`eval/structured_truth.py` computes the exact answer of each judged question from the
files under `../shared/data/cards`. If it read them through the catalog's readers, a
reader bug would be in the truth too and the evaluation could never see it, so each
zoo is parsed here with its own few lines (csv, yaml, regular expressions). Only the
asset-id conventions come from the readers (`timm_id`, `mteb_asset_id`,
`name_from_model_dir`, `checkpoint_id`): they say which catalog asset a source row
describes, and are not parsing.

Values of bounded metrics are returned on the fraction scale, by each source's
documented convention: timm writes percent (results tables and model-index docs),
MTEB and OpenCLIP write fractions.
"""

from __future__ import annotations

import csv
import json
import math
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from assetscout.catalog.readers.mteb import mteb_asset_id, name_from_model_dir
from assetscout.catalog.readers.openclip import checkpoint_id
from assetscout.catalog.readers.timm_results import timm_id


@dataclass(frozen=True)
class Score:
    """One measured value of one asset: metric, benchmark (or hardware), value as compared."""

    asset_id: str
    metric: str
    value: float
    dataset: str | None = None
    hardware: str | None = None  # normalized device name ('rtx4090', 'cpui910940x')
    cpu: bool = False
    split: str | None = None


def hardware_text(text: str) -> str:
    """Lower-case letters and digits only: 'RTX 4090' -> 'rtx4090'."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def on_hardware(score: Score, wanted: str) -> bool:
    """The brief's hardware rule: 'cpu' = any CPU file, 'gpu' = any other device, else a substring either way
    ('rtx 4090' matches files for 'rtx4090' and '4090')."""
    want = hardware_text(wanted)
    if score.hardware is None:
        return False
    if want == "cpu":
        return score.cpu
    if want == "gpu":
        return not score.cpu
    return want in score.hardware or (len(score.hardware) >= 4 and score.hardware in want)


def _float(text: Any) -> float | None:
    try:
        value = float(str(text).replace(",", "").strip().rstrip("%"))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@dataclass
class Sources:
    """Lazy, cached views of each zoo folder under `cards` (each read at most once)."""

    cards: Path

    # ------------------------------------------------------------ timm

    def _timm_csv(self, name: str) -> list[dict[str, str]]:
        with (self.cards / "timm_model_index" / "results" / name).open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        header = [h.strip() for h in rows[0]]
        return [dict(zip(header, (v.strip() for v in r))) for r in rows[1:] if len(r) == len(header)]

    def timm_top1(self, eval_set: str) -> list[Score]:
        """results-<eval_set>.csv: top-1 of each checkpoint at each image size (percent -> fraction)."""
        out = []
        for row in self._timm_csv(f"results-{eval_set}.csv"):
            value = _float(row.get("top1"))
            if row.get("model") and value is not None:
                out.append(Score(timm_id(row["model"]), "top1", value / 100, dataset=eval_set))
        return out

    def timm_result_params(self) -> dict[str, set[float]]:
        """Parameter counts (as written in millions, times 1e6) of every model of every results table."""
        out: dict[str, set[float]] = {}
        for path in sorted((self.cards / "timm_model_index" / "results").glob("results-*.csv")):
            for row in self._timm_csv(path.name):
                value = _float(row.get("param_count"))
                if row.get("model") and value is not None:
                    out.setdefault(timm_id(row["model"]), set()).add(value * 1e6)
        return out

    @cached_property
    def timm_index(self) -> list[dict[str, Any]]:
        """The model entries of every models/*.mdx model-index block (YAML inside an HTML comment)."""
        entries = []
        block = re.compile(r"<!--\s*\n(Type: model-index.*?)-->", re.S)
        for path in sorted((self.cards / "timm_model_index" / "models").glob("*.mdx")):
            m = block.search(path.read_text("utf-8"))
            if m:
                entries += [e for e in (yaml.safe_load(m.group(1)) or {}).get("Models") or [] if isinstance(e, dict)]
        return entries

    def timm_index_top1(self) -> list[Score]:
        """'Top 1 Accuracy' of each model-index entry, on the dataset it names (written as percent)."""
        out = []
        for e in self.timm_index:
            model = timm_id(str((e.get("Metadata") or {}).get("ID") or e["Name"]))
            for result in e.get("Results") or []:
                value = _float((result.get("Metrics") or {}).get("Top 1 Accuracy"))
                if value is not None:
                    out.append(Score(model, "top1", value / 100, dataset=str(result.get("Dataset"))))
        return out

    def timm_index_params(self) -> dict[str, set[float]]:
        out: dict[str, set[float]] = {}
        for e in self.timm_index:
            meta = e.get("Metadata") or {}
            value = _float(meta.get("Parameters"))
            if value is not None:
                out.setdefault(timm_id(str(meta.get("ID") or e["Name"])), set()).add(value)
        return out

    @cached_property
    def timm_benchmarks(self) -> list[Score]:
        """benchmark-*.csv rows: every speed column on the device the file name names."""
        out = []
        for path in sorted((self.cards / "timm_model_index" / "results").glob("benchmark-*.csv")):
            parts = path.stem.split("-")[4:]  # after benchmark, mode, precision, layout
            device = [p for p in parts if not re.fullmatch(r"pt\d+|cu\d+|dynamo", p)]
            hardware = hardware_text("".join(device))
            for row in self._timm_csv(path.name):
                for column in ("infer_samples_per_sec", "infer_step_time", "train_samples_per_sec"):
                    value = _float(row.get(column, ""))
                    if row.get("model") and value is not None:
                        out.append(Score(timm_id(row["model"]), column, value, hardware=hardware,
                                         cpu="cpu" in device))
        return out

    def timm_benchmark_params(self) -> dict[str, set[float]]:
        out: dict[str, set[float]] = {}
        for path in sorted((self.cards / "timm_model_index" / "results").glob("benchmark-*.csv")):
            for row in self._timm_csv(path.name):
                value = _float(row.get("param_count", ""))
                if row.get("model") and value is not None:
                    out.setdefault(timm_id(row["model"]), set()).add(value * 1e6)
        return out

    # ------------------------------------------------------------ OpenCLIP

    def openclip_scores(self, table: str, column: str) -> list[Score]:
        """One column of an OpenCLIP results table (fractions), per (architecture, pretrained tag)."""
        out = []
        with (self.cards / "openclip_results" / table).open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                value = _float(row.get(column) or "")
                if value is not None:
                    out.append(Score(checkpoint_id(row["name"], row["pretrained"]), column, value))
        return out

    def openclip_checkpoints(self, table: str = "openclip_results.csv") -> list[tuple[str, str, float | None]]:
        """(architecture, pretrained tag, params in millions) of each row of a results table."""
        with (self.cards / "openclip_results" / table).open(newline="", encoding="utf-8") as fh:
            return [(r["name"], r["pretrained"], _float(r.get("params (M)") or "")) for r in csv.DictReader(fh)]

    # ------------------------------------------------------------ MTEB

    @cached_property
    def mteb_scores(self) -> list[Score]:
        """results_main_score.tsv: each (model, revision, task, split) mean main score."""
        out = []
        path = self.cards / "mteb_model_meta_and_results" / "results_main_score.tsv"
        with path.open(encoding="utf-8") as fh:
            header = fh.readline().rstrip("\n").split("\t")
            for line in fh:
                row = dict(zip(header, line.rstrip("\n").split("\t")))
                value = _float(row.get("main_score_mean", ""))
                if value is not None and row.get("model_dir"):
                    out.append(Score(mteb_asset_id(name_from_model_dir(row["model_dir"])), "main_score", value,
                                     dataset=row["task_name"], split=row.get("split")))
        return out

    @cached_property
    def mteb_meta(self) -> dict[str, list[dict[str, Any]]]:
        """model_meta.jsonl lines grouped by model asset id (one line per revision)."""
        out: dict[str, list[dict[str, Any]]] = {}
        path = self.cards / "mteb_model_meta_and_results" / "model_meta.jsonl"
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                meta = json.loads(line)
                out.setdefault(mteb_asset_id(str(meta["name"]).strip()), []).append(meta)
        return out

    # ------------------------------------------------------------ HELM

    @cached_property
    def helm(self) -> dict[str, dict[str, Any]]:
        """model_metadata.yaml entries by asset id; a repeated name keeps its first entry."""
        data = yaml.safe_load((self.cards / "helm_model_metadata" / "model_metadata.yaml").read_text("utf-8"))
        out: dict[str, dict[str, Any]] = {}
        for entry in data.get("models") or []:
            out.setdefault(f"helm:model/{entry['name'].strip()}", entry)
        return out

    # ------------------------------------------------------------ TF Hub

    @cached_property
    def tfhub_docs(self) -> list[dict[str, Any]]:
        """Every model doc: {'kind', 'model' (asset id), 'meta': key -> [values]}; collections/publishers left out."""
        heading = re.compile(r"#\s+(Module|Placeholder|Lite|Tfjs|Coral)\s+(\S+)\s*$")
        comment = re.compile(r"<!--\s*([a-z][a-z-]*)\s*:\s*(.*?)\s*-->\s*$")
        docs = []
        for path in sorted((self.cards / "tfhub_models" / "docs").rglob("*.md")):
            lines = path.read_text("utf-8", errors="replace").splitlines()
            first = next((ln.strip() for ln in lines if ln.strip()), "")
            m = heading.match(first)
            if not m:
                continue
            meta: dict[str, list[str]] = {}
            for ln in lines:
                c = comment.match(ln.strip())
                if c and c.group(2):
                    meta.setdefault(c.group(1), []).append(c.group(2))
            kind, handle = m.groups()
            if kind not in ("Module", "Placeholder"):
                handle = (meta.get("parent-model") or [""])[0]
            model = re.sub(r"/\d+$", "", handle)
            if model:
                docs.append({"kind": kind, "model": f"tfhub:model/{model}", "meta": meta, "path": str(path)})
        return docs

    def tfhub_models(self) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for doc in self.tfhub_docs:
            out.setdefault(doc["model"], []).append(doc)
        return out

    # ------------------------------------------------------------ OpenVINO

    @cached_property
    def openvino(self) -> dict[str, dict[str, Any]]:
        """model.yml of every model (and composite part) folder, by asset id, with 'precisions' added."""
        out: dict[str, dict[str, Any]] = {}
        for path in sorted((self.cards / "openvino_open_model_zoo" / "models").rglob("model.yml")):
            data = yaml.safe_load(path.read_text("utf-8")) or {}
            heads = {str(f.get("name", "")).split("/", 1)[0] for f in data.get("files") or []}
            data["precisions"] = sorted(h for h in heads if re.fullmatch(r"(?:FP|INT)\d+(?:-INT\d+)?", h))
            out[f"openvino:model/{path.parent.name}"] = data
        return out

    @cached_property
    def openvino_cards(self) -> dict[str, list[tuple[str, str]]]:
        """The markdown table rows (first cell, second cell) of every model folder's README.md, by asset id."""
        out: dict[str, list[tuple[str, str]]] = {}
        root = self.cards / "openvino_open_model_zoo" / "models"
        for path in sorted(root.glob("*/*/README.md")):
            rows = []
            for line in path.read_text("utf-8").splitlines():
                cells = [c.strip() for c in line.strip().strip("|").split("|")]
                if line.lstrip().startswith("|") and len(cells) >= 2 and not set(cells[0]) <= set("-: "):
                    rows.append((cells[0], cells[1]))
            out[f"openvino:model/{path.parent.name}"] = rows
        return out

    def openvino_mparams(self) -> dict[str, set[float]]:
        """The parameter count of each card: the sum of its 'MParams' specification rows (in millions).

        A composite model's card has one specification table per part (encoder, decoder):
        the model is all of its parts, so their counts add up.
        """
        out: dict[str, set[float]] = {}
        for asset_id, rows in self.openvino_cards.items():
            numbers = [_float(value.split()[0]) for name, value in rows if name == "MParams" and value.split()]
            if numbers and None not in numbers:
                out[asset_id] = {round(sum(n for n in numbers if n is not None) * 1e6)}
        return out

    def openvino_top1(self) -> list[Score]:
        """Top-1 accuracy rows of the cards' tables ('Top 1', 'Accuracy', 'Accuracy top-1 (ImageNet)'; top-1
        accuracy is accuracy), as fractions ('76.128%' -> 0.76128)."""
        out = []
        for asset_id, rows in self.openvino_cards.items():
            for name, value in rows:
                if name in ("Top 1", "Accuracy") or name.lower().startswith("accuracy top-1"):
                    m = re.match(r"\s*([0-9.]+)\s*(%?)", value)
                    number = _float(m.group(1)) if m else None
                    if number is not None:
                        out.append(Score(asset_id, "top1", number / 100 if m.group(2) or number > 1 else number))
        return out

