"""The `assetscout` command: a thin layer over the library (nothing lives here).

Exit codes: 0 success; 1 a command ran but could not do its job (e.g. nothing could
be read); 2 bad usage or input.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Sequence

from assetscout import __version__
from assetscout.config import default_catalog_dir
from assetscout.errors import AssetScoutError, CatalogError, InvalidInput
from assetscout.search.query import FILTER_KEYS, SORT_HELP


def _catalog_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--catalog", type=Path, default=None, metavar="DIR",
        help=f"catalog directory (default: $ASSETSCOUT_CATALOG or {default_catalog_dir()})",
    )


def _catalog(args: argparse.Namespace):
    from assetscout.catalog.store import open_catalog

    return open_catalog(args.catalog or default_catalog_dir())


def _print_report(report, *, as_json: bool, out=None) -> None:
    out = out or sys.stdout  # looked up at call time, so that a redirected sys.stdout is honoured
    data = report.to_dict()
    if as_json:
        json.dump(data, out, indent=2, default=str)
        out.write("\n")
        return
    w = out.write
    w(f"\ningested into {data['catalog']} in {data['seconds']:.1f} s ({data['files_seen']:,} files seen)\n\n")
    header = f"{'source':<22}{'files':>7}{'same':>7}{'skipped':>8}{'added':>8}{'updated':>8}{'removed':>8}{'evals':>9}{'lineage':>8}{'facets':>8}{'rejected':>9}\n"
    w(header)
    for name, s in data["sources"].items():
        w(f"{name:<22}{s['files_read']:>7}{s['files_unchanged']:>7}{s['files_skipped']:>8}{s['assets_added']:>8}{s['assets_updated']:>8}"
          f"{s['assets_removed']:>8}{s['evaluations']:>9}{s['lineage_edges']:>8}{s['facet_rows']:>8}{s['rejected']:>9}\n")
    ds = data["datasets"]
    if ds.get("evaluations"):
        w(f"\ndataset names: {ds['evaluations_resolved']:,} of {ds['evaluations']:,} evaluations resolved to a dataset asset "
          f"({ds['evaluations_resolved_share']:.1%}); {ds['distinct_names_unresolved']:,} distinct names unresolved\n")
        if ds["top_unresolved"]:
            w("  most mentioned unresolved: " + ", ".join(
                f"{u['name']} ({u['mentions']})" for u in ds["top_unresolved"][:10]) + "\n")
    if data["unrecognized_files"]:
        w("\nfiles no reader recognized (by extension): " + ", ".join(
            f"{k} {v}" for k, v in sorted(data["unrecognized_files"].items(), key=lambda kv: -kv[1])) + "\n")
    rejected = data["rejected"]
    if rejected:
        w(f"\n{len(rejected)} rejected record(s):\n")
        for r in rejected[:200]:
            where = r["file"] + (f":{r['line']}" if r["line"] else "")
            w(f"  [{r['source']}] {where}: {r['reason']}\n")
        if len(rejected) > 200:
            reasons = Counter(r["reason"].split(":")[0][:80] for r in rejected)
            w(f"  ... and {len(rejected) - 200} more; all are in the catalog table 'rejected' "
              f"(run {data['run_id']}). Most common: "
              + "; ".join(f"{k} ({v})" for k, v in reasons.most_common(3)) + "\n")


def cmd_ingest(args: argparse.Namespace) -> int:
    from assetscout.catalog.ingest import ingest

    missing = [p for p in args.paths if not p.exists() and not p.is_symlink()]
    for p in missing:
        print(f"assetscout: {p}: no such file or folder", file=sys.stderr)
    paths = [p for p in args.paths if p not in missing]
    if not paths:
        return 2
    catalog = _catalog(args)
    report = ingest(paths, catalog, progress=not args.quiet)
    _print_report(report, as_json=args.json)
    if not report.anything_read:
        print("assetscout: nothing could be read from the given paths", file=sys.stderr)
        return 1
    from assetscout.search.build import read_search_manifest

    has_index = read_search_manifest(catalog) is not None
    if args.index or (has_index and not args.no_index and search_index_stale(catalog, report, _encoder(args))):
        cmd_index(argparse.Namespace(catalog=args.catalog, model=args.model, quiet=args.quiet, json=False))
    else:
        if has_index and not args.no_index and not args.quiet:
            print("search index: current (no asset changed), kept", file=sys.stderr)
        _print_tables(_update_tables(catalog, _encoder(args), args), as_json=args.json)
    if not args.no_index:
        from assetscout.search.images_cli import update_images_if_configured

        update_images_if_configured(catalog, quiet=args.quiet)
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from assetscout.catalog.summary import catalog_info, format_info

    info = catalog_info(_catalog(args))
    if args.json:
        print(json.dumps(info, indent=2, default=str))
    else:
        print(format_info(info))
    return 0


def search_index_stale(catalog, report, encoder) -> bool:
    """Whether the catalog's search index must be rebuilt after `report`'s ingest.

    Not the catalog's updated_at: every ingest writes (its run record), so comparing it
    would rebuild after an ingest that changed nothing.
    """
    from assetscout.catalog.summary import catalog_info
    from assetscout.embed.base import check_compatible
    from assetscout.search.build import read_search_manifest

    manifest = read_search_manifest(catalog)
    if manifest is None or manifest.get("assets") != catalog_info(catalog)["counts"]["assets"]:
        return True
    if any(s.assets_added or s.assets_updated or s.assets_removed for s in report.sources.values()):
        return True
    try:
        check_compatible(manifest["encoder"], encoder.describe(), what="search index")
    except InvalidInput:
        return True  # built with another encoder: rebuild with the configured one
    return False


def cmd_demo(args: argparse.Namespace) -> int:
    from assetscout.catalog.demo import build
    from assetscout.catalog.summary import catalog_info, format_info

    catalog = _catalog(args)
    report = build.ingest_demo(catalog, progress=not args.quiet)
    _print_report(report, as_json=False, out=sys.stderr)
    info = catalog_info(catalog)
    print(json.dumps(info, indent=2, default=str) if args.json else format_info(info), flush=True)
    if args.no_serve:
        return 0
    from assetscout.search.build import build_search_index

    from assetscout.catalog.demo.vectors import seed_cache

    encoder = _encoder(args)
    if search_index_stale(catalog, report, encoder):
        _, said = seed_cache(catalog, encoder)  # the shipped vectors of the demo: nothing to embed
        if not args.quiet:
            print(f"demo: {said}", file=sys.stderr)
        build_search_index(catalog, encoder, progress=not args.quiet)
    _print_tables(_update_tables(catalog, encoder, args), as_json=False)  # the lake's union / join indexes
    args.encoder = encoder
    print(f"\nserving the demo catalog on http://{args.host}:{args.port}/  (API docs: /docs, "
          f"try /search?q=multilingual+sentence+embedding+model&explain=true); Ctrl-C stops", flush=True)
    return cmd_serve(args)


def _encoder(args: argparse.Namespace):
    """The configured text encoder: the packaged all-MiniLM-L6-v2, or a local model folder."""
    from assetscout.embed.text import SentenceTransformerEncoder

    return SentenceTransformerEncoder(getattr(args, "model", None))


def cmd_index(args: argparse.Namespace) -> int:
    from assetscout.search.build import build_search_index

    catalog, encoder = _catalog(args), _encoder(args)
    info = build_search_index(catalog, encoder, progress=not args.quiet)
    tables = _update_tables(catalog, encoder, args)
    if tables is not None:
        info["tables"] = tables.to_dict()
    print(json.dumps(info, indent=2, default=str) if args.json else
          f"search index: {info['assets']:,} assets, {info['chunks']:,} chunks, built in {info['seconds']} s "
          f"({info['texts_embedded']:,} texts, embedding {info['embed_seconds']} s)")
    _print_tables(tables, as_json=args.json)
    return 0


def _update_tables(catalog, encoder, args: argparse.Namespace):
    """Bring the catalog's union and join indexes up to date; None when it has no tables (one SQL query)."""
    from assetscout.tables.catalog_index import update_table_index

    report = update_table_index(catalog, encoder, rebuild=getattr(args, "rebuild_tables", False),
                                progress=not args.quiet)
    return None if report.mode == "none" else report


def _print_left_out(coverage: dict) -> None:
    """On stderr: the catalog's tables the search could not consider, each with its reason."""
    if not coverage["left_out"]:
        return
    print(f"note: {coverage['left_out']:,} of the catalog's {coverage['catalog_tables']:,} tables are not searchable:",
          file=sys.stderr)
    for item in coverage["tables"]:
        print(f"  {item['table']}: {item['reason']}", file=sys.stderr)
    if coverage["left_out"] > len(coverage["tables"]):
        print(f"  ... and {coverage['left_out'] - len(coverage['tables']):,} more", file=sys.stderr)


def _print_tables(report, *, as_json: bool) -> None:
    """The table index's one-line summary (on stderr when stdout carries JSON) and its rejects."""
    if report is None:
        return
    print(report.summary(), file=sys.stderr if as_json else sys.stdout)
    for table_id, reason in report.rejected[:50]:
        print(f"  not indexed: {table_id}: {reason}", file=sys.stderr)
    if len(report.rejected) > 50:
        print(f"  ... and {len(report.rejected) - 50} more", file=sys.stderr)


def _format_union(result) -> str:
    q = result.query
    subject = next((h.query_subject for h in result.hits if h.query_subject), None)
    lines = [f"union search: {q.label} ({len(result.columns)} columns"
             + (f", subject {subject!r}" if subject else "") + f"); {len(result.hits)} unionable tables"]
    for n, h in enumerate(result.hits, 1):
        lines.append(f"{n:>3}. {h.table}  [{h.score:.3f}]  columns {h.column_score:.3f}  "
                     f"relationships {h.relationship_score:.3f}")
        lines.append(f"     {result.paths.get(h.table, '')}")
        for m in h.alignment:
            lines.append(f"     {m.query_column} -> {m.candidate_column}  {m.score:.2f} (cosine {m.cosine:.2f}, "
                         f"values {m.value_overlap:.2f}, name {m.name_similarity:.2f}, type {m.type_compatibility:.2f})")
    return "\n".join(lines)


def cmd_union(args: argparse.Namespace) -> int:
    from assetscout.tables.catalog_search import CatalogTables

    tables = CatalogTables.open(args.catalog or default_catalog_dir())
    try:
        result = tables.union(args.table, _encoder(args), k=args.k)
        coverage = tables.left_out()
    finally:
        tables.close()
    print(json.dumps({**result.to_dict(), "coverage": coverage}, indent=2, default=str) if args.json
          else _format_union(result))
    _print_left_out(coverage)
    return 0


def _format_join(result) -> str:
    q = result.query
    lines = [f"join search: column {result.column!r} of {q.label} ({result.distinct_values:,} distinct values), "
             f"containment >= {result.min_containment:g}; {len(result.hits)} joinable columns"]
    for n, h in enumerate(result.hits, 1):
        overlap = f"overlap {h.overlap:,} of {result.distinct_values:,}" if h.overlap is not None else "estimated"
        lines.append(f"{n:>3}. {h.table}  column {h.column!r} (#{h.ordinal})  containment {h.containment:.3f}  "
                     f"{overlap}  (column has {h.size:,} distinct)")
    return "\n".join(lines)


def cmd_join(args: argparse.Namespace) -> int:
    from assetscout.tables.catalog_search import CatalogTables

    tables = CatalogTables.open(args.catalog or default_catalog_dir())
    try:
        result = tables.join(args.table, args.column, k=args.k, min_containment=args.min_containment)
        coverage = tables.left_out()
    finally:
        tables.close()
    print(json.dumps({**result.to_dict(), "coverage": coverage}, indent=2, default=str) if args.json
          else _format_join(result))
    _print_left_out(coverage)
    return 0


def _format_hits(result) -> str:
    lines = []
    interpreted = result.interpreted or {}
    if interpreted.get("constraints"):
        lines.append("understood: " + "; ".join(
            c["label"] + (" (preferred)" if c["preferred"] else " (where stated)" if c.get("open_world") else "") + f" <- {c['source_text']!r}"
            for c in interpreted["constraints"]))
        lines.append(f"searching for: {interpreted['remaining_text']!r}" if interpreted["remaining_text"] else
                     "no free text left: listing the matching assets")
        lines.append("(--literal turns this off; --keep PHRASE keeps one phrase as text)")
    lines.append(f"{result.total:,} matching assets" + (f"; showing {len(result.hits)}" if result.hits else ""))
    for n, h in enumerate(result.hits, 1 + result.query["offset"]):
        facts = [x for x in (h.kind, ", ".join(h.tasks[:2]) if h.tasks else None, h.library,
                             h.license_spdx or f"license {h.license_class}",
                             f"{h.parameters / 1e6:,.1f}M params" if h.parameters else None,
                             f"{h.downloads:,} downloads" if h.downloads else None) if x]
        lines.append(f"{n:>3}. {h.asset_id}  [{h.score:.3f}]  " + " | ".join(facts))
        if h.metrics:
            lines.append("     " + "; ".join(_metric_text(m) for m in h.metrics[:4]) + ("  (tied)" if h.tied else ""))
        if h.summary:
            lines.append(f"     {h.summary[:160]}")
        if h.components:
            lines.append("     " + "  ".join(f"{k}={v}" for k, v in h.components.items()))
    return "\n".join(lines)


def _metric_text(m: dict) -> str:
    where = (f" on {m['dataset']}" if m.get("dataset") else "") + (f" ({m['hardware']})" if m.get("hardware") else "")
    arrow = {"higher": "↑", "lower": "↓"}.get(m.get("direction") or "", "")
    return f"{m['metric']} {m['value']:g}{arrow}{where}"


def cmd_search(args: argparse.Namespace) -> int:
    from assetscout.search.engine import SearchEngine
    from assetscout.search.query import Query, parse_filter_args

    query = Query.build(text=" ".join(args.text), kinds=args.kind or (), filters=parse_filter_args(args.filter or []),
                        metrics=args.metric or (), sort=args.sort, k=args.k, offset=args.offset, explain=args.explain,
                        interpret=not args.literal, literal=args.keep or ())
    engine = SearchEngine.open(_catalog(args), encoder=_encoder(args) if query.text else None)
    try:
        result = engine.search(query, with_facets=args.json)
    finally:
        engine.close()
    print(json.dumps(result.to_dict(), indent=2, default=str) if args.json else _format_hits(result))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from assetscout.search.app import AppSettings, serve

    root = _catalog(args).root
    settings = AppSettings(catalog_dir=root, cache_mib=getattr(args, "cache_mib", 64))
    serve(root, host=args.host, port=args.port, encoder=getattr(args, "encoder", None) or _encoder(args),
          settings=settings)
    return 0


EVALUATIONS = {
    "retrieval": ("retrieval", "dataset/model search quality: BM25, dense and hybrid (P@5, R@5, MAP, MRR, nDCG@10)"),
    "perf": ("perf", "embedding throughput, query latency and recall under filters, peak memory"),
    "union": ("union", "table-union search on a benchmark lake (P@k, R@k, MAP@k) beside published runs"),
    "join": ("join", "join search (LSH Ensemble) against exact containment"),
    "index": ("bench_index", "vector index latency and recall under filters on synthetic vectors"),
    "embed": ("bench_embed", "text encoder throughput"),
    "interpret": ("interpret", "natural-language interpretation: exact accuracy and false-constraint rate"),
    "structured": ("structured", "judged structured questions with exact answers: set F1 and best-model top-1"),
    "pages": ("pages", "web page latency on a real server: full HTML vs the JSON API, browser first paint"),
    "recommend": ("recommend", "leave-one-dataset-out: models for a dataset (nDCG@10, top-1) against two baselines"),
    "licenses": ("licenses", "license compliance across lineage over the whole catalog: counts by status and rule"),
    "crash": ("crash", "SIGKILL ingest and index at random points: last complete state served, re-runs converge"),
    "load": ("load", "concurrent clients against assetscout serve: throughput, p50/p95/p99, errors, RSS"),
}


def cmd_eval(args: argparse.Namespace) -> int:
    """Hand the remaining arguments to the evaluation's own parser (eval/<module>.py)."""
    import importlib

    module = importlib.import_module(f"assetscout.eval.{EVALUATIONS[args.evaluation][0]}")
    return int(module.main(args.rest) or 0)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assetscout",
        description="Discovery engine for ML assets: model cards, dataset cards and tables.",
    )
    parser.add_argument("--version", action="version", version=f"assetscout {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("ingest", help="read cards, zoo metadata and tables into the catalog")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders to ingest")
    _catalog_arg(p)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress line")
    p.add_argument("--index", action="store_true",
                   help="build the search index afterwards (done anyway when the catalog already has one)")
    p.add_argument("--no-index", action="store_true", help="do not rebuild an existing search index")
    _model_arg(p)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("info", help="what is in the catalog: counts by kind, source, license class")
    _catalog_arg(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("index", help="(re)build the search indexes (embeddings, FAISS, BM25) of the catalog")
    _catalog_arg(p)
    _model_arg(p)
    p.add_argument("--json", action="store_true", help="print what was built as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress")
    p.add_argument("--rebuild-tables", action="store_true",
                   help="rebuild the table (union/join) indexes from scratch instead of adding new tables")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", help="search the catalog: text, facet filters, metric constraints")
    p.add_argument("text", nargs="*", help="what you are looking for (may be empty: then filters list assets)")
    p.add_argument("--kind", action="append", choices=("model", "dataset", "table"), help="asset kind (repeatable)")
    p.add_argument("--filter", action="append", metavar="KEY=VALUE",
                   help="facet filter, repeatable (OR within a key, AND across keys): " + ", ".join(FILTER_KEYS))
    p.add_argument("--metric", action="append", metavar="NAME>=VALUE[%][@DATASET][ on HARDWARE]",
                   help="metric constraint, repeatable, e.g. 'top1>=85@ImageNet', 'R@1>=0.5@MSCOCO', "
                        "'accuracy>=90%%', 'infer_samples_per_sec>=1000 on rtx4090' (names as any zoo writes them)")
    p.add_argument("--sort", default="relevance", metavar="KEY",
                   help=SORT_HELP.replace("%", "%%") + "; referenced_by: how many catalog assets refer to it")
    p.add_argument("--k", type=int, default=10, help="number of hits (1-1000)")
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--explain", action="store_true", help="show score components")
    p.add_argument("--literal", action="store_true",
                   help="do not read constraints out of the text ('under 20M parameters', 'apache licensed')")
    p.add_argument("--keep", action="append", metavar="PHRASE",
                   help="a phrase of the text to keep as text, not interpret (repeatable)")
    p.add_argument("--json", action="store_true", help="print the result (with facet counts) as JSON")
    _catalog_arg(p)
    _model_arg(p)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("union", help="tables that extend a table with more rows (union search over the catalog's tables)")
    p.add_argument("table", metavar="TABLE", help="a table id of the catalog (e.g. table:lake/dir/t.csv, as results "
                                                 "show them) or a table file (CSV/TSV/Parquet/JSON lines)")
    p.add_argument("--k", type=int, default=10, help="number of tables (1-1000)")
    p.add_argument("--json", action="store_true", help="print the result (alignment, score components) as JSON")
    _catalog_arg(p)
    _model_arg(p)
    p.set_defaults(func=cmd_union)

    p = sub.add_parser("join", help="columns whose values contain a column's values (join search over the catalog's tables)")
    p.add_argument("table", metavar="TABLE", help="a table id of the catalog or a table file")
    p.add_argument("--column", required=True, metavar="NAME", help="the column to join on (its name)")
    p.add_argument("--k", type=int, default=10, help="number of columns (1-1000)")
    p.add_argument("--min-containment", type=float, default=None, metavar="X",
                   help="share of the column's distinct values a match must contain, in [0.5, 1] (default 0.5)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    _catalog_arg(p)
    p.set_defaults(func=cmd_join)

    p = sub.add_parser("serve", help="serve the HTTP API (search, facets, assets, ingest) on HOST:PORT")
    _catalog_arg(p)
    _model_arg(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--cache-mib", type=int, default=64,
                   help="memory for answers of repeated read-only requests, kept until the catalog changes (0: off)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("demo", help="build the catalog and search index from the bundled demo corpus, then serve it")
    _catalog_arg(p)
    _model_arg(p)
    p.add_argument("--json", action="store_true", help="print the catalog summary as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress line")
    p.add_argument("--no-serve", action="store_true", help="build and show the catalog, do not start the server")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("eval", help="benchmarks and quality evaluations (assetscout eval NAME --help)",
                       description="\n".join(f"  {k:<10} {v[1]}" for k, v in EVALUATIONS.items()),
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("evaluation", choices=sorted(EVALUATIONS), metavar="NAME",
                   help="one of: " + ", ".join(EVALUATIONS))
    p.add_argument("rest", nargs=argparse.REMAINDER, help="arguments of that evaluation")
    p.set_defaults(func=cmd_eval)

    from assetscout.search.graph_cli import add_graph_parsers
    from assetscout.search.images_cli import add_images_parser

    add_images_parser(sub, _catalog, _catalog_arg)
    add_graph_parsers(sub, _catalog, _catalog_arg, _model_arg, _encoder)
    return parser


def _model_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default=None, metavar="DIR",
                        help="a local sentence-transformers model folder (default: the packaged all-MiniLM-L6-v2)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InvalidInput as exc:
        print(f"assetscout: {exc}", file=sys.stderr)
        return 2
    except CatalogError as exc:
        print(f"assetscout: {exc}", file=sys.stderr)
        return 1
    except AssetScoutError as exc:
        print(f"assetscout: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("assetscout: interrupted; the catalog is unchanged", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
