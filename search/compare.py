"""2-5 assets side by side: the benchmarks they share, each value with its source.

Evaluations are lined up by (metric key, dataset, hardware): the metric key is the
vocabulary's canonical name (`catalog/metrics.py`), so timm's `top1`, OpenVINO's
"Top 1" and a card's "top-1 accuracy" meet in one row, and bounded metrics are shown
as percents whatever scale the source wrote (value_norm). When an asset reports a
benchmark more than once (several resolutions, splits), the row shows its best value
and says how many were reported. A benchmark an asset does not report is `None` in
its cell ("not reported"), never a zero. The web page (search/web/compare_page.py)
draws these rows; the CLI and `GET /compare` return them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assetscout.catalog.metrics import metric_info
from assetscout.errors import InvalidInput

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
    written: list[dict[str, Any] | None] = field(default_factory=list)  # per asset: the best row as the source wrote it

    @property
    def shared(self) -> int:
        return sum(v is not None for v in self.values)


def parse_ids(raw: list[str]) -> list[str]:
    """Asset ids from `ids=a&ids=b` or `ids=a,b`; InvalidInput unless 2-5 distinct ones."""
    ids = list(dict.fromkeys(part.strip() for item in raw for part in item.split(",") if part.strip()))
    if not MIN_IDS <= len(ids) <= MAX_IDS:
        raise InvalidInput(f"compare takes {MIN_IDS} to {MAX_IDS} distinct asset ids, got {len(ids)}")
    return ids


def benchmark_rows(assets: list[dict[str, Any]], evaluations: list[dict[str, Any]]) -> tuple[list[BenchRow], list[BenchRow]]:
    """(rows two or more assets report, rows one reports), most shared first."""
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
                                     [None] * len(assets), [0] * len(assets), written=[None] * len(assets))
        row.counts[i] += 1
        old = row.values[i]
        better = old is None or (value < old if info.direction == "lower" else value > old)
        if better:
            row.values[i] = float(value)
            row.written[i] = {"value_as_written": ev["value"], "metric": ev.get("metric"), "split": ev.get("split"),
                              "source": ev.get("source")}
    for row in rows.values():
        known = [(v, i) for i, v in enumerate(row.values) if v is not None]
        if len(known) > 1 and row.direction in ("higher", "lower"):
            row.best = (min(known) if row.direction == "lower" else max(known))[1]
    ordered = sorted(rows.values(), key=lambda r: (-r.shared, r.label.casefold()))
    return [r for r in ordered if r.shared >= 2], [r for r in ordered if r.shared < 2]


def comparison(assets: list[dict[str, Any]], evaluations: list[dict[str, Any]]) -> dict[str, Any]:
    """The comparison as data (CLI --json, GET /compare): each asset's parameters and license,
    then each benchmark with one cell per asset, None meaning "not reported"."""
    shared, single = benchmark_rows(assets, evaluations)
    names = [a["asset_id"] for a in assets]

    def row(r: BenchRow) -> dict[str, Any]:
        return {"benchmark": r.label, "metric": r.metric, "dataset": r.dataset, "hardware": r.hardware,
                "unit": r.unit or None, "direction": r.direction,
                "best": names[r.best] if r.best is not None else None,
                "values": {names[i]: (None if v is None else {"value": round(v, 6), **(r.written[i] or {}),
                                                              "reported": r.counts[i]})
                           for i, v in enumerate(r.values)}}

    return {
        "assets": [{"asset_id": a["asset_id"], "name": a.get("name"), "kind": a.get("kind"),
                    "parameters": a.get("parameters"), "license": a.get("license_spdx") or a.get("license_raw"),
                    "license_class": a.get("license_class"), "source": a.get("source")} for a in assets],
        "shared": [row(r) for r in shared],
        "reported_by_one": [row(r) for r in single],
        "note": "values: bounded metrics in percent, others as the source wrote them; the best of several "
                "reported values per asset ('reported' says how many); null: not reported",
    }
