"""Search quality of BM25, dense and hybrid retrieval, through the real product path.

    assetscout eval retrieval --corpus FILE --queries TSV --qrels TSV [--catalog DIR]
    assetscout eval retrieval --judged [FILE] --catalog DIR
        [--k 10] [--json] [--encoder minilm|fake] [--model DIR] [--quiet]

DataFinder form: the corpus is ingested into a catalog (a temporary one unless
--catalog; a kept catalog makes reruns fast, since embeddings are cached by content
hash) and its search index is (re)built when missing, stale or made by another
encoder. Judged form: the queries of a judged JSON-lines file (default: the packaged
`eval/data/model_queries.jsonl`) run against an existing catalog and its search index,
opened read-only; nothing is ingested or rebuilt.

Every query form of every query runs through `SearchEngine.search` in each of
`METHODS`: BM25 alone (mode "lexical"), dense alone ("dense"), the product's default
hybrid fusion ("hybrid"), hybrid without the reference prior ("hybrid-nr"), and hybrid
with the text taken literally ("hybrid-literal": what natural-language interpretation
adds), all with the query's kinds and filters; judged queries that carry hand-written
kinds or filters also run as text alone, interpreted ("hybrid-NL": does the text say
what the flags say?). The report gives hybrid minus each part with a paired bootstrap
interval: a fusion must not lose to its parts. Metrics are computed per query
(`ir_metrics`: P@5, R@5, AP@k, RR@k, nDCG@k) and averaged over the queries that have
at least one relevant document in the catalog; latency is the wall time of one
`search` call (encoding included, facets off), after one warm-up query per mode.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, TextIO

from assetscout.catalog.store import Catalog, open_catalog
from assetscout.embed.base import Encoder, check_compatible
from assetscout.errors import AssetScoutError, InvalidInput
from assetscout.eval.ir_metrics import METRIC_NAMES, mean_metrics, query_metrics
from assetscout.eval.retrieval_data import (JudgedQuery, load_datafinder, load_judged,
                                            packaged_judged_file)
from assetscout.search.engine import Weights

@dataclass(frozen=True)
class Method:
    """One row of the report: a retrieval mode, fusion weights, and how the query is put."""

    mode: str
    weights: Weights | None = None  # None: the product's own
    interpret: bool = True  # read constraints out of the text (search/interpret)
    flags: bool = True  # pass the judged query's own kinds and filters


# "hybrid-nr": hybrid without the reference prior (Weights.reference_boost), what it adds;
# "hybrid-literal": the text taken literally (no interpretation), what interpretation adds or costs;
# "hybrid-NL": the text alone, interpreted, none of the query's hand-written flags (judged queries
# carry kinds/filters; DataFinder's only restrict to the corpus, so there it is not run).
METHODS: dict[str, Method] = {
    "BM25": Method("lexical"), "dense": Method("dense"), "hybrid": Method("hybrid"),
    "hybrid-nr": Method("hybrid", Weights(reference_boost=0.0)),
    "hybrid-literal": Method("hybrid", interpret=False),
}
NL_METHOD = ("hybrid-NL", Method("hybrid", flags=False))
DEFINITIONS = ("P@5 = |top-5 ∩ R| / 5; R@5 = |top-5 ∩ R| / |R|; MAP = mean of AP@k = (Σ_{i<=k, rank i relevant} "
               "P@i) / min(k, |R|); MRR = mean of 1/rank of the first relevant hit within the top k (0 if none); "
               "nDCG@k with linear gain (the grade) and log2(rank+1) discount; a ranking shorter than k counts "
               "its missing ranks as misses; means over the queries with >= 1 relevant document in the catalog")

Say = Callable[[str], None]


@dataclass
class MethodRow:
    method: str
    form: str
    queries: int
    metrics: dict[str, float]
    latency_ms: dict[str, float]


@dataclass
class RetrievalEvalResult:
    label: str
    catalog: str
    encoder: str
    k: int
    queries_loaded: int
    queries_skipped: list[str]  # no relevant document in the catalog
    skip_reason: str
    judged_ids_not_in_catalog: list[str]
    build: dict[str, Any]
    rows: list[MethodRow] = field(default_factory=list)
    hybrid_over_bm25_ndcg: dict[str, float | None] = field(default_factory=dict)
    # 95 % paired bootstrap interval of that ratio over the queries: how much it owes to which queries were asked
    hybrid_over_bm25_ci: dict[str, list[float] | None] = field(default_factory=dict)
    # hybrid minus each of its parts (nDCG), mean and 95 % paired bootstrap interval over the queries:
    # a fusion should never be below either part
    hybrid_minus_parts: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    per_query: list[dict[str, Any]] = field(default_factory=list)
    definitions: str = DEFINITIONS

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def make_encoder(name: str = "minilm", model_dir: str | None = None) -> Encoder:
    """'minilm': the packaged all-MiniLM-L6-v2 (or the model folder given); 'fake': the hashing encoder."""
    if name == "fake":
        from assetscout.embed.fake import HashingEncoder

        return HashingEncoder()
    if name == "minilm":
        from assetscout.embed.text import SentenceTransformerEncoder

        return SentenceTransformerEncoder(model_dir)
    raise InvalidInput(f"encoder must be 'minilm' or 'fake', got {name!r}")


def _say(progress: bool) -> Say:
    if not progress:
        return lambda msg: None
    return lambda msg: print(f"eval: {msg}", file=sys.stderr, flush=True)


def _index_is_current(catalog: Catalog, encoder: Encoder, *, changed: bool) -> bool:
    """Reusable when the ingest changed nothing, the index holds every asset and the encoder matches.

    (The catalog's updated_at moves on every write, even one that changed nothing, so it
    can not tell.)
    """
    from assetscout.search.build import read_search_manifest

    manifest = read_search_manifest(catalog)
    if changed or manifest is None:
        return False
    con = catalog.connect()
    try:
        n_assets = con.execute("SELECT count(*) FROM asset").fetchone()[0]
    finally:
        con.close()
    if manifest.get("assets") != n_assets:
        return False
    try:
        check_compatible(manifest.get("encoder", {}), encoder.describe(), what="search index")
    except InvalidInput:
        return False
    return True


def prepare_catalog(corpus: Path, catalog: Catalog, encoder: Encoder, *, progress: bool) -> dict[str, Any]:
    """Ingest `corpus` into `catalog` and (re)build its search index when it is not current."""
    from assetscout.catalog.ingest import ingest
    from assetscout.search.build import build_search_index

    if not corpus.is_file():
        raise InvalidInput(f"--corpus {corpus}: no such file")
    report = ingest([corpus], catalog, progress=progress)
    if not report.anything_read:
        raise InvalidInput(f"--corpus {corpus}: nothing could be read (is it a DataFinder corpus JSON-lines file?)")
    sources = report.to_dict()["sources"].values()
    build: dict[str, Any] = {"ingest_seconds": round(report.seconds, 2),
                             **{key: sum(s[key] for s in sources)
                                for key in ("assets_added", "assets_updated", "assets_removed")},
                             "rejected": len(report.rejected)}
    changed = any(build[key] for key in ("assets_added", "assets_updated", "assets_removed"))
    if _index_is_current(catalog, encoder, changed=changed):
        _say(progress)("search index is current: reused")
        build["index"] = "reused"
    else:
        info = build_search_index(catalog, encoder, progress=progress)
        build["index"] = {k: info[k] for k in ("assets", "chunks", "seconds", "embed_seconds", "texts_embedded")}
    return build


def _missing_ids(catalog: Catalog, ids: set[str]) -> list[str]:
    con = catalog.connect()
    try:
        found = {r[0] for r in con.execute(
            "SELECT asset_id FROM asset WHERE asset_id IN (SELECT unnest(?::VARCHAR[]))", [sorted(ids)]).fetchall()}
    finally:
        con.close()
    return sorted(ids - found)


def _percentiles(ms: list[float]) -> dict[str, float]:
    if not ms:
        return {"p50": 0.0, "p95": 0.0, "n": 0}
    ordered = sorted(ms)
    return {"p50": round(statistics.median(ordered), 2),
            "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 2), "n": len(ordered)}


def evaluate(catalog: Catalog, encoder: Encoder, queries: Sequence[JudgedQuery], *, k: int, say: Say,
             nl: bool = False) -> tuple[list[MethodRow], list[dict[str, Any]]]:
    """Run every query form through the engine in each mode; per-method means and per-query rows.

    `nl`: also run each query's text alone, without its hand-written kinds and filters ("hybrid-NL").
    """
    from assetscout.search.engine import SearchEngine
    from assetscout.search.query import Query

    forms = list(dict.fromkeys(f for q in queries for f in q.texts))
    engine = SearchEngine(catalog, encoder)
    rows: list[MethodRow] = []
    per_query: list[dict[str, Any]] = []
    methods = {**METHODS, **dict([NL_METHOD] if nl else [])}
    try:
        if queries:  # warm-up: model load, first FAISS and DuckDB calls
            first = queries[0]
            for m in methods.values():
                engine.search(Query.build(text=next(iter(first.texts.values())), k=k), with_facets=False, mode=m.mode,
                              weights=m.weights)
        for form in forms:
            subset = [q for q in queries if form in q.texts]
            for method, spec in methods.items():
                scores: list[dict[str, float]] = []
                times: list[float] = []
                for n, q in enumerate(subset, 1):
                    query = Query.build(text=q.texts[form], kinds=q.kinds if spec.flags else (),
                                        filters=q.filters if spec.flags else {}, k=max(k, 5),
                                        interpret=spec.interpret)
                    t0 = time.perf_counter()
                    result = engine.search(query, with_facets=False, mode=spec.mode, weights=spec.weights)
                    times.append((time.perf_counter() - t0) * 1000)
                    ranking = [h.asset_id for h in result.hits]
                    m = query_metrics(ranking, q.grades, k)
                    scores.append(m)
                    per_query.append({"query_id": q.query_id, "form": form, "method": method,
                                      "metrics": {x: round(v, 4) for x, v in m.items()}, "ranking": ranking[:k]})
                    if n % 50 == 0 or n == len(subset):
                        say(f"{form} queries, {method}: {n}/{len(subset)}")
                rows.append(MethodRow(method, form, len(subset),
                                      {x: round(v, 4) for x, v in mean_metrics(scores).items()}, _percentiles(times)))
    finally:
        engine.close()
    return rows, per_query


def _ratios(rows: list[MethodRow]) -> dict[str, float | None]:
    ndcg = {(r.method, r.form): r.metrics["ndcg"] for r in rows}
    out: dict[str, float | None] = {}
    for form in dict.fromkeys(r.form for r in rows):
        bm25 = ndcg.get(("BM25", form))
        hybrid = ndcg.get(("hybrid", form))
        out[form] = round(hybrid / bm25, 3) if bm25 and hybrid is not None else None
    return out


def ratio_interval(hybrid: Sequence[float], bm25: Sequence[float], *, resamples: int = 2000,
                   seed: int = 0) -> list[float] | None:
    """95 % paired bootstrap interval of mean(hybrid) / mean(bm25), resampling queries with replacement."""
    import numpy as np

    h, b = np.asarray(hybrid, float), np.asarray(bm25, float)
    if len(h) != len(b) or len(h) < 2:
        return None
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(h), size=(resamples, len(h)))
    num, den = h[idx].mean(axis=1), b[idx].mean(axis=1)
    ratios = num[den > 0] / den[den > 0]
    if len(ratios) < resamples // 2:
        return None
    lo, hi = np.percentile(ratios, [2.5, 97.5])
    return [round(float(lo), 3), round(float(hi), 3)]


def _ratio_intervals(per_query: list[dict[str, Any]]) -> dict[str, list[float] | None]:
    by: dict[tuple[str, str], dict[str, float]] = {}
    for row in per_query:
        by.setdefault((row["form"], row["method"]), {})[row["query_id"]] = row["metrics"]["ndcg"]
    out: dict[str, list[float] | None] = {}
    for form in dict.fromkeys(f for f, _ in by):
        hybrid, bm25 = by.get((form, "hybrid"), {}), by.get((form, "BM25"), {})
        ids = sorted(set(hybrid) & set(bm25))
        out[form] = ratio_interval([hybrid[q] for q in ids], [bm25[q] for q in ids])
    return out


def _minus_parts(per_query: list[dict[str, Any]], *, resamples: int = 2000, seed: int = 0
                 ) -> dict[str, dict[str, dict[str, float]]]:
    """Per form, hybrid's nDCG minus BM25's and minus dense's: mean and 95 % paired bootstrap interval."""
    import numpy as np

    by: dict[tuple[str, str], dict[str, float]] = {}
    for row in per_query:
        by.setdefault((row["form"], row["method"]), {})[row["query_id"]] = row["metrics"]["ndcg"]
    out: dict[str, dict[str, dict[str, float]]] = {}
    rng = np.random.default_rng(seed)
    for form in dict.fromkeys(f for f, _ in by):
        hybrid = by.get((form, "hybrid"), {})
        for part in ("BM25", "dense"):
            other = by.get((form, part), {})
            ids = sorted(set(hybrid) & set(other))
            if len(ids) < 2:
                continue
            diff = np.array([hybrid[q] - other[q] for q in ids])
            means = diff[rng.integers(0, len(diff), size=(resamples, len(diff)))].mean(axis=1)
            lo, hi = np.percentile(means, [2.5, 97.5])
            out.setdefault(form, {})[part] = {"mean": round(float(diff.mean()), 4), "ci_low": round(float(lo), 4),
                                              "ci_high": round(float(hi), 4)}
    return out


def run_retrieval_eval(queries: Sequence[JudgedQuery], catalog: Catalog, encoder: Encoder, *, k: int, label: str,
                       build: dict[str, Any], skipped: Sequence[str] = (), skip_reason: str = "",
                       progress: bool = False, nl: bool = False) -> RetrievalEvalResult:
    """Evaluate `queries` on a catalog whose search index is ready."""
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= 1000:
        raise InvalidInput(f"--k must be an integer in 1..1000, got {k!r}")
    say = _say(progress)
    judged = {aid for q in queries for aid in q.grades}
    missing = _missing_ids(catalog, judged)
    say(f"{len(queries)} queries, {len(judged)} judged assets ({len(missing)} not in the catalog)")
    rows, per_query = evaluate(catalog, encoder, queries, k=k, say=say, nl=nl)
    return RetrievalEvalResult(label=label, catalog=str(catalog.root), encoder=encoder.name, k=k,
                               queries_loaded=len(queries) + len(skipped), queries_skipped=list(skipped),
                               skip_reason=skip_reason, judged_ids_not_in_catalog=missing, build=build,
                               rows=rows, hybrid_over_bm25_ndcg=_ratios(rows),
                               hybrid_over_bm25_ci=_ratio_intervals(per_query),
                               hybrid_minus_parts=_minus_parts(per_query), per_query=per_query)


def print_report(r: RetrievalEvalResult, out: TextIO) -> None:
    k = r.k
    scored = max((row.queries for row in r.rows), default=0)
    out.write(f"{r.label}: {r.queries_loaded} queries, {scored} scored, {len(r.queries_skipped)} skipped"
              f"{f' ({r.skip_reason})' if r.queries_skipped else ''}\n")
    out.write(f"catalog {r.catalog}, encoder {r.encoder}, k={k}\n")
    index = r.build.get("index")
    if isinstance(index, dict):
        out.write(f"search index built: {index['assets']:,} assets, {index['chunks']:,} chunks in {index['seconds']} s "
                  f"({index['texts_embedded']:,} texts, embedding {index['embed_seconds']} s)\n")
    elif index:
        out.write(f"search index: {index}\n")
    if r.judged_ids_not_in_catalog:
        out.write(f"judged assets not in the catalog (count as unfound): {len(r.judged_ids_not_in_catalog)}: "
                  + ", ".join(r.judged_ids_not_in_catalog[:10]) + ("..." if len(r.judged_ids_not_in_catalog) > 10
                                                                  else "") + "\n")
    head = ["P@5", "R@5", f"MAP@{k}", f"MRR@{k}", f"nDCG@{k}"]
    out.write(f"\n{'method':<14} {'query form':<11} {'n':>4} " + " ".join(f"{h:>8}" for h in head)
              + f" {'p50 ms':>8}\n")
    for row in r.rows:
        out.write(f"{row.method:<14} {row.form:<11} {row.queries:>4} "
                  + " ".join(f"{row.metrics[m]:>8.3f}" for m in METRIC_NAMES)
                  + f" {row.latency_ms['p50']:>8.1f}\n")
    out.write("\nhybrid / BM25 nDCG@" + str(k) + ": " + ", ".join(
        f"{form} {'n/a' if v is None else f'{v:.2f}x'}{_ci_text(r.hybrid_over_bm25_ci.get(form))}"
        for form, v in r.hybrid_over_bm25_ndcg.items()) + "\n")
    for form, parts in r.hybrid_minus_parts.items():
        out.write(f"hybrid - parts, nDCG@{k}, {form}: " + "; ".join(
            f"- {part} {d['mean']:+.3f} (95% CI {d['ci_low']:+.3f} to {d['ci_high']:+.3f})" for part, d in parts.items())
            + "\n")
    out.write(f"\n{r.definitions}\n")


def _ci_text(ci: list[float] | None) -> str:
    return f" (95% bootstrap CI over queries {ci[0]:.2f}-{ci[1]:.2f})" if ci else ""


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="assetscout eval retrieval", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", type=Path, help="DataFinder corpus JSON lines (corpus_pwc_datasets.jsonl)")
    p.add_argument("--queries", type=Path, help="DataFinder queries TSV")
    p.add_argument("--qrels", type=Path, help="DataFinder qrels TSV")
    p.add_argument("--judged", nargs="?", const="", default=None, metavar="FILE",
                   help="judged JSON-lines queries (default: the packaged model_queries.jsonl); needs --catalog")
    p.add_argument("--catalog", type=Path, metavar="DIR",
                   help="DataFinder: catalog to ingest into and keep (default: a temporary one); "
                        "--judged: the catalog to search, opened read-only")
    p.add_argument("--k", type=int, default=10, help="ranking depth for MAP, MRR and nDCG (default 10)")
    p.add_argument("--json", action="store_true", help="print everything (per query too) as JSON")
    p.add_argument("--encoder", choices=("minilm", "fake"), default="minilm",
                   help="text encoder (fake: the hashing encoder, for tests)")
    p.add_argument("--model", default=None, metavar="DIR", help="a local sentence-transformers model folder")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    a = p.parse_args(argv)
    datafinder = (a.corpus, a.queries, a.qrels)
    if a.judged is not None and any(datafinder):
        p.error("give either --judged or --corpus/--queries/--qrels, not both")
    if a.judged is None and not all(datafinder):
        p.error("give --corpus, --queries and --qrels (DataFinder), or --judged with --catalog")
    if a.judged is not None and a.catalog is None:
        p.error("--judged needs --catalog (a catalog with a search index)")
    try:
        encoder = make_encoder(a.encoder, a.model)
        if a.judged is not None:
            result = _run_judged(Path(a.judged) if a.judged else packaged_judged_file(), a, encoder)
        else:
            result = _run_datafinder(a, encoder)
    except AssetScoutError as exc:
        print(f"assetscout: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, InvalidInput) else 1
    if a.json:
        json.dump(result.to_dict(), sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        print_report(result, sys.stdout)
    return 0


def _run_datafinder(a: argparse.Namespace, encoder: Encoder) -> RetrievalEvalResult:
    data = load_datafinder(a.queries, a.qrels)
    label = f"DataFinder-{_count_lines(a.corpus)}, {_half(a.queries)}"
    with tempfile.TemporaryDirectory(prefix="assetscout-eval-") as tmp:
        catalog = open_catalog(a.catalog or Path(tmp) / "catalog")
        build = prepare_catalog(a.corpus, catalog, encoder, progress=not a.quiet)
        return run_retrieval_eval(data.queries, catalog, encoder, k=a.k, label=label, build=build,
                                  skipped=data.skipped, skip_reason="no relevant document in the corpus",
                                  progress=not a.quiet)


def _run_judged(path: Path, a: argparse.Namespace, encoder: Encoder) -> RetrievalEvalResult:
    from assetscout.search.build import read_search_manifest

    queries = load_judged(path)
    catalog = open_catalog(a.catalog)
    manifest = read_search_manifest(catalog)
    if manifest is None:
        raise InvalidInput(f"--catalog {catalog.root} has no search index: run 'assetscout index' first")
    build = {"index": "existing (read-only)", "index_built_at": manifest.get("built_at"),
             "assets": manifest.get("assets"), "queries_file": str(path)}
    return run_retrieval_eval(queries, catalog, encoder, k=a.k, label=f"judged model search ({path.name})",
                              build=build, progress=not a.quiet, nl=any(q.kinds or q.filters for q in queries))


def _count_lines(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(1 for line in fh if line.strip())


def _half(queries: Path) -> str:
    """'dev half' for queries_dev.tsv, 'test half' for queries_test.tsv, else the file name."""
    stem = queries.stem
    return f"{stem.rsplit('_', 1)[-1]} half" if "_" in stem else stem


if __name__ == "__main__":
    sys.exit(main())
