"""Dataset card metadata -> an AssetRecord, with `dataset_info` as table schemas.

Follows the Hub's dataset card spec (hub_docs_spec/datasetcard.md). `dataset_info`
holds, per config, the features (columns and their types) and the splits (row counts):
each config becomes one TableSchema so a dataset's tables can be searched like any
other table. `source_datasets` names what the dataset was built from ('original' means
nothing was); those become 'derived' lineage edges.
"""

from __future__ import annotations

from typing import Any

from assetscout.catalog.readers.base import to_int
from assetscout.catalog.readers.hf_common import (
    Card,
    Problems,
    card_summary,
    heading_title,
    hub_ref,
    hub_url,
    is_gated,
    is_placeholder,
    jsonable,
    languages_field,
    license_field,
    str_list,
    text_field,
)
from assetscout.catalog.records import AssetRecord, Column, LineageEdge, Rejected, TableSchema

CARD_PRIORITY = 10
_EXTRA_KEYS = ("size_categories", "multilinguality", "annotations_creators", "language_creators",
               "language_details", "language_bcp47", "source_datasets", "homepage", "eval_info",
               "train-eval-index", "type", "benchmark")
_TAGGED_KEYS = ("size_categories", "multilinguality", "annotations_creators", "language_creators")
_NOT_A_SOURCE = {"original", "extended", "unknown", "other", "none", "n/a"}
DATASET_KEYS = frozenset({"task_categories", "task_ids", "size_categories", "dataset_info",
                          "pretty_name", "source_datasets", "paperswithcode_id",
                          "annotations_creators", "language_creators", "multilinguality"})


def dataset_from_card(repo_id: str, card: Card, problems: Problems) -> AssetRecord:
    """A dataset record from a dataset card with (or without) YAML front matter."""
    meta = card.meta or {}
    short = repo_id.rsplit("/", 1)[-1]
    rec = AssetRecord(
        asset_id=f"hf:dataset/{repo_id}", kind="dataset", name=repo_id,
        summary=card_summary(card.body), card_text=card.body.strip() or None,
        organization=repo_id.split("/", 1)[0] if "/" in repo_id else None,
        url=hub_url(repo_id, "dataset"), priority=CARD_PRIORITY,
    )
    pretty = text_field(card, "pretty_name", problems)
    if pretty and is_placeholder(pretty):
        pretty = None
    rec.title = pretty or _card_heading(card.body)
    rec.license = license_field(card, problems, rec.extra)
    rec.tasks = str_list(meta.get("task_categories")) + str_list(meta.get("task_ids"))
    rec.tasks = list(dict.fromkeys(rec.tasks))
    rec.languages = languages_field(meta.get("language", meta.get("languages")))
    rec.tags = str_list(meta.get("tags")) + _facet_tags(meta)
    rec.aliases = _aliases(card, repo_id, short, pretty, problems)
    rec.lineage = _sources(meta)
    if is_gated(meta):
        rec.access = "gated"
    for key in _EXTRA_KEYS:
        kept = jsonable(meta.get(key))
        if kept not in (None, [], {}, ""):
            rec.extra[key] = kept
    if "dataset_info" in meta:
        line = card.line_of("dataset_info")
        rec.tables, rec.size_bytes = dataset_tables(meta["dataset_info"], line, problems)
    _add_config_files(rec, meta.get("configs"))
    return rec


def _card_heading(body: str) -> str | None:
    """The H1 of the card without the template's "Dataset Card for" prefix."""
    title = heading_title(body)
    if title and title.lower().startswith("dataset card for"):
        title = title[len("dataset card for"):].strip(" :\"'[]") or None
    return title


def _facet_tags(meta: dict[str, Any]) -> list[str]:
    """Hub-style `key:value` tags for the card's categorical fields (size, multilinguality, ...)."""
    return [f"{key}:{v}" for key in _TAGGED_KEYS for v in str_list(meta.get(key))]


def _aliases(card: Card, repo_id: str, short: str, pretty: str | None, problems: Problems) -> list[str]:
    """Other names of the dataset: Papers-with-Code id (`pwc:<id>`), pretty name, short name."""
    out: list[str] = []
    pwc = text_field(card, "paperswithcode_id", problems)
    if pwc and pwc.lower() not in ("null", "none") and not is_placeholder(pwc):
        out.append(f"pwc:{pwc}")
    for name in (pretty, short):
        if name and name != repo_id and name not in out and not is_placeholder(name):
            out.append(name)
    return out


def _sources(meta: dict[str, Any]) -> list[LineageEdge]:
    """'derived' edges to the datasets named by `source_datasets` (or a predictions card's `datasets`)."""
    edges: list[LineageEdge] = []
    for raw in str_list(meta.get("source_datasets")) + str_list(meta.get("datasets")):
        name = raw.split("|", 1)[1].strip() if raw.startswith("extended|") else raw
        if not name or name.lower() in _NOT_A_SOURCE or name.lower().startswith("other"):
            continue
        parent = hub_ref(name, "dataset")
        if all(e.parent != parent for e in edges):
            edges.append(LineageEdge(parent, "derived"))
    return edges


# ---------------------------------------------------------------- dataset_info


def dataset_tables(info: Any, line: int | None, problems: Problems) -> tuple[list[TableSchema], int | None]:
    """One TableSchema per config of `dataset_info` (a mapping, or a list for several configs)."""
    configs = info if isinstance(info, list) else [info]
    tables: list[TableSchema] = []
    total: int | None = None
    for i, cfg in enumerate(configs, 1):
        if not isinstance(cfg, dict):
            problems.append(Rejected(f"dataset_info config {i} is a {type(cfg).__name__}, expected a mapping",
                                     line=line))
            continue
        name = str(cfg.get("config_name") or "default")
        splits = _splits(cfg.get("splits"))
        n_rows = sum(splits.values()) if splits else None
        desc = ", ".join(f"{s}: {n} rows" for s, n in splits.items()) or None
        tables.append(TableSchema(name=name, columns=_columns(cfg.get("features")), n_rows=n_rows,
                                  format="hf-datasets", description=desc and f"splits {desc}"))
        size = to_int(cfg.get("dataset_size")) or to_int(cfg.get("download_size"))
        if size is not None:
            total = (total or 0) + size
    return tables, total


def _splits(splits: Any) -> dict[str, int]:
    """split name -> number of examples (entries without a count are left out)."""
    out: dict[str, int] = {}
    for s in splits if isinstance(splits, list) else []:
        if isinstance(s, dict) and s.get("name") is not None:
            n = to_int(s.get("num_examples"))
            if n is not None:
                out[str(s["name"])] = n
    return out


def _columns(features: Any) -> list[Column]:
    """Top-level features as columns; nested ones are summarized in the type (`list<struct>`)."""
    cols: list[Column] = []
    for f in features if isinstance(features, list) else []:
        if isinstance(f, dict) and f.get("name") is not None:
            cols.append(Column(str(f["name"]), feature_type(f), _labels(f)))
    return cols


def feature_type(feature: Any) -> str:
    """A compact type: 'string', 'class_label', 'sequence<string>', 'list<struct>', 'struct'."""
    if isinstance(feature, str):
        return feature
    if isinstance(feature, list):
        return "struct"
    if not isinstance(feature, dict):
        return "unknown"
    if "dtype" in feature:
        dtype = feature["dtype"]
        return next(iter(dtype)) if isinstance(dtype, dict) and dtype else str(dtype)
    for key in ("sequence", "list"):
        if key in feature:
            return f"{key}<{feature_type(feature[key])}>"
    if "struct" in feature:
        return "struct"
    if "class_label" in feature:
        return "class_label"
    return "unknown"


def _labels(feature: Any) -> str | None:
    """For a class_label feature (also inside a sequence): its class names, as a description."""
    if not isinstance(feature, dict):
        return None
    spec = feature.get("dtype") if isinstance(feature.get("dtype"), dict) else feature
    label = spec.get("class_label")
    if not isinstance(label, dict):
        inner = feature.get("sequence", feature.get("list"))
        return _labels(inner) if isinstance(inner, dict) else None
    names = label.get("names")
    if isinstance(names, dict):
        names = list(names.values())
    if not isinstance(names, list) or not names:
        return None
    text = ", ".join(str(n) for n in names[:50])
    return f"classes: {text}" + (f" (+{len(names) - 50} more)" if len(names) > 50 else "")


def _add_config_files(rec: AssetRecord, configs: Any) -> None:
    """`configs` data_files: attach file paths to the config's table (or a new table)."""
    for cfg in configs if isinstance(configs, list) else []:
        if not isinstance(cfg, dict) or not cfg.get("config_name"):
            continue
        paths = _data_files(cfg.get("data_files"))
        if not paths:
            continue
        name = str(cfg["config_name"])
        table = next((t for t in rec.tables if t.name == name), None)
        if table is None:
            table = TableSchema(name=name, format="hf-datasets")
            rec.tables.append(table)
        table.path = ", ".join(paths)[:1000]


def _data_files(spec: Any) -> list[str]:
    """File paths or globs of a config's `data_files` (a string, a list, or split entries)."""
    if isinstance(spec, str):
        return [spec]
    out: list[str] = []
    for item in spec if isinstance(spec, list) else []:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            out += str_list(item.get("path"))
    return out
