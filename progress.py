"""Progress lines for long jobs (ingest, lake indexing): throttled, one line on a terminal."""

from __future__ import annotations

import sys
import time
from typing import Any, Callable

Progress = Callable[[int, int, str], None]


def progress_line(label: str, unit: str, stream: Any = None) -> Progress:
    """A callback (i, total, path) writing '<label>: i/total <unit> (p%) path' to stderr.

    On a terminal the line is redrawn at most 5 times a second; in a log, one line every
    5 seconds, so that a long ingest neither floods a CI log nor looks stuck.
    """
    stream = stream or sys.stderr
    state = {"last": 0.0}
    tty = stream.isatty()

    def show(i: int, total: int, path: str) -> None:
        now = time.monotonic()
        if i != total and now - state["last"] < (0.2 if tty else 5.0):
            return
        state["last"] = now
        name = path if len(path) < 60 else "..." + path[-57:]
        line = f"{label}: {i}/{total} {unit} ({100 * i // max(total, 1)}%) {name}"
        if tty:
            stream.write("\r" + line.ljust(110)[:110] + ("\n" if i == total else ""))
        else:
            stream.write(line + "\n")
        stream.flush()

    return show
