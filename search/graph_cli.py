"""`assetscout lineage | licenses check | recommend models|datasets | compare`: the asset graph
from the command line (the library does the work: catalog/graph, search/recommend, search/compare)."""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assetscout.catalog.graph.lineage import MAX_DEPTH


def _emit(args: argparse.Namespace, data: Any, text: Callable[[Any], str]) -> int:
    """`data` as JSON with --json, else as `text(data)`; the exit code of a command that answered."""
    if args.json:
        json.dump(data, sys.stdout, indent=2, default=str, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(text(data))
    return 0


# ---------------------------------------------------------------------------- lineage

def format_lineage(g: dict[str, Any]) -> str:
    """The subgraph as indented trees: ancestors above (what it was made from), descendants below."""
    nodes = {n["id"]: n for n in g["nodes"]}
    up: dict[str, list[tuple[str, str, list[str]]]] = defaultdict(list)
    down: dict[str, list[tuple[str, str, list[str]]]] = defaultdict(list)
    for e in g["edges"]:
        up[e["src"]].append((e["dst"], e["relation"], e["sources"]))
        down[e["dst"]].append((e["src"], e["relation"], e["sources"]))

    def label(node_id: str) -> str:
        n = nodes.get(node_id, {})
        if not n.get("in_catalog"):
            return f"{node_id}  (not in the catalog)"
        lic = n.get("license") or f"license {n.get('license_class') or 'unknown'}"
        return f"{node_id}  [{n.get('kind')}, {lic}]"

    root = g["root"]
    lines = [f"lineage of {label(root)}",
             f"{len(g['nodes']):,} nodes, {len(g['edges']):,} edges (direction {g['direction']}, depth {g['depth']}"
             + (f", relations {', '.join(g['relations'])}" if g.get("relations") else "") + ")"]
    if g["truncated"]:
        lines.append(f"stopped at {g['limit']:,} nodes: raise --limit, lower --depth or pick --relation to see more")

    def walk(adj: dict[str, list[tuple[str, str, list[str]]]], arrow: str) -> list[str]:
        return _subtree(adj, root, 0, {root}, label, arrow, g["depth"])

    if g["direction"] in ("up", "both"):
        lines.append("made from (up):")
        lines.extend(walk(up, "->") or ["  (nothing: no parent or dataset is recorded)"])
    if g["direction"] in ("down", "both"):
        lines.append("made from it (down):")
        lines.extend(walk(down, "<-") or ["  (nothing: no asset derives from it, uses or evaluates on it)"])
    for loop in g["self_loops"]:
        lines.append(f"bad metadata: {loop['asset_id']} names itself as its own parent ({loop['relation']})")
    for cycle in g["cycles"]:
        lines.append(f"bad metadata: a cycle of {len(cycle)} assets derive from each other: {', '.join(cycle)}")
    return "\n".join(lines)


def _subtree(adj, node: str, level: int, shown: set[str], label, arrow: str, depth: int) -> list[str]:
    """Depth-first lines below `node`; a node met again is named, not expanded (cycles, shared parents)."""
    out: list[str] = []
    if level >= depth:
        return out
    for other, relation, sources in sorted(adj.get(node, ()), key=lambda t: (t[1], t[0])):
        if other == node:
            continue
        again = other in shown
        out.append(f"{'  ' * (level + 1)}{arrow} {relation}: {label(other)}  ({', '.join(sources)})"
                   + ("  (shown above)" if again else ""))
        if not again:
            shown.add(other)
            out.extend(_subtree(adj, other, level + 1, shown, label, arrow, depth))
    return out


def cmd_lineage(args: argparse.Namespace, catalog_of: Callable) -> int:
    from assetscout.catalog.graph.lineage import subgraph

    direction = "up" if args.up and not args.down else "down" if args.down and not args.up else "both"
    con = catalog_of(args).connect()
    try:
        g = subgraph(con, args.asset_id, direction=direction, depth=args.depth, relations=args.relation,
                     limit=args.limit).to_dict()
    finally:
        con.close()
    return _emit(args, g, format_lineage)


# ---------------------------------------------------------------------------- licenses

def format_license_check(c: dict[str, Any]) -> str:
    verdict = {"clean": "clean: nothing in its lineage contradicts its license",
               "conflict": "CONFLICT: its license contradicts what it inherits",
               "unknown": "unknown: some license in its lineage cannot be checked"}[c["status"]]
    lines = [f"{c['asset_id']} ({c['kind']}): {c['license']} (class {c['license_class']})",
             f"license across lineage: {verdict}",
             f"commercial use safe across lineage: {'yes' if c['commercial_use_across_lineage'] else 'no'}",
             f"checked {c['ancestors_checked']:,} ancestors and {c['datasets_checked']:,} training datasets"]
    for f in c["findings"]:
        lines.append(f"  [{f['severity']}] {f['rule']}: {f['message']}")
    return "\n".join(lines)


def cmd_licenses(args: argparse.Namespace, catalog_of: Callable) -> int:
    from assetscout.catalog.graph.compliance import stored_check

    con = catalog_of(args).connect()
    try:
        checks = [stored_check(con, a).to_dict() for a in args.asset_ids]
    finally:
        con.close()
    if len(checks) == 1:
        return _emit(args, checks[0], format_license_check)
    return _emit(args, checks, lambda cs: "\n\n".join(format_license_check(c) for c in cs))


# ---------------------------------------------------------------------------- recommend

def format_model_recommendation(r: dict[str, Any]) -> str:
    t = r["target"]
    lines = [f"models for {t['label']}" + (f" ({t['dataset_id']})" if t.get("dataset_id") else "")
             + (f", task {t['task']}" if t.get("task") else "")
             + (f": {t['evaluated_models']:,} models evaluated on it" if t.get("evaluated_models") else
                ": no model is evaluated on it, ranked from similar benchmarks")]
    if r["similar_benchmarks"]:
        lines.append("similar benchmarks: " + ", ".join(
            f"{b['benchmark']} ({b['similarity']:.2f})" for b in r["similar_benchmarks"][:5]))
    if not r["suggestions"]:
        lines.append("no model matches (loosen --filter / --task)")
    for n, sgg in enumerate(r["suggestions"], 1):
        lines.append(f"{n:>3}. {sgg['asset_id']}  [{sgg['score']:.3f}]")
        lines.append(f"     {sgg['why']}")
    lines.append(f"({r['considered']:,} models considered; {r['method']})")
    return "\n".join(lines)


def cmd_recommend_models(args: argparse.Namespace, catalog_of: Callable, encoder_of: Callable) -> int:
    from assetscout.search.query import parse_filter_args
    from assetscout.search.recommend.models import ModelRecommender, recommend_models, table_description

    table_text = None
    if args.table is not None:
        if not args.table.is_file():
            from assetscout.errors import InvalidInput

            raise InvalidInput(f"{args.table}: no such table file")
        table_text = table_description(str(args.table), args.table.name)
    catalog = catalog_of(args)
    con = catalog.connect()
    try:
        rec = ModelRecommender.open(catalog, encoder_of(args), con)
        result = recommend_models(rec, dataset=args.for_dataset, describe=args.describe, table_text=table_text,
                                  table_label=args.table.name if args.table else None, task=args.task,
                                  filters=parse_filter_args(args.filter or []), k=args.k).to_dict()
    finally:
        con.close()
    return _emit(args, result, format_model_recommendation)


def format_dataset_recommendation(r: dict[str, Any]) -> str:
    m = r["model"]
    lines = [f"datasets for {m['asset_id']}" + (f" ({', '.join(m['tasks'][:2])})" if m.get("tasks") else "")
             + f", license {m.get('license') or 'unknown'}; {r['related_models']:,} related models read"]
    if r["already_used"]:
        lines.append(f"already evaluated or trained on ({len(r['already_used'])}): " + ", ".join(r["already_used"][:8])
                     + (" ..." if len(r["already_used"]) > 8 else ""))
    if not r["suggestions"]:
        lines.append("no suggestion: no related model and no task peer uses a dataset of the catalog")
    for n, sgg in enumerate(r["suggestions"], 1):
        lines.append(f"{n:>3}. {sgg['dataset_id']}  [{sgg['score']:.3f}]")
        lines.append(f"     {sgg['why']}")
    return "\n".join(lines)


def cmd_recommend_datasets(args: argparse.Namespace, catalog_of: Callable, encoder_of: Callable) -> int:
    from assetscout.search.engine import SearchEngine

    engine = SearchEngine.open(catalog_of(args), encoder=encoder_of(args))
    try:
        result = engine.recommend_datasets(args.for_model, k=args.k)
    finally:
        engine.close()
    return _emit(args, result, format_dataset_recommendation)


# ---------------------------------------------------------------------------- compare

def format_comparison(c: dict[str, Any]) -> str:
    ids = [a["asset_id"] for a in c["assets"]]
    lines = []
    for n, a in enumerate(c["assets"], 1):
        params = f"{a['parameters'] / 1e6:,.1f}M parameters" if a.get("parameters") else "parameters not reported"
        lines.append(f"[{n}] {a['asset_id']}  ({a.get('kind')}, {params}, license "
                     f"{a.get('license') or a.get('license_class') or 'unknown'})")

    def table(rows: list[dict[str, Any]]) -> None:
        for r in rows:
            arrow = {"higher": "higher is better", "lower": "lower is better"}.get(r["direction"] or "", "")
            lines.append(f"  {r['benchmark']}" + (f"  ({arrow})" if arrow else ""))
            for n, asset_id in enumerate(ids, 1):
                v = r["values"].get(asset_id)
                if v is None:
                    lines.append(f"    [{n}] not reported")
                    continue
                unit = "%" if r.get("unit") == "%" else (f" {r['unit']}" if r.get("unit") else "")
                extra = f" (best of {v['reported']})" if v["reported"] > 1 else ""
                best = "  <- best" if r["best"] == asset_id else ""
                lines.append(f"    [{n}] {v['value']:g}{unit}{extra}  as written: {v['metric']} "
                             f"{v['value_as_written']:g} ({v['source']}){best}")

    if c["shared"]:
        lines.append(f"\nbenchmarks they share ({len(c['shared'])}):")
        table(c["shared"])
    else:
        lines.append("\nno benchmark in common")
    if c["reported_by_one"]:
        lines.append(f"\nreported by one of them only ({len(c['reported_by_one'])}):")
        table(c["reported_by_one"][:30])
        if len(c["reported_by_one"]) > 30:
            lines.append(f"  ... and {len(c['reported_by_one']) - 30} more (--json lists all)")
    return "\n".join(lines)


def cmd_compare(args: argparse.Namespace, catalog_of: Callable) -> int:
    from assetscout.search.engine import SearchEngine

    engine = SearchEngine.open(catalog_of(args))
    try:
        result = engine.compare(args.asset_ids)
    finally:
        engine.close()
    return _emit(args, result, format_comparison)


# ---------------------------------------------------------------------------- parsers

def add_graph_parsers(sub: argparse._SubParsersAction, catalog_of: Callable[[argparse.Namespace], Any],
                      catalog_arg: Callable[[argparse.ArgumentParser], None],
                      model_arg: Callable[[argparse.ArgumentParser], None],
                      encoder_of: Callable[[argparse.Namespace], Any]) -> None:
    p = sub.add_parser("lineage", help="what an asset was made from and what was made from it (the asset graph)")
    p.add_argument("asset_id", metavar="ID", help="asset id (e.g. hf:model/BAAI/bge-m3), or a parent named by a source")
    way = p.add_mutually_exclusive_group()
    way.add_argument("--up", action="store_true", help="ancestors only: parents, source datasets, datasets used")
    way.add_argument("--down", action="store_true", help="descendants only: derived assets, models using a dataset")
    p.add_argument("--depth", type=int, default=3, help=f"hops to follow, 1..{MAX_DEPTH} (default 3)")
    p.add_argument("--relation", action="append", metavar="R",
                   help="keep only this relation (repeatable): finetune, adapter, quantized, merge, distilled, "
                        "derived, base, trained_on, pretrained_on, finetuned_on, evaluated_on")
    p.add_argument("--limit", type=int, default=500, help="most nodes to return (default 500)")
    p.add_argument("--json", action="store_true", help="nodes, edges, cycles and self-loops as JSON")
    catalog_arg(p)
    p.set_defaults(func=lambda a: cmd_lineage(a, catalog_of))

    p = sub.add_parser("licenses", help="license compliance across lineage")
    lsub = p.add_subparsers(dest="licenses_command", required=True, metavar="ACTION")
    q = lsub.add_parser("check", help="what an asset inherits from its ancestors and training data, and conflicts")
    q.add_argument("asset_ids", nargs="+", metavar="ID", help="asset id(s)")
    q.add_argument("--json", action="store_true", help="print JSON")
    catalog_arg(q)
    q.set_defaults(func=lambda a: cmd_licenses(a, catalog_of))

    p = sub.add_parser("recommend", help="models for a dataset, datasets for a model (from evaluations and lineage)")
    rsub = p.add_subparsers(dest="recommend_command", required=True, metavar="WHAT")
    q = rsub.add_parser("models", help="models to use on a dataset: ranked from evaluations on it and on similar "
                                       "benchmarks, and from lineage; each suggestion explained")
    what = q.add_mutually_exclusive_group(required=True)
    what.add_argument("--for-dataset", metavar="ID", help="a dataset of the catalog (asset id or benchmark name)")
    what.add_argument("--describe", metavar="TEXT", help="your dataset in words, e.g. 'German product reviews, "
                                                         "star ratings'")
    what.add_argument("--table", type=Path, metavar="FILE", help="a table file of your data (CSV/TSV/Parquet/JSONL)")
    q.add_argument("--task", help="the task (e.g. text-classification): models doing it only, and the benchmarks "
                                  "of that task count as similar")
    q.add_argument("--filter", action="append", metavar="KEY=VALUE",
                   help="constraint on the models, as search takes it (repeatable), e.g. max_parameters=100M, "
                        "license_class=permissive, library=transformers, commercial_use_lineage=true")
    q.add_argument("--k", type=int, default=10, help="number of models (1-200)")
    q.add_argument("--json", action="store_true", help="print JSON")
    catalog_arg(q)
    model_arg(q)
    q.set_defaults(func=lambda a: cmd_recommend_models(a, catalog_of, encoder_of))
    q = rsub.add_parser("datasets", help="datasets to evaluate or fine-tune a model on: what its family and similar "
                                         "models used, its task, license compatibility; each explained")
    q.add_argument("--for-model", required=True, metavar="ID", help="a model of the catalog")
    q.add_argument("--k", type=int, default=10, help="number of datasets (1-200)")
    q.add_argument("--json", action="store_true", help="print JSON")
    catalog_arg(q)
    model_arg(q)
    q.set_defaults(func=lambda a: cmd_recommend_datasets(a, catalog_of, encoder_of))

    p = sub.add_parser("compare", help="2-5 models side by side: shared benchmarks, parameters, licenses")
    p.add_argument("asset_ids", nargs="+", metavar="ID", help="2 to 5 asset ids")
    p.add_argument("--json", action="store_true", help="print JSON")
    catalog_arg(p)
    p.set_defaults(func=lambda a: cmd_compare(a, catalog_of))
