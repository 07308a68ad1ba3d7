"""The state of one interpretation: the text, what each rule claimed, and what it understood.

Rules find spans with regular expressions over a lower-cased copy of the text (same
offsets as the original, so every constraint can name the exact words it came from).
A span claimed by one rule cannot be claimed by another; words the user asked to keep
literal (`literal=`) cannot be claimed at all. Hard constraints take their words out of
the text that goes to retrieval; preferred ones (a task, a language) leave them in, since
their words are also the best retrieval evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from assetscout.search.interpret.lexicon import NEGATIONS
from assetscout.search.interpret.vocabulary import MAX_NGRAM, Vocabulary, phrase_key

B = r"(?<![\w@/.-])"  # a phrase starts at a word start...
E = r"(?![\w@])"  # ...and ends at a word end

_TOKEN = re.compile(r"[\w@+./'-]+|[,;:%<>=≤≥()]")


@dataclass
class Constraint:
    """One thing understood: a kind, a filter, a metric constraint or a sort, and the words it came from."""

    type: str  # "kind" | "filter" | "metric" | "sort"
    key: str  # filter key; "kind", "metric" or "sort"
    value: Any  # filter value(s) as Query.build takes them; metric / sort text; the kind
    label: str  # what a person reads, e.g. "mAP ≥ 40 on COCO", "parameters < 20M"
    source_text: str
    start: int
    end: int
    preferred: bool = False  # ranks, does not filter: confirmed assets first, none left out
    open_world: bool = False  # filters only assets whose metadata states otherwise; unstated ones stay

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "key": self.key, "value": self.value, "label": self.label,
                "source_text": self.source_text, "span": [self.start, self.end], "preferred": self.preferred,
                "open_world": self.open_world}


@dataclass
class Scan:
    """Text under interpretation; rules add constraints and claim spans through it."""

    text: str
    vocab: Vocabulary
    literal: tuple[str, ...] = ()
    low: str = ""
    hard: bytearray = field(default_factory=bytearray)  # claimed by a hard constraint: removed from the text
    soft: bytearray = field(default_factory=bytearray)  # used by a soft one: kept in the text
    protected: bytearray = field(default_factory=bytearray)  # the user said: keep literal
    constraints: list[Constraint] = field(default_factory=list)
    kind: str | None = None
    kind_span: tuple[int, int] = (0, 0)  # the kind word: out of the text, yet part of a task name ('embedding model')

    def __post_init__(self) -> None:
        # lower-case without changing offsets (a few characters lower-case to two)
        self.low = "".join(c.lower() if len(c.lower()) == 1 else c for c in self.text)
        n = len(self.text)
        self.hard, self.soft, self.protected = bytearray(n), bytearray(n), bytearray(n)
        for phrase in self.literal:
            p = phrase.strip().lower()
            if not p:
                continue
            for m in re.finditer(re.escape(p), self.low):
                self.protected[m.start():m.end()] = b"\x01" * (m.end() - m.start())

    # ---------------------------------------------------------------- spans

    def free(self, start: int, end: int, *, soft_ok: bool = True, kind_ok: bool = False) -> bool:
        """No rule and no literal phrase holds any of [start, end)."""
        hard = self.hard[start:end]
        if kind_ok and any(hard):
            ks, ke = self.kind_span
            hard = bytearray(0 if ks <= start + i < ke else b for i, b in enumerate(hard))
        if any(hard) or any(self.protected[start:end]):
            return False
        return soft_ok or not any(self.soft[start:end])

    def add(self, c: Constraint, *claims: tuple[int, int]) -> None:
        """Record a constraint and claim its spans (hard: out of the text; soft: kept)."""
        while c.start < c.end and self.text[c.start].isspace():  # the span is the words, as source_text is
            c.start += 1
        while c.end > c.start and self.text[c.end - 1].isspace():
            c.end -= 1
        self.constraints.append(c)
        mask = self.soft if c.preferred or c.open_world else self.hard
        for start, end in claims or ((c.start, c.end),):
            mask[start:end] = b"\x01" * (end - start)

    def consume(self, start: int, end: int) -> None:
        """Take words out of the text without a constraint ('non-commercial is fine')."""
        self.hard[start:end] = b"\x01" * (end - start)

    def finditer(self, pattern: str) -> Iterator[re.Match[str]]:
        return re.finditer(pattern, self.low)

    def source(self, start: int, end: int) -> str:
        return self.text[start:end].strip()

    # ---------------------------------------------------------------- context

    def words_before(self, pos: int, n: int = 3) -> list[str]:
        return [m.group(0) for m in _TOKEN.finditer(self.low[:pos])][-n:]

    def negated(self, pos: int) -> bool:
        """A negation within the two words before `pos` ('not apache', 'without gpl', 'non-English')."""
        before = self.low[max(0, pos - 16):pos]
        if re.search(r"non-\s*$", before):
            return True
        return any(w in NEGATIONS for w in self.words_before(pos, 2))

    def tokens(self) -> list[tuple[int, int, str]]:
        """(start, end, lower-case token) of every word."""
        return [(m.start(), m.end(), m.group(0).strip(".'")) for m in _TOKEN.finditer(self.low)]

    def longest_name(self, start: int, table: dict[str, Any], *, max_words: int = MAX_NGRAM,
                     soft_ok: bool = True) -> tuple[int, int, str] | None:
        """The longest run of words beginning at `start` whose phrase_key is in `table`: (start, end, key)."""
        words = [m for m in re.finditer(r"[\w@.+'/-]+", self.low[start:])][:max_words]
        for n in range(len(words), 0, -1):
            end = start + words[n - 1].end()
            s = start + words[0].start()
            if s - start > 1:  # the name must start at `start` (after spaces)
                return None
            phrase = self.low[s:end].rstrip(".,;:")
            end = s + len(phrase)
            key = phrase_key(phrase)
            if key in table and self.free(s, end, soft_ok=soft_ok):
                return s, end, key
        return None

    def benchmark_after(self, pos: int, *, window: int = 0) -> tuple[int, int, str] | None:
        """'on COCO' / '@ImageNet' / 'for ImageNet' at `pos` (after up to `window` other words)."""
        pattern = re.compile(r"\s*,?\s*(?:(?:on|@|in|for|over|at)\s*(?:the\s+)?)")
        rest = self.low[pos:]
        skip = re.compile(r"\s*[\w'-]+")
        offset = 0
        for _ in range(window + 1):
            m = pattern.match(rest, offset)
            if m:
                found = self.longest_name(pos + m.end(), self.vocab.benchmarks)
                if found:
                    return pos + offset, found[1], found[2]
            w = skip.match(rest, offset)
            if not w or re.match(r"\s*[,;]", rest[offset:]):
                break
            offset = w.end()
        return None
