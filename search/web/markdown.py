"""A card's markdown as HTML that cannot run script: markdown-it (raw HTML off) then nh3.

Cards are untrusted text from model zoos. Two layers, each enough alone:

1. markdown-it-py with `html=False`: raw HTML in the card (`<script>`, `<img onerror=>`)
   is escaped and shows as text; links and images are kept only when their URL is
   http(s) or mailto (`javascript:`, `data:`, `vbscript:` and relative URLs become
   plain text, since a relative link in a card points into the card's own repository,
   not this server). Images are shown as links: the page's CSP loads no remote images,
   and a card should not make the reader's browser call a third party.
2. nh3 (the Ammonia sanitizer) over the result with an allow-list of tags and
   attributes, `rel="nofollow noopener noreferrer"` on every link.

Long cards are cut at MAX_CARD_CHARS before parsing (the tail is dropped, the page says so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

MAX_CARD_CHARS = 200_000
ALLOWED_SCHEMES = ("http", "https", "mailto")
ALLOWED_TAGS = {
    "a", "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code", "pre",
    "blockquote", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "span",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n.*?\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


@dataclass(frozen=True)
class RenderedCard:
    html: str  # sanitized: safe to insert into a page as markup
    truncated: bool  # the card was longer than MAX_CARD_CHARS


def safe_url(url: str) -> bool:
    """True for absolute http(s) and mailto URLs only (no script schemes, no relative paths)."""
    if not isinstance(url, str) or any(ord(c) < 32 for c in url):
        return False
    m = _SCHEME.match(url)
    return bool(m) and m.group(1).lower() in ALLOWED_SCHEMES and (m.group(1).lower() == "mailto"
                                                                  or url.split(":", 1)[1].startswith("//"))


@lru_cache(maxsize=1)
def _parser() -> Any:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = safe_url

    def image(renderer: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        src = str(token.attrGet("src") or "")
        alt = "".join(child.content for child in (token.children or [])) or "image"
        return f'<a href="{_escape(src)}">[image: {_escape(alt)}]</a>'

    md.add_render_rule("image", image)
    return md


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;"))


def strip_front_matter(text: str) -> str:
    """A card without its YAML header (the page shows those fields in the metadata table)."""
    return _FRONT_MATTER.sub("", text, count=1)


def render_card(text: str | None) -> RenderedCard:
    """Sanitized HTML of a card's markdown ('' for no card)."""
    import nh3

    if not text:
        return RenderedCard("", False)
    body = strip_front_matter(text)
    truncated = len(body) > MAX_CARD_CHARS
    html = _parser().render(body[:MAX_CARD_CHARS])
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=set(ALLOWED_SCHEMES),
                      link_rel="nofollow noopener noreferrer", strip_comments=True)
    return RenderedCard(clean, truncated)
