"""Opening a text table for streaming with a byte budget that ends on a line boundary."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import BinaryIO

from assetscout.tables.sniff import Encoding

#: After the budget is spent, at most this many more bytes are read looking for the end
#: of the current line; a line longer than that is cut (and the reader drops it).
MAX_LINE_OVERRUN = 1 << 20


class LimitedRaw(io.RawIOBase):
    """A binary stream that ends at the first newline after `limit` bytes.

    `truncated` tells whether the file had more; `cut_mid_line` whether the last line
    was cut short (no newline within MAX_LINE_OVERRUN). `newline` and `align` make the
    cut land on a whole code unit in UTF-16.
    """

    def __init__(self, fh: BinaryIO, limit: int, *, newline: bytes = b"\n", align: int = 1) -> None:
        super().__init__()
        self._fh = fh
        self._limit = limit
        self._newline = newline
        self._align = align
        self.bytes_read = 0
        self._overrun = 0
        self._done = False
        self.truncated = False
        self.cut_mid_line = False

    def readable(self) -> bool:
        return True

    def readinto(self, buf: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._done:
            return 0
        want = len(buf)
        if self.bytes_read < self._limit:
            data = self._fh.read(min(want, self._limit - self.bytes_read))
        else:
            data = self._fh.read(min(want, 1 << 16))
            if data:
                cut = self._find_newline(data)
                if cut >= 0:
                    data = data[:cut + len(self._newline)]
                    self._finish()
                else:
                    self._overrun += len(data)
                    if self._overrun > MAX_LINE_OVERRUN:
                        self.cut_mid_line = True
                        self._finish()
        if not data:
            self._done = True
            return 0
        n = len(data)
        buf[:n] = data
        self.bytes_read += n
        return n

    def _find_newline(self, data: bytes) -> int:
        start = 0
        while True:
            i = data.find(self._newline, start)
            if i < 0 or (self.bytes_read + i) % self._align == 0:
                return i
            start = i + 1

    def _finish(self) -> None:
        self._done = True
        self.truncated = bool(self._fh.read(1))


def open_text_lines(fh: BinaryIO, encoding: Encoding, limit: int) -> tuple[Iterator[str], LimitedRaw]:
    """Lines of `fh` (positioned after the BOM), decoded with U+FFFD for bad bytes.

    newline='' keeps '\\r\\n' inside quoted fields intact, as the csv module requires.
    """
    name = "utf-8" if encoding.name == "utf-8-sig" else encoding.name
    align = 2 if name.startswith("utf-16") else 1
    raw = LimitedRaw(fh, limit, newline=encoding.newline, align=align)
    text = io.TextIOWrapper(io.BufferedReader(raw, buffer_size=1 << 16), encoding=name,
                            errors="replace", newline="")
    return iter(text), raw
