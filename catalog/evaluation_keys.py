"""Derived evaluation columns: every metric key a row answers to, and its value on one scale.

Stored by every ingest (`refresh_evaluation_keys`, called from
`ingest.refresh_derived_columns`) rather than at insert time, so that a change to the
metric vocabulary (catalog/metrics.py) reaches an existing catalog with its next ingest,
without reading the source files again. The metric keys of a row depend only on its
metric name, source, task and (for `main_score`) benchmark, so they are computed once
per distinct combination (a few thousand for 300k rows) and joined back.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from assetscout.catalog.metrics import evaluation_keys, is_bounded


def refresh_evaluation_keys(con: duckdb.DuckDBPyConnection) -> None:
    """Set metric_key, metric_keys and value_norm on every evaluation row."""
    combos = con.execute(
        "SELECT DISTINCT metric, source, task, CASE WHEN metric ILIKE 'main%score' THEN dataset_name END "
        "FROM evaluation").fetchall()
    if not combos:
        return
    keys = [evaluation_keys(m, source=s, task=t, dataset=d) for m, s, t, d in combos]
    table = pa.table({
        "metric": [c[0] for c in combos], "source": [c[1] for c in combos],
        "task": [c[2] for c in combos], "dataset_name": [c[3] for c in combos],
        "metric_key": [k[0] for k in keys],  # the most specific key: for a main_score, what it measures
        "metric_keys": pa.array(keys, pa.list_(pa.string())),
        "bounded": [any(is_bounded(x) for x in k if x != "main_score") for k in keys],
    })
    con.register("_metric_keys", table)
    try:
        # a main_score's keys depend on its benchmark (the task type), any other metric's on its name alone
        con.execute("""
            UPDATE evaluation SET metric_key = k.metric_key, metric_keys = k.metric_keys,
                   value_norm = CASE WHEN k.bounded THEN NULL ELSE evaluation.value END
            FROM _metric_keys k
            WHERE evaluation.metric = k.metric AND evaluation.source = k.source
              AND evaluation.task IS NOT DISTINCT FROM k.task
              AND (NOT evaluation.metric ILIKE 'main%score' OR evaluation.dataset_name IS NOT DISTINCT FROM k.dataset_name)""")
        # bounded metrics on the fraction scale: a value is a percent when the source wrote '%', or when
        # the metric's values in that file are mostly above 1 (a weak model's 0.48 in a percent table is 0.0048)
        con.execute("""
            UPDATE evaluation SET value_norm = CASE WHEN evaluation.value > 1 OR g.percent OR evaluation.unit = '%'
                                                    THEN evaluation.value / 100 ELSE evaluation.value END
            FROM (SELECT origin, metric_key, median(value) > 1 AS percent FROM evaluation
                  WHERE value_norm IS NULL GROUP BY origin, metric_key) g
            WHERE evaluation.value_norm IS NULL AND evaluation.origin = g.origin
              AND evaluation.metric_key = g.metric_key""")
    finally:
        con.unregister("_metric_keys")


# metric keys shown first among an asset's evaluations (a search hit's "key metrics")
HEADLINE_KEYS = ["accuracy", "zero-shot-accuracy", "map", "ndcg@10", "f1", "exact-match", "miou", "wer", "bleu",
                 "v-measure", "cosine-spearman", "top5", "average"]


def refresh_headlines(con: duckdb.DuckDBPyConnection, per_asset: int = 3) -> None:
    """Rebuild `asset_headline`: up to `per_asset` quality evaluations per asset to show beside a hit.

    Headline metrics first (accuracy, mAP, nDCG@10, ...), on the datasets the catalog refers to most,
    no speed rows. Chosen once per ingest: picking them per search read the 300k evaluation rows
    (4 ms of a 30 ms search).
    """
    con.execute("DELETE FROM asset_headline")
    con.execute("""
        INSERT INTO asset_headline
        SELECT asset_id, r, metric, metric_key, dataset_name, value, value_norm FROM (
            SELECT e.asset_id, e.metric, e.metric_key, e.dataset_name, e.value, e.value_norm,
                   row_number() OVER (PARTITION BY e.asset_id ORDER BY
                       list_position(?::VARCHAR[], e.metric_key) IS NULL, list_position(?::VARCHAR[], e.metric_key),
                       d.referenced_by DESC NULLS LAST, e.dataset_name, e.value_norm DESC) AS r
            FROM evaluation e LEFT JOIN asset d ON d.asset_id = e.dataset_id
            WHERE e.hardware IS NULL AND (e.metric_key IN (SELECT unnest(?::VARCHAR[])) OR e.dataset_name IS NOT NULL)
        ) WHERE r <= ?""", [HEADLINE_KEYS, HEADLINE_KEYS, HEADLINE_KEYS, per_asset])


def refresh_dataset_use(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild `dataset_use`: which resolved dataset assets each asset trained or was evaluated on.

    The dataset facet counts it over a search's matching set; reading the 300k
    evaluation rows for that on every search would cost more than the search.
    """
    con.execute("DELETE FROM dataset_use")
    con.execute("""
        INSERT INTO dataset_use
        SELECT asset_id, dataset_id, bool_or(role = 'eval') AS evaluated, bool_or(role <> 'eval') AS trained FROM (
            SELECT asset_id, dataset_id, 'eval' AS role FROM evaluation WHERE dataset_id IS NOT NULL
            UNION ALL
            SELECT asset_id, dataset_id, role FROM asset_dataset WHERE dataset_id IS NOT NULL
        ) WHERE asset_id <> dataset_id GROUP BY asset_id, dataset_id""")
