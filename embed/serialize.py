"""What the encoder sees for a card, a table schema and a column (DESIGN.md section 3).

Most search quality is won here. A card becomes a compact header (what a user asks
about: name, task, library, language, license, size, summary) plus body chunks of
cleaned prose, each prefixed by the title so that a chunk still says whose it is. A
table becomes its name and header; a column its name, type, representative values
and the header of its table (the context that tells "name" of a city table from
"name" of a person table). Pure functions: same input, same text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assetscout.catalog.languages import LANGUAGE_NAMES, language_name
from assetscout.embed.markdown import chunk_words, clean_markdown
from assetscout.errors import InvalidInput


# Hub tags that describe the hosting, not the asset; they only dilute the header.
_NOISE_TAGS = {
    "autotrain_compatible", "endpoints_compatible", "text-generation-inference", "has_space",
    "safetensors", "pytorch", "tf", "jax", "tensorboard", "onnx", "model-index", "generated_from_trainer",
    "custom_code", "eval results", "inference endpoints", "4-bit", "8-bit", "bitsandbytes", "gguf",
    "keras", "flax", "rust", "coreml", "openvino", "tflite", "tf-keras",
}
_NOISE_TAG_PREFIXES = ("license:", "region:", "arxiv:", "doi:", "deploy:", "co2_eq_emissions", "autotrain_")
_NULL_TOKENS = {"", "nan", "null", "none", "na", "n/a", "-", "--", "?", "<na>", "nil", "undefined"}
_NAME_SPLIT = re.compile(r"[-_/.:\s]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class CardText:
    """Encoder inputs for one card: a header (one vector per card) and body chunks."""

    header: str
    chunks: tuple[str, ...]

    def texts(self) -> list[str]:
        """Header first, then the chunks: the order the ingest loop encodes them in."""
        return [self.header, *self.chunks]


def _as_list(value: Any) -> list[str]:
    """A list-valued column as strs: None, a str, a list or a numpy array from DuckDB."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, Iterable):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    return [str(value)]


def _text(value: Any) -> str:
    return _SPACES.sub(" ", str(value)).strip() if value is not None else ""


def _dedupe(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.casefold()
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def split_name(name: str) -> str:
    """Words of an identifier: 'google-bert/bert-base-uncased' -> 'google bert bert base uncased'."""
    words: list[str] = []
    for part in _NAME_SPLIT.split(name):
        words.extend(w for w in _CAMEL.split(part) if w)
    return " ".join(words)


def count_in_words(n: int | float, unit: str = "") -> str:
    """110_000_000 -> '110M', 6_738_415_616 -> '6.74B', with three significant digits."""
    value = float(n)
    for threshold, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= threshold:
            return f"{value / threshold:.3g}{suffix}{unit}"
    return f"{value:.3g}{unit}" if value != int(value) else f"{int(value)}{unit}"


def bytes_in_words(n: int) -> str:
    """1_234_567_890 -> '1.23 GB' (decimal units, as the Hub shows sizes)."""
    value = float(n)
    for threshold, suffix in ((1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "KB")):
        if value >= threshold:
            return f"{value / threshold:.3g} {suffix}"
    return f"{int(value)} bytes"


def _words_of(identifier: str) -> str:
    return identifier.replace("-", " ").replace("_", " ")


def _language_names(codes: list[str], limit: int) -> str:
    names = _dedupe(language_name(c) for c in codes)
    if len(names) > limit:
        return f"{', '.join(names[:limit])} and {len(names) - limit} more (multilingual)"
    return ", ".join(names)


def _split_tags(tags: list[str], skip: set[str], limit: int) -> tuple[list[str], list[str], list[str]]:
    """(key tags, datasets, base models) from a Hub tag list."""
    keep, datasets, bases = [], [], []
    for tag in tags:
        low = tag.lower()
        if low.startswith("dataset:"):
            datasets.append(tag.split(":", 1)[1])
        elif low.startswith("base_model:"):
            base = tag.split(":", 1)[1]
            if ":" in base:  # base_model:finetune:org/name -> the relation is in the lineage table
                base = base.split(":", 1)[1]
            bases.append(base)
        elif low in _NOISE_TAGS or low.startswith(_NOISE_TAG_PREFIXES) or low in skip or low in LANGUAGE_NAMES:
            continue
        else:
            keep.append(tag)
    return _dedupe(keep)[:limit], _dedupe(datasets), _dedupe(bases)


def _truncate_words(text: str, limit: int) -> str:
    words = text.split()
    return text if len(words) <= limit else " ".join(words[:limit]) + " ..."


def _lead(body: str, names: set[str], words: int) -> str:
    """The body's opening prose: paragraphs that are more than a repeated name, up to `words`."""
    taken: list[str] = []
    count = 0
    for paragraph in body.split("\n"):
        if paragraph.rstrip(".: ").casefold() in names or len(paragraph.split()) < 4 and not taken:
            continue
        taken.append(paragraph)
        count += len(paragraph.split())
        if count >= words:
            break
    return " ".join(taken)


def serialize_card(
    asset: Mapping[str, Any],
    *,
    chunk_size: int = 200,
    chunk_overlap: int = 40,
    max_chunks: int = 32,
    max_summary_words: int = 80,
    max_tags: int = 12,
    max_languages: int = 10,
) -> CardText:
    """Header and body chunks of a model or dataset card (an `asset` row as a mapping).

    The header names the asset the way users ask for it ('bert base uncased',
    'fill mask', 'English', '110M parameters'); the chunks carry the card's prose.
    With no summary, the header borrows the first sentences of the body.
    """
    if max_summary_words < 0 or max_tags < 0 or max_languages < 1:
        raise InvalidInput(
            "max_summary_words and max_tags must be >= 0 and max_languages >= 1, got "
            f"{max_summary_words!r}, {max_tags!r}, {max_languages!r}")
    name = _text(asset.get("name"))
    title = _text(asset.get("title")) or name
    if not title:
        raise InvalidInput("asset must have a name or a title")
    body = clean_markdown(str(asset.get("card_text") or ""))

    first = title
    name_words = split_name(name) if name else ""
    if name and name.casefold() != title.casefold():
        first += f" ({name})"
    if name_words and name_words.casefold() not in (name.casefold(), title.casefold()):
        first += f", {name_words}"
    parts = [first + "."]

    kind = _text(asset.get("kind")) or "asset"
    organization = _text(asset.get("organization"))
    parts.append(f"{kind.capitalize()} by {organization}." if organization else f"{kind.capitalize()}.")

    tasks = _dedupe(_as_list(asset.get("tasks")) or _as_list(asset.get("hub_task")))
    library = _text(asset.get("library"))
    languages = _as_list(asset.get("languages"))
    skip = {t.lower() for t in tasks} | {library.lower()} | {x.lower() for x in languages}
    tags, datasets, bases = _split_tags(_as_list(asset.get("tags")), skip, max_tags)
    own_names = (name.casefold(), title.casefold())
    aliases = [a for a in _dedupe(_as_list(asset.get("aliases"))) if a.casefold() not in own_names]

    if tasks:
        parts.append(f"Tasks: {', '.join(_words_of(t) for t in tasks)}.")
    if library:
        parts.append(f"Library: {library}.")
    if languages:
        parts.append(f"Languages: {_language_names(languages, max_languages)}.")
    if bases:
        parts.append(f"Base model: {', '.join(bases[:5])}.")
    if datasets:
        parts.append(f"Datasets: {', '.join(datasets[:10])}.")
    if tags:
        parts.append(f"Tags: {', '.join(tags)}.")
    license_ = _text(asset.get("license_spdx")) or _text(asset.get("license_raw")) or _text(asset.get("license"))
    if license_:
        parts.append(f"License: {license_}.")
    parameters = asset.get("parameters")
    if isinstance(parameters, (int, float)) and not isinstance(parameters, bool) and parameters > 0:
        parts.append(f"{count_in_words(parameters)} parameters.")
    size = asset.get("size_bytes")
    if isinstance(size, (int, float)) and not isinstance(size, bool) and size > 0:
        parts.append(f"Size {bytes_in_words(int(size))}.")
    if aliases:
        parts.append(f"Also known as: {', '.join(aliases[:5])}.")
    summary = _text(asset.get("summary")) or _lead(body, {name.casefold(), title.casefold()}, 50)
    if summary and max_summary_words:
        parts.append(_truncate_words(summary, max_summary_words))
    header = " ".join(parts)

    chunks = tuple(f"{title}: {chunk}" for chunk in
                   chunk_words(body, size=chunk_size, overlap=chunk_overlap, max_chunks=max_chunks))
    return CardText(header=header, chunks=chunks)


def _type_text(type_: str | None) -> str:
    return f" ({_text(type_)})" if type_ and _text(type_) else ""


def serialize_schema(
    table_name: str,
    columns: Sequence[tuple[str, str | None]],
    *,
    description: str | None = None,
    max_columns: int = 64,
) -> str:
    """'table <name>: columns a (string), b (int64)' plus the description when there is one."""
    if not isinstance(table_name, str) or not table_name.strip():
        raise InvalidInput(f"table_name must be a non-empty str, got {table_name!r}")
    if max_columns < 1:
        raise InvalidInput(f"max_columns must be >= 1, got {max_columns!r}")
    listed = [f"{_text(name)}{_type_text(type_)}" for name, type_ in list(columns)[:max_columns]]
    text = f"table {_text(table_name)}"
    words = split_name(table_name)
    if words.casefold() != table_name.casefold():
        text += f" ({words})"
    text += ": columns " + ", ".join(listed) if listed else ": no columns"
    if len(columns) > max_columns:
        text += f" and {len(columns) - max_columns} more"
    if description and _text(description):
        text += f". {_truncate_words(_text(description), 60)}"
    return text


def representative_values(values: Iterable[Any], *, limit: int = 20, max_chars: int = 50) -> list[str]:
    """Distinct, non-null sample values as short strings, in first-seen order."""
    out: list[str] = []
    seen: set[str] = set()
    for value in values:
        if value is None:
            continue
        text = _text(value)
        if text.lower() in _NULL_TOKENS:
            continue
        if len(text) > max_chars:
            text = text[:max_chars].rstrip() + "…"
        if text not in seen:
            seen.add(text)
            out.append(text)
            if len(out) >= limit:
                break
    return out


def serialize_column(
    table_name: str,
    column_name: str,
    column_type: str | None,
    sample_values: Iterable[Any],
    header: Sequence[str],
    *,
    max_values: int = 20,
    max_value_chars: int = 50,
    max_header: int = 30,
) -> str:
    """A column for union search: its name and type, its values, then its table's header.

    Values come before the table context so that truncation cuts context, not values.
    """
    if not isinstance(column_name, str) or not column_name.strip():
        raise InvalidInput(f"column_name must be a non-empty str, got {column_name!r}")
    if max_values < 0 or max_value_chars < 4 or max_header < 0:
        raise InvalidInput(
            "max_values and max_header must be >= 0 and max_value_chars >= 4, got "
            f"{max_values!r}, {max_value_chars!r}, {max_header!r}")
    text = f"column {_text(column_name)}{_type_text(column_type)} of table {_text(table_name)}"
    values = representative_values(sample_values, limit=max_values, max_chars=max_value_chars)
    if values and max_values:
        text += ": values " + ", ".join(values)
    others = [_text(h) for h in header if _text(h) and _text(h) != _text(column_name)]
    if others and max_header:
        text += f". Table columns: {', '.join(others[:max_header])}"
        if len(others) > max_header:
            text += f" and {len(others) - max_header} more"
    return text
