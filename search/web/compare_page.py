"""The compare page: the rows of search/compare.py as a table, a bar chart per shared
benchmark and a metric-vs-parameters scatter."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assetscout.search.compare import BenchRow, benchmark_rows
from assetscout.search.web.svg import bars_svg, scatter_svg

MAX_BAR_CHARTS = 6


@dataclass
class CompareView:
    assets: list[dict[str, Any]]
    shared: list[BenchRow] = field(default_factory=list)
    single: list[BenchRow] = field(default_factory=list)
    bars: list[str] = field(default_factory=list)
    scatter: str | None = None
    missing: list[str] = field(default_factory=list)


def compare_view(assets: list[dict[str, Any]], evaluations: list[dict[str, Any]]) -> CompareView:
    view = CompareView(assets)
    view.shared, view.single = benchmark_rows(assets, evaluations)
    names = [a.get("name") or a["asset_id"] for a in assets]
    for row in view.shared[:MAX_BAR_CHARTS]:
        direction = {"higher": "higher is better", "lower": "lower is better"}.get(row.direction or "", "")
        title = f"{row.label} ({row.unit + ', ' if row.unit else ''}{direction})".replace(" ()", "")
        view.bars.append(bars_svg(title, names, row.values, unit=row.unit if row.unit == "%" else "",
                                  higher_is_better={"higher": True, "lower": False}.get(row.direction or "")))
    for row in view.shared:
        points = [(names[i], float(assets[i]["parameters"]), v, i) for i, v in enumerate(row.values)
                  if v is not None and isinstance(assets[i].get("parameters"), (int, float)) and assets[i]["parameters"] > 0]
        if len(points) >= 2:
            arrow = {"higher": "↑ better", "lower": "↓ better"}.get(row.direction or "", "")
            view.scatter = scatter_svg(f"{row.label} vs parameter count", points, x_label="parameters (log scale)",
                                       y_label=f"{row.metric} {('(' + row.unit + ') ') if row.unit else ''}{arrow}")
            break
    return view
