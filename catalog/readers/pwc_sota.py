"""Papers-with-Code evaluation tables (sota-extractor JSON): leaderboard rows -> model records.

The format is a list of tasks; each task holds datasets (and subtasks), each dataset a
`sota.rows` list of `{model_name, metrics{}, paper_title, paper_url, paper_date, ...}`
and possibly `subdatasets` of the same shape. Leaderboard entries are not assets with a
Hub id, so each model name becomes `pwc:model/<name>`, with every row of that name in
the file merged into one record (the catalog keys records by asset and file).

Values are written by hand in these tables ('93.2%', '86.5 (dev)', '0.7482 ± 0.0015',
'24M', 'Please tell us'): the leading number is kept, text is counted and left out, and
a row with no number at all is rejected so the user sees it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from assetscout.catalog.readers.base import Reader, read_text, to_float, to_int
from assetscout.catalog.records import (
    AssetRecord,
    Configuration,
    DatasetLink,
    Evaluation,
    ReaderItem,
    Rejected,
    Skipped,
)
from assetscout.errors import RecordError

_PEEK_BYTES = 16 * 1024
_FIRST_KEY = re.compile(
    rb'\A\s*\[\s*\{\s*"(categories|task|datasets|description|subtasks|source_link|synonyms)"\s*:'
)
_MODEL_NAME_KEY = re.compile(r'(?<!\\)"model_name"\s*:')
_NUMBER = r"[-+]?(?:\d+(?:,\d{3})*(?:\.\d+)?|\.\d+)"
# '0.7482 ± 0.0015', '0.25±0.005', '2.53 +/- 0.40': a value with its spread.
_WITH_SPREAD = re.compile(rf"({_NUMBER})\s*%?\s*(?:±|\+/-|\+-)\s*{_NUMBER}\s*%?")
# '86.5 (dev)', '17.1(16.1 with basic dynamic evaluation)': a value with a remark.
_WITH_REMARK = re.compile(rf"({_NUMBER})\s*%?\s*\((?!\s*{_NUMBER}\s+{_NUMBER}).*\)")
_DECORATION = re.compile(r"\A[\s*_\ufeff~]+|[\s*_+†‡]+\Z")
_PARAM_COLUMN = re.compile(r"(?i)\A(?:#\s*|number of |num\.? )?param(?:eter)?s?\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def parse_metric_value(raw: Any) -> float | None:
    """The number a leaderboard cell reports, or None when it holds no single number.

    Decorations (bold, footnote marks '*', '+', a BOM) and a trailing remark or spread
    are dropped; pairs like '78.6/84.4' and lists like '(32.76 32.07)' are ambiguous
    and give None. Percentages are kept as written, never rescaled.
    """
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return to_float(raw)
    if not isinstance(raw, str):
        return None
    text = _DECORATION.sub("", raw).replace("\u2212", "-")
    value = to_float(text)
    if value is not None:
        return value
    for pattern in (_WITH_SPREAD, _WITH_REMARK):
        m = pattern.fullmatch(text)
        if m:
            return to_float(m.group(1).replace(",", ""))
    return None


def parse_parameter_count(raw: Any) -> int | None:
    """A 'Number of params' cell ('24M', '0.46B', '3.0m', '~257M') as a count."""
    if isinstance(raw, str):
        raw = _DECORATION.sub("", raw).lstrip("~≈")
    return to_int(raw)


def clean_name(raw: Any) -> str:
    """A model or dataset name as written, minus control characters and runs of spaces."""
    if not isinstance(raw, str):
        return ""
    return " ".join(_CONTROL.sub(" ", raw.replace("\ufeff", "")).split())


@dataclass
class _Context:
    """Where a leaderboard row sits: its task, dataset and subdataset path."""

    task: str | None
    dataset: str
    config: str | None = None


@dataclass
class _ModelFacts:
    """Everything the file says about one model name, gathered before one record is made."""

    record: AssetRecord
    param_values: set[int] = field(default_factory=set)
    unparsed: int = 0
    seen_evals: set[tuple[Any, ...]] = field(default_factory=set)


class SotaTablesReader(Reader):
    """Reads sota-extractor evaluation tables (tasks/*.json) into one record per model name."""

    name = "pwc_sota"

    def claims(self, path: Path) -> bool:
        if path.suffix.lower() != ".json":
            return False
        if path.parent.name == "examples" and path.name == "example_json_format.json":
            return True
        if path.parent.name == "tasks" and path.parent.parent.name == "sota_extractor_data":
            return True
        return _looks_like_task_list(path)

    def read(self, path: Path) -> Iterator[ReaderItem]:
        is_example = path.parent.name == "examples"
        try:
            text = read_text(path)
            data = _load_json(text)
        except RecordError as err:
            if is_example:
                yield Skipped(f"format example, not results: {err.reason}")
                return
            raise
        if isinstance(data, dict) and ("datasets" in data or "subtasks" in data):
            data = [data]  # one task object instead of a list of them
        if not isinstance(data, list):
            raise RecordError(
                f"top level is a JSON {type(data).__name__}, expected a list of tasks", line=1
            )
        lines = _row_lines(data, text)
        models: dict[str, _ModelFacts] = {}
        for item in _walk_tasks(data, None, lines):
            if isinstance(item, Rejected):
                yield item
            else:
                yield from _add_row(models, *item)
        for facts in models.values():
            yield _finish(facts)


# ---------------------------------------------------------------- reading the tree


def _looks_like_task_list(path: Path) -> bool:
    """Cheap peek: a JSON list whose first object starts with a task-table key."""
    try:
        with path.open("rb") as fh:
            head = fh.read(_PEEK_BYTES)
    except OSError:
        return False
    return bool(_FIRST_KEY.match(head)) and (b'"datasets"' in head or b'"subtasks"' in head)


def _load_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(f"file is not valid JSON: {exc.msg}", line=exc.lineno) from None


def _row_lines(data: Any, text: str) -> dict[int, int]:
    """Line of each leaderboard row (by object id), from the '"model_name":' keys in order.

    json keeps keys in file order, so a pre-order walk meets the rows in the order their
    keys appear in the text. If the counts disagree the lines are unknown, never wrong.
    """
    rows: list[int] = []
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "model_name" in node:
                rows.append(id(node))
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))
    starts: list[int] = []
    line, pos = 1, 0
    for m in _MODEL_NAME_KEY.finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        starts.append(line)
    if len(starts) != len(rows):
        return {}
    return dict(zip(rows, starts))


def _walk_tasks(
    tasks: list[Any], parent: str | None, lines: dict[int, int]
) -> Iterator[tuple[_Context, int, dict[str, Any], int | None] | Rejected]:
    """Yield (context, row number, row, line) for every row under `tasks`, or Rejected."""
    for i, task in enumerate(tasks, 1):
        where = f"subtask {i} of '{parent}'" if parent else f"task entry {i}"
        if not isinstance(task, dict):
            yield Rejected(f"{where} is a JSON {type(task).__name__}, expected an object")
            continue
        name = clean_name(task.get("task")) or parent
        for j, ds in enumerate(_as_list_field(task, "datasets"), 1):
            if not isinstance(ds, dict):
                yield Rejected(f"dataset entry {j} of task '{name}' is not an object")
                continue
            ds_name = clean_name(ds.get("dataset"))
            if not ds_name:
                yield Rejected(
                    f"dataset entry {j} of task '{name}' has no 'dataset' name;"
                    " its rows are not read",
                    line=_first_line(ds, lines),
                )
                continue
            yield from _walk_dataset(ds, _Context(name, ds_name), lines)
        subtasks = task.get("subtasks")
        if isinstance(subtasks, list):
            yield from _walk_tasks(subtasks, name, lines)


def _walk_dataset(
    ds: dict[str, Any], ctx: _Context, lines: dict[int, int]
) -> Iterator[tuple[_Context, int, dict[str, Any], int | None] | Rejected]:
    label = f"'{ctx.dataset}'" + (f" / '{ctx.config}'" if ctx.config else "")
    sota = ds.get("sota")
    rows = sota.get("rows") if isinstance(sota, dict) else None
    if sota is not None and not isinstance(sota, dict):
        yield Rejected(f"'sota' of dataset {label} is a {type(sota).__name__}, expected an object")
    elif rows is not None and not isinstance(rows, list):
        kind = type(rows).__name__
        yield Rejected(f"'sota.rows' of dataset {label} is a {kind}, expected a list")
    else:
        for k, row in enumerate(rows or [], 1):
            if not isinstance(row, dict):
                kind = type(row).__name__
                yield Rejected(f"row {k} of dataset {label} is a {kind}, expected an object")
                continue
            yield ctx, k, row, lines.get(id(row))
    for sub in ds.get("subdatasets") or []:
        if not isinstance(sub, dict):
            continue
        sub_name = clean_name(sub.get("subdataset")) or clean_name(sub.get("dataset"))
        config = " / ".join(p for p in (ctx.config, sub_name) if p) or None
        yield from _walk_dataset(sub, _Context(ctx.task, ctx.dataset, config), lines)


def _as_list_field(obj: dict[str, Any], key: str) -> list[Any]:
    value = obj.get(key)
    return value if isinstance(value, list) else []


def _first_line(node: Any, lines: dict[int, int]) -> int | None:
    """Line of the first row somewhere under `node` (to point at a rejected dataset)."""
    if isinstance(node, dict):
        if id(node) in lines:
            return lines[id(node)]
        node = list(node.values())
    if isinstance(node, list):
        for child in node:
            found = _first_line(child, lines)
            if found is not None:
                return found
    return None


# ---------------------------------------------------------------- rows -> records


def _add_row(
    models: dict[str, _ModelFacts],
    ctx: _Context,
    k: int,
    row: dict[str, Any],
    line: int | None,
) -> Iterator[Rejected]:
    """Fold one row into its model's facts; yield Rejected when the row says nothing usable."""
    label = f"row {k} of dataset '{ctx.dataset}'" + (f" / '{ctx.config}'" if ctx.config else "")
    model, named_by_paper = _model_name(row)
    if not model:
        yield Rejected(f"{label} has no 'model_name' nor a paper title to name it by", line=line)
        return
    metrics = row.get("metrics")
    if not isinstance(metrics, dict) or not metrics:
        kind = "empty" if isinstance(metrics, dict) else f"a {type(metrics).__name__}"
        yield Rejected(
            f"{label}: model '{model}' has 'metrics' {kind}, expected metric -> value", line=line
        )
        return
    evals, params, unparsed = _parse_metrics(metrics, ctx)
    if not evals and not params:
        shown = ", ".join(f"{m!s}: {v!r}" for m, v in list(metrics.items())[:4])
        yield Rejected(f"{label}: model '{model}' has no numeric metric value ({shown})", line=line)
        return
    facts = models.get(model)
    if facts is None:
        facts = models[model] = _ModelFacts(_new_record(model, line))
        if named_by_paper:
            facts.record.extra["name_from"] = "paper_title"
    _merge_row(facts, ctx, row, evals, params, unparsed)


def _model_name(row: dict[str, Any]) -> tuple[str, bool]:
    """The row's model name; rows that leave it empty are named by their paper's title."""
    model = clean_name(row.get("model_name"))
    if model:
        return model, False
    title = clean_name(row.get("paper_title"))
    if title and not title.lower().startswith(("http://", "https://")):
        return title, True
    return "", False


def _parse_metrics(
    metrics: dict[str, Any], ctx: _Context
) -> tuple[list[Evaluation], list[tuple[str, Any, int]], int]:
    """Split a row's cells into evaluations, parameter counts and the unparseable rest."""
    evals: list[Evaluation] = []
    params: list[tuple[str, Any, int]] = []
    unparsed = 0
    for raw_name, raw_value in metrics.items():
        name = clean_name(raw_name)
        if _PARAM_COLUMN.match(name):
            count = parse_parameter_count(raw_value)
            if count is not None:
                params.append((name, raw_value, count))
            else:
                unparsed += 1
            continue
        value = parse_metric_value(raw_value)
        if value is None or not name:
            unparsed += 1
            continue
        evals.append(Evaluation(name, value, dataset=ctx.dataset, task=ctx.task, config=ctx.config))
    return evals, params, unparsed


def _new_record(model: str, line: int | None) -> AssetRecord:
    return AssetRecord(
        asset_id=f"pwc:model/{model}",
        kind="model",
        name=model,
        title=model,
        priority=30,
        line=line,
    )


def _merge_row(
    facts: _ModelFacts,
    ctx: _Context,
    row: dict[str, Any],
    evals: list[Evaluation],
    params: list[tuple[str, Any, int]],
    unparsed: int,
) -> None:
    rec = facts.record
    for ev in evals:
        key = (ev.metric, ev.value, ev.dataset, ev.task, ev.config)
        if key not in facts.seen_evals:
            facts.seen_evals.add(key)
            rec.evaluations.append(ev)
    if ctx.task and ctx.task not in rec.tasks:
        rec.tasks.append(ctx.task)
    if all(link.name != ctx.dataset for link in rec.datasets):
        rec.datasets.append(DatasetLink(ctx.dataset, role="eval"))
    for name, raw, count in params:
        facts.param_values.add(count)
        conf = Configuration(name, str(raw).strip())
        if conf not in rec.configurations:
            rec.configurations.append(conf)
    facts.unparsed += unparsed
    _merge_paper(rec, row)


def _merge_paper(rec: AssetRecord, row: dict[str, Any]) -> None:
    """Keep each distinct paper (title, url, date) and code link the rows cite."""
    paper = {
        key: row[src].strip()
        for key, src in (("title", "paper_title"), ("url", "paper_url"), ("date", "paper_date"))
        if isinstance(row.get(src), str) and row[src].strip()
    }
    if paper:
        papers = rec.extra.setdefault("papers", [])
        if paper not in papers:
            papers.append(paper)
        if rec.url is None and paper.get("url"):
            rec.url = paper["url"]
    for link in row.get("code_links") or []:
        url = link.get("url") if isinstance(link, dict) else link
        if isinstance(url, str) and url.strip():
            codes = rec.extra.setdefault("code_links", [])
            if url.strip() not in codes:
                codes.append(url.strip())


def _finish(facts: _ModelFacts) -> AssetRecord:
    """Settle the scalar fields that need all rows: parameter count, paper, description."""
    rec = facts.record
    if len(facts.param_values) == 1:
        rec.parameters = next(iter(facts.param_values))
    papers = rec.extra.get("papers") or []
    if papers:
        first = papers[0]
        rec.extra.update({f"paper_{k}": v for k, v in first.items()})
    if facts.unparsed:
        rec.extra["unparsed_metric_values"] = facts.unparsed
    datasets = ", ".join(link.name for link in rec.datasets[:5])
    more = f" and {len(rec.datasets) - 5} more" if len(rec.datasets) > 5 else ""
    rec.summary = f"Leaderboard entry with reported results on {datasets}{more}."
    return rec
