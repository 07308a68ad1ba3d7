"""Derived evaluation columns: metric keys, the fraction scale, idempotence."""

from __future__ import annotations

from assetscout.catalog.evaluation_keys import refresh_evaluation_keys
from assetscout.catalog.ingest import _insert


def _row(metric: str, value: float, dataset: str | None, origin: str, source: str = "t", unit: str | None = None,
         task: str | None = None) -> dict:
    return {"asset_id": "a", "metric": metric, "metric_key": "x", "value": value, "dataset_name": dataset,
            "task": task, "origin": origin, "source": source, "unit": unit}


def test_keys_and_scale(catalog) -> None:
    rows = [_row("main_score", 0.7, "SciFact", "m.tsv", "mteb_results"),
            _row("main_score", 0.9, "Banking77Classification", "m.tsv", "mteb_results"),
            _row("top1", 81.5, "ImageNet", "timm.csv"), _row("top1", 0.48, "ImageNet", "timm.csv"),
            _row("Top 1 Accuracy", 0.95, "ImageNet", "doc.mdx", unit="%"),
            _row("Top 1 Accuracy", 0.83, "ImageNet", "frac.yaml"), _row("PSNR", 30.5, "Set5", "sr.md")]
    with catalog.writing() as con:
        _insert(con, "evaluation", rows)
        refresh_evaluation_keys(con)
        first = con.execute("SELECT origin, metric, value, metric_key, metric_keys, value_norm FROM evaluation "
                            "ORDER BY ALL").fetchall()
        refresh_evaluation_keys(con)  # every ingest runs it again: nothing may drift
        assert con.execute("SELECT origin, metric, value, metric_key, metric_keys, value_norm FROM evaluation "
                           "ORDER BY ALL").fetchall() == first
    got = {(o, v): (k, keys, round(n, 4)) for o, _, v, k, keys, n in first}
    assert got[("m.tsv", 0.7)] == ("ndcg@10", ["ndcg@10", "main_score"], 0.7)  # SciFact is a retrieval task
    assert got[("m.tsv", 0.9)] == ("accuracy", ["accuracy", "main_score"], 0.9)
    assert got[("timm.csv", 81.5)][2] == 0.815 and got[("timm.csv", 0.48)][2] == 0.0048  # a percent table
    assert got[("doc.mdx", 0.95)][2] == 0.0095  # written '0.95%'
    assert got[("frac.yaml", 0.83)][2] == 0.83
    assert got[("sr.md", 30.5)] == ("psnr", ["psnr"], 30.5)  # unbounded: as written
