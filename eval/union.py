"""Union search evaluation: our ranking, the lexical baseline and published runs, one metric code.

    python -m assetscout.eval.union --lake DIR --queries DIR --groundtruth CSV [--groundtruth CSV ...]
        [--k 10] [--json] [--baseline RESULTS.csv ...] [--rankings OUT.csv] [--encoder minilm|fake]
        [--index-dir DIR [--reuse-index]] [--embedding-cache DIR] [--table-names] [--set NAME=VALUE ...]

The lake is ingested into a union index (a temporary folder unless --index-dir), every
table file under --queries is searched (one query at a time, k results), and the lexical
baseline (`union_lexical`: TF-IDF cosine over header and cell words, first 500 rows)
ranks the same queries. Each ranking -- ours, lexical, every --baseline file -- is scored
against each ground truth by `union_metrics.evaluate`: P@k, R@k, MAP@k standard and
SANTOS variant (definitions printed with the table). Latency is the wall time of one
search, query file reading and encoding included, after a warm-up; peak memory is the
process's peak resident set size (the encoder's weights included).

--set changes one `UnionOptions` field (e.g. --set relationship_weight=0.2);
--table-names puts table names into column texts (off by default: UGEN-V1 file names
carry the topic that the ground truth is built from).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, TextIO

from assetscout.errors import AssetScoutError, InvalidInput

EncoderName = Literal["fake", "minilm"]

DEFINITIONS = (
    "P@k = |top-k ∩ R| / k; R@k = |top-k ∩ R| / |R|; "
    "MAP@k = mean over queries of (Σ_{i<=k, rank i relevant} P@i) / min(k, |R|); "
    "SANTOS MAP@k = mean over queries of (P@1 + ... + P@k) / k; "
    "means over the ground truth's queries with |R| >= 1, a query missing from a ranking scores 0"
)


@dataclass
class ScoreRow:
    ground_truth: str
    ranking: str
    metrics: dict[str, Any]


@dataclass
class UnionEvalResult:
    lake: str
    queries_dir: str
    queries: int
    queries_failed: list[tuple[str, str]]
    k: int
    encoder: str
    options: dict[str, Any]
    build: dict[str, Any]
    latency_ms: dict[str, dict[str, float]]
    peak_rss_mb: float
    rows: list[ScoreRow] = field(default_factory=list)
    definitions: str = DEFINITIONS

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def make_encoder(name: EncoderName) -> Any:
    """'fake': the hashing encoder (no model); 'minilm': the packaged all-MiniLM-L6-v2."""
    from assetscout.embed import HashingEncoder, SentenceTransformerEncoder

    if name == "fake":
        return HashingEncoder()
    if name == "minilm":
        return SentenceTransformerEncoder()
    raise InvalidInput(f"encoder must be 'fake' or 'minilm', got {name!r}")


def parse_settings(pairs: Sequence[str]) -> dict[str, Any]:
    """NAME=VALUE strings into UnionOptions keyword arguments, typed by the field's default."""
    from assetscout.tables.union_score import UnionOptions

    defaults = {f.name: f.default for f in dataclasses.fields(UnionOptions)}
    out: dict[str, Any] = {}
    for item in pairs:
        name, sep, raw = item.partition("=")
        name = name.strip()
        if not sep or name not in defaults:
            raise InvalidInput(f"--set must be NAME=VALUE with NAME one of {', '.join(defaults)}, got {item!r}")
        default = defaults[name]
        try:
            out[name] = int(raw) if isinstance(default, int) else float(raw) if isinstance(default, float) else raw
        except ValueError:
            kind = "an integer" if isinstance(default, int) else "a number"
            raise InvalidInput(f"--set {name} must be {kind}, got {raw!r}") from None
    return out


def _percentiles(xs: list[float]) -> dict[str, float]:
    import numpy as np

    if not xs:
        return {"p50": float("nan"), "p95": float("nan"), "mean": float("nan"), "n": 0}
    a = np.asarray(xs) * 1000.0
    return {"p50": float(np.percentile(a, 50)), "p95": float(np.percentile(a, 95)), "mean": float(a.mean()),
            "n": len(xs)}


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KB on Linux


def run_union_eval(lake: str, queries: str, groundtruths: Sequence[str], *, k: int = 10,
                   encoder: EncoderName = "minilm", baselines: Sequence[str] = (), rankings_out: str | None = None,
                   index_dir: str | None = None, reuse_index: bool = False, embedding_cache: str | None = None,
                   table_names: bool = False, settings: Sequence[str] = (), progress: bool = True) -> UnionEvalResult:
    """Build (or reuse) the index, run every query, score every ranking against every truth."""
    from assetscout.eval.union_lexical import LexicalUnionBaseline, read_tokens
    from assetscout.eval.union_metrics import evaluate, load_ground_truth, load_ranking, table_key, write_ranking
    from assetscout.tables.lake import find_tables
    from assetscout.tables.union import EvidenceOptions, UnionIndex, UnionOptions, build_union_index

    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InvalidInput(f"k must be an integer >= 1, got {k!r}")
    options = UnionOptions(**parse_settings(settings))
    truths = {g: load_ground_truth(g) for g in groundtruths}  # fail early on a bad file
    published = {Path(b).stem: load_ranking(b) for b in baselines}
    qroot = Path(queries).expanduser()
    if not qroot.is_dir():
        raise InvalidInput(f"queries must be an existing folder, got {queries!r}")
    query_files, _, _ = find_tables(qroot)
    enc = make_encoder(encoder)
    cache = None
    if embedding_cache:
        from assetscout.embed.cache import EmbeddingCache

        cache = EmbeddingCache.for_encoder(embedding_cache, enc)

    with tempfile.TemporaryDirectory(prefix="assetscout-union-") as tmp:
        target = Path(index_dir).expanduser() if index_dir else Path(tmp) / "index"
        build: dict[str, Any]
        if reuse_index and (target / "manifest.json").is_file():
            build = {"reused": str(target)}
        else:
            t0 = time.monotonic()
            report = build_union_index(lake, target, enc, evidence=EvidenceOptions(table_name_in_text=table_names),
                                       cache=cache, progress=progress)
            build = {"seconds": round(time.monotonic() - t0, 3), "encode_seconds": report.encode_seconds,
                     "tables_read": report.lake.tables_read, "tables_rejected": len(report.lake.rejected),
                     "tables_indexed": report.tables_indexed, "columns": report.columns, "pairs": report.pairs}
        build["peak_rss_mb_after_build"] = round(_peak_rss_mb(), 1)
        index = UnionIndex.open(target, enc)
        index.prepare()
        ours: dict[str, list[str]] = {}
        raw_ours: dict[str, list[str]] = {}
        failed: list[tuple[str, str]] = []
        times: list[float] = []
        for path in query_files:
            name = path.relative_to(qroot).as_posix()
            try:
                t0 = time.perf_counter()
                hits = index.search(path, k, options)
                times.append(time.perf_counter() - t0)
            except AssetScoutError as exc:
                failed.append((name, str(exc)))
                continue
            raw_ours[name] = [h.table for h in hits]
            ours[table_key(name)] = [table_key(h.table) for h in hits]

    lexical, _ = LexicalUnionBaseline.from_folder(lake)
    lex: dict[str, list[str]] = {}
    lex_times: list[float] = []
    for path in query_files:
        try:
            t0 = time.perf_counter()
            ranked = lexical.rank(read_tokens(path), k)
            lex_times.append(time.perf_counter() - t0)
        except AssetScoutError:
            continue
        lex[table_key(path.name)] = [table_key(t) for t, _ in ranked]
    if rankings_out:
        write_ranking(rankings_out, raw_ours)

    result = UnionEvalResult(
        lake=str(lake), queries_dir=str(queries), queries=len(query_files), queries_failed=failed, k=k,
        encoder=enc.name, options=asdict(options), build=build,
        latency_ms={"ours": _percentiles(times), "lexical": _percentiles(lex_times)},
        peak_rss_mb=round(_peak_rss_mb(), 1))
    runs = {"ours": ours, "lexical": lex, **published}
    for g, truth in truths.items():
        for name, ranking in runs.items():
            result.rows.append(ScoreRow(g, name, evaluate(ranking, truth, k).to_dict()))
    return result


def print_report(r: UnionEvalResult, out: TextIO) -> None:
    out.write(f"union search on {r.lake}: {r.queries} queries ({len(r.queries_failed)} failed), k={r.k}, "
              f"encoder {r.encoder}\n")
    for name, why in r.queries_failed:
        out.write(f"  failed: {name}: {why}\n")
    b = r.build
    if "reused" in b:
        out.write(f"index reused from {b['reused']}\n")
    else:
        out.write(f"ingest {b['seconds']:.1f} s (encoding {b['encode_seconds']:.1f} s): {b['tables_indexed']} tables "
                  f"indexed of {b['tables_read']} read ({b['tables_rejected']} rejected), {b['columns']} columns, "
                  f"{b['pairs']} column pairs\n")
    for name, lat in r.latency_ms.items():
        out.write(f"latency {name}: p50 {lat['p50']:.1f} ms, p95 {lat['p95']:.1f} ms (n={lat['n']})\n")
    out.write(f"peak RSS {r.peak_rss_mb:.0f} MB\n")
    k = r.k
    current = None
    for row in r.rows:
        if row.ground_truth != current:
            current = row.ground_truth
            m = row.metrics
            without = len(m["queries_without_relevant"])
            out.write(f"\nground truth {current} ({m['queries']} queries with a relevant table"
                      f"{f', {without} without' if without else ''})\n")
            out.write(f"{'ranking':<36} {'P@' + str(k):>7} {'R@' + str(k):>7} {'MAP@' + str(k):>7} "
                      f"{'SANTOS MAP@' + str(k):>15} {'missing':>8}\n")
        m = row.metrics
        out.write(f"{row.ranking[:36]:<36} {m['precision']:>7.3f} {m['recall']:>7.3f} {m['map']:>7.3f} "
                  f"{m['map_santos']:>15.3f} {len(m['queries_missing']):>8}\n")
    out.write(f"\n{r.definitions}\n")


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="assetscout eval union", description=__doc__.split("\n\n")[0])
    p.add_argument("--lake", required=True, help="folder of lake tables")
    p.add_argument("--queries", required=True, help="folder of query tables")
    p.add_argument("--groundtruth", required=True, action="append", help="ground truth CSV (repeat for several)")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--baseline", action="append", default=[], help="published ranking CSV to score beside ours")
    p.add_argument("--rankings", help="write our ranking here (query_table,rank,result_table)")
    p.add_argument("--encoder", choices=("fake", "minilm"), default="minilm",
                   help="minilm: the packaged all-MiniLM-L6-v2 (default); fake: the hashing encoder, for tests")
    p.add_argument("--index-dir", help="build the index here and keep it (default: a temporary folder)")
    p.add_argument("--reuse-index", action="store_true", help="use the index in --index-dir as it is")
    p.add_argument("--embedding-cache", help="folder of an embedding cache (texts encoded once across runs)")
    p.add_argument("--table-names", action="store_true", help="put table names into column texts")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="a UnionOptions field")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    a = p.parse_args(argv)
    if a.reuse_index and not a.index_dir:
        p.error("--reuse-index needs --index-dir")
    try:
        result = run_union_eval(a.lake, a.queries, a.groundtruth, k=a.k, encoder=a.encoder, baselines=a.baseline,
                                rankings_out=a.rankings, index_dir=a.index_dir, reuse_index=a.reuse_index,
                                embedding_cache=a.embedding_cache, table_names=a.table_names, settings=a.set,
                                progress=not a.quiet)
    except (InvalidInput, AssetScoutError) as exc:
        print(f"assetscout: {exc}", file=sys.stderr)
        return 2
    if a.json:
        json.dump(result.to_dict(), sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        print_report(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
