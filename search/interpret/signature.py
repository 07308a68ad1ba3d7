"""A comparable form of an interpretation: one short string per constraint.

Used to score interpretations against a hand-written table (`assetscout eval interpret`):
`metric=map>0.4@coco` whatever the spelling ("mAP above 40 on COCO", "box AP > 0.4 @ COCO"),
`task~object-detection` for a task constraint whose first key is that one (the
catalog adds its longer task keys after it), filters of one key merged ("Korean or
Japanese" is one language filter).
"""

from __future__ import annotations

import re

from assetscout.catalog.datasets import alias_key
from assetscout.catalog.metrics import constraint_value, metric_key
from assetscout.catalog.queries import hardware_key
from assetscout.search.interpret.interpret import Interpretation
from assetscout.search.query import MetricConstraint, MetricSort


def _metric(m: MetricConstraint | MetricSort, op: str = "", value: str = "") -> str:
    key = metric_key(m.metric)
    where = (f"@{alias_key(m.dataset)}" if m.dataset else "") + (f"#{hardware_key(m.hardware)}" if m.hardware else "")
    return f"{key}{op}{value}{where}"


def signatures(interpretation: Interpretation) -> set[str]:
    """The interpretation as a set of strings (see the module docstring)."""
    out: set[str] = set()
    merged: dict[str, list[str]] = {}
    for c in interpretation.constraints:
        if c.type == "kind":
            out.add(f"kind={c.value}")
        elif c.type == "metric":
            m = MetricConstraint.parse(c.value)
            value = constraint_value(metric_key(m.metric), m.value, percent=m.percent)
            out.add("metric=" + _metric(m, m.op, f"{value:g}"))
        elif c.type == "sort":
            if c.value.startswith("metric:"):
                out.add("sort=metric:" + _metric(MetricSort.parse(c.value)))
            else:
                out.add(f"sort={c.value}")
        elif c.key == "task":
            out.add(f"task~{c.value[0]}")
        elif c.key == "base_model":
            name = re.sub(r"^derived from |\s*\(.*$", "", c.label).lower()
            out.add(f"base_model~{name}")
        elif isinstance(c.value, list):
            merged.setdefault(c.key, []).extend(c.value)
        else:
            out.add(f"{c.key}={c.value}")
    for key, values in merged.items():
        out.add(f"{key}={'|'.join(sorted(set(values)))}")
    return out
