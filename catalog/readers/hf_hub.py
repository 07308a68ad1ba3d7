"""Hugging Face Hub metadata that is not a card: `dataset_infos.json` schemas and Hub-wide tables.

`dataset_infos.json` (the `datasets` library's per-config schema file) gives what a card
rarely states precisely: the columns, their types, the label names and the split sizes.
It yields the same asset id as the README.md beside it (read by `hf_cards`), so the two
merge into one dataset asset.

The Hub-wide tables (`model_info.parquet`, `dataset_info.parquet`) describe ~100k repos,
most of which have no card here; they become `FacetUpdate`s (popularity, task, author)
joined to whatever assets the catalog holds, instead of 100k thin assets.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from assetscout.catalog.records import (
    AssetRecord,
    Column,
    FacetUpdate,
    ReaderItem,
    Rejected,
    Skipped,
    TableSchema,
)
from assetscout.catalog.readers.base import MB, Reader, first_paragraph, read_text, to_int
from assetscout.catalog.readers.hf_features import collect_labels, flatten_features
from assetscout.catalog.readers.jsonld import json_kind
from assetscout.errors import RecordError

INFOS_FILE_NAMES = ("dataset_infos.json", "dataset_info.json")

# ---------------------------------------------------------------- dataset_infos.json


class DatasetInfosReader(Reader):
    """`datasets/<name>/dataset_infos.json` -> one `hf:dataset/<name>` asset with its schemas."""

    name = "hf_dataset_infos"

    def claims(self, path: Path) -> bool:
        return path.name in INFOS_FILE_NAMES

    def read(self, path: Path) -> Iterator[ReaderItem]:
        text = read_text(path)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RecordError(f"file is not valid JSON: {exc.msg}", line=exc.lineno) from None
        except RecursionError:
            raise RecordError("JSON is nested too deeply to read") from None
        configs = _configs_of(data, path.name)
        dataset = path.parent.name
        infos: list[tuple[str, dict[str, Any]]] = []
        problems: list[Rejected] = []
        for config, info in configs.items():
            if isinstance(info, dict):
                infos.append((config, info))
            else:
                problems.append(Rejected(
                    f"config '{config}' is a {json_kind(info)}, expected an object of dataset info",
                    line=_key_line(text, config),
                ))
        if not infos:
            raise RecordError(f"no config could be read: {problems[0].reason}")
        yield from problems
        tables = []
        for config, info in infos:
            table, problem = _config_table(config, info)
            tables.append(table)
            if problem:
                yield Rejected(problem, line=_key_line(text, config))
        yield _dataset_record(dataset, infos, tables)


def _configs_of(data: Any, file_name: str) -> dict[str, Any]:
    """The config -> info mapping; `dataset_info.json` (one config, no mapping) is wrapped."""
    if not isinstance(data, dict):
        raise RecordError(
            f"top level is a {json_kind(data)}, "
            "expected an object mapping config names to dataset info",
            line=1,
        )
    if not data:
        raise RecordError("file holds no configs (empty object)", line=1)
    single = isinstance(data.get("splits"), (dict, list)) and "builder_name" in data
    if file_name == "dataset_info.json" or single:
        return {str(data.get("config_name") or "default"): data}
    return data


def _config_table(config: str, info: dict[str, Any]) -> tuple[TableSchema, str | None]:
    """One config as a table: its flattened features and its total row count."""
    features = info.get("features")
    problem = None
    columns: list[Column] = []
    if isinstance(features, dict):
        columns = [Column(name, typ) for name, typ in flatten_features(features)]
    elif features is not None:
        problem = f"config '{config}': 'features' is a {json_kind(features)}, expected an object"
    return TableSchema(
        name=config,
        columns=columns,
        n_rows=_total_rows(info.get("splits")),
        description=_text(info.get("description")),
    ), problem


def _dataset_record(
    dataset: str, infos: list[tuple[str, dict[str, Any]]], tables: list[TableSchema]
) -> AssetRecord:
    """Dataset-level facts: the first non-empty value over configs, sizes of the largest."""
    description = _first_value(infos, "description")
    labels: list[str] = []
    tasks: list[str] = []
    for _, info in infos:
        collect_labels(info.get("features"), labels)
        for template in info.get("task_templates") or []:
            task = template.get("task") if isinstance(template, dict) else None
            if isinstance(task, str) and task not in tasks:
                tasks.append(task)
    extra: dict[str, Any] = {
        "description": description,
        "citation": _first_value(infos, "citation"),
        "builder_name": _first_value(infos, "builder_name"),
        "version": _version(infos),
        "configs": {config: _config_sizes(info) for config, info in infos},
    }
    return AssetRecord(
        asset_id=f"hf:dataset/{dataset}",
        kind="dataset",
        name=dataset,
        summary=_short_summary(description),
        license=_first_value(infos, "license"),
        tasks=tasks,
        size_bytes=_largest_size(infos),
        url=_first_value(infos, "homepage"),
        labels=labels,
        tables=tables,
        extra={k: v for k, v in extra.items() if v not in (None, "", {})},
        priority=20,
    )


# ---------------------------------------------------------------- splits and sizes


def _split_items(splits: Any) -> list[tuple[str, dict[str, Any]]]:
    """Splits as (name, info); old files map name -> info, newer ones list infos."""
    if isinstance(splits, dict):
        return [(str(k), v) for k, v in splits.items() if isinstance(v, dict)]
    if isinstance(splits, list):
        return [(str(s.get("name")), s) for s in splits if isinstance(s, dict)]
    return []


def _total_rows(splits: Any) -> int | None:
    counts = [to_int(info.get("num_examples")) for _, info in _split_items(splits)]
    known = [c for c in counts if c is not None]
    return sum(known) if known else None


def _config_sizes(info: dict[str, Any]) -> dict[str, Any]:
    sizes = {
        "splits": {
            name: to_int(split.get("num_examples"))
            for name, split in _split_items(info.get("splits"))
        },
        "download_size": to_int(info.get("download_size")),
        "dataset_size": to_int(info.get("dataset_size")),
    }
    return {k: v for k, v in sizes.items() if v not in (None, {})}


def _largest_size(infos: list[tuple[str, dict[str, Any]]]) -> int | None:
    """Bytes of the largest config (its prepared size, else its download size)."""
    sizes = [
        to_int(info.get("dataset_size")) or to_int(info.get("download_size")) for _, info in infos
    ]
    known = [s for s in sizes if s]
    return max(known) if known else None


# ---------------------------------------------------------------- small helpers


def _first_value(infos: list[tuple[str, dict[str, Any]]], key: str) -> str | None:
    for _, info in infos:
        value = _text(info.get(key))
        if value:
            return value
    return None


def _version(infos: list[tuple[str, dict[str, Any]]]) -> str | None:
    for _, info in infos:
        version = info.get("version")
        if isinstance(version, dict):
            version = version.get("version_str")
        if version:
            return str(version)
    return None


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _short_summary(description: str | None, target: int = 80) -> str | None:
    """First one or two sentences of the description: enough to say what the dataset is."""
    para = first_paragraph(description or "")
    if not para:
        return None
    sentences = re.split(r"(?<=[.!?])\s+", para)
    summary = sentences[0]
    if len(summary) < target and len(sentences) > 1:
        summary = f"{summary} {sentences[1]}"
    return summary


def _key_line(text: str, key: str) -> int | None:
    """Line of the first `"key":` in the file: good enough to point a user at a config."""
    index = text.find(json.dumps(key) + ":")
    return text.count("\n", 0, index) + 1 if index >= 0 else None


# ---------------------------------------------------------------- Hub-wide tables


@dataclass(frozen=True)
class _Layout:
    """Which column of a Hub table holds which facet (None: the table has no such column)."""

    id_prefix: str
    id_column: str
    author: str | None
    created: str | None
    downloads: str | None
    task: str | None
    domain: str | None
    has_card: tuple[str, ...]  # first present column wins


_NO_VALUE = {"", "unknown", "none", "null", "nan"}


class _HubTableReader(Reader):
    """A Hub-wide Parquet table -> one FacetUpdate per row, read in batches."""

    max_bytes = 200 * MB
    file_name = ""
    layout: _Layout
    batch_rows = 16_384

    def claims(self, path: Path) -> bool:
        return path.name == self.file_name

    def read(self, path: Path) -> Iterator[ReaderItem]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            parquet = pq.ParquetFile(path)
        except (pa.ArrowException, OSError) as exc:
            raise RecordError(f"not a readable Parquet file: {exc}") from None
        present = set(parquet.schema_arrow.names)
        layout = self.layout
        if layout.id_column not in present:
            raise RecordError(
                f"table has no '{layout.id_column}' column, so rows cannot be tied to assets "
                f"(columns: {', '.join(sorted(present)) or 'none'})"
            )
        has_card = next((c for c in layout.has_card if c in present), None)
        wanted = {
            "id": layout.id_column, "author": layout.author, "created": layout.created,
            "downloads": layout.downloads, "task": layout.task, "domain": layout.domain,
            "has_card": has_card,
        }
        wanted = {k: c for k, c in wanted.items() if c and c in present}
        row = 0
        batches = parquet.iter_batches(
            batch_size=self.batch_rows, columns=sorted(set(wanted.values()))
        )
        while True:
            try:
                batch = next(batches, None)
            except pa.ArrowException as exc:
                raise RecordError(f"Parquet data is damaged after row {row}: {exc}") from None
            if batch is None:
                return
            values = {key: batch.column(column).to_pylist() for key, column in wanted.items()}
            for i in range(batch.num_rows):
                row += 1
                yield self._facet({key: vals[i] for key, vals in values.items()}, row)

    def _facet(self, row: dict[str, Any], line: int) -> FacetUpdate | Rejected:
        repo_id = _text(row.get("id"))
        if not repo_id:
            return Rejected(f"row {line} has no {self.layout.id_column}", line=line)
        has_card = row.get("has_card")
        return FacetUpdate(
            asset_id=f"{self.layout.id_prefix}{repo_id}",
            downloads=_count(row.get("downloads")),
            task=_facet_text(row.get("task")),
            domain=_facet_text(row.get("domain")),
            author=_text(row.get("author")),
            created=_iso_date(row.get("created")),
            has_card=bool(has_card) if has_card is not None else None,
            line=line,
        )


def _count(value: Any) -> int | None:
    """Downloads are stored as floats; a negative or non-finite count is no count."""
    number = to_int(value)
    return number if number is not None and number >= 0 else None


def _facet_text(value: Any) -> str | None:
    text = _text(value)
    return None if text is None or text.lower() in _NO_VALUE else text


_GIT_DATE = "%a %b %d %H:%M:%S %Y %z"  # 'Tue Jan 25 16:34:18 2022 +0100'


def _iso_date(value: Any) -> str | None:
    """A creation time (timestamp, git-log date text or ISO text) as a UTC 'YYYY-MM-DD'."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return moment.astimezone(timezone.utc).date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = _text(value)
    if not text:
        return None
    for parse in (lambda t: datetime.strptime(t, _GIT_DATE), datetime.fromisoformat):
        try:
            return _iso_date(parse(text.replace("Z", "+00:00")))
        except ValueError:
            continue
    return None


class HubModelTableReader(_HubTableReader):
    """`model_info.parquet` (Hub model table): downloads, pipeline tag, domain per model id."""

    name = "hf_hub_models"
    file_name = "model_info.parquet"
    layout = _Layout(
        id_prefix="hf:model/", id_column="modelId", author="author", created="creation_time",
        downloads="downloads", task="task_category", domain="task_domain",
        has_card=("has_modelcard",),
    )


class HubDatasetTableReader(_HubTableReader):
    """`dataset_info.parquet` (Hub dataset table). A README that is empty does not count
    as a card, so `has_card` comes from `has_nonempty_card` when the table has it.
    The `task` column is kept as written (a comma-joined list for some datasets)."""

    name = "hf_hub_datasets"
    file_name = "dataset_info.parquet"
    layout = _Layout(
        id_prefix="hf:dataset/", id_column="dataset_name", author="author",
        created="dataset_creation_time", downloads="downloads", task="task", domain="domain",
        has_card=("has_nonempty_card", "has_card"),
    )


class HubCardSectionsSkipper(Reader):
    """`datasetcard_sections_info.parquet` is a per-card section analysis, not asset metadata."""

    name = "hf_hub_card_sections"
    max_bytes = 200 * MB

    def claims(self, path: Path) -> bool:
        return path.name == "datasetcard_sections_info.parquet"

    def read(self, path: Path) -> Iterator[ReaderItem]:
        yield Skipped(
            "per-card section analysis of dataset cards (a research table), not asset metadata"
        )


READERS: list[Reader] = [
    DatasetInfosReader(),
    HubModelTableReader(),
    HubDatasetTableReader(),
    HubCardSectionsSkipper(),
]
