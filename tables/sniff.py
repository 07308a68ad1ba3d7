"""Guessing how a delimited text file is written: binary or text, encoding, delimiter.

Everything here looks at the first bytes of a file only (the reader passes `head`), so
sniffing a 1 GB file costs the same as sniffing a 1 KB one.
"""

from __future__ import annotations

import codecs
import csv
from collections import Counter
from dataclasses import dataclass

#: Delimiters tried, in order of preference on a tie. ' | ' (UGEN-V1) comes before '|' so
#: that a file writing every pipe with spaces around keeps bare '|' inside its values.
DELIMITERS: tuple[str, ...] = (",", "\t", ";", " | ", "|", ":")
MULTI_SUB = "\x1f"  # ASCII unit separator: stands in for a multi-character delimiter


def substitute(line: str, multi: str) -> str:
    """`line` with `multi` replaced by MULTI_SUB, a trailing ' |' before the line end included."""
    body = line.rstrip("\r\n")
    end = line[len(body):]
    body = body.replace(multi, MULTI_SUB)
    tail = multi.strip()
    stripped = body.rstrip()
    if tail != multi and stripped.endswith(tail) and stripped[-len(tail) - 1:-len(tail)].isspace():
        body = stripped[:-len(tail)] + MULTI_SUB
    return body + end


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PAR1", "a Parquet file"),
    (b"PK\x03\x04", "a ZIP archive (or an xlsx workbook)"),
    (b"\x1f\x8b", "gzip-compressed: decompress it first"),
    (b"BZh", "bzip2-compressed: decompress it first"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed: decompress it first"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"%PDF", "a PDF document"),
    (b"SQLite format 3", "an SQLite database"),
)


@dataclass(frozen=True)
class Encoding:
    """How to decode a file: `name` for Python's codecs, `bom` bytes to skip."""

    name: str
    bom: bytes
    fallback: bool  # True when the file is not valid UTF-8 and a legacy codec was assumed

    @property
    def newline(self) -> bytes:
        """The bytes of '\\n' in this encoding (the reader cuts files at a newline), BOM left out."""
        b = "\n".encode(self.name.replace("-sig", ""))
        for bom in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            if len(b) > 2 and b.startswith(bom):
                return b[len(bom):]
        return b


def binary_reason(head: bytes) -> str | None:
    """Why `head` is not text (a sentence), or None when it looks like text."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return f"not a text table: the file is {what}"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None  # UTF-16 text legitimately holds NUL bytes
    if b"\x00" in head:
        return ("not a text table: it contains NUL bytes (a binary file, or UTF-16 "
                "without a byte-order mark)")
    if head:
        control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
        if control / len(head) > 0.05:
            return f"not a text table: {control} of its first {len(head)} bytes are control characters"
    return None


def detect_encoding(head: bytes) -> Encoding:
    """BOM first (UTF-8, UTF-16); else UTF-8 if the head decodes; else cp1252, else latin-1.

    The head may end inside a multi-byte character: an incremental decoder with
    final=False tolerates that and nothing else.
    """
    if head.startswith(codecs.BOM_UTF8):
        return Encoding("utf-8-sig", codecs.BOM_UTF8, False)
    if head.startswith(codecs.BOM_UTF16_LE):
        return Encoding("utf-16-le", codecs.BOM_UTF16_LE, False)
    if head.startswith(codecs.BOM_UTF16_BE):
        return Encoding("utf-16-be", codecs.BOM_UTF16_BE, False)
    for name in ("utf-8", "cp1252"):
        try:
            codecs.getincrementaldecoder(name)("strict").decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return Encoding(name, b"", name != "utf-8")
    return Encoding("latin-1", b"", True)


def _field_counts(lines: list[str], delimiter: str) -> list[int]:
    if len(delimiter) > 1:
        lines = [substitute(ln, delimiter) for ln in lines]
        delimiter = MULTI_SUB
    try:
        return [len(row) for row in csv.reader(lines, delimiter=delimiter) if row]
    except csv.Error:
        return []


def detect_delimiter(lines: list[str], *, hint: str | None = None) -> str:
    """The delimiter whose field count is the most consistent over `lines` (header included).

    Score: share of lines with the modal field count, modal count > 1 required; ties go
    to the larger modal count, then to `hint` (from the file extension), then to the
    order of DELIMITERS. A single-column file gets ',' (nothing to split on). Ragged
    lines lower a candidate's score but do not exclude it: real files are ragged.
    """
    best: tuple[float, int, int, int] | None = None
    chosen = ","
    for order, d in enumerate(DELIMITERS):
        counts = _field_counts(lines, d)
        if not counts:
            continue
        mode, freq = Counter(counts).most_common(1)[0]
        if mode < 2:
            continue
        score = (round(freq / len(counts), 2), mode, int(d == hint), -order)
        if best is None or score > best:
            best, chosen = score, d
    return chosen


def delimiter_hint(suffix: str) -> str | None:
    """The delimiter a file extension promises, if any."""
    return {".tsv": "\t", ".tab": "\t", ".psv": "|", ".csv": ","}.get(suffix.lower())
