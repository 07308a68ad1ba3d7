"""What model and dataset cards share: splitting a card, repo ids, and typed YAML fields.

Card YAML is written by hand, so every field may come as a string, a list, a number, a
mapping or YAML's idea of a boolean (`language: no` is Norwegian, not False). The
helpers here coerce what has one sensible reading and report the rest as a `Rejected`
naming the field and its line, while the card itself is still read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from assetscout.catalog.readers.base import as_list, first_paragraph, split_front_matter
from assetscout.catalog.records import Rejected
from assetscout.errors import RecordError

Problems = list[Rejected]

HUB_URL = "https://huggingface.co"
_REPO_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}(?:/[A-Za-z0-9][A-Za-z0-9._-]{0,95})?")
_HUB_LINK = re.compile(r"https?://(?:www\.)?huggingface\.co/(?:datasets/)?")
_EMPTY_FRONT = re.compile(r"\A---[ \t]*\r?\n---[ \t]*(?:\r?\n|\Z)")
_PLACEHOLDER = re.compile(r"^\s*-?\s*[\w-]+\s*:\s*\{[a-z_0-9]+\}", re.M)


@dataclass
class Card:
    """A markdown card split into YAML metadata (None when absent) and body.

    `front` is the raw front-matter text and `front_line` the file line of its first
    line, so that a problem in a field is reported at the field's line.
    """

    meta: dict[str, Any] | None
    body: str
    body_line: int
    front: str = ""
    front_line: int = 2

    def line_of(self, key: str) -> int | None:
        """File line of a top-level YAML key, or None if it is not written at the top level."""
        m = re.search(rf"^{re.escape(key)}\s*:", self.front, re.M)
        if not m:
            return None
        return self.front_line + self.front.count("\n", 0, m.start())


def is_template(text: str) -> bool:
    """A card template (`license: {license}` placeholders in its YAML), not an asset's card."""
    head = text.lstrip("\ufeff").lstrip()
    if not head.startswith("---"):
        return False
    front = head[3: _front_close(head, 3)]
    return len(_PLACEHOLDER.findall(front)) >= 3


def is_html_page(text: str) -> bool:
    """A saved web page (the Hub's HTML) stored under a .md name."""
    head = text.lstrip()[:200].lower()
    return head.startswith("<!doctype html") or head.startswith("<html")


def split_card(text: str) -> Card:
    """Split a card; blank lines before the opening '---' are tolerated (the Hub does too).

    Raises RecordError for an HTML page or broken front matter, with the file line.
    """
    if is_html_page(text):
        raise RecordError("file is an HTML page, not a markdown card", line=1)
    stripped = text.lstrip("\ufeff")
    offset = 0
    if stripped.lstrip().startswith("---"):
        rest = stripped.lstrip()
        offset = stripped[: len(stripped) - len(rest)].count("\n")
        stripped = rest
    empty = _EMPTY_FRONT.match(stripped)
    if empty:  # '---' right after '---': empty metadata, which split_front_matter misreads
        return Card({}, stripped[empty.end():], 3 + offset)
    try:
        meta, body, body_line = split_front_matter(stripped)
    except RecordError as exc:
        raise RecordError(exc.reason, line=(exc.line or 1) + offset) from None
    if meta is None:
        return Card(None, text, 1)
    front_end = stripped.find("\n", 3) + 1
    front = stripped[front_end: _front_close(stripped, front_end)]
    return Card(meta, body, body_line + offset, front, 2 + offset)


def _front_close(text: str, start: int) -> int:
    """Offset of the closing '---' line of the front matter that starts at `start`."""
    m = re.compile(r"^---[ \t]*$", re.M).search(text, start)
    return m.start() if m else len(text)


def hub_ref(value: str, kind: str) -> str:
    """`hf:<kind>/<repo id>` when `value` is (or links to) a Hub repo id, else `value` as written."""
    text = _HUB_LINK.sub("", value.strip()).strip("/")
    if _REPO_ID.fullmatch(text) and ".." not in text:
        return f"hf:{kind}/{text}"
    return value.strip()


def hub_url(repo_id: str, kind: str) -> str:
    """The repo's page on the Hub."""
    return f"{HUB_URL}/datasets/{repo_id}" if kind == "dataset" else f"{HUB_URL}/{repo_id}"


_COMMENT = re.compile(r"<!--.*?-->", re.S)
_PLACEHOLDER_TEXT = re.compile(r"(?i)more information needed|needs more information|tbd|todo|n/?a|")
_SECTION_HEADINGS = frozenset({
    "table of contents", "contents", "model details", "model description", "model card",
    "introduction", "overview", "usage", "how to use", "news", "updates", "license",
    "citation", "description", "about", "summary", "dataset description", "",
})


def is_placeholder(text: str) -> bool:
    """A card generator's "[More Information Needed]", "TBD", "N/A": no value at all."""
    return bool(_PLACEHOLDER_TEXT.fullmatch(text.strip(" []().*_")))


def card_summary(body: str) -> str | None:
    """The card's first prose paragraph, HTML comments (generator notes) left out."""
    text = first_paragraph(_COMMENT.sub("", body))
    if text and is_placeholder(text):
        return None
    return text


def heading_title(body: str) -> str | None:
    """The card's first level-1 heading that names something (not "Table of Contents")."""
    in_code = False
    for raw in _COMMENT.sub("", body).splitlines():
        line = raw.strip()
        if line.startswith("```"):
            in_code = not in_code
        if in_code or not line.startswith("# "):
            continue
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line[2:])
        text = re.sub(r"<[^>]+>|[*_`]", "", text).strip()
        if text.lower().strip(" :#") not in _SECTION_HEADINGS:
            return text[:200]
    return None


def text_field(card: Card, key: str, problems: Problems) -> str | None:
    """A field meant to hold one string; a one-item list is accepted, others are reported."""
    value = card.meta.get(key) if card.meta else None
    if value is None or value == [] or value == "":
        return None
    if isinstance(value, list) and len(value) == 1 and not isinstance(value[0], (dict, list)):
        value = value[0]
    if isinstance(value, (dict, list)):
        shape = f"a list of {len(value)} values" if isinstance(value, list) else "a mapping"
        problems.append(Rejected(f"'{key}' is {shape}, expected one string; field ignored",
                                 line=card.line_of(key)))
        return None
    return str(value).strip() or None


def license_field(card: Card, problems: Problems, extra: dict[str, Any]) -> str | None:
    """The license as written. Several licenses are kept joined by ', ' (all listed in extra)."""
    meta = card.meta or {}
    key = "license" if "license" in meta else "licence"  # a spelling 12 real cards use
    value = meta.get(key)
    for other in ("license_name", "license_link", "license_details"):
        if meta.get(other) not in (None, ""):
            extra[other] = str(meta[other])
    if isinstance(value, list):
        names = as_list(value)
        if any(isinstance(v, (dict, list)) for v in value):
            problems.append(Rejected(f"'{key}' holds nested values, expected license ids; field ignored",
                                     line=card.line_of(key)))
            return None
        if len(names) > 1:
            extra["licenses"] = names
        return ", ".join(names) or None
    if isinstance(value, dict):
        problems.append(Rejected(f"'{key}' is a mapping, expected a license id; field ignored",
                                 line=card.line_of(key)))
        return None
    if value is None:
        return None
    return str(value).strip() or None


def languages_field(value: Any) -> list[str]:
    """Language codes as written; YAML reads `no` (Norwegian) as False, which is undone here."""
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if item is False:
            out.append("no")
        elif isinstance(item, (str, int, float)) and not isinstance(item, bool):
            text = str(item).strip()
            if text and text not in out:
                out.append(text)
    return out


def str_list(value: Any) -> list[str]:
    """A YAML list of names (nested values dropped), deduplicated in order."""
    items = value if isinstance(value, list) else [value]
    flat = [v for v in items if not isinstance(v, (dict, list))]
    out: list[str] = []
    for v in as_list(flat):
        if v not in out:
            out.append(v)
    return out


def is_gated(meta: dict[str, Any]) -> bool:
    """Access needs accepting conditions on the Hub (extra_gated_* keys or `gated`)."""
    return bool(meta.get("gated")) or any(k.startswith("extra_gated") for k in meta)


def jsonable(value: Any, limit: int = 2000) -> Any:
    """A YAML value small enough to keep in `extra` (dates become text), or None if too big."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        items = [jsonable(v, limit) for v in value]
        return items if len(repr(items)) <= limit else None
    if isinstance(value, dict):
        items = {str(k): jsonable(v, limit) for k, v in value.items()}
        return items if len(repr(items)) <= limit else None
    return str(value)
