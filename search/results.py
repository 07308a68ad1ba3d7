"""What a search returns: hits with their score components, facet counts, the plan."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Hit:
    """One asset in a result list. `components` is filled when the query asks to explain."""

    asset_id: str
    kind: str
    name: str
    score: float
    title: str | None = None
    summary: str | None = None
    license_spdx: str | None = None
    license_class: str | None = None
    non_commercial: bool | None = None
    tasks: list[str] = field(default_factory=list)
    library: str | None = None
    languages: list[str] = field(default_factory=list)
    parameters: int | None = None
    downloads: int | None = None
    likes: int | None = None
    referenced_by: int | None = None  # distinct other assets that evaluate on, train on, derive from or name it
    source: str | None = None
    components: dict[str, float] | None = None
    matched_text: str | None = None  # the chunk or header that matched best (explain)
    # the values behind the query's metric constraints / metric sort, else a few headline
    # evaluations: {"metric", "key", "label", "dataset", "value", "direction"}
    metrics: list[dict[str, Any]] = field(default_factory=list)
    tied: bool | None = None  # metric sort: the same value as the hit before or after it


@dataclass
class FacetValue:
    value: str
    count: int
    filters: list[str] = field(default_factory=list)  # the KEY=VALUE filters (GET /search form) that select it
    label: str | None = None  # how to show the value when it is an id (the dataset facet)


@dataclass
class FacetResult:
    """Counts per facet over the whole matching set, largest first.

    `truncated[f]` is true when facet f has more values than were returned (size+1
    check); a facet that ran out of its time budget is listed in `timed_out` instead
    of failing the request.
    """

    counts: dict[str, list[FacetValue]] = field(default_factory=dict)
    truncated: dict[str, bool] = field(default_factory=dict)
    timed_out: list[str] = field(default_factory=list)


@dataclass
class SearchResult:
    query: dict[str, Any]
    total: int  # assets matching the filters (the candidate set the text was ranked in)
    hits: list[Hit]
    facets: FacetResult | None = None
    plan: dict[str, Any] = field(default_factory=dict)  # strategy, selectivity, timings (ms)
    # what the text was understood to ask (search/interpret): constraints with their words, the text left
    interpreted: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
