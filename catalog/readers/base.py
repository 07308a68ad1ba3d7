"""The reader interface: one small class per source format.

The ingest walker offers every file it finds to the registered readers in order; the
first whose `claims(path)` is true reads it. A reader yields records; a problem with
one record is yielded as `Rejected` (or raised as `RecordError`, which fails the whole
file) and never stops the others.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, Iterator

import yaml

from assetscout.catalog.records import ReaderItem
from assetscout.errors import RecordError

MB = 1024 * 1024


class Reader(ABC):
    """Reads one source format into metamodel records.

    Subclasses set `name` (recorded as the source of every fact) and implement
    `claims` and `read`. `max_bytes` bounds the size of a file this reader accepts:
    a larger file is rejected with its size before any byte is parsed.
    """

    name: str = "reader"
    max_bytes: int = 20 * MB

    @abstractmethod
    def claims(self, path: Path) -> bool:
        """Whether this reader is the one for `path` (a file). Cheap: name/parents only."""

    @abstractmethod
    def read(self, path: Path) -> Iterator[ReaderItem]:
        """Yield the records in `path`.

        The catalog keys a record by (asset_id, file): a multi-record reader must merge
        what one file says about one asset into one record (a second record for the
        same asset from the same file is rejected).
        """


# ---------------------------------------------------------------- shared helpers


def read_text(path: Path) -> str:
    """Read a file as UTF-8 text (BOM tolerated), or fail with a reason a user understands."""
    data = path.read_bytes()
    if not data.strip():
        raise RecordError("file is empty")
    if b"\x00" in data[:4096]:
        raise RecordError("file is binary (contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RecordError(
            f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None


_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?:(.*?)\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.S)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~5x faster when present


def split_front_matter(text: str) -> tuple[dict[str, Any] | None, str, int]:
    """Split a markdown card into (YAML metadata, body, body start line).

    Returns (None, text, 1) when there is no front matter. Raises RecordError when the
    front matter is present but broken (unterminated, not YAML, not a mapping), with
    the line YAML complained about.
    """
    stripped = text.lstrip("\ufeff")
    if not stripped.startswith("---"):
        return None, text, 1
    m = _FRONT_MATTER.match(stripped)
    if not m:
        raise RecordError("YAML front matter starts with '---' but is never closed", line=1)
    try:
        meta = yaml.load(m.group(1) or "", Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        block_lines = (m.group(1) or "").count("\n") + 1
        # +1 for the opening '---', +1 for 1-based; an error "at end of stream" points at
        # the last line of the block rather than at the closing '---'
        line = min(mark.line + 2, block_lines + 1) if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RecordError(f"YAML front matter is not valid YAML: {problem}", line=line) from None
    body = stripped[m.end():]
    body_line = stripped[: m.end()].count("\n") + 1
    if meta is None:
        return {}, body, body_line
    if not isinstance(meta, dict):
        raise RecordError(
            f"YAML front matter is a {type(meta).__name__}, expected a mapping of keys", line=2
        )
    return meta, body, body_line


def as_list(value: Any) -> list[str]:
    """YAML fields are a string, a list, or missing: always give a list of strings."""
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    text = str(value).strip()
    return [text] if text else []


def first_paragraph(body: str, limit: int = 400) -> str | None:
    """A short summary: the first prose paragraph of a markdown body (no headings, code, tables)."""
    in_code = False
    para: list[str] = []
    for raw in body.splitlines():
        line = raw.strip()
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            continue
        if not line:
            if para:
                break
            continue
        if line.startswith(("#", "|", "<", "!", "[!", "---", "===", "- ", "* ")) and not para:
            continue
        para.append(line)
    if not para:
        return None
    text = " ".join(para)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # markdown links -> their text
    text = re.sub(r"(?<![\w*_])[*_]{1,3}|[*_]{1,3}(?![\w*_])|`", "", text)  # emphasis, not snake_case
    return text[:limit].rstrip() + ("..." if len(text) > limit else "")


def to_int(value: Any) -> int | None:
    """Parse counts written as 7000000, '7B', '110M', '1.5e9', '1,024'; None if not a number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value == value and abs(value) < 1e18 else None
    text = str(value).strip().replace(",", "").replace("_", "")
    m = re.fullmatch(r"([0-9]*\.?[0-9]+(?:e[+-]?\d+)?)\s*([kKmMbBtT]?)", text)
    if not m:
        return None
    scale = {"": 1, "k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}[m.group(2).lower()]
    return int(float(m.group(1)) * scale)


def to_float(value: Any) -> float | None:
    """Parse a metric value ('85.2', '85.2%', 0.852); None if it is not a number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if value == value else None
    text = str(value).strip().rstrip("%").strip()
    try:
        return float(text)
    except ValueError:
        return None
