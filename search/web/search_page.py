"""The search page's content: hits with their "why", the facet sidebar, what was understood.

Everything here is plain data for `templates/search.html`; the engine call is the one
GET /search makes (`Query.build` + `SearchEngine.search` with facets and explain), so
a page and the API never disagree about a query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assetscout.catalog.metrics import metric_info
from assetscout.search.query import Query, parse_filter_args
from assetscout.search.results import FacetValue, Hit, SearchResult
from assetscout.search.web.render import fmt_number
from assetscout.search.web.state import SearchState, metric_sort_of

# facet key -> heading, in sidebar order (facets the engine adds later are shown after these)
FACET_TITLES = {
    "kind": "Kind", "source": "Source zoo", "task": "Task", "license_class": "License class",
    "license": "License", "non_commercial": "Non-commercial",
    "license_lineage": "License across lineage", "commercial_use_lineage": "Commercial use across lineage", "library": "Library", "language": "Language",
    "modality": "Modality", "parameters": "Parameters", "dataset": "Trained / evaluated on",
    "organization": "Organization", "format": "Format", "precision": "Precision",
}
FACETS_SHOWN = 6  # values per facet before "more"
SORTS = [("relevance", "relevance"), ("downloads", "most downloaded"), ("likes", "most liked"),
         ("referenced_by", "most referenced"), ("created", "newest"), ("parameters", "largest"),
         ("fewest_parameters", "smallest"), ("name", "name")]
COMMON_METRICS = ["top1", "top5", "accuracy", "map", "ndcg@10", "recall@1", "f1", "wer", "bleu",
                  "cosine_spearman", "throughput", "latency"]


@dataclass
class FacetEntry:
    value: str
    label: str
    count: int
    selected: bool
    url: str


@dataclass
class Facet:
    key: str
    title: str
    shown: list[FacetEntry]
    more: list[FacetEntry]
    truncated: bool


@dataclass
class Chip:
    """An active constraint with the link that removes it."""

    label: str
    remove_url: str
    note: str = ""  # the words it was read from (interpreted constraints)


@dataclass
class HitView:
    hit: Hit
    why: list[str]
    metrics: list[dict[str, Any]]
    snippet: str | None


@dataclass
class SearchView:
    state: SearchState
    result: SearchResult | None
    hits: list[HitView] = field(default_factory=list)
    facets: list[Facet] = field(default_factory=list)
    chips: list[Chip] = field(default_factory=list)
    understood: list[Chip] = field(default_factory=list)
    sorts: list[tuple[str, str]] = field(default_factory=list)
    prev_url: str | None = None
    next_url: str | None = None
    literal_url: str | None = None
    clear_url: str | None = None
    error: str | None = None
    common_metrics: list[str] = field(default_factory=lambda: list(COMMON_METRICS))


def build_query(state: SearchState) -> Query:
    """The engine query of a page state (InvalidInput with the API's message when it is not valid)."""
    return Query.build(text=state.q, filters=parse_filter_args(state.filters), metrics=list(state.metrics),
                       sort=state.sort, k=state.k, offset=state.offset, explain=True, interpret=state.interpret,
                       literal=list(state.literal))


def search_view(state: SearchState, result: SearchResult) -> SearchView:
    view = SearchView(state=state, result=result)
    interpreted = result.interpreted or {}
    constraints = [c for c in interpreted.get("constraints") or [] if interpreted.get("enabled", True)]
    satisfied = [_filter_label(f) for f in state.filters] + [f"metric {m}" for m in state.metrics]
    satisfied += [c["label"] for c in constraints if not c.get("preferred")]
    view.hits = [_hit_view(h, satisfied, [c["label"] for c in constraints if c.get("preferred")])
                 for h in result.hits]
    view.facets = _facets(state, result)
    view.chips = ([Chip(_filter_label(f), state.without_filter(f).url()) for f in state.filters]
                  + [Chip(f"metric {m}", state.without_metric(m).url()) for m in state.metrics])
    if state.sort != "relevance":
        view.chips.append(Chip(f"sorted by {_sort_label(state.sort)}", state.replace(sort="relevance").url()))
    view.understood = [Chip(c["label"] + (" (preferred)" if c.get("preferred") else ""),
                            state.with_literal(c["source_text"]).url(), c["source_text"])
                       for c in constraints if c.get("source_text")]
    if view.understood:
        view.literal_url = state.replace(interpret=False, literal=()).url()
    if view.chips or view.understood:
        view.clear_url = state.cleared().replace(interpret=False).url() if view.understood else state.cleared().url()
    view.sorts = _sorts(state, constraints)
    if state.offset > 0:
        view.prev_url = state.page(max(0, state.offset - state.k)).url()
    if state.offset + len(result.hits) < result.total and len(result.hits) == state.k:
        view.next_url = state.page(state.offset + state.k).url()
    return view


def _hit_view(hit: Hit, satisfied: list[str], preferred: list[str]) -> HitView:
    why: list[str] = []
    c = hit.components or {}
    if c.get("lexical", 0) > 0:
        why.append(f"text match {c['lexical']:.2f}")
    if c.get("dense", 0) > 0:
        why.append(f"semantic match {c['dense']:.2f}")
    if c.get("boost_name", 0) > 0:
        why.append("name matches the query")
    if c.get("boost_facets", 0) > 0 and preferred:
        why.append("preferred: " + ", ".join(preferred))
    if not c and hit.score is not None and not why:
        why.append("no query text: listed most downloaded and referenced first")
    why += [f"✓ {s}" for s in satisfied]
    if hit.tied:
        why.append("tied with a neighbour on the sort metric")
    metrics = [{**m, "shown": _metric_value(m)} for m in (hit.metrics or [])[:4]]
    snippet = hit.matched_text if hit.matched_text and c.get("lexical", 0) + c.get("dense", 0) > 0 else None
    if snippet and len(snippet) > 220:
        snippet = snippet[:220].rsplit(" ", 1)[0] + " …"
    return HitView(hit, why, metrics, snippet)


def _metric_value(m: dict[str, Any]) -> str:
    """'82.1%' for a bounded metric stated on either scale, else the value as the source gives it."""
    norm, value = m.get("value_norm"), m.get("value")
    info = metric_info(m.get("key") or m.get("metric") or "")
    if info.bounded and isinstance(norm, (int, float)):
        return f"{fmt_number(100 * norm)}%"
    return fmt_number(value) + (f" {info.unit}" if info.unit else "")


def _facets(state: SearchState, result: SearchResult) -> list[Facet]:
    if result.facets is None:
        return []
    counts = result.facets.counts
    order = [k for k in FACET_TITLES if k in counts] + [k for k in counts if k not in FACET_TITLES]
    out = []
    for key in order:
        values: list[FacetValue] = counts[key]
        if not values:
            continue
        entries = [FacetEntry(v.value, v.label or v.value, v.count, state.has_filters(v.filters),
                              state.toggled(v.filters or [f"{key}={v.value}"]).url()) for v in values]
        # a selected value stays visible even when it is not among the first ones
        shown = entries[:FACETS_SHOWN] + [e for e in entries[FACETS_SHOWN:] if e.selected]
        more = [e for e in entries[FACETS_SHOWN:] if not e.selected]
        out.append(Facet(key, FACET_TITLES.get(key, key.replace("_", " ").capitalize()), shown, more,
                         bool(result.facets.truncated.get(key))))
    return out


def _sorts(state: SearchState, constraints: list[dict[str, Any]]) -> list[tuple[str, str]]:
    sorts = list(SORTS)
    metric_sorts = [metric_sort_of(m) for m in state.metrics]
    metric_sorts += [metric_sort_of(c["value"]) for c in constraints if c.get("type") == "metric"
                     and isinstance(c.get("value"), str)]
    for s in metric_sorts:
        if s and s not in [v for v, _ in sorts]:
            sorts.append((s, _sort_label(s)))
    if state.sort not in [v for v, _ in sorts]:
        sorts.append((state.sort, _sort_label(state.sort)))
    return sorts


def _sort_label(sort: str) -> str:
    if sort.startswith("metric:"):
        name, _, dataset = sort[len("metric:"):].partition("@")
        return f"best {name}" + (f" on {dataset}" if dataset else "")
    return dict(SORTS).get(sort, sort)


def _filter_label(item: str) -> str:
    key, _, value = item.partition("=")
    names = {"min_parameters": "parameters ≥", "max_parameters": "parameters <", "license_class": "license class",
             "non_commercial": "non-commercial", "commercial_use": "commercial use",
             "license_lineage": "license across lineage", "commercial_use_lineage": "commercial use across lineage"}
    if key in ("min_parameters", "max_parameters"):
        return f"{names[key]} {value}"
    return f"{names.get(key, key.replace('_', ' '))}: {value}"
