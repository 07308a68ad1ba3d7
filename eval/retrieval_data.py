"""Judged queries for the retrieval evaluation: DataFinder TSVs and our JSON-lines file.

Both become `JudgedQuery` objects: one information need, written in one or more query
forms (DataFinder: the full sentence and the keyphrase query), with graded judgments
keyed by catalog asset id.

DataFinder (Viswanathan et al., 2023): `queries_*.tsv` has query_id, query (the
sentence), keyphrase_query; `qrels_*.tsv` has query_id, doc_id, doc_in_corpus,
relevance. Only rows with doc_in_corpus == 1 and relevance >= 1 are judgments: a
dataset the corpus does not hold can not be found by any system. A query left with no
judgment is skipped (`DataFinderQueries.skipped` says which). Doc ids become asset ids
the way the DataFinder reader names them: `pwc:dataset/<id>`. Each query is filtered to
the assets that reader contributed (`source` = pwc_datafinder), so the corpus may sit in
a larger catalog: only the benchmark's documents are ranked, since only they are
judged, while the rest of the catalog still informs the ranking (reference counts,
BM25 statistics). In a catalog of the corpus alone the filter matches every asset.

Judged file (`eval/data/model_queries.jsonl`), one object per line:
    {"id": "m01", "query": "...", "kinds": ["model"], "filters": {...},
     "relevant": {"hf:model/...": 2, ...}, "note": "the judging criterion",
     "sql": "SELECT asset_id, grade FROM asset a WHERE ..."}
kinds, filters, note and sql are optional; grades are 1 (relevant) or 2 (highly
relevant). `sql` is the query over the catalog tables that made the judgments, kept
so that they can be re-derived and checked against the criterion in `note`.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from assetscout.catalog.readers.pwc import DataFinderCorpusReader
from assetscout.errors import InvalidInput

SENTENCE, KEYPHRASE, TEXT = "sentence", "keyphrase", "text"
DATAFINDER_PREFIX = "pwc:dataset/"
JUDGED_FILE = "model_queries.jsonl"
# kind:namespace/name, the shape of every asset id the readers make (e.g. hf:model/org/name)
ASSET_ID = re.compile(r"^[a-z][a-z0-9_]*:(model|dataset|table)/\S(.*\S)?$")
_JUDGED_KEYS = frozenset({"id", "query", "kinds", "filters", "relevant", "note", "sql"})


@dataclass(frozen=True)
class JudgedQuery:
    """One information need: its text per query form and its judged relevant assets."""

    query_id: str
    texts: Mapping[str, str]  # query form -> text (a form may be absent for a query)
    grades: Mapping[str, int]  # asset id -> grade >= 1
    kinds: tuple[str, ...] = ()
    filters: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class DataFinderQueries:
    queries: list[JudgedQuery]
    skipped: list[str]  # query ids with no relevant document in the corpus
    judgments: int  # qrels rows used


def datafinder_asset_id(doc_id: str) -> str:
    """The catalog asset id the DataFinder reader gives the corpus document `doc_id`."""
    return DATAFINDER_PREFIX + doc_id.strip()


def _tsv(path: Path, needed: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh, delimiter="\t")
            missing = [c for c in needed if c not in (reader.fieldnames or [])]
            if missing:
                raise InvalidInput(f"{path}: missing column(s) {', '.join(missing)} (has: "
                                   f"{', '.join(reader.fieldnames or [])})")
            return list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InvalidInput(f"{path}: cannot be read as TSV: {exc}") from None


def load_datafinder(queries_tsv: Path | str, qrels_tsv: Path | str) -> DataFinderQueries:
    """DataFinder queries with their in-corpus judgments (module docstring)."""
    q_rows = _tsv(Path(queries_tsv), ("query_id", "query", "keyphrase_query"))
    r_rows = _tsv(Path(qrels_tsv), ("query_id", "doc_id", "doc_in_corpus", "relevance"))
    grades: dict[str, dict[str, int]] = {}
    used = 0
    for row in r_rows:
        doc = (row.get("doc_id") or "").strip()
        try:
            grade = int(row["relevance"] or 0)
        except ValueError:
            raise InvalidInput(f"{qrels_tsv}: relevance {row['relevance']!r} of query {row['query_id']!r} "
                               "is not an integer") from None
        if not doc or (row.get("doc_in_corpus") or "").strip() != "1" or grade < 1:
            continue
        per_query = grades.setdefault(row["query_id"].strip(), {})
        aid = datafinder_asset_id(doc)
        per_query[aid] = max(grade, per_query.get(aid, 0))
        used += 1
    queries: list[JudgedQuery] = []
    skipped: list[str] = []
    for row in q_rows:
        qid = row["query_id"].strip()
        texts = {form: " ".join((row.get(col) or "").split())
                 for form, col in ((SENTENCE, "query"), (KEYPHRASE, "keyphrase_query"))}
        texts = {form: t for form, t in texts.items() if t}
        if not grades.get(qid) or not texts:
            skipped.append(qid)
            continue
        queries.append(JudgedQuery(qid, texts, grades[qid], ("dataset",),
                                   {"source": [DataFinderCorpusReader.name]}))
    return DataFinderQueries(queries, skipped, used)


def packaged_judged_file() -> Path:
    """The judged model-search queries shipped with assetscout."""
    return Path(str(resources.files("assetscout.eval").joinpath("data", JUDGED_FILE)))


def load_judged(path: Path | str) -> list[JudgedQuery]:
    """Queries of a judged JSON-lines file; every line is checked (module docstring)."""
    path = Path(path)
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot be read: {exc}") from None
    out: list[JudgedQuery] = []
    seen: set[str] = set()
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{where}: not valid JSON: {exc.msg}") from None
        if not isinstance(obj, dict):
            raise InvalidInput(f"{where}: expected a JSON object")
        unknown = set(obj) - _JUDGED_KEYS
        if unknown:
            raise InvalidInput(f"{where}: unknown field(s) {sorted(unknown)}; allowed: {sorted(_JUDGED_KEYS)}")
        qid, text = obj.get("id"), obj.get("query")
        if not isinstance(qid, str) or not qid.strip() or qid in seen:
            raise InvalidInput(f"{where}: 'id' must be a non-empty string not used before, got {qid!r}")
        seen.add(qid)
        if not isinstance(text, str) or not text.strip():
            raise InvalidInput(f"{where}: 'query' must be non-empty text")
        relevant = obj.get("relevant")
        if not isinstance(relevant, dict) or not relevant:
            raise InvalidInput(f"{where}: 'relevant' must be a non-empty object of asset id -> grade")
        for aid, grade in relevant.items():
            if not ASSET_ID.match(aid):
                raise InvalidInput(f"{where}: {aid!r} is not an asset id (kind:model|dataset|table/name)")
            if isinstance(grade, bool) or grade not in (1, 2):
                raise InvalidInput(f"{where}: grade of {aid!r} must be 1 or 2, got {grade!r}")
        kinds = obj.get("kinds") or []
        filters = obj.get("filters") or {}
        if not isinstance(kinds, list) or not isinstance(filters, dict):
            raise InvalidInput(f"{where}: 'kinds' must be a list and 'filters' an object")
        out.append(JudgedQuery(qid, {TEXT: " ".join(text.split())}, dict(relevant), tuple(kinds), filters,
                               str(obj.get("note") or "")))
    if not out:
        raise InvalidInput(f"{path}: no queries")
    return out
