"""Turn a model/dataset card body into the prose an encoder should read, and chunk it.

Cards are mostly markdown written for humans browsing the Hub: YAML front matter,
install commands, code, badges, link URLs, HTML and tables of benchmark numbers.
None of that helps a sentence encoder place the card; it only spends the model's
256-word-piece window. What is kept: headings, prose, list items, and tables whose
cells are words (e.g. "Developed by | Google"), flattened to "cell; cell".
"""

from __future__ import annotations

import html
import re

from assetscout.errors import InvalidInput

# Repetitions are bounded ({0,300}, no newline crossing) so that a hostile 20 MB card
# costs linear time, not quadratic backtracking.
_FRONT_MATTER = re.compile(r"\A\ufeff?\s*---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FENCE = re.compile(r"^[ \t]*(```|~~~)")
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_HTML_DROP_BLOCK = re.compile(r"<(script|style|svg|math)\b.*?(?:</\1\s*>|\Z)", re.S | re.I)
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_HTML_BLOCK_TAG = re.compile(
    r"</?(?:p|div|h[1-6]|li|ul|ol|details|summary|blockquote|center|section|hr|dl|dt|dd)\b[^<>]*>", re.I)
_PIPE_SEPARATOR = re.compile(r"\s+\|\s+")
_HTML_TABLE = re.compile(r"<table\b.*?(?:</table\s*>|\Z)", re.S | re.I)
_HTML_ROW = re.compile(r"<tr\b.*?(?=<tr\b|</table|\Z)", re.S | re.I)
_HTML_CELL = re.compile(r"<t[dh]\b[^>]*>(.*?)(?=<t[dh]\b|</tr|<tr\b|\Z)", re.S | re.I)
_MATH_BLOCK = re.compile(r"\$\$.*?\$\$", re.S)
_IMAGE = re.compile(r"!\[[^\]]{0,300}\]\([^)]{0,2000}\)|!\[[^\]]{0,300}\]\[[^\]]{0,300}\]")
_LINKED_IMAGE = re.compile(r"\[[ \t]?!\[[^\]]{0,300}\]\([^)]{0,2000}\)[ \t]?\]\([^)]{0,2000}\)")
_LINK = re.compile(r"\[((?:[^\[\]\n]|\[[^\[\]\n]*\]){0,300})\]\((?:[^()\n]|\([^()\n]*\)){0,2000}\)")
# A link whose URL the author wrapped onto the next line: handled before splitting lines.
_LINK_MULTILINE = re.compile(
    r"\[((?:[^\[\]]|\[[^\[\]]{0,300}\]){0,300})\]\([ \t\n]?[^()\s]{0,2000}(?:\([^()\s]{0,300}\)[^()\s]{0,300})?[ \t\n]?\)")
_SHORTCODE = re.compile(r"(?<!\S):[a-z][a-z0-9_+-]{0,40}:(?!\S)")
_REF_LINK = re.compile(r"\[([^\]\n]{1,300})\]\[[^\]\n]{0,300}\]")
_LINK_DEF = re.compile(r"^[ \t]{0,3}\[[^\]\n]{1,300}\]:[ \t]*\S.*$", re.M)
_AUTOLINK = re.compile(r"<(?:https?|ftp|mailto):[^>\s]{0,2000}>")
_URL = re.compile(r"\b(?:https?|ftp)://[^\s)>\]]+|\bwww\.[^\s)>\]]+")
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*)$")
_SETEXT = re.compile(r"^[ \t]*(=+|-+)[ \t]*$")
_RULE = re.compile(r"^[ \t]*([-*_])([ \t]*\1){2,}[ \t]*$")
_LIST_MARK = re.compile(r"^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?")
_QUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)+")
_BIBTEX_START = re.compile(r"^\s*@\w+\s*[{(]")
_BIBTEX_FIELD = re.compile(r"^\s*\w+\s*=\s*[{\"].*$")
_TABLE_SEP = re.compile(r"^\|?[ \t]?:?-{2,}:?[ \t]?(?:\|[ \t]?:?-{2,}:?[ \t]?)*\|?$")
_NUMERIC_CELL = re.compile(r"^[\s\d.,%±+\-–—×x/()*~<>=≈eE$€]*\d[\s\d.,%±+\-–—×x/()*~<>=≈eEkKmMbB$€]*$")
_INLINE_CODE = re.compile(r"`{1,3}([^`\n]{0,300})`{1,3}")
_EMPHASIS = re.compile(r"(\*{1,3}|~~)(?=\S)(.{1,300}?)(?<=\S)\1")
_UNDERSCORE_EMPHASIS = re.compile(r"(?<![\w\\])(_{1,3})(?=\S)(.{1,300}?)(?<=\S)\1(?!\w)")
_SPACES = re.compile(r"[ \t\u00a0]+")


def strip_front_matter(text: str) -> str:
    """Card text without its leading YAML block (structured fields are indexed separately)."""
    return _FRONT_MATTER.sub("", text, count=1)


def _is_table_separator(line: str) -> bool:
    """A markdown table's |---|:--:| line (whitespace collapsed first: keeps matching linear)."""
    return "-" in line and len(line) <= 4000 and bool(_TABLE_SEP.match(_SPACES.sub(" ", line.strip())))


def _is_numeric(cell: str) -> bool:
    if len(cell) > 64:  # long cells are prose; also keeps the pattern's backtracking bounded
        return False
    return bool(_NUMERIC_CELL.match(cell.replace("*", "")))


def _table_rows(block: list[str]) -> list[list[str]]:
    rows = []
    for line in block:
        if _is_table_separator(line):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows.append([c for c in cells if c])
    return [r for r in rows if r]


def _flatten_table(block: list[str], numeric_share: float) -> list[str]:
    """A table of mostly numbers is dropped; a table of words becomes 'a; b; c' lines."""
    rows = _table_rows(block)
    body = [cell for row in rows[1:] for cell in row]
    if body and sum(map(_is_numeric, body)) / len(body) >= numeric_share:
        return []
    return ["; ".join(row) + "." for row in rows if not all(map(_is_numeric, row))]


def _html_table(match: re.Match[str], numeric_share: float) -> str:
    """An HTML table as text rows (or nothing when it holds mostly numbers)."""
    rows = []
    for row in _HTML_ROW.findall(match.group(0)):
        cells = [_SPACES.sub(" ", html.unescape(_HTML_TAG.sub(" ", c))).strip() for c in _HTML_CELL.findall(row)]
        if any(cells):
            rows.append([c for c in cells if c])
    body = [cell for row in rows[1:] for cell in row]
    if not rows or (body and sum(map(_is_numeric, body)) / len(body) >= numeric_share):
        return "\n"
    return "\n\n" + "\n".join("; ".join(r) + "." for r in rows if not all(map(_is_numeric, r))) + "\n\n"


def _inline(line: str) -> str:
    line = _LINKED_IMAGE.sub(" ", line)
    line = _IMAGE.sub(" ", line)
    line = _AUTOLINK.sub(" ", line)
    line = _LINK.sub(r"\1", line)
    line = _REF_LINK.sub(r"\1", line)
    line = _URL.sub(" ", line)
    line = _INLINE_CODE.sub(r"\1", line)
    line = _EMPHASIS.sub(r"\2", line)
    line = _UNDERSCORE_EMPHASIS.sub(r"\2", line)
    line = _SHORTCODE.sub(" ", line)
    return _SPACES.sub(" ", line).strip()


def clean_markdown(text: str, *, numeric_table_share: float = 0.5) -> str:
    """Prose of a markdown card: one paragraph, heading or list item per line.

    Removed: YAML front matter, fenced code, HTML (tags dropped, inner text kept,
    script/style/svg dropped), comments, images and badges, link URLs (link text
    kept), bare URLs, math blocks, BibTeX entries, horizontal rules, and tables whose
    body cells are at least `numeric_table_share` numeric.
    """
    if not 0.0 < numeric_table_share <= 1.0:
        raise InvalidInput(f"numeric_table_share must be in (0, 1], got {numeric_table_share!r}")
    text = strip_front_matter(text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _HTML_COMMENT.sub(" ", text)
    text = _HTML_DROP_BLOCK.sub(" ", text)
    text = _HTML_TABLE.sub(lambda m: _html_table(m, numeric_table_share), text)
    text = _HTML_BLOCK_TAG.sub("\n\n", text)
    text = _HTML_TAG.sub(" ", text)
    text = _MATH_BLOCK.sub(" ", text)
    text = _LINK_DEF.sub("", text)
    text = _LINKED_IMAGE.sub(" ", text)
    text = _IMAGE.sub(" ", text)
    text = _LINK_MULTILINE.sub(r"\1", text)

    out: list[str] = []
    lines = text.split("\n")
    i, n = 0, len(lines)
    fence: str | None = None
    in_bibtex = False
    while i < n:
        line = _SPACES.sub(" ", lines[i])
        fence_match = _FENCE.match(line)
        if fence is not None:
            if fence_match and fence_match.group(1) == fence:
                fence = None
            i += 1
            continue
        if fence_match:
            fence = fence_match.group(1)
            i += 1
            continue
        if "|" in line and i + 1 < n and _is_table_separator(lines[i + 1]):
            block = [line]
            i += 1
            while i < n and "|" in lines[i] and lines[i].strip():
                block.append(lines[i])
                i += 1
            out.extend(_inline(html.unescape(row)) for row in _flatten_table(block, numeric_table_share))
            continue
        i += 1
        if in_bibtex:
            if line.strip() in ("}", ")") or not line.strip():
                in_bibtex = False
            continue
        if _BIBTEX_START.match(line):
            in_bibtex = True
            continue
        if _BIBTEX_FIELD.match(line) or _RULE.match(line):
            continue
        if _SETEXT.match(line) and out and out[-1]:
            out[-1] = out[-1].rstrip(".:") + "."
            continue
        heading = _HEADING.match(line)
        if heading:
            line = heading.group(1).rstrip(" \t#")
        line = _QUOTE.sub("", line)
        line = _LIST_MARK.sub("", line)
        line = _inline(html.unescape(_PIPE_SEPARATOR.sub(" ", line)))
        if heading and line and line[-1] not in ".:!?":
            line += "."
        if line and not re.fullmatch(r"[\W_]+", line):
            out.append(line)
        elif not line and out and out[-1]:
            out.append("")
    paragraphs: list[str] = []
    current: list[str] = []
    for line in out:
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n".join(paragraphs)


def chunk_words(text: str, *, size: int = 200, overlap: int = 40, max_chunks: int = 32) -> list[str]:
    """Windows of `size` words, each starting `size - overlap` words after the previous.

    The overlap also makes up for truncation: words past the encoder's window at the
    end of one chunk are at the start of the next. At most `max_chunks` chunks, so a
    20 MB card costs what a long one does.
    """
    if isinstance(size, bool) or not isinstance(size, int) or not 8 <= size <= 10_000:
        raise InvalidInput(f"size must be an int in 8..10000, got {size!r}")
    if isinstance(overlap, bool) or not isinstance(overlap, int) or not 0 <= overlap < size:
        raise InvalidInput(f"overlap must be an int in 0..size-1 ({size - 1}), got {overlap!r}")
    if isinstance(max_chunks, bool) or not isinstance(max_chunks, int) or max_chunks < 1:
        raise InvalidInput(f"max_chunks must be an int >= 1, got {max_chunks!r}")
    words = text.split()
    chunks: list[str] = []
    step = size - overlap
    start = 0
    while start < len(words) and len(chunks) < max_chunks:
        chunks.append(" ".join(words[start:start + size]))
        if start + size >= len(words):
            break
        start += step
    return chunks
