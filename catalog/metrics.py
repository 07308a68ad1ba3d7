"""Metric names: one key per metric however a source spells it."""

from __future__ import annotations

import re
from functools import lru_cache

# metric spellings -> one key; metrics are compared by key, so "Top 1 Accuracy" (timm
# model-index), "top1" (timm result tables) and "acc@1" are one metric.
_METRIC_SYNONYMS = {
    "top1accuracy": "top1", "top1acc": "top1", "acc1": "top1", "top1": "top1",
    "top5accuracy": "top5", "top5acc": "top5", "acc5": "top5", "top5": "top5",
    "mainscore": "mainscore",
}


@lru_cache(maxsize=65536)
def metric_key(metric: str) -> str:
    """Normalized metric name used for matching (case, spaces and punctuation ignored)."""
    key = re.sub(r"[^a-z0-9]", "", metric.lower())
    return _METRIC_SYNONYMS.get(key, key)
