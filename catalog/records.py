"""What readers produce: plain, typed records of the metamodel (DESIGN.md section 2).

Readers never touch DuckDB. They yield these records; `catalog.ingest` hashes them,
compares with what the catalog holds and writes only what changed. Keeping readers
pure makes each one testable on a string and lets one bad card fail alone.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal, Union

AssetKind = Literal["model", "dataset", "table"]
ASSET_KINDS: tuple[str, ...] = ("model", "dataset", "table")

DatasetRole = Literal["train", "eval", "finetune", "pretrain", "source"]
DATASET_ROLES: tuple[str, ...] = ("train", "eval", "finetune", "pretrain", "source")

LineageRelation = Literal[
    "finetune", "adapter", "quantized", "merge", "distilled", "derived", "base"
]
LINEAGE_RELATIONS: tuple[str, ...] = (
    "finetune", "adapter", "quantized", "merge", "distilled", "derived", "base",
)


@dataclass
class DatasetLink:
    """A model -> dataset edge as the source names the dataset (resolved later)."""

    name: str
    role: str = "train"


@dataclass
class LineageEdge:
    """This asset derives from `parent` (an asset id or a name as written)."""

    parent: str
    relation: str = "derived"


@dataclass
class Evaluation:
    """One reported metric value. `dataset` is the name as written in the source."""

    metric: str
    value: float
    dataset: str | None = None
    task: str | None = None
    split: str | None = None
    config: str | None = None  # dataset config / subset, e.g. "en" or "sst2"
    hardware: str | None = None  # where a speed metric was measured, if it was
    unit: str | None = None  # "%" when the source wrote a percent sign (catalog/evaluation_keys.py scales by it)


@dataclass
class Configuration:
    """A training/inference setting or a hardware fact (key -> value as text)."""

    key: str
    value: str
    hardware: str | None = None


@dataclass
class Column:
    """A column of a table or a field of a dataset schema (record set)."""

    name: str
    type: str | None = None
    description: str | None = None


@dataclass
class TableSchema:
    """A table inside an asset: a dataset config/split, a Croissant record set, a file."""

    name: str
    columns: list[Column] = field(default_factory=list)
    n_rows: int | None = None
    format: str | None = None
    path: str | None = None
    description: str | None = None


@dataclass
class AssetRecord:
    """Everything one source says about one asset.

    `asset_id` is stable across sources (e.g. `hf:model/bert-base-uncased`), so that the
    MTEB entry and the Hub card of the same model merge into one asset. Lists hold the
    facts that hang off the asset; they are replaced as a whole when the record changes.
    `priority` orders sources when two disagree on a scalar field (lower wins).
    """

    asset_id: str
    kind: str
    name: str
    title: str | None = None
    summary: str | None = None
    card_text: str | None = None
    license: str | None = None  # as written; normalized by catalog.licenses
    tasks: list[str] = field(default_factory=list)
    library: str | None = None
    languages: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    organization: str | None = None
    access: str | None = None  # open / limited / closed (HELM), gated, ...
    parameters: int | None = None
    size_bytes: int | None = None
    created: str | None = None  # ISO date as text; the store parses it
    modified: str | None = None
    downloads: int | None = None
    likes: int | None = None
    url: str | None = None
    aliases: list[str] = field(default_factory=list)  # other names of this asset
    datasets: list[DatasetLink] = field(default_factory=list)
    lineage: list[LineageEdge] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    configurations: list[Configuration] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    tables: list[TableSchema] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    priority: int = 50
    line: int | None = None  # line in the source file, for multi-record files

    def content_hash(self) -> str:
        """Stable hash of everything this record says; unchanged input -> same hash."""
        payload = json.dumps(dataclasses.asdict(self), sort_keys=True, default=str)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass
class FacetUpdate:
    """Facts from a Hub-wide table about an asset that may or may not be in the catalog.

    Stored apart (table `hub_stats`) and joined to assets by id, so that a 75k-row
    popularity table enriches the cards we hold without becoming 75k thin assets.
    """

    asset_id: str
    downloads: int | None = None
    likes: int | None = None
    task: str | None = None
    domain: str | None = None
    author: str | None = None
    created: str | None = None
    has_card: bool | None = None
    line: int | None = None


@dataclass
class Rejected:
    """A record that could not be read: which file, which line, and why, in words."""

    reason: str
    line: int | None = None
    file: str | None = None  # defaults to the file being read


@dataclass
class Skipped:
    """A file deliberately not read (duplicate of another file, not asset metadata)."""

    reason: str
    file: str | None = None


ReaderItem = Union[AssetRecord, FacetUpdate, Rejected, Skipped]
