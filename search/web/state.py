"""The search page's state, all of it in the URL (so a search is a link), and its edits.

    /?q=image+classifier&filter=license_class=permissive&metric=top1>=85@ImageNet&sort=downloads&offset=20

Parameters are GET /search's (q, kind, filter, metric, sort, k, offset, interpret,
literal), so a page URL and an API URL say the same thing. Kinds are kept as
`kind=...` filters, which lets the kind facet toggle like every other facet. Every
edit (toggle a facet value, drop a constraint, keep a phrase literal, turn a page)
returns a new state; `url()` writes it back, dropping defaults.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import urlencode

from assetscout.errors import InvalidInput

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
_OPS = (">=", ">", "<=", "<", "=")


def _int(name: str, raw: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be an integer, got {raw[:50]!r}") from None
    if not low <= value <= high:
        raise InvalidInput(f"{name} must be between {low} and {high}, got {value}")
    return value


@dataclass(frozen=True)
class SearchState:
    q: str = ""
    filters: tuple[str, ...] = ()  # KEY=VALUE as GET /search takes them; kinds as kind=...
    metrics: tuple[str, ...] = ()  # NAME>=VALUE@DATASET
    sort: str = "relevance"
    offset: int = 0
    k: int = PAGE_SIZE
    interpret: bool = True
    literal: tuple[str, ...] = ()

    @classmethod
    def from_params(cls, items: Iterable[tuple[str, str]]) -> "SearchState":
        """The state of a page URL's query parameters; InvalidInput for a malformed number.

        The metric-constraint form (m_metric, m_op, m_value, m_dataset) is folded into
        `metrics` here, so the form is a plain GET that needs no script.
        """
        q, sort, offset, k, interpret = "", "relevance", 0, PAGE_SIZE, True
        filters: list[str] = []
        metrics: list[str] = []
        literal: list[str] = []
        form: dict[str, str] = {}
        for key, value in items:
            if key == "q":
                q = value
            elif key == "kind":
                filters += [f"kind={part.strip()}" for part in value.split(",") if part.strip()]
            elif key == "filter" and value.strip():
                filters.append(value.strip())
            elif key == "metric" and value.strip():
                metrics.append(value.strip())
            elif key == "sort" and value.strip():
                sort = value.strip()
            elif key == "offset" and value.strip():
                offset = _int("offset", value.strip(), 0, 10_000)
            elif key == "k" and value.strip():
                k = _int("k", value.strip(), 1, MAX_PAGE_SIZE)
            elif key == "interpret":
                interpret = value.strip().lower() not in ("false", "0", "no", "off")
            elif key == "literal" and value.strip():
                literal.append(value.strip())
            elif key.startswith("m_"):
                form[key] = value.strip()
        built = metric_from_form(form)
        if built:
            metrics.append(built)
        if form.get("m_sort") and form.get("m_metric"):
            sort = metric_sort(form["m_metric"], form.get("m_dataset", ""))
        return cls(" ".join(q.split()), tuple(dict.fromkeys(filters)), tuple(dict.fromkeys(metrics)), sort,
                   offset, k, interpret, tuple(dict.fromkeys(literal)))

    def params(self) -> list[tuple[str, str]]:
        """Query parameters of this state, defaults left out."""
        out: list[tuple[str, str]] = []
        if self.q:
            out.append(("q", self.q))
        out += [("filter", f) for f in self.filters]
        out += [("metric", m) for m in self.metrics]
        if self.sort != "relevance":
            out.append(("sort", self.sort))
        if not self.interpret:
            out.append(("interpret", "false"))
        out += [("literal", p) for p in self.literal]
        if self.k != PAGE_SIZE:
            out.append(("k", str(self.k)))
        if self.offset:
            out.append(("offset", str(self.offset)))
        return out

    def url(self) -> str:
        params = self.params()
        return "/?" + urlencode(params) if params else "/"

    def replace(self, **changes: object) -> "SearchState":
        """A copy with `changes`; any change but paging goes back to the first page."""
        if "offset" not in changes:
            changes["offset"] = 0
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def has_filters(self, filters: Iterable[str]) -> bool:
        wanted = list(filters)
        return bool(wanted) and all(f in self.filters for f in wanted)

    def toggled(self, filters: Iterable[str]) -> "SearchState":
        """Add `filters` (a facet value), or remove them when they are all set already."""
        wanted = list(filters)
        if self.has_filters(wanted):
            return self.replace(filters=tuple(f for f in self.filters if f not in wanted))
        # a parameter bucket replaces the bounds set before it (one range at a time)
        bounds = ("min_parameters", "max_parameters")
        replaces = any(f.partition("=")[0] in bounds for f in wanted)
        kept = tuple(f for f in self.filters if not (replaces and f.partition("=")[0] in bounds))
        return self.replace(filters=kept + tuple(f for f in wanted if f not in kept))

    def without_filter(self, item: str) -> "SearchState":
        return self.replace(filters=tuple(f for f in self.filters if f != item))

    def without_metric(self, item: str) -> "SearchState":
        return self.replace(metrics=tuple(m for m in self.metrics if m != item))

    def with_literal(self, phrase: str) -> "SearchState":
        return self.replace(literal=tuple(dict.fromkeys([*self.literal, phrase])))

    def page(self, offset: int) -> "SearchState":
        return dataclasses.replace(self, offset=max(0, min(offset, 10_000)))

    def cleared(self) -> "SearchState":
        """The same text, nothing else."""
        return SearchState(q=self.q)


def metric_from_form(form: dict[str, str]) -> str | None:
    """'top1>=85@ImageNet' from the constraint form's fields; None when it was not filled in."""
    metric, value = form.get("m_metric", ""), form.get("m_value", "")
    if not metric and not value:
        return None
    if form.get("m_sort") and not value:  # "sort by this metric" without a threshold
        return None
    if not metric:
        raise InvalidInput("the metric constraint needs a metric name (e.g. top1, mAP, ndcg@10)")
    if not value:
        raise InvalidInput(f"the metric constraint on {metric!r} needs a value (e.g. 40)")
    op = form.get("m_op", ">=") or ">="
    if op not in _OPS:
        raise InvalidInput(f"metric operator {op!r} is not allowed; use one of {', '.join(_OPS)}")
    dataset = form.get("m_dataset", "")
    return f"{metric}{op}{value}" + (f"@{dataset}" if dataset else "")


def metric_sort(metric: str, dataset: str = "") -> str:
    """The sort that ranks by `metric` (on `dataset`), best first: 'metric:top1@ImageNet'."""
    return f"metric:{metric}" + (f"@{dataset}" if dataset else "")


def metric_sort_of(constraint: str) -> str | None:
    """The metric sort matching a constraint 'top1>=85@ImageNet' -> 'metric:top1@ImageNet'."""
    import re

    m = re.match(r"^\s*([^<>=]+?)\s*(?:>=|<=|==|=|>|<)\s*[-+]?[0-9.]+(?:e[-+]?\d+)?\s*%?\s*(?:@\s*(.+?))?\s*$", constraint)
    return metric_sort(m.group(1), (m.group(2) or "").strip()) if m else None
