"""Model card metadata -> an AssetRecord: YAML keys, Hub API tags, `model-index` results.

Follows the Hub's model card spec (hub_docs_spec/modelcard.md). Two inputs feed the same
record shape: a card's YAML front matter, and the flat tag list the Hub API returns for
a model whose card lost its YAML. A malformed `model-index` entry or metric is reported
as `Rejected` and skipped; the card and its other results are still read.
"""

from __future__ import annotations

import re
from typing import Any

from assetscout.catalog.readers.base import to_float, to_int
from assetscout.catalog.readers.hf_common import (
    Card,
    Problems,
    card_summary,
    heading_title,
    hub_ref,
    hub_url,
    is_gated,
    jsonable,
    languages_field,
    license_field,
    str_list,
    text_field,
)
from assetscout.catalog.readers.hf_vocab import PIPELINE_TAGS, HubTags, library_from_tags
from assetscout.catalog.records import (
    AssetRecord,
    DatasetLink,
    Evaluation,
    LineageEdge,
    Rejected,
)

CARD_PRIORITY = 10
RELATIONS = ("finetune", "adapter", "quantized", "merge")
_EXTRA_KEYS = ("metrics", "co2_eq_emissions", "language_bcp47", "new_version", "inference",
               "thumbnail", "pipeline_tag")


def new_model(repo_id: str, body: str) -> AssetRecord:
    """The part of a model record every input has: id, names, URL and the card text."""
    owner = repo_id.split("/", 1)[0] if "/" in repo_id else None
    text = body.strip()
    return AssetRecord(
        asset_id=f"hf:model/{repo_id}", kind="model", name=repo_id,
        title=heading_title(body), summary=card_summary(body), card_text=text or None,
        organization=owner, url=hub_url(repo_id, "model"), priority=CARD_PRIORITY,
    )


# ---------------------------------------------------------------- YAML front matter


def model_from_card(repo_id: str, card: Card, problems: Problems) -> AssetRecord:
    """A model record from a card with (or without) YAML front matter."""
    rec = new_model(repo_id, card.body)
    meta = card.meta or {}
    rec.license = license_field(card, problems, rec.extra)
    rec.tags = str_list(meta.get("tags"))
    rec.tasks = str_list(meta.get("pipeline_tag"))
    rec.tasks += [t for t in rec.tags if t in PIPELINE_TAGS and t not in rec.tasks]
    rec.languages = languages_field(meta.get("language", meta.get("languages")))
    rec.library = text_field(card, "library_name", problems) or library_from_tags(rec.tags)
    rec.datasets = [DatasetLink(d, "train") for d in str_list(meta.get("datasets"))]
    rec.lineage = _lineage(card, rec.tags, rec.library, problems)
    if is_gated(meta):
        rec.access = "gated"
    for key in _EXTRA_KEYS:
        kept = jsonable(meta.get(key))
        if kept not in (None, [], {}, ""):
            rec.extra[key] = kept
    if "model-index" in meta:
        rec.evaluations = model_index(meta["model-index"], card.line_of("model-index"), problems)
        rec.title = rec.title or _index_name(meta["model-index"])
    if not rec.evaluations:
        _add_trainer_results(rec, card.body)
    return rec


def _lineage(card: Card, tags: list[str], library: str | None, problems: Problems) -> list[LineageEdge]:
    """`base_model` (one id or a list) with `base_model_relation`, or the relation inferred."""
    meta = card.meta or {}
    bases = str_list(meta.get("base_model"))
    if not bases:
        return []
    relation = text_field(card, "base_model_relation", problems)
    if relation is not None and relation not in RELATIONS:
        problems.append(Rejected(
            f"base_model_relation is {relation!r}; expected one of {', '.join(RELATIONS)}; inferred instead",
            line=card.line_of("base_model_relation")))
        relation = None
    relation = relation or infer_relation(len(bases), tags, library)
    return [LineageEdge(hub_ref(b, "model"), relation) for b in bases]


def infer_relation(n_bases: int, tags: list[str], library: str | None) -> str:
    """The relation to the base model(s) when the card does not say, as the Hub infers it."""
    tagset = {t.lower() for t in tags}
    if n_bases > 1 or tagset & {"merge", "mergekit", "lazymergekit"}:
        return "merge"
    if library == "peft" or tagset & {"peft", "lora", "adapter"}:
        return "adapter"
    if tagset & {"gguf", "quantized", "4-bit", "8-bit", "gptq", "awq", "exl2"}:
        return "quantized"
    return "finetune"


def _index_name(index: Any) -> str | None:
    """The model name a model-index gives (its first entry's `name`)."""
    if isinstance(index, list) and index and isinstance(index[0], dict):
        name = index[0].get("name")
        return str(name) if isinstance(name, (str, int, float)) and str(name).strip() else None
    return None


# ---------------------------------------------------------------- model-index


def model_index(index: Any, line: int | None, problems: Problems) -> list[Evaluation]:
    """Evaluations from `model-index`; each broken entry, result or metric is reported."""
    if not isinstance(index, list):
        problems.append(Rejected(
            f"model-index is a {type(index).__name__}, expected a list of entries", line=line))
        return []
    evals: list[Evaluation] = []
    for i, entry in enumerate(index, 1):
        results = entry.get("results") if isinstance(entry, dict) else None
        if not isinstance(results, list):
            problems.append(Rejected(f"model-index entry {i} has no 'results' list", line=line))
            continue
        for j, result in enumerate(results, 1):
            evals += _result(result, f"model-index entry {i}, result {j}", line, problems)
    return evals


def _result(result: Any, where: str, line: int | None, problems: Problems) -> list[Evaluation]:
    """The metrics of one model-index result, with its task and dataset."""
    if not isinstance(result, dict) or not isinstance(result.get("metrics"), list):
        problems.append(Rejected(f"{where} has no 'metrics' list", line=line))
        return []
    task = _pick(result.get("task"), "type", "name")
    data = result.get("dataset") if isinstance(result.get("dataset"), dict) else {}
    dataset = _pick(data, "type", "name")
    split, config = _pick(data, "split"), _pick(data, "config")
    out: list[Evaluation] = []
    for k, metric in enumerate(result["metrics"], 1):
        name = _pick(metric, "type", "name")
        raw = metric.get("value") if isinstance(metric, dict) else None
        value = to_float(raw) if not isinstance(raw, (list, dict)) else None
        if name is None or value is None:
            what = "has no metric type or name" if name is None else f"value {raw!r} is not a number"
            problems.append(Rejected(f"{where}, metric {k} ({name or '?'}) {what}", line=line))
            continue
        out.append(Evaluation(metric=name, value=value, dataset=dataset, task=task,
                              split=split, config=config))
    return out


def _pick(obj: Any, *keys: str) -> str | None:
    """The first of `keys` that `obj` (a mapping) holds as a non-empty scalar."""
    if not isinstance(obj, dict):
        return None
    for key in keys:
        value = obj.get(key)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()
    return None


# ---------------------------------------------------------------- Trainer-written text

_FINETUNED = re.compile(
    r"fine-tuned version of \[?([^\]\s(]+)\]?(?:\(([^)\s]*)\))?"  # base model, its link
    r" on (?:the (.+?)|an unknown) dataset", re.I)
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_RESULTS = re.compile(r"It achieves the following results on the evaluation set:\s*\n((?:[-*] .+\n?)+)")
_RESULT_LINE = re.compile(r"[-*] ([^:\n]+):\s*([-+0-9.eE]+)\s*$")
# Names the Trainer writes when the data had no Hub name (local folders, generators).
_NO_DATASET = {"none", "unknown", "generator", "imagefolder", "audiofolder", "csv", "json",
               "parquet", "text", "pandas"}


def _add_trainer_results(rec: AssetRecord, body: str) -> None:
    """Read the sentences `transformers.Trainer` writes into a card it generates.

    "This model is a fine-tuned version of [X](...) on the Y dataset. It achieves the
    following results on the evaluation set: - Loss: 0.61 - Wer: 0.57" carries the base
    model, the dataset and eval results of ~1 in 5 Hub models whose YAML was lost.
    """
    dataset: str | None = None
    m = _FINETUNED.search(body)
    if m:
        dataset = _LINK.sub(r"\1", m.group(3) or "").strip(" `'\"[]") or None
        if dataset and (dataset.lower() in _NO_DATASET or len(dataset) > 120):
            dataset = None
        if not rec.lineage:
            url = m.group(2) or ""  # a Hub link names the repo better than the link's text
            parent = hub_ref(url if "huggingface.co/" in url else m.group(1), "model")
            rec.lineage = [LineageEdge(parent, "finetune")]
    if dataset and not any(d.name == dataset for d in rec.datasets):
        rec.datasets.append(DatasetLink(dataset, "finetune"))
    block = _RESULTS.search(body)
    if not block:
        return
    for line in block.group(1).splitlines():
        lm = _RESULT_LINE.match(line.strip())
        value = to_float(lm.group(2)) if lm else None
        if lm and value is not None:
            rec.evaluations.append(Evaluation(metric=lm.group(1).strip(), value=value,
                                              dataset=dataset, split="evaluation"))


# ---------------------------------------------------------------- Hub API tags


def model_from_hub_row(repo_id: str, body: str, hub: HubTags, downloads: Any, likes: Any) -> AssetRecord:
    """A model record from a Hub API row: card body plus its classified tag list."""
    rec = new_model(repo_id, body)
    rec.license = hub.license
    rec.tasks = list(dict.fromkeys(hub.tasks))
    rec.languages = list(dict.fromkeys(hub.languages))
    rec.library = hub.library
    rec.tags = list(dict.fromkeys(hub.tags))
    rec.datasets = [DatasetLink(d, "train") for d in dict.fromkeys(hub.datasets)]
    rec.downloads, rec.likes = to_int(downloads), to_int(likes)
    inferred = infer_relation(len(hub.base_models), rec.tags, rec.library)
    rec.lineage = [LineageEdge(hub_ref(b, "model"), rel or inferred) for b, rel in hub.base_models]
    if hub.arxiv:
        rec.extra["arxiv"] = hub.arxiv
    rec.extra.update(hub.extra)
    _add_trainer_results(rec, body)
    return rec
