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


def _dump(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, default=str, ensure_ascii=False)
    sys.stdout.write("\n")


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
    if args.json:
        _dump(g)
    else:
        print(format_lineage(g))
    return 0


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
    if args.json:
        _dump(checks if len(checks) > 1 else checks[0])
    else:
        print("\n\n".join(format_license_check(c) for c in checks))
    return 0


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
    _ = (Path, model_arg, encoder_of)
