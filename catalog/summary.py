"""What is in a catalog: counts by kind, source and license class, format and location."""

from __future__ import annotations

from typing import Any

from assetscout.catalog.graph.lineage import graph_stats
from assetscout.catalog.metrics import COMPUTE_KEYS
from assetscout.catalog.store import FORMAT_VERSION, Catalog


def catalog_info(catalog: Catalog) -> dict[str, Any]:
    """Counts and facts for `assetscout info` (read-only)."""
    manifest = catalog.manifest()
    con = catalog.connect()
    try:
        def pairs(sql: str) -> dict[str, int]:
            return {str(k): int(v) for k, v in con.execute(sql).fetchall()}

        counts = con.execute(
            "SELECT (SELECT count(*) FROM asset), (SELECT count(*) FROM evaluation), "
            "(SELECT count(*) FROM lineage), (SELECT count(*) FROM asset_dataset), "
            "(SELECT count(*) FROM configuration), (SELECT count(*) FROM label), "
            "(SELECT count(*) FROM tbl), (SELECT count(*) FROM col), "
            "(SELECT count(*) FROM hub_stats), (SELECT count(*) FROM record), "
            "(SELECT count(*) FROM dataset_alias)"
        ).fetchone()
        keys = ("assets", "evaluations", "lineage_edges", "dataset_links", "configurations",
                "labels", "tables", "columns", "hub_stats_rows", "source_records", "dataset_aliases")
        resolved = con.execute(
            "SELECT count(*), count(dataset_id) FROM evaluation WHERE dataset_name IS NOT NULL"
        ).fetchone()
        # quality evaluations (not speed or compute rows): does the row say what it was measured on?
        by_source = con.execute(
            "SELECT source, count(*), count(dataset_name), count(dataset_id) FROM evaluation WHERE hardware IS NULL "
            "AND NOT list_has_any(coalesce(metric_keys, []::VARCHAR[]), ?::VARCHAR[]) GROUP BY 1 ORDER BY 2 DESC",
            [list(COMPUTE_KEYS)]).fetchall()
        lineage_resolved = con.execute("SELECT count(parent_id) FROM lineage").fetchone()[0]
        last_run = con.execute(
            "SELECT run_id, finished_at FROM ingest_run ORDER BY finished_at DESC LIMIT 1"
        ).fetchone()
        return {
            "catalog": str(catalog.root),
            "database": str(catalog.db_path),
            "format_version": manifest.get("format_version", FORMAT_VERSION),
            "updated_at": manifest.get("updated_at"),
            "counts": dict(zip(keys, (int(c) for c in counts))),
            "by_kind": pairs("SELECT kind, count(*) FROM asset GROUP BY 1 ORDER BY 2 DESC, 1"),
            "by_source": pairs(
                "SELECT s, count(*) FROM (SELECT unnest(sources) AS s FROM asset) GROUP BY 1 ORDER BY 2 DESC, 1"
            ),
            "by_license_class": pairs(
                "SELECT license_class, count(*) FROM asset GROUP BY 1 ORDER BY 2 DESC, 1"),
            "non_commercial": pairs(
                "SELECT coalesce(CAST(non_commercial AS VARCHAR), 'unknown'), count(*) FROM asset "
                "GROUP BY 1 ORDER BY 2 DESC, 1"),
            "evaluations_with_resolved_dataset": {
                "resolved": int(resolved[1]), "of": int(resolved[0]),
                "share": round(resolved[1] / resolved[0], 4) if resolved[0] else None,
            },
            "quality_evaluations_by_source": {
                src: {"evaluations": int(n), "naming_a_dataset": int(named), "dataset_resolved": int(res),
                      "named_share": round(named / n, 4) if n else None,
                      "resolved_share": round(res / n, 4) if n else None}
                for src, n, named, res in by_source},
            "lineage_edges_with_parent_in_catalog": int(lineage_resolved),
            "graph": graph_stats(con),
            "license_lineage": pairs(
                "SELECT coalesce(license_lineage, 'not checked'), count(*) FROM asset GROUP BY 1 ORDER BY 2 DESC, 1"),
            "last_ingest": {"run_id": last_run[0], "finished_at": str(last_run[1])} if last_run else None,
        }
    finally:
        con.close()


def format_info(info: dict[str, Any]) -> str:
    """Human-readable rendering of `catalog_info`."""
    lines = [
        f"catalog        {info['catalog']}",
        f"format version {info['format_version']}    updated {info['updated_at']}",
        "",
    ]
    c = info["counts"]
    lines.append("  ".join(f"{k.replace('_', ' ')}: {v:,}" for k, v in c.items()))
    res = info["evaluations_with_resolved_dataset"]
    if res["of"]:
        lines.append(f"evaluations whose dataset resolved to a dataset asset: {res['resolved']:,} of {res['of']:,} ({res['share']:.1%})")
    quality = info.get("quality_evaluations_by_source") or {}
    if quality:
        n = sum(q["evaluations"] for q in quality.values())
        named = sum(q["naming_a_dataset"] for q in quality.values())
        resolved = sum(q["dataset_resolved"] for q in quality.values())
        lines.append(f"quality evaluations (speed and compute rows aside): {n:,}; naming their dataset {named:,} "
                     f"({named / n:.1%}), resolved to a dataset asset {resolved:,} ({resolved / n:.1%})")
        for src, q in quality.items():
            lines.append(f"  {src:<28} {q['evaluations']:>8,}  named {q['named_share']:>6.1%}  "
                         f"resolved {q['resolved_share']:>6.1%}")
    graph = info.get("graph")
    if graph:
        lines.append("")
        lines.append(f"asset graph: {graph['edges']:,} edges; {graph['derivation_edges']:,} derivation edges in "
                     f"{graph['families']:,} families; placeholders: {graph['placeholder_parents']:,} parents, "
                     f"{graph['placeholder_datasets']:,} datasets not in the catalog")
        lines.append("  edges by relation: " + ", ".join(f"{r} {n:,}" for r, n in graph["edges_by_relation"].items()))
        lines.append(f"  bad metadata: {graph['self_loops']:,} self-loops"
                     + (f" (e.g. {', '.join(graph['self_loop_examples'][:3])})" if graph["self_loops"] else "")
                     + f", {graph['cycles']:,} cycles"
                     + (f" (e.g. {' -> '.join(graph['cycle_examples'][0])})" if graph["cycles"] else ""))
        for t in graph["largest_families"] + [t for t in graph.get("largest_model_families", [])
                                              if t not in graph["largest_families"]]:
            lines.append(f"  family of {t['root']}: {t['size']:,} assets, {t['depth']} generations ("
                         + ", ".join(f"{r} {n:,}" for r, n in t["relations"].items()) + ")")
    for title, key in (("by kind", "by_kind"), ("by source", "by_source"),
                       ("by license class", "by_license_class"), ("non-commercial", "non_commercial"),
                       ("license across lineage", "license_lineage")):
        lines.append("")
        lines.append(title)
        for k, v in info.get(key, {}).items():
            lines.append(f"  {k:<28} {v:>8,}")
    return "\n".join(lines)
