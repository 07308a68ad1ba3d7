"""Performance benchmark: embedding throughput, query latency and recall under filters, peak memory.

    assetscout eval perf --catalog DIR [--measure-embedding N] [--time-log PATH] [--json]
    assetscout eval perf --catalog DIR --skip-synthetic      # the real corpus only
    assetscout eval perf --synthetic-n 1000000               # no catalog: the synthetic part only

Real corpus (--catalog, an indexed catalog; nothing is rebuilt or written):
- embedding throughput of the last index build, from its manifest (and its
  `/usr/bin/time -v` report with --time-log); with --measure-embedding N, N sampled cards
  are serialized as the index build does and encoded now, uncached;
- for no filter and for real single-value facet filters whose sizes are closest to
  --selectivities of the indexed assets: p50 / p95 of `SearchEngine.search` per query,
  warm, query encoding by the real encoder included, alone and with the facet counts;
  whether k hits came back whenever k assets matched; recall@k of the card index, the
  chunk index and the merged dense score against a brute-force scan of the stored
  vectors restricted to the allowed ids.

Synthetic (--synthetic-n vectors, 1M by default; --skip-synthetic leaves it out): the
index the product's factory picks for that size over bench_index's calibrated mixture,
with random and topic-following filters: build time, index memory, p50 / p95, recall@k,
searched k deep and as deep as the engine's candidate list (the top k kept).

Peak memory is the process's ru_maxrss; machine load (1-minute load average) is
recorded before and after, since latency on a shared 2-core machine depends on it.
Progress goes to stderr; the table (or --json) to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from assetscout.embed.base import Encoder
from assetscout.errors import AssetScoutError, CatalogError
from assetscout.eval.perf_corpus import (
    PHASES,
    QUERIES,
    DensePath,
    FacetFilter,
    LatencyRow,
    Log,
    embedding_stats,
    find_filters,
    measure_latency,
    measure_recall,
)
from assetscout.eval.perf_embed import manifest_throughput, measure_embedding, parse_time_log
from assetscout.eval.perf_synthetic import SyntheticResult, run_synthetic

EncoderChoice = Literal["auto", "minilm", "fake"]
DEFAULT_SELECTIVITIES = (0.1, 0.01, 0.001)
TARGET_P95_MS = 50.0
TARGET_RECALL = 0.99


@dataclass
class CorpusResult:
    catalog: str
    assets: int
    chunks: int
    cards_factory: str
    chunks_factory: str
    encoder: str
    k: int
    n_queries: int
    warmup: int
    open_s: float  # engine open + the first search (model load included)
    build: dict[str, Any] | None  # throughput of the last index build (its manifest)
    build_log: dict[str, Any] | None  # its /usr/bin/time -v report
    embedding: dict[str, Any] | None  # measured in this run (--measure-embedding)
    data: dict[str, float]
    rows: list[LatencyRow] = field(default_factory=list)
    peak_rss_mb: float = 0.0  # after the latency runs (before recall loads a second copy of the indexes)


@dataclass
class PerfReport:
    command: str
    started_at: str
    cpu_count: int | None
    torch_threads: int | None
    load_before: list[float]
    load_after: list[float]
    seconds: float
    corpus: CorpusResult | None
    synthetic: SyntheticResult | None
    peak_rss_mb: float
    targets: dict[str, Any]


def _load() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def make_encoder(choice: EncoderChoice, manifest: dict[str, Any] | None) -> Encoder:
    """The query encoder: the packaged MiniLM, the fake hashing one, or (auto) the one the index was built with."""
    from assetscout.embed.fake import HashingEncoder

    stored = (manifest or {}).get("encoder") or {}
    if choice == "fake" or (choice == "auto" and stored.get("encoder") == "HashingEncoder"):
        if choice == "auto":
            return HashingEncoder(int(stored.get("dim", 384)), max_ngram=int(stored.get("max_ngram", 2)),
                                  seed=int(stored.get("seed", 0)))
        return HashingEncoder()
    from assetscout.embed.text import SentenceTransformerEncoder

    source = stored.get("source")
    if choice == "auto" and isinstance(source, str) and Path(source).is_dir():  # built with --model DIR
        return SentenceTransformerEncoder(source, name=stored.get("model"))
    return SentenceTransformerEncoder()


def run_corpus(
    catalog_dir: Path | str,
    *,
    encoder: EncoderChoice = "auto",
    queries: Sequence[str] = QUERIES,
    k: int = 10,
    warmup: int = 5,
    selectivities: Sequence[float] = DEFAULT_SELECTIVITIES,
    measure_embedding_n: int = 0,
    time_log: Path | None = None,
    seed: int = 0,
    log: Log = lambda _: None,
) -> CorpusResult:
    """Measure an indexed catalog as it is (see the module docstring)."""
    from assetscout.catalog.store import open_catalog
    from assetscout.eval.bench_index import _peak_rss_mb
    from assetscout.search.build import read_search_manifest
    from assetscout.search.engine import SearchEngine, Weights
    from assetscout.search.query import Query

    catalog = open_catalog(catalog_dir)
    catalog.manifest()  # a clear error when there is no catalog
    manifest = read_search_manifest(catalog)
    if manifest is None:
        raise CatalogError(f"the catalog at {catalog.root} has no search index: run "
                           f"'assetscout index --catalog {catalog.root}' first")
    log(f"perf: opening {catalog.root} ({manifest['assets']:,} assets, {manifest['chunks']:,} chunks)")
    t0 = time.perf_counter()
    engine = SearchEngine.open(catalog, encoder=make_encoder(encoder, manifest))
    engine.search(Query.build(text="warm up the encoder"), with_facets=True)
    open_s = time.perf_counter() - t0
    con = catalog.connect()
    try:
        n_assets = int(manifest["assets"])
        log(f"perf: finding facet filters of {', '.join(f'{s:.2%}' for s in selectivities)} of the assets")
        cases = [FacetFilter(1.0, {}, n_assets, n_assets),
                 *find_filters(con, selectivities, n_assets=n_assets)]
        for case in cases[1:]:
            log(f"perf: {case.target:.2%} -> {case.label}: {case.n_allowed:,} assets ({case.selectivity:.3%})")
        rows = measure_latency(engine, cases, queries, k=k, warmup=warmup, log=log)
        serving_rss = _peak_rss_mb()

        log("perf: recall of the dense path against exact filtered search")
        qvecs = engine.encoder.encode(list(queries))
        path = DensePath.load(catalog)
        measure_recall(path, con, qvecs, rows, k=k, candidates=Weights().candidates, log=log)
        data = embedding_stats(qvecs, path.card_vectors, seed)
        del path

        measured = None
        if measure_embedding_n > 0:
            log(f"perf: encoding {measure_embedding_n} sampled cards (headers + chunks, no cache)")
            measured = measure_embedding(engine.encoder, con, measure_embedding_n, seed=seed)
            log(f"perf: {measured['cards_per_s']:.1f} cards/s, {measured['texts_per_s']:.1f} texts/s")
    finally:
        con.close()
        engine.close()
    build_log = parse_time_log(time_log) if time_log is not None and time_log.is_file() else None
    return CorpusResult(
        catalog=str(catalog.root), assets=n_assets, chunks=int(manifest.get("chunks") or 0),
        cards_factory=str(manifest.get("cards_factory")), chunks_factory=str(manifest.get("chunks_factory")),
        encoder=str(manifest["encoder"].get("model")), k=k, n_queries=len(queries), warmup=warmup,
        open_s=open_s, build=manifest_throughput(manifest), build_log=build_log, embedding=measured,
        data=data, rows=rows, peak_rss_mb=serving_rss,
    )


def check_targets(report: PerfReport, target_ms: float = TARGET_P95_MS,
                  target_recall: float = TARGET_RECALL) -> dict[str, Any]:
    """Which targets the run met: p95 latency on the real corpus, recall and k hits everywhere."""
    out: dict[str, Any] = {"p95_ms": target_ms, "recall": target_recall}
    if report.corpus is not None:
        rows = report.corpus.rows
        out["corpus_p95_met"] = all(r.p95_ms < target_ms for r in rows)
        out["corpus_p95_with_facets_met"] = all(r.p95_facets_ms < target_ms for r in rows)
        out["corpus_recall_met"] = all(v >= target_recall for r in rows for v in r.recall.values())
        out["corpus_k_hits_met"] = all(r.short_results == 0 and r.outside_filter == 0 for r in rows)
    if report.synthetic is not None:
        rows_s = report.synthetic.rows
        out["synthetic_recall_met"] = all(r.recall >= target_recall for r in rows_s)
        if all(r.engine for r in rows_s):
            out["synthetic_recall_at_engine_depth_met"] = all(r.engine["recall"] >= target_recall for r in rows_s)
        out["synthetic_k_hits_met"] = all(
            r.short_results == 0 and r.outside_filter == 0
            and r.engine.get("short_results", 0) == 0 and r.engine.get("outside_filter", 0) == 0 for r in rows_s)
    return out


# --- the table ----------------------------------------------------------------------


def _pct(x: float) -> str:
    return f"{x * 100:.3g}%"


def _plans(strategies: dict[str, int]) -> str:
    if len(strategies) == 1:
        return next(iter(strategies))
    return ",".join(f"{key}:{val}" for key, val in strategies.items())


def format_corpus(c: CorpusResult) -> list[str]:
    lines = [f"real corpus: {c.catalog}: {c.assets:,} assets, {c.chunks:,} chunks; cards index {c.cards_factory}, "
             f"chunks index {c.chunks_factory}; encoder {c.encoder}; open + first search {c.open_s:.1f} s"]
    if c.build:
        b = c.build
        lines.append(f"index build (manifest, {b['built_at']}): {b['assets']:,} cards, {b['texts_embedded']:,} texts "
                     f"embedded in {b['embed_seconds']:.0f} s -> {b['cards_per_s']:.2f} cards/s, "
                     f"{b['texts_per_s']:.2f} texts/s")
    if c.build_log:
        g = c.build_log
        lines.append(f"index build (/usr/bin/time -v): wall {g.get('wall', '?')}, peak RSS "
                     f"{g.get('max_rss_mb', '?')} MB, CPU {g.get('cpu_percent', '?')}")
    if c.embedding:
        e = c.embedding
        tokens = f", {e['mean_tokens']:.0f} tokens" if "mean_tokens" in e else ""
        lines.append(f"embedding now: {e['cards']} sampled cards = {e['cards'] + e['chunks']} texts (mean "
                     f"{e['mean_words']:.0f} words{tokens}) in {e['seconds']:.1f} s -> {e['cards_per_s']:.2f} cards/s, "
                     f"{e['texts_per_s']:.2f} texts/s")
    if c.data:
        d = c.data
        lines.append(f"vectors: cos random card pair {d['cos_random_pair_mean']:.2f}, query->1st card p50 "
                     f"{d['cos_nn1_p50']:.2f}, ->10th p50 {d['cos_nn10_p50']:.2f}")
    lines += [
        "",
        f"search latency, ms: {c.n_queries} queries, k={c.k}, warm ({c.warmup} warm-up queries per filter), "
        "query encoding included; '+facets' = the same call with facet counts",
        f"{'filter':<34}{'allowed':>9}{'share':>8}  {'plan':<16}{'p50':>7}{'p95':>7}{'+facets p50':>12}{'p95':>7}"
        f"  {'filter/enc/dense/lex/rest p50':<30}{'short':>6}  {'recall@' + str(c.k) + ' cards/chunks/dense':<28}",
    ]
    for r in c.rows:
        ph = r.phase_p50_ms
        phases = "/".join(f"{ph[p]:.1f}" if p in ph else "-" for p in PHASES)
        recall = "/".join(f"{r.recall[key]:.3f}" for key in ("cards", "chunks", "dense")) if r.recall else "-"
        if r.outside_filter:
            recall += f" ({r.outside_filter} outside filter!)"
        name = r.filter if len(r.filter) <= 33 else r.filter[:30] + "..."
        lines.append(f"{name:<34}{r.n_allowed:>9,}{_pct(r.selectivity):>8}  {_plans(r.strategies):<16}"
                     f"{r.p50_ms:>7.1f}{r.p95_ms:>7.1f}{r.p50_facets_ms:>12.1f}{r.p95_facets_ms:>7.1f}  "
                     f"{phases:<30}{r.short_results:>6}  {recall:<28}")
    lines.append(f"peak RSS after the searches: {c.peak_rss_mb:,.0f} MB")
    return lines


def format_synthetic(s: SyntheticResult) -> list[str]:
    d = s.data
    params = " ".join(f"{key}={value}" for key, value in s.params.items())
    depth = next((r.engine["depth"] for r in s.rows if r.engine), None)
    lines = [
        f"synthetic: {s.n:,} x {s.dim} mixture vectors ({int(d['clusters'])} clusters, {int(d['topics'])} topics; "
        f"cos random pair {d['cos_random_pair_mean']:.2f}, query->1st p50 {d['cos_nn1_p50']:.2f}, "
        f"->10th p50 {d['cos_nn10_p50']:.2f})",
        f"index {s.factory} (factory's choice) {params}; generated in {s.generate_s:.0f} s, built in "
        f"{s.build_s:.0f} s, ~{s.index_mb:,.0f} MB (RSS growth)",
        "",
        f"vector search latency, ms: {s.n_queries} queries one per call; k={s.k}, and (right) "
        f"{depth or '-'} deep with the top {s.k} kept, as the engine asks for candidates",
        f"{'filter':<13}{'allowed':>10}  {'plan':<30}{'p50':>8}{'p95':>8}{'short':>6}{'recall@' + str(s.k):>11}"
        + (f"  | {'p50':>7}{'p95':>8}{'short':>6}{'recall@' + str(s.k):>11}" if depth else ""),
    ]
    for r in s.rows:
        name = "none" if r.filter == "none" else f"{r.filter} {_pct(r.fraction)}"
        plan = _plans(r.strategies) + (f" (+{r.n_fallback} fallback)" if r.n_fallback else "")
        line = (f"{name:<13}{r.n_allowed:>10,}  {plan:<30}{r.p50_ms:>8.2f}{r.p95_ms:>8.2f}"
                f"{r.short_results:>6}{r.recall:>11.4f}")
        if r.engine:
            e = r.engine
            line += f"  | {e['p50_ms']:>7.2f}{e['p95_ms']:>8.2f}{e['short_results']:>6}{e['recall']:>11.4f}"
        outside = r.outside_filter + r.engine.get("outside_filter", 0)
        lines.append(line + (f"  {outside} hits outside the filter!" if outside else ""))
    return lines


def format_report(report: PerfReport) -> str:
    """The human-readable report."""
    lines = [f"assetscout perf ({report.started_at}; {report.cpu_count} CPUs, torch threads "
             f"{report.torch_threads or '-'}; load average before {report.load_before}, after {report.load_after}; "
             f"{report.seconds:.0f} s)"]
    if report.corpus is not None:
        lines += [""] + format_corpus(report.corpus)
    if report.synthetic is not None:
        lines += [""] + format_synthetic(report.synthetic)
    t = report.targets
    met = ", ".join(f"{key[:-4]} {'yes' if value else 'NO'}" for key, value in t.items() if key.endswith("_met"))
    lines += ["", f"peak RSS of the run: {report.peak_rss_mb:,.0f} MB (ru_maxrss)",
              f"targets (p95 < {t['p95_ms']:g} ms, recall >= {t['recall']}, k hits whenever k match): {met}",
              f"command: {report.command}"]
    return "\n".join(line.rstrip() for line in lines)


# --- CLI ----------------------------------------------------------------------------


def _fractions(text: str) -> list[float]:
    try:
        values = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"comma-separated numbers in (0, 1), got {text!r}") from None
    if not values or any(not 0.0 < v < 1.0 for v in values):
        raise argparse.ArgumentTypeError(f"comma-separated numbers in (0, 1), got {text!r}")
    return values


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assetscout eval perf", description=__doc__.splitlines()[0],
                                     epilog="\n".join(__doc__.splitlines()[1:5]),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--catalog", type=Path, default=None, metavar="DIR",
                        help="an indexed catalog to measure as it is (left out: the synthetic part only)")
    parser.add_argument("--json", action="store_true", help="print everything as one JSON object")
    parser.add_argument("--k", type=int, default=10, help="hits per query (default 10)")
    parser.add_argument("--queries", type=int, default=len(QUERIES),
                        help=f"query texts to time, from the built-in {len(QUERIES)} (default all)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed queries before each filter (default 5)")
    parser.add_argument("--selectivities", type=_fractions, default=list(DEFAULT_SELECTIVITIES),
                        help="filter sizes as fractions of the assets (default 0.1,0.01,0.001)")
    parser.add_argument("--measure-embedding", type=int, default=0, metavar="N",
                        help="also encode N sampled cards now for cards/s and texts/s (default 0: off)")
    parser.add_argument("--time-log", type=Path, default=None, metavar="PATH",
                        help="the '/usr/bin/time -v' report of the index build, to show its wall time and peak RSS")
    parser.add_argument("--encoder", choices=("auto", "minilm", "fake"), default="auto",
                        help="query encoder; auto: the one the index was built with (default)")
    parser.add_argument("--synthetic-n", type=int, default=1_000_000, metavar="N",
                        help="synthetic vectors (default 1,000,000)")
    parser.add_argument("--synthetic-queries", type=int, default=200, metavar="N",
                        help="synthetic queries per filter (default 200)")
    parser.add_argument("--skip-synthetic", action="store_true", help="leave out the synthetic part")
    parser.add_argument("--target-ms", type=float, default=TARGET_P95_MS, help="p95 latency target (default 50)")
    parser.add_argument("--seed", type=int, default=0)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.catalog is None and args.skip_synthetic:
        parser.error("nothing to measure: give --catalog, or leave out --skip-synthetic")
    for name, low in (("k", 1), ("queries", 1), ("warmup", 0), ("measure_embedding", 0),
                      ("synthetic_n", 1), ("synthetic_queries", 1)):
        if getattr(args, name) < low:
            parser.error(f"--{name.replace('_', '-')} must be >= {low}, got {getattr(args, name)}")
    if args.queries > len(QUERIES):
        parser.error(f"--queries: at most {len(QUERIES)} built-in query texts, got {args.queries}")

    from assetscout.search.engine import Weights

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    t0 = time.perf_counter()
    load_before = _load()
    try:
        corpus = None if args.catalog is None else run_corpus(
            args.catalog, encoder=args.encoder, queries=QUERIES[:args.queries], k=args.k, warmup=args.warmup,
            selectivities=args.selectivities, measure_embedding_n=args.measure_embedding,
            time_log=args.time_log, seed=args.seed, log=log)
        synthetic = None if args.skip_synthetic else run_synthetic(
            args.synthetic_n, n_queries=args.synthetic_queries, k=args.k, fractions=args.selectivities,
            engine_depth=Weights().candidates, seed=args.seed, log=log)
    except AssetScoutError as exc:
        print(f"assetscout eval perf: error: {exc}", file=sys.stderr)
        return 2
    from assetscout.eval.bench_index import _peak_rss_mb

    torch = sys.modules.get("torch")
    report = PerfReport(
        command="assetscout eval perf " + " ".join(sys.argv[1:] if argv is None else argv),
        started_at=started, cpu_count=os.cpu_count(),
        torch_threads=int(torch.get_num_threads()) if torch is not None else None,
        load_before=load_before, load_after=_load(), seconds=time.perf_counter() - t0,
        corpus=corpus, synthetic=synthetic, peak_rss_mb=_peak_rss_mb(), targets={},
    )
    report.targets = check_targets(report, args.target_ms)
    print(json.dumps(asdict(report), indent=2) if args.json else format_report(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
