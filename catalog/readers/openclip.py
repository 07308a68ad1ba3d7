"""OpenCLIP's published tables: zero-shot results per checkpoint, and architecture profiles.

OpenCLIP names a checkpoint by (architecture, pretrained tag), e.g. ('ViT-B-32',
'laion2b_s34b_b79k'); the asset is ``openclip:model/ViT-B-32/laion2b_s34b_b79k``. The
architecture alone (``model_profile.csv``: widths, parameters, GFLOPs) is an asset of its
own, ``openclip:model/ViT-B-32``, tagged ``architecture``; each checkpoint points to it
with a ``base`` lineage edge, so "all checkpoints of ViT-B-32" is one lineage hop.

The results tables hold one headline score per dataset, the metric of the DataComp
benchmark the tables follow (top-1 accuracy for most classification sets, mean recall@1
for Flickr/MSCOCO, Jaccard for WinoGAViL), which the file does not name per column: it is
recorded as metric ``main_score`` with the dataset's column name as written.
"""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path
from typing import Iterator

from assetscout.catalog.readers.base import Reader, read_text, to_float
from assetscout.catalog.records import (
    AssetRecord,
    Configuration,
    DatasetLink,
    Evaluation,
    LineageEdge,
    ReaderItem,
    Rejected,
)
from assetscout.errors import RecordError

LIBRARY = "open_clip"
ZERO_SHOT_CLASSIFICATION = "zero-shot-image-classification"
ZERO_SHOT_RETRIEVAL = "zero-shot-retrieval"
MAIN_SCORE = "main_score"
MAIN_TABLE = "openclip_results.csv"  # the full table; the others are breakdowns

# Columns of the full table that are retrieval benchmarks, not classification.
_RETRIEVAL_SETS = {"Flickr", "MSCOCO", "WinoGAViL"}
# Pretrained tags start with the training corpus when they name one ('openai', 'v1' do not).
_CORPORA = ("laion", "datacomp", "commonpool", "dfn", "webli", "yfcc", "cc12m", "merged",
            "metaclip")
# Tag parts after the corpus: samples seen (s34b), batch size (b79k), epoch (e31), recipe.
_SCHEDULE = re.compile(r"[sbe]\d+[kmb]?|augreg|ft|soup|rewind")
_ID_COLUMNS = (("name", "pretrained"), ("model", "version"))
_PROFILE_HEADER = "model,image_size,image_width,text_width,embed_dim,mparams"


def checkpoint_id(arch: str, tag: str) -> str:
    """The asset id of an OpenCLIP checkpoint."""
    return f"openclip:model/{arch}/{tag}"


def architecture_id(arch: str) -> str:
    """The asset id of an OpenCLIP architecture (a model definition without weights)."""
    return f"openclip:model/{arch}"


def pretrain_datasets(tag: str) -> list[DatasetLink]:
    """The corpora a pretrained tag names: 'laion2b_s34b_b79k' -> laion2b (pretrain).

    'mscoco_finetuned_laion2b_s13b_b90k' also names a finetuning set; tags that name no
    corpus ('openai', 'v1', 'mrl') give nothing rather than a guess.
    """
    parts = tag.split("_")
    links: list[DatasetLink] = []
    if parts[:2] == ["mscoco", "finetuned"]:
        links.append(DatasetLink("mscoco", "finetune"))
        parts = parts[2:]
    if parts[:1] == ["frozen"]:
        parts = parts[1:]
    corpus: list[str] = []
    for part in parts:
        if _SCHEDULE.fullmatch(part):
            break
        corpus.append(part)
    name = "_".join(corpus)
    if name.startswith(_CORPORA):
        links.insert(0, DatasetLink(name, "pretrain"))
    return links


def _peek_line(path: Path) -> str:
    """The first line of a file; '' when unreadable (claims must never raise)."""
    try:
        with path.open("rb") as fh:
            return fh.read(256).decode("utf-8", "replace").lstrip("\ufeff").splitlines()[0]
    except (OSError, IndexError):
        return ""


Row = tuple[int, dict[str, str]]
Rows = Iterator[Row | Rejected]


def _csv_rows(path: Path) -> tuple[list[str], Rows]:
    """Header and an iterator of (line, row); a ragged row comes out as Rejected."""
    reader = csv.reader(io.StringIO(read_text(path), newline=""))
    header = [h.strip() for h in next(reader, [])]
    if len(header) < 2:
        raise RecordError("first line is not a header of comma-separated column names", line=1)

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


def _number(row: dict[str, str], column: str, what: str, line: int,
            notes: list[Rejected]) -> float | None:
    """A numeric cell; empty or 'nan' -> None (not measured); not a number -> None and a note."""
    raw = row.get(column, "")
    if not raw or raw.lower() == "nan":
        return None
    value = to_float(raw)
    if value is None or not math.isfinite(value):
        notes.append(Rejected(f"{what}: column '{column}' value {raw!r} is not a number; "
                              "left out", line=line))
        return None
    return value


def _millions(value: float | None) -> int | None:
    return round(value * 1_000_000) if value is not None else None


# ---------------------------------------------------------------- results tables


class OpenClipResultsReader(Reader):
    """``openclip_*results.csv``: one record per checkpoint, one Evaluation per score column.

    Reads the full table and its classification, retrieval and multilingual retrieval
    breakdowns; the full table's record (priority 20) also carries parameters and GFLOPs.
    """

    name = "openclip_results"

    def claims(self, path: Path) -> bool:
        if not (path.name.startswith("openclip_") and path.name.endswith("results.csv")):
            return False
        first = _peek_line(path)
        return any(first.startswith(f"{a},{b},") for a, b in _ID_COLUMNS)

    def read(self, path: Path) -> Iterator[ReaderItem]:
        header, rows = _csv_rows(path)
        id_cols = tuple(header[:2])
        if id_cols not in _ID_COLUMNS:
            raise RecordError(f"header starts with {', '.join(id_cols)}; expected "
                              "'name,pretrained' or 'model,version'", line=1)
        multilingual = id_cols == ("model", "version")
        retrieval = multilingual or "retrieval" in path.name
        score_cols = [h for h in header[2:] if h not in ("params (M)", "FLOPs (B)")]
        main = path.name == MAIN_TABLE
        seen: dict[tuple[str, str], int] = {}
        for item in rows:
            if isinstance(item, Rejected):
                yield item
                continue
            line, row = item
            key = (row[id_cols[0]], row[id_cols[1]])
            if not all(key):
                yield Rejected(f"row needs both '{id_cols[0]}' and '{id_cols[1]}'", line=line)
                continue
            if key in seen:
                yield Rejected(f"checkpoint {key[0]}/{key[1]} is listed again (first on line "
                               f"{seen[key]})", line=line)
                continue
            seen[key] = line
            yield from _checkpoint(key, row, line, score_cols, retrieval, multilingual, main)


def _checkpoint(key: tuple[str, str], row: dict[str, str], line: int, score_cols: list[str],
                retrieval: bool, multilingual: bool, main: bool) -> Iterator[ReaderItem]:
    """One row: the checkpoint's record, then a note for each cell that was left out."""
    arch, tag = key
    what = f"checkpoint {arch}/{tag}"
    notes: list[Rejected] = []
    evaluations: list[Evaluation] = []
    for column in score_cols:
        value = _number(row, column, what, line, notes)
        if value is not None:
            evaluations.append(_score(column, value, retrieval, multilingual))
    flops = row.get("FLOPs (B)", "")
    yield AssetRecord(
        asset_id=checkpoint_id(arch, tag), kind="model", name=f"{arch}/{tag}", library=LIBRARY,
        summary=f"OpenCLIP {arch} with '{tag}' pretrained weights." if main else None,
        tasks=[] if retrieval else [ZERO_SHOT_CLASSIFICATION],
        parameters=_millions(_number(row, "params (M)", what, line, notes)),
        configurations=[Configuration("gflops", flops)] if flops else [],
        datasets=pretrain_datasets(tag),
        lineage=[LineageEdge(architecture_id(arch), "base")],
        evaluations=evaluations,
        extra={"architecture": arch, "pretrained": tag},
        priority=20 if main else 30, line=line,
    )
    yield from notes


def _score(column: str, value: float, retrieval: bool, multilingual: bool) -> Evaluation:
    """Turn a score column's header into (metric, dataset, config, task).

    Full/classification table: 'ImageNet 1k' -> main_score on ImageNet 1k. Retrieval:
    'Flickr image retr. R@1' -> 'image retr. R@1' on Flickr. Multilingual:
    'crossmodal3600 image_retrieval_recall@1 ar' -> that metric on crossmodal3600, config 'ar'.
    Averages over many datasets keep their header as the metric, with no dataset.
    """
    if column.startswith("Average") or column == "avg":
        return Evaluation(column, value)
    if multilingual:
        parts = column.split(" ")
        if len(parts) == 3:
            return Evaluation(parts[1], value, dataset=parts[0], config=parts[2],
                              task=ZERO_SHOT_RETRIEVAL)
        return Evaluation(column, value, task=ZERO_SHOT_RETRIEVAL)
    if retrieval:
        dataset, _, metric = column.partition(" ")
        return Evaluation(metric or column, value, dataset=dataset, task=ZERO_SHOT_RETRIEVAL)
    task = ZERO_SHOT_RETRIEVAL if column in _RETRIEVAL_SETS else ZERO_SHOT_CLASSIFICATION
    return Evaluation(MAIN_SCORE, value, dataset=column, task=task)


# ---------------------------------------------------------------- architecture profiles


class OpenClipProfileReader(Reader):
    """``model_profile.csv``: one record per architecture (sizes, parameters, GFLOPs)."""

    name = "openclip_profile"

    def claims(self, path: Path) -> bool:
        return path.suffix.lower() == ".csv" and _peek_line(path).startswith(_PROFILE_HEADER)

    def read(self, path: Path) -> Iterator[ReaderItem]:
        header, rows = _csv_rows(path)
        if header[0] != "model" or "mparams" not in header:
            raise RecordError("header lacks the 'model' and 'mparams' columns", line=1)
        seen: dict[str, int] = {}
        for item in rows:
            if isinstance(item, Rejected):
                yield item
                continue
            line, row = item
            arch = row["model"]
            if not arch:
                yield Rejected("row has no model (architecture) name", line=line)
                continue
            if arch in seen:
                yield Rejected(f"architecture {arch} is listed again (first on line "
                               f"{seen[arch]})", line=line)
                continue
            seen[arch] = line
            notes: list[Rejected] = []
            params = _number(row, "mparams", f"architecture {arch}", line, notes)
            yield AssetRecord(
                asset_id=architecture_id(arch), kind="model", name=arch, library=LIBRARY,
                summary=f"OpenCLIP {arch} architecture (model definition, no pretrained weights).",
                tasks=[ZERO_SHOT_CLASSIFICATION], tags=["architecture"],
                parameters=_millions(params),
                configurations=[Configuration(k, v) for k, v in row.items()
                                if k not in ("model", "mparams") and v],
                priority=20, line=line,
            )
            yield from notes


READERS: list[Reader] = [OpenClipResultsReader(), OpenClipProfileReader()]
