"""2-5 assets side by side: benchmarks they share, a bar chart per benchmark, metric vs size.

Evaluations are lined up by (metric key, dataset, hardware): the metric key is the
vocabulary's canonical name (`catalog/metrics.py`), so timm's `top1`, OpenVINO's
"Top 1" and a card's "top-1 accuracy" meet in one row, and bounded metrics are shown
as percents whatever scale the source wrote (value_norm). When an asset reports a
benchmark more than once (several resolutions, splits), the row shows its best value
and says how many were reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assetscout.catalog.metrics import metric_info
from assetscout.errors import InvalidInput
from assetscout.search.web.svg import bars_svg, scatter_svg

MIN_IDS, MAX_IDS = 2, 5
MAX_BAR_CHARTS = 6


@dataclass
class BenchRow:
    label: str  # "top-1 accuracy on imagenet-1k"
    metric: str
    dataset: str
    hardware: str | None
    unit: str
    direction: str | None
    values: list[float | None]  # one per asset, on the shown scale
    counts: list[int]  # rows behind each value
    best: int | None = None  # index of the best asset

    @property
    def shared(self) -> int:
        return sum(v is not None for v in self.values)


@dataclass
class CompareView:
    assets: list[dict[str, Any]]
    shared: list[BenchRow] = field(default_factory=list)
    single: list[BenchRow] = field(default_factory=list)
    bars: list[str] = field(default_factory=list)
    scatter: str | None = None
    missing: list[str] = field(default_factory=list)


def parse_ids(raw: list[str]) -> list[str]:
    """Asset ids from `ids=a&ids=b` or `ids=a,b`; InvalidInput unless 2-5 distinct ones."""
    ids = list(dict.fromkeys(part.strip() for item in raw for part in item.split(",") if part.strip()))
    if not MIN_IDS <= len(ids) <= MAX_IDS:
        raise InvalidInput(f"compare takes {MIN_IDS} to {MAX_IDS} assets (tick them in the result list), "
                           f"got {len(ids)}")
    return ids


def compare_view(assets: list[dict[str, Any]], evaluations: list[dict[str, Any]]) -> CompareView:
    view = CompareView(assets)
    index = {a["asset_id"]: i for i, a in enumerate(assets)}
    rows: dict[tuple[str, str, str | None], BenchRow] = {}
    for ev in evaluations:
        i = index.get(ev.get("asset_id"))
        if i is None or not isinstance(ev.get("value"), (int, float)):
            continue
        key = ev.get("metric_key") or ev.get("metric") or "?"
        if key == "main_score":
            key = ev.get("metric") or key
        info = metric_info(key)
        dataset = ev.get("dataset_name") or ev.get("dataset_id") or "(no dataset)"
        value = ev["value"]
        unit = info.unit or ""
        if info.bounded and isinstance(ev.get("value_norm"), (int, float)):
            value, unit = 100 * ev["value_norm"], "%"
        k = (info.key, str(dataset).casefold(), ev.get("hardware"))
        row = rows.get(k)
        if row is None:
            label = f"{info.label} on {dataset}" + (f" ({ev['hardware']})" if ev.get("hardware") else "")
            row = rows[k] = BenchRow(label, info.label, str(dataset), ev.get("hardware"), unit, info.direction,
                                     [None] * len(assets), [0] * len(assets))
        row.counts[i] += 1
        old = row.values[i]
        better = old is None or (value < old if info.direction == "lower" else value > old)
        if better:
            row.values[i] = float(value)
    for row in rows.values():
        known = [(v, i) for i, v in enumerate(row.values) if v is not None]
        if len(known) > 1 and row.direction in ("higher", "lower"):
            row.best = (min(known) if row.direction == "lower" else max(known))[1]
    ordered = sorted(rows.values(), key=lambda r: (-r.shared, r.label.casefold()))
    view.shared = [r for r in ordered if r.shared >= 2]
    view.single = [r for r in ordered if r.shared < 2]
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
