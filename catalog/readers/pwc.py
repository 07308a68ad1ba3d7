"""Papers with Code: dataset descriptions (DataFinder corpus), leaderboards, task taxonomy.

- `DataFinderCorpusReader`: `corpus_pwc_datasets.jsonl`, one PwC dataset per line ->
  `pwc:dataset/<id>`. Its `variants` are the other names papers use for the dataset;
  they become aliases, which is how mentions like 'IMDb' resolve to a dataset later.
- `SotaTablesReader` (pwc_sota.py): leaderboard JSON -> `pwc:model/<name>` evaluations.
- `PwcAuxiliaryReader`: the task taxonomy tables, synonym list and extractor report
  that sit next to them. They are vocabulary, not assets: skipped at ingest, and
  readable through `load_synonyms` / `load_task_taxonomy` by the resolvers that need them.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any, Iterator

from assetscout.catalog.readers.base import Reader, first_paragraph, read_text, to_int
from assetscout.catalog.readers.pwc_sota import SotaTablesReader
from assetscout.catalog.records import AssetRecord, ReaderItem, Rejected, Skipped

CORPUS_FILE = "corpus_pwc_datasets.jsonl"
PWC_URL = "https://paperswithcode.com"

_PEEK_BYTES = 64 * 1024
_CORPUS_KEYS = frozenset({"id", "contents", "variants"})
_BENCHMARK_FILE = re.compile(r"(queries|qrels)(_\w+)?\.tsv")
_MD_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")
# 'Source: [paper title](url)' or 'Source: https://...': where PwC took the text from.
_SOURCE_LINE = re.compile(
    r"^[ \t]*Source:[ \t]*(?:\[[^\]]*\]\(([^)\s]*)\)|(https?://\S+))[ \t]*$", re.M
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_SUMMARY_CHARS = 300

_TAXONOMY_FILE = re.compile(
    r"(all|cv|nlp|audio|other)_tasks(_detailed)?\.csv"
    r"|(cv|nlp|audio|other)_hierarchy\.(csv|json)"
    r"|task_hierarchy\.csv|research_areas\.csv|all_tasks\.txt"
)
_SYNONYM_HEADER = "task,synonym"


# ---------------------------------------------------------------- DataFinder corpus


class DataFinderCorpusReader(Reader):
    """One PwC dataset description per JSON line; the benchmark's query files are skipped."""

    name = "pwc_datafinder"

    def claims(self, path: Path) -> bool:
        if path.name == CORPUS_FILE:
            return True
        if _BENCHMARK_FILE.fullmatch(path.name):
            return path.parent.name == "datafinder" or (path.parent / CORPUS_FILE).exists()
        return path.suffix.lower() == ".jsonl" and _first_line_has_keys(path, _CORPUS_KEYS)

    def read(self, path: Path) -> Iterator[ReaderItem]:
        if _BENCHMARK_FILE.fullmatch(path.name):
            yield Skipped("retrieval benchmark queries/judgments, not asset metadata")
            return
        records: dict[str, AssetRecord] = {}
        for lineno, line in enumerate(read_text(path).split("\n"), 1):
            if not line.strip():
                continue
            item = _parse_corpus_line(line, lineno)
            if isinstance(item, Rejected):
                yield item
            elif item.name in records:
                _merge_duplicate(records[item.name], item)
            else:
                records[item.name] = item
        yield from records.values()


def _first_line_has_keys(path: Path, keys: frozenset[str]) -> bool:
    """Cheap peek: does the first line parse as a JSON object holding `keys`?"""
    try:
        with path.open("rb") as fh:
            first = fh.readline(_PEEK_BYTES)
        obj = json.loads(first)
    except (OSError, ValueError):
        return False
    return isinstance(obj, dict) and keys <= obj.keys()


def _parse_corpus_line(line: str, lineno: int) -> AssetRecord | Rejected:
    """One corpus line -> a dataset record, or the reason it cannot be one."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return Rejected(f"line is not valid JSON: {exc.msg} (column {exc.colno})", line=lineno)
    if not isinstance(obj, dict):
        return Rejected(f"line is a JSON {type(obj).__name__}, expected an object", line=lineno)
    ds_id = obj.get("id")
    if not isinstance(ds_id, str) or not ds_id.strip():
        return Rejected("line has no 'id' (the dataset name)", line=lineno)
    ds_id = ds_id.strip()
    contents = obj.get("contents")
    if contents is not None and not isinstance(contents, str):
        return Rejected(
            f"'contents' of '{ds_id}' is a {type(contents).__name__}, expected text", line=lineno
        )
    variants = obj.get("variants")
    if isinstance(variants, str):
        variants = [variants]
    if variants is not None and not (
        isinstance(variants, list) and all(isinstance(v, str) for v in variants)
    ):
        return Rejected(f"'variants' of '{ds_id}' is not a list of names", line=lineno)
    return _corpus_record(ds_id, contents or "", variants or [], obj, lineno)


def _corpus_record(
    ds_id: str, contents: str, variants: list[str], obj: dict[str, Any], lineno: int
) -> AssetRecord:
    text = contents.replace("\r\n", "\n").strip()
    extra: dict[str, Any] = {}
    source = _SOURCE_LINE.search(text)
    body = text
    if source:
        extra["source_url"] = _absolute_url(source.group(1) or source.group(2))
        body = (text[: source.start()] + text[source.end():]).strip()
    for key in ("title", "date"):
        if isinstance(obj.get(key), str) and obj[key].strip():
            extra["paper_title" if key == "title" else key] = obj[key].strip()
    year = to_int(obj.get("year"))
    if year is not None:
        extra["year"] = year
    return AssetRecord(
        asset_id=f"pwc:dataset/{ds_id}",
        kind="dataset",
        name=ds_id,
        title=ds_id,
        summary=lead_sentences(body),
        card_text=_MD_LINK.sub(r"\1", text) or None,
        aliases=list(dict.fromkeys(v.strip() for v in variants if v.strip())),
        extra=extra,
        priority=20,
        line=lineno,
    )


def _merge_duplicate(kept: AssetRecord, dup: AssetRecord) -> None:
    """The corpus lists some ids twice (same text, another paper): keep one record, note both."""
    for alias in dup.aliases:
        if alias not in kept.aliases:
            kept.aliases.append(alias)
    if not kept.card_text and dup.card_text:
        kept.card_text, kept.summary = dup.card_text, dup.summary
    other = dup.extra.get("paper_title")
    if other and other != kept.extra.get("paper_title"):
        kept.extra.setdefault("other_paper_titles", []).append(other)
    kept.extra.setdefault("duplicate_lines", []).append(dup.line)


def _absolute_url(url: str) -> str:
    return PWC_URL + url if url.startswith("/") else url


def lead_sentences(body: str, limit: int = _SUMMARY_CHARS) -> str | None:
    """The first one or two sentences of a description, for a result snippet."""
    para = first_paragraph(body, limit=4 * limit)
    if not para:
        return None
    sentences = _SENTENCE_END.split(para)
    summary = sentences[0]
    if len(sentences) > 1 and len(summary) + 1 + len(sentences[1]) <= limit:
        summary += " " + sentences[1]
    if len(summary) > limit:
        summary = summary[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "..."
    return summary


# ---------------------------------------------------------------- taxonomy and friends


class PwcAuxiliaryReader(Reader):
    """Claims the PwC files that describe tasks, not assets, and skips them with a reason."""

    name = "pwc_taxonomy"

    def claims(self, path: Path) -> bool:
        return _auxiliary_reason(path) is not None

    def read(self, path: Path) -> Iterator[ReaderItem]:
        yield Skipped(_auxiliary_reason(path) or "not asset metadata")


def _auxiliary_reason(path: Path) -> str | None:
    name = path.name
    if _TAXONOMY_FILE.fullmatch(name):
        return "task taxonomy, not asset metadata"
    if name == "eval_all_report.csv":
        return "evaluation report of the sota-extractor tool, not asset metadata"
    if name == "synonyms.csv" and _first_line_is(path, _SYNONYM_HEADER):
        return "task-name synonym list (see pwc.load_synonyms), not asset metadata"
    return None


def _first_line_is(path: Path, header: str) -> bool:
    try:
        with path.open("rb") as fh:
            first = fh.readline(1024)
    except OSError:
        return False
    return first.decode("utf-8", "replace").strip().lstrip("\ufeff") == header


def load_synonyms(path: Path) -> dict[str, str]:
    """Task synonyms of the sota-extractor: NLP-progress task name -> the name PwC uses.

    Keys and values as written (e.g. 'Word Level Models' -> 'Language Model'); rows
    with fewer than two names are left out.
    """
    reader = csv.reader(io.StringIO(read_text(path)), skipinitialspace=True)
    header = next(reader, None)
    if header is not None and [h.strip().lower() for h in header[:2]] != ["task", "synonym"]:
        reader = csv.reader(io.StringIO(read_text(path)), skipinitialspace=True)
    synonyms: dict[str, str] = {}
    for row in reader:
        if len(row) >= 2 and row[0].strip() and row[1].strip():
            synonyms.setdefault(row[0].strip(), row[1].strip())
    return synonyms


def load_task_taxonomy(root: Path) -> list[dict[str, Any]]:
    """PwC task hierarchy from `results/hierarchical/<area>_hierarchy.csv` under `root`.

    `root` may be the pwc_derived folder, its results folder or the hierarchical folder.
    Each item: task, area (cv / nlp / audio / other, from the file name), parent (None
    for a top-level task), level and dataset_count (int or None).
    """
    folder = next(
        (d for d in (root / "results" / "hierarchical", root / "hierarchical", root)
         if any(d.glob("*_hierarchy.csv"))),
        None,
    )
    if folder is None:
        return []
    items: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*_hierarchy.csv")):
        area = path.name[: -len("_hierarchy.csv")]
        for row in csv.DictReader(io.StringIO(read_text(path))):
            task = (row.get("Task Name") or "").strip()
            if not task:
                continue
            items.append({
                "task": task,
                "area": area,
                "parent": (row.get("Parent Task") or "").strip() or None,
                "level": to_int(row.get("Level")),
                "dataset_count": to_int(row.get("Dataset Count")),
            })
    return items


READERS: list[Reader] = [DataFinderCorpusReader(), SotaTablesReader(), PwcAuxiliaryReader()]
