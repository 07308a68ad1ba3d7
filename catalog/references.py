"""How often the rest of the catalog refers to each asset: a popularity prior that needs no hub.

Download counts exist only for Hub assets; a Papers-with-Code dataset, a TF-Hub model
or a table has none, yet the catalog itself says which assets the field relies on:
models report results on a dataset (evaluation), cards list the datasets they were
trained on (asset_dataset), models derive from a base model (lineage), and cards and
descriptions name the datasets they build on or compare with (mentions). The number of
distinct other assets that refer to an asset in any of these ways is stored on its row
as `referenced_by` at every ingest, and search adds a small boost for it (search/engine.py).

Mentions are found by exact, case-sensitive token-sequence match of dataset names and
aliases in other assets' text. A name made only of lower-case words ("emotion", "data
set") is skipped: in prose those words occur far more often than as a reference, so
counting it would reward the name rather than the dataset; a name made of capitalized
ordinary words ("General", "Question Answering") is dropped when the scanned texts write
it mostly in lower case (NameMatcher). A name that is also a task name in the catalog ("Summarization", "Question-Answering") is skipped too: cards name
their task everywhere. Fenced code and BibTeX entries are not scanned: a citation of an
arXiv paper or a snippet that loads "squad" says nothing about the data a card uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import duckdb
import pyarrow as pa

MAX_NAME_TOKENS = 12
MAX_TEXT_CHARS = 200_000  # of one asset's text scanned for mentions
_TOKEN = re.compile(r"[^\W_]+")  # runs of letters or digits, any script


def name_tokens(name: str) -> tuple[str, ...] | None:
    """The token sequence a mention of `name` must match, or None when the name is too ambiguous."""
    tokens = tuple(_TOKEN.findall(name or ""))
    if not tokens or len(tokens) > MAX_NAME_TOKENS or sum(len(t) for t in tokens) < 3:
        return None
    if all(t.isalpha() and t.islower() for t in tokens):
        return None
    return tokens


def _is_title_phrase(tokens: tuple[str, ...]) -> bool:
    """"General", "Question Answering": capitalized ordinary words, which prose also writes in lower case."""
    return all(t.isalpha() and t[0].isupper() and t[1:].islower() for t in tokens)


class _Trie:
    """Token sequences, looked up by walking forward from each token."""

    def __init__(self) -> None:
        self.first: set[str] = set()
        self.prefixes: set[tuple[str, ...]] = set()
        self.keys: set[tuple[str, ...]] = set()

    def add(self, tokens: tuple[str, ...]) -> None:
        self.keys.add(tokens)
        self.first.add(tokens[0])
        self.prefixes.update(tokens[:n] for n in range(1, len(tokens)))

    def starting_at(self, tokens: list[str], i: int) -> Iterator[tuple[str, ...]]:
        """Every key that `tokens` holds from position i on."""
        key: tuple[str, ...] = (tokens[i],)
        j = i + 1
        while True:
            if key in self.keys:
                yield key
            if j >= len(tokens) or key not in self.prefixes:
                return
            key += (tokens[j],)
            j += 1


class NameMatcher:
    """Finds which of many names occur in texts, in one pass over each text's tokens.

    A name made of capitalized ordinary words ("General", "Question Answering", but also
    "Cityscapes" or "Penn Treebank") counts only if the texts scanned use it capitalized
    at least as often as in lower case: ordinary words and phrases are mostly written in
    lower case, names are not.
    """

    def __init__(self, names: Iterable[tuple[str, str]]) -> None:
        """`names`: (asset_id, name) pairs; one asset may have several names, one name several assets."""
        self._targets: dict[tuple[str, ...], set[str]] = {}
        self._names = _Trie()
        self._lower = _Trie()  # the title phrases, lower-cased
        self._usage: dict[tuple[str, ...], list[int]] = {}  # lower-cased title phrase -> [as written, lower case]
        for asset_id, name in names:
            tokens = name_tokens(name)
            if tokens is None:
                continue
            self._targets.setdefault(tokens, set()).add(asset_id)
            self._names.add(tokens)
            if _is_title_phrase(tokens):
                lower = tuple(t.lower() for t in tokens)
                self._lower.add(lower)
                self._usage[lower] = [0, 0]

    def __len__(self) -> int:
        return len(self._targets)

    def find(self, text: str) -> set[tuple[str, ...]]:
        """The names (as token tuples) that occur in `text` as whole token sequences."""
        tokens = _TOKEN.findall(text[:MAX_TEXT_CHARS])
        found: set[tuple[str, ...]] = set()
        names, lower, usage = self._names, self._lower, self._usage
        for i, token in enumerate(tokens):
            if token in names.first:
                for key in names.starting_at(tokens, i):
                    found.add(key)
                    if usage and (counts := usage.get(tuple(t.lower() for t in key))) is not None:
                        counts[0] += 1
            if token in lower.first:
                for key in lower.starting_at(tokens, i):
                    usage[key][1] += 1
        return found

    def targets(self, name: tuple[str, ...]) -> set[str]:
        """The assets `name` refers to; none for a title phrase the texts use mostly in lower case."""
        counts = self._usage.get(tuple(t.lower() for t in name))
        if counts is not None and counts[1] > counts[0]:
            return set()
        return self._targets.get(name, set())


_BIBTEX_START = re.compile(r"\s*@\w+\s*\{")
_NOT_KEY = re.compile(r"[^a-z0-9]+")
MAX_BIBTEX_LINES = 40  # an entry that never closes ends here, not at the end of the card


def _prose(text: str) -> str:
    """`text` without fenced code blocks and BibTeX entries, in one pass over its lines.

    (A regular expression with a lazy `.*?` up to the closing line went back over the
    rest of the text for every entry that never closed: seconds on a hostile card.)
    """
    kept: list[str] = []
    in_fence = False
    bibtex_left = 0
    for line in text[:MAX_TEXT_CHARS].split("\n"):
        stripped = line.strip()
        if stripped.startswith("```"):
            in_fence = not in_fence
        elif in_fence:
            pass
        elif bibtex_left:
            bibtex_left = 0 if stripped == "}" else bibtex_left - 1
        elif _BIBTEX_START.match(line):
            bibtex_left = MAX_BIBTEX_LINES
        else:
            kept.append(line)
    return "\n".join(kept)


def _task_key(name: str) -> str:
    """As catalog task keys are written (ingest.refresh_derived_columns): "Question Answering" -> question-answering."""
    return _NOT_KEY.sub("-", name.lower()).strip("-")


def _dataset_names(con: duckdb.DuckDBPyConnection) -> Iterator[tuple[str, str]]:
    tasks = {r[0] for r in con.execute("SELECT DISTINCT unnest(task_keys) FROM asset").fetchall()}
    rows = con.execute("SELECT asset_id, name, aliases FROM asset WHERE kind = 'dataset'").fetchall()
    for asset_id, name, aliases in rows:
        for n in {name, *(aliases or ())}:
            if n and _task_key(n) not in tasks:
                yield asset_id, n


def mention_pairs(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """(referrer, target) for every asset whose summary or card text names another asset's dataset."""
    matcher = NameMatcher(_dataset_names(con))
    found: list[tuple[str, set[tuple[str, ...]]]] = []
    if len(matcher):
        cur = con.execute("SELECT asset_id, concat_ws(' ', summary, card_text) FROM asset")
        while batch := cur.fetchmany(2_000):
            for asset_id, text in batch:
                names = matcher.find(_prose(text or ""))
                if names:
                    found.append((asset_id, names))
    pairs = {(referrer, target) for referrer, names in found for name in names for target in matcher.targets(name)
             if target != referrer}
    return pa.table({"referrer": pa.array([p[0] for p in pairs], pa.string()),
                     "target": pa.array([p[1] for p in pairs], pa.string())})


def refresh_reference_counts(con: duckdb.DuckDBPyConnection) -> None:
    """Store on every asset row the number of distinct other assets that refer to it."""
    mentions = mention_pairs(con)
    con.register("_mentions", mentions)
    try:
        con.execute("""
            CREATE OR REPLACE TEMP TABLE _reference_counts AS
            SELECT target, count(DISTINCT referrer) AS n FROM (
                SELECT asset_id AS referrer, dataset_id AS target FROM evaluation WHERE dataset_id IS NOT NULL
                UNION ALL
                SELECT asset_id, dataset_id FROM asset_dataset WHERE dataset_id IS NOT NULL
                UNION ALL
                SELECT child_id, parent_id FROM lineage WHERE parent_id IS NOT NULL
                UNION ALL
                SELECT referrer, target FROM _mentions
            ) WHERE referrer <> target GROUP BY target""")
        con.execute("UPDATE asset SET referenced_by = 0 WHERE referenced_by IS DISTINCT FROM 0 "
                    "AND asset_id NOT IN (SELECT target FROM _reference_counts)")
        con.execute("UPDATE asset SET referenced_by = r.n FROM _reference_counts r "
                    "WHERE asset.asset_id = r.target AND asset.referenced_by IS DISTINCT FROM r.n")
        con.execute("DROP TABLE _reference_counts")
    finally:
        con.unregister("_mentions")
