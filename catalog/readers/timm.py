"""timm (pytorch-image-models) model-family docs: a Papers-with-Code model-index in a comment.

Two naming schemes meet in timm's data, and the readers keep both as timm writes them:

- the model-index docs (``models/<family>.mdx``) and ``results/model_metadata-in1k.csv``
  use timm's older names (``resnet18``, ``tf_efficientnet_b0_ns``, ``gluon_resnet50_v1b``);
- ``results/results-*.csv`` name pretrained checkpoints ``<architecture>.<pretrained tag>``
  (``resnet50.a1_in1k``), and ``results/benchmark-*.csv`` name bare architectures
  (``resnet50``), because throughput does not depend on the weights.

``timm:model/resnet50.a1_in1k`` gets a ``base`` lineage edge to ``timm:model/resnet50``:
that split is timm's own naming rule, not a guess. Old names that timm has since renamed
(``tf_efficientnet_b0_ns`` -> ``tf_efficientnet_b0.ns_jft_in1k``) are left unlinked,
since only timm's rename table knows them. The tables are read by ``timm_results``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import yaml

from assetscout.catalog.readers.base import (
    Reader,
    as_list,
    first_paragraph,
    read_text,
    to_float,
    to_int,
)
from assetscout.catalog.readers.timm_results import LIBRARY, TimmResultsReader, timm_id
from assetscout.catalog.records import (
    AssetRecord,
    Configuration,
    DatasetLink,
    Evaluation,
    ReaderItem,
    Rejected,
)
from assetscout.errors import RecordError

_MODEL_INDEX = re.compile(r"<!--[ \t]*\r?\n?(?=[ \t]*Type:[ \t]*model-index)(.*?)(-->|\Z)", re.S)

# Metadata keys with a field of their own; every other key becomes a Configuration.
_METADATA_FIELDS = {"ID", "Parameters", "File Size", "Architecture", "Tasks",
                    "Training Data", "Training Techniques"}
# Keys renamed so that they match the result tables' column names.
_CONFIG_KEYS = {"Image Size": "img_size", "Crop Pct": "crop_pct"}


def config_key(key: str) -> str:
    """'Training Resources' -> 'training_resources', so keys read alike across sources."""
    return _CONFIG_KEYS.get(key) or re.sub(r"[^0-9a-z]+", "_", key.lower()).strip("_")


# ---------------------------------------------------------------- model-index docs


class TimmModelIndexReader(Reader):
    """``<family>.mdx``: a family doc whose HTML comment holds a Papers-with-Code model-index.

    One AssetRecord per model entry; the doc's markdown is the shared card text.
    """

    name = "timm_model_index"
    max_bytes = 2 * 1024 * 1024

    def claims(self, path: Path) -> bool:
        if path.suffix.lower() != ".mdx":
            return False
        try:
            if path.stat().st_size > self.max_bytes:
                return False
            return "Type: model-index" in path.read_text("utf-8", errors="replace")
        except OSError:
            return False

    def read(self, path: Path) -> Iterator[ReaderItem]:
        text = read_text(path)
        match = _MODEL_INDEX.search(text)
        if match is None:
            raise RecordError("no model-index block (<!-- Type: model-index ... -->) in this doc")
        block_line = text.count("\n", 0, match.start(1)) + 1
        if not match.group(2):
            raise RecordError("the model-index comment '<!--' is never closed by '-->'",
                              line=block_line)
        index, entry_lines = _load_model_index(match.group(1), block_line)
        body = (text[: match.start()] + text[match.end():]).strip()
        family = _family_extra(index)
        summary = first_paragraph(body)
        for n, (entry, line) in enumerate(zip(index["Models"], entry_lines), start=1):
            yield from _model_entry(entry, n, line, body, summary, family)


def _load_model_index(block: str, block_line: int) -> tuple[dict[str, Any], list[int]]:
    """Parse the YAML block; return it with the file line of each Models entry."""
    loader = yaml.SafeLoader(block)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = block_line + mark.line if mark is not None else block_line
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RecordError(f"model-index block is not valid YAML: {problem}", line=line) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise RecordError(
            f"model-index block is a {type(data).__name__}, expected a mapping", line=block_line)
    models = data.get("Models")
    if not isinstance(models, list):
        raise RecordError("model-index block has no 'Models' list", line=block_line)
    lines = [block_line] * len(models)
    for key_node, value_node in node.value:
        if key_node.value == "Models":
            lines = [block_line + item.start_mark.line for item in value_node.value]
    return data, lines


def _family_extra(index: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Collection name -> its paper, to hang on every model of the collection."""
    out: dict[str, dict[str, Any]] = {}
    for coll in index.get("Collections") or []:
        if isinstance(coll, dict) and coll.get("Name"):
            paper = coll.get("Paper") if isinstance(coll.get("Paper"), dict) else {}
            out[str(coll["Name"])] = {"paper_title": paper.get("Title"),
                                      "paper_url": paper.get("URL")}
    return out


def _model_entry(entry: Any, n: int, line: int, body: str, summary: str | None,
                 family: dict[str, dict[str, Any]]) -> Iterator[ReaderItem]:
    """One model of the index: its record, then a Rejected for each value left out."""
    if not isinstance(entry, dict):
        yield Rejected(f"model-index entry {n} is a {type(entry).__name__}, expected a mapping",
                       line=line)
        return
    name = str(entry.get("Name") or "").strip()
    if not name:
        yield Rejected(f"model-index entry {n} has no 'Name'", line=line)
        return
    meta = entry.get("Metadata") or {}
    if not isinstance(meta, dict):
        yield Rejected(f"model '{name}': 'Metadata' is a {type(meta).__name__}, "
                       "expected a mapping", line=line)
        return
    problems: list[str] = []
    model_id = str(meta.get("ID") or name)
    collection = entry.get("In Collection")
    extra: dict[str, Any] = {"collection": collection, "code": entry.get("Code")}
    extra.update(family.get(str(collection), {}))
    yield AssetRecord(
        asset_id=timm_id(model_id), kind="model", name=model_id, title=name,
        summary=summary, card_text=body or None, library=LIBRARY,
        tasks=as_list(meta.get("Tasks")),
        tags=_unique(as_list(meta.get("Architecture")) + as_list(meta.get("Training Techniques"))),
        parameters=_count(meta, "Parameters", name, problems),
        size_bytes=_count(meta, "File Size", name, problems),
        url=entry.get("Weights") if isinstance(entry.get("Weights"), str) else None,
        datasets=[DatasetLink(d, "train") for d in as_list(meta.get("Training Data"))],
        configurations=_configurations(meta),
        evaluations=_index_results(entry.get("Results"), name, problems),
        extra={k: v for k, v in extra.items() if v is not None},
        priority=20, line=line,
    )
    for problem in problems:
        yield Rejected(problem, line=line)


def _index_results(results: Any, name: str, problems: list[str]) -> list[Evaluation]:
    """The entry's Results list -> Evaluations; a value that is not a number is reported."""
    if results is None:
        return []
    if not isinstance(results, list):
        problems.append(f"model '{name}': 'Results' is a {type(results).__name__}, "
                        "expected a list")
        return []
    out: list[Evaluation] = []
    for i, result in enumerate(results, start=1):
        metrics = result.get("Metrics") if isinstance(result, dict) else None
        if not isinstance(metrics, dict):
            problems.append(f"model '{name}': result {i} has no 'Metrics' mapping")
            continue
        for metric, raw in metrics.items():
            value = to_float(raw)
            if value is None:
                problems.append(f"model '{name}': result {i} metric '{metric}' "
                                f"value {raw!r} is not a number; left out")
                continue
            out.append(Evaluation(metric=str(metric), value=value,
                                  dataset=_text(result.get("Dataset")),
                                  task=_text(result.get("Task")),
                                  unit="%" if isinstance(raw, str) and raw.strip().endswith("%") else None))
    return out


def _count(meta: dict[str, Any], key: str, name: str, problems: list[str]) -> int | None:
    raw = meta.get(key)
    value = to_int(raw)
    if raw is not None and value is None:
        problems.append(f"model '{name}': '{key}' value {raw!r} is not a number; left out")
    return value


def _configurations(meta: dict[str, Any]) -> list[Configuration]:
    """Every scalar Metadata value without a field of its own (image size, LR, resources...)."""
    return [Configuration(config_key(str(k)), str(v)) for k, v in meta.items()
            if k not in _METADATA_FIELDS and v is not None and not isinstance(v, (dict, list))]


def _text(value: Any) -> str | None:
    return str(value) if value is not None else None


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


READERS: list[Reader] = [TimmModelIndexReader(), TimmResultsReader()]
