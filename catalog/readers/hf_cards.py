"""Hugging Face model and dataset cards: markdown with YAML front matter, and Hub API rows.

Readers, most specific first:

- `HubSampleReader`: a JSON-lines dump of Hub API rows (`modelId`, `tags`, `downloads`,
  `likes`, `modelcard_text`). The card bodies lost their YAML, so facts come from the
  API tags (hf_vocab sorts them). A `cards/<owner>@<name>.md` folder next to such a dump
  holds the same bodies: skipped as duplicates.
- `PopularCardsReader`: `<owner>@<name>/1_raw.md` (the README with YAML) is read;
  `2_original_model_card.md` (the same body without YAML) is skipped.
- `DatasetCardsReader`: `cards/<owner>_<name>.md` dataset cards. '/' became '_' in the
  file names, and dataset names contain '_' too, so the split is ambiguous: the Hub
  table `dataset_info.parquet` beside the folder lists every real id and settles it
  (all 7,433 files match exactly one id). Without the table, the name is split at its
  first '_' (Hub owners cannot contain '_'), which is wrong only for owner-less
  canonical datasets such as `ag_news`.
- `CanonicalDatasetsReader`: `datasets/<name>/README.md` of the huggingface/datasets
  repository (id `hf:dataset/<name>`); `metric_cards/<name>/README.md` are metric docs
  and are skipped, as are builder READMEs (csv, json, ...) that carry no metadata.
- `GenericCardReader`: any other `*.md` whose YAML front matter has a card key
  (license, pipeline_tag, library_name, tags, datasets, language, model-index,
  task_categories), or an `<owner>@<name>.md` file with any front matter (a saved Hub
  card, e.g. Liang et al.'s). Dataset-only keys make it a dataset card. Its id comes from the
  file: `README.md` -> the folder name, else the file stem; `owner@name` -> `owner/name`.

Policy for bad input: a card whose YAML front matter is broken (not closed, not YAML,
not a mapping) is rejected as a whole with the YAML line and reason: its metadata
cannot be trusted, and a half-read card would be a silently wrong asset. A saved HTML
page is rejected too. A card with valid YAML but one malformed field (a `model-index`
entry without results, a license that is a mapping) is still read; the bad part is
yielded as `Rejected` with the field's line. Card templates (`license: {license}`)
are skipped. Cards without YAML are read from their body alone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from assetscout.catalog.readers.base import MB, Reader, read_text
from assetscout.catalog.readers.hf_common import Card, Problems, is_template, split_card
from assetscout.catalog.readers.hf_dataset_meta import DATASET_KEYS, dataset_from_card
from assetscout.catalog.readers.hf_model_meta import model_from_card, model_from_hub_row
from assetscout.catalog.readers.hf_vocab import classify_hub_tags
from assetscout.catalog.records import ReaderItem, Rejected, Skipped
from assetscout.errors import RecordError

CARD_KEYS = ("license", "pipeline_tag", "library_name", "tags", "datasets", "language",
             "model-index", "task_categories")
_PEEK = 64 * 1024


def _peek(path: Path, size: int = _PEEK) -> str:
    """The first bytes of a file as text (undecodable bytes replaced); '' if unreadable."""
    try:
        with path.open("rb") as fh:
            return fh.read(size).decode("utf-8", "replace")
    except OSError:
        return ""


def _front_keys(head: str) -> set[str]:
    """Top-level keys of the YAML front matter at the start of `head` (empty if none)."""
    text = head.lstrip("\ufeff").lstrip()
    if not text.startswith("---"):
        return set()
    keys: set[str] = set()
    for line in text.splitlines()[1:]:
        if line.rstrip() == "---":
            break
        name, sep, _ = line.partition(":")
        if sep and name and not name[0].isspace() and not name.startswith(("-", "#")):
            keys.add(name.strip().strip("'\""))
    return keys


def _read_card(path: Path) -> Card | None:
    """Read and split a card file; None for a card template (placeholders, no asset).

    Raises RecordError for an empty, binary, HTML or broken card.
    """
    text = read_text(path)
    return None if is_template(text) else split_card(text)


TEMPLATE_REASON = "card template with {placeholder} values, not the card of an asset"


def _card_record(repo_id: str, card: Card | None, kind: str) -> Iterator[ReaderItem]:
    """A model or dataset record from a split card, then its field problems."""
    if card is None:
        yield Skipped(TEMPLATE_REASON)
        return
    problems: Problems = []
    if kind == "dataset":
        rec = dataset_from_card(repo_id, card, problems)
    else:
        rec = model_from_card(repo_id, card, problems)
    yield rec
    yield from problems


def card_kind(card: Card) -> str:
    """'dataset' when the YAML has a dataset-only key (task_categories, dataset_info, ...)."""
    return "dataset" if card.meta and DATASET_KEYS & set(card.meta) else "model"


# ---------------------------------------------------------------- Hub API rows (JSON lines)


class HubSampleReader(Reader):
    """Hub API rows with card bodies (hn5318 sample) and the duplicate `cards/*.md` beside them."""

    name = "hf_hub_rows"
    max_bytes = 200 * MB

    def claims(self, path: Path) -> bool:
        if path.suffix == ".jsonl":
            head = _peek(path, 16 * 1024)
            return '"modelId"' in head and '"modelcard_text"' in head
        return (path.suffix == ".md" and path.parent.name == "cards" and "@" in path.stem
                and (path.parent.parent / "models.jsonl").is_file())

    def read(self, path: Path) -> Iterator[ReaderItem]:
        if path.suffix == ".md":
            yield Skipped("card body duplicated in models.jsonl (which also has its Hub tags)")
            return
        seen: dict[str, int] = {}
        empty = True
        with path.open("rb") as fh:
            for n, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                empty = False
                yield from self._row(raw, n, seen)
        if empty:
            raise RecordError("file is empty")

    def _row(self, raw: bytes, n: int, seen: dict[str, int]) -> Iterator[ReaderItem]:
        """One JSON line -> one model record, or a Rejected saying what is wrong with it."""
        try:
            row = json.loads(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            yield Rejected("line is not valid UTF-8", line=n)
            return
        except json.JSONDecodeError as exc:
            yield Rejected(f"line is not valid JSON ({exc.msg} at column {exc.colno})", line=n)
            return
        except RecursionError:
            yield Rejected("line is JSON nested too deeply to read", line=n)
            return
        repo_id = row.get("modelId") if isinstance(row, dict) else None
        if not isinstance(repo_id, str) or not repo_id.strip():
            yield Rejected("row has no 'modelId' string", line=n)
            return
        repo_id = repo_id.strip()
        if repo_id in seen:
            yield Rejected(
                f"model {repo_id} already read at line {seen[repo_id]}; duplicate row ignored", line=n)
            return
        seen[repo_id] = n
        tags = row.get("tags")
        if tags is not None and not isinstance(tags, list):
            yield Rejected(
                f"'tags' of {repo_id} is a {type(tags).__name__}, expected a list; tags ignored", line=n)
            tags = None
        text = row.get("modelcard_text")
        body = _body_of(text) if isinstance(text, str) else ""
        rec = model_from_hub_row(repo_id, body, classify_hub_tags([str(t) for t in tags or []]),
                                 row.get("downloads"), row.get("likes"))
        rec.line = n
        yield rec


def _body_of(text: str) -> str:
    """The card body without front matter; a stray or broken '---' block is left as text
    (these rows' metadata comes from the API tags, not from what is left of the YAML)."""
    try:
        return split_card(text).body
    except RecordError:
        return text


# ---------------------------------------------------------------- popular cards (owner@name/)


class PopularCardsReader(Reader):
    """`<owner>@<name>/1_raw.md` model cards; `2_original_model_card.md` is the same body."""

    name = "hf_card"

    def claims(self, path: Path) -> bool:
        return path.name in ("1_raw.md", "2_original_model_card.md") and "@" in path.parent.name

    def read(self, path: Path) -> Iterator[ReaderItem]:
        if path.name != "1_raw.md":
            yield Skipped("body of 1_raw.md without its YAML (duplicate)")
            return
        card = _read_card(path)
        yield from _card_record(path.parent.name.replace("@", "/", 1), card, "model")


# ---------------------------------------------------------------- dataset cards (owner_name.md)


class DatasetCardsReader(Reader):
    """`cards/<owner>_<name>.md` dataset cards, ids settled by the Hub table beside them."""

    name = "hf_dataset_card"

    def __init__(self) -> None:
        self._names: dict[Path, frozenset[str]] = {}

    def claims(self, path: Path) -> bool:
        if path.suffix != ".md" or path.parent.name != "cards":
            return False
        top = path.parent.parent
        return (top.name.startswith("hf_dataset_cards") or (top / "dataset_info.parquet").is_file()
                or (top / "datasetcard_sections_info.parquet").is_file())

    def read(self, path: Path) -> Iterator[ReaderItem]:
        card = _read_card(path)
        yield from _card_record(self.repo_id(path), card, "dataset")

    def repo_id(self, path: Path) -> str:
        """The Hub id a `<owner>_<name>.md` file stands for (see the module docstring)."""
        stem = path.stem
        known = self._hub_names(path.parent.parent)
        if stem in known:
            return stem
        splits = [stem[:i] + "/" + stem[i + 1:] for i, ch in enumerate(stem) if ch == "_"]
        hit = next((s for s in splits if s in known), None)
        return hit or (splits[0] if splits else stem)

    def _hub_names(self, folder: Path) -> frozenset[str]:
        """Every dataset id in `folder/dataset_info.parquet`, read once per folder."""
        if folder not in self._names:
            self._names[folder] = _read_names(folder / "dataset_info.parquet")
        return self._names[folder]


def _read_names(table: Path) -> frozenset[str]:
    """The `dataset_name` column of a Hub dataset table; empty if absent or unreadable."""
    if not table.is_file():
        return frozenset()
    try:
        import pyarrow.parquet as pq

        column = pq.read_table(table, columns=["dataset_name"]).column(0).to_pylist()
    except Exception:  # a broken table only costs the exact id split, not the cards
        return frozenset()
    return frozenset(str(n) for n in column if n)


# ---------------------------------------------------------------- canonical datasets repo


class CanonicalDatasetsReader(Reader):
    """`datasets/<name>/README.md` of huggingface/datasets; `metric_cards/*/README.md` skipped."""

    name = "hf_dataset_card"

    def claims(self, path: Path) -> bool:
        if path.name.lower() != "readme.md":
            return False
        group = path.parent.parent
        if group.name == "metric_cards":
            return True
        if group.name != "datasets":
            return False
        return ((path.parent / "dataset_infos.json").is_file()
                or group.parent.name.startswith("hf_datasets_canonical")
                or bool(DATASET_KEYS & _front_keys(_peek(path))))

    def read(self, path: Path) -> Iterator[ReaderItem]:
        if path.parent.parent.name == "metric_cards":
            yield Skipped("metric card (documents an evaluation metric, not an asset)")
            return
        card = _read_card(path)
        if card is not None and card.meta is None and not (path.parent / "dataset_infos.json").is_file():
            yield Skipped("README of a generic loading script (csv, json, ...): no card metadata")
            return
        yield from _card_record(path.parent.name, card, "dataset")


# ---------------------------------------------------------------- any other card


class GenericCardReader(Reader):
    """Any markdown file with card YAML front matter, wherever it lies."""

    name = "hf_card"

    def claims(self, path: Path) -> bool:
        if path.suffix.lower() != ".md":
            return False
        head = _peek(path)
        if _is_owner_at_name(path.stem) and head.lstrip("\ufeff").lstrip().startswith("---"):
            return True  # a collection of Hub cards saved as owner@name.md, even with empty YAML
        return any(k in CARD_KEYS for k in _front_keys(head))

    def read(self, path: Path) -> Iterator[ReaderItem]:
        card = _read_card(path)
        yield from _card_record(generic_repo_id(path), card, card_kind(card) if card else "model")


def _is_owner_at_name(stem: str) -> bool:
    """`owner@name`: how card collections write a repo id in a file name."""
    owner, sep, name = stem.partition("@")
    return bool(sep and owner and name and "@" not in name)


def generic_repo_id(path: Path) -> str:
    """The repo id a loose card stands for: folder of a README, else the file stem."""
    base = path.parent.name if path.stem.lower() == "readme" else path.stem
    return base.replace("@", "/", 1)


READERS: list[Reader] = [
    HubSampleReader(),
    PopularCardsReader(),
    DatasetCardsReader(),
    CanonicalDatasetsReader(),
    GenericCardReader(),
]

__all__ = [
    "READERS", "CanonicalDatasetsReader", "DatasetCardsReader", "GenericCardReader",
    "HubSampleReader", "PopularCardsReader", "card_kind", "generic_repo_id",
]

