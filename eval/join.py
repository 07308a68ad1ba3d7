"""Join search evaluation: LSH Ensemble candidates and final top-k against exact containment.

    python -m assetscout.eval.join --lake DIR [--thresholds 0.5,0.7,0.9] [--k 10] [--json]

Every table under DIR is read (files without a table suffix are skipped); every column
with at least `min_distinct` distinct join keys is both a query and a candidate. The
ground truth is computed here by brute force in DuckDB: containment(Q, X) = |Q ∩ X| / |Q|
over the same normalized distinct sets the index stores, for every pair of columns of
different tables. For each threshold t a JoinIndex tuned for t is built, and each
column is queried (its own table excluded) with min_containment = t.

Metrics, all micro-averaged over queries (sums of counts, then one ratio):
- candidates precision / recall: ensemble + delta candidates vs pairs with containment >= t;
- top-k precision: returned matches that are true; top-k recall: true matches returned
  over sum(min(k, |truth_q|)) (a query cannot return more than k);
- latency p50 / p95 of `JoinIndex.query` (signature, candidates, exact check in DuckDB),
  one query at a time, after the ensemble was built.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from assetscout.errors import InvalidInput


@dataclass
class ThresholdResult:
    threshold: float
    truth_pairs: int
    queries_with_truth: int
    candidates: int
    candidates_precision: float
    candidates_recall: float
    returned: int
    topk_precision: float
    topk_recall: float
    latency_p50_ms: float
    latency_p95_ms: float
    build_seconds: float


@dataclass
class JoinEvalResult:
    lake: str
    tables: int
    tables_rejected: int
    columns: int  # eligible columns (queries = candidates)
    columns_capped: int  # eligible columns whose distinct set hit the reader's cap
    min_distinct: int
    k: int
    ground_truth_seconds: float
    thresholds: list[ThresholdResult] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _ratio(a: int, b: int) -> float:
    return a / b if b else float("nan")


def _percentile(xs: list[float], p: float) -> float:
    import numpy as np

    return float(np.percentile(np.asarray(xs), p)) if xs else float("nan")


def _load_columns(lake: Path, formats: Sequence[str], min_distinct: int):
    from assetscout.tables.lake import find_tables
    from assetscout.tables.minhash import ColumnRef
    from assetscout.tables.read import TableReadError, read_table, table_format
    from assetscout.tables.values import join_set

    paths, _skipped, _problems = find_tables(lake)
    refs: list[ColumnRef] = []
    sets: list[set[str]] = []
    capped = rejected = n_tables = 0
    for path in paths:
        if table_format(path) not in formats:
            continue
        try:
            res = read_table(path)
        except TableReadError:
            rejected += 1
            continue
        n_tables += 1
        tid = path.relative_to(lake).as_posix()
        for j, scan in enumerate(res.columns):
            keys = join_set(scan.distinct)
            if len(keys) >= min_distinct:
                refs.append(ColumnRef(tid, j, scan.name))
                sets.append(keys)
                capped += not scan.distinct_complete
    return refs, sets, n_tables, rejected, capped


def ground_truth(refs: Sequence[Any], sets: Sequence[set[str]], min_threshold: float) -> dict[int, dict[int, float]]:
    """{query id: {column id: containment}} for pairs of different tables with containment >= min_threshold."""
    import duckdb
    import numpy as np
    import pyarrow as pa

    table_ids: dict[str, int] = {}
    tcode = [table_ids.setdefault(r.table, len(table_ids)) for r in refs]
    col = np.repeat(np.arange(len(sets), dtype=np.int32), [len(s) for s in sets])
    tbl = np.repeat(np.asarray(tcode, dtype=np.int32), [len(s) for s in sets])
    vals = pa.table({"col_id": col, "tbl": tbl, "value": pa.array([v for s in sets for v in s], pa.string())})
    size = pa.table({"col_id": np.arange(len(sets), dtype=np.int32),
                     "size": np.asarray([len(s) for s in sets], dtype=np.int64)})
    con = duckdb.connect()
    con.register("vals", vals)
    con.register("sizes", size)
    rows = con.execute(
        """
        SELECT a.col_id, b.col_id, count(*) AS overlap, any_value(s.size) AS qsize
        FROM vals a JOIN vals b ON a.value = b.value AND a.tbl <> b.tbl
        JOIN sizes s ON s.col_id = a.col_id
        GROUP BY a.col_id, b.col_id
        HAVING count(*) / any_value(s.size) >= ?
        """, [min_threshold]).fetchall()
    con.close()
    truth: dict[int, dict[int, float]] = {}
    for q, x, overlap, qsize in rows:
        truth.setdefault(int(q), {})[int(x)] = overlap / qsize
    return truth


def run_join_eval(lake_dir: str | Path, thresholds: Sequence[float] = (0.5, 0.7, 0.9), k: int = 10, *,
                  min_distinct: int = 10, formats: Sequence[str] = ("csv", "parquet", "jsonl"),
                  num_perm: int = 128, num_part: int = 16, out: TextIO | None = None,
                  as_json: bool = False, quiet: bool = False) -> JoinEvalResult:
    """Evaluate join search on the tables under `lake_dir`; print a report to `out` (stdout) and return it."""
    from assetscout.tables.join import JoinIndex
    from assetscout.tables.minhash import ColumnRef

    lake = Path(lake_dir).expanduser()
    if not lake.is_dir():
        raise InvalidInput(f"lake_dir must be an existing folder, got {str(lake_dir)!r}")
    ts = sorted(float(t) for t in thresholds)
    if not ts or any(not 0.0 < t <= 1.0 for t in ts):
        raise InvalidInput(f"thresholds must be numbers in (0, 1], got {list(thresholds)!r}")
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InvalidInput(f"k must be an integer >= 1, got {k!r}")
    refs, sets, n_tables, rejected, capped = _load_columns(lake, formats, min_distinct)
    started = time.perf_counter()
    truth = ground_truth(refs, sets, ts[0])
    result = JoinEvalResult(str(lake), n_tables, rejected, len(refs), capped, min_distinct, k,
                            round(time.perf_counter() - started, 3))
    with tempfile.TemporaryDirectory(prefix="assetscout-join-eval-") as tmp:
        for t in ts:
            started = time.perf_counter()
            idx = JoinIndex.create(Path(tmp) / f"t{t}", threshold=t, num_perm=num_perm, num_part=num_part)
            idx.add(zip(refs, sets))
            idx.rebuild()
            build = time.perf_counter() - started
            if len(idx) != len(refs):
                raise RuntimeError(f"index holds {len(idx)} columns, {len(refs)} added")
            index_of = {r: i for i, r in enumerate(refs)}
            n_truth = n_cand = hit_cand = n_ret = hit_ret = denom = with_truth = 0
            lat: list[float] = []
            for q, (ref, qset) in enumerate(zip(refs, sets)):
                g = {x for x, c in truth.get(q, {}).items() if c >= t}
                cands = {i for i in idx.candidates(qset, min_containment=t) if refs[i].table != ref.table}
                t0 = time.perf_counter()
                matches = idx.query(qset, min_containment=t, k=k, exclude_tables=(ref.table,))
                lat.append((time.perf_counter() - t0) * 1000)
                ret = {index_of[ColumnRef(m.table, m.ordinal, m.column)] for m in matches}
                n_truth += len(g)
                with_truth += bool(g)
                n_cand += len(cands)
                hit_cand += len(cands & g)
                n_ret += len(ret)
                hit_ret += len(ret & g)
                denom += min(k, len(g))
            idx.close()
            result.thresholds.append(ThresholdResult(
                t, n_truth, with_truth, n_cand, _ratio(hit_cand, n_cand), _ratio(hit_cand, n_truth),
                n_ret, _ratio(hit_ret, n_ret), _ratio(hit_ret, denom),
                round(_percentile(lat, 50), 3), round(_percentile(lat, 95), 3), round(build, 3)))
    if not quiet:
        _print(result, out or sys.stdout, as_json)
    return result


def _print(r: JoinEvalResult, out: TextIO, as_json: bool) -> None:
    if as_json:
        json.dump(r.to_dict(), out, indent=2)
        out.write("\n")
        return
    out.write(f"lake {r.lake}: {r.tables} tables ({r.tables_rejected} rejected), {r.columns} columns with "
              f">= {r.min_distinct} distinct values ({r.columns_capped} capped); ground truth "
              f"{r.ground_truth_seconds:.1f} s\n")
    out.write(f"{'threshold':>9} {'truth':>7} {'cand':>7} {'cand P':>7} {'cand R':>7} "
              f"{'top'+str(r.k)+' P':>8} {'top'+str(r.k)+' R':>8} {'p50 ms':>7} {'p95 ms':>7} {'build s':>7}\n")
    for t in r.thresholds:
        out.write(f"{t.threshold:>9.2f} {t.truth_pairs:>7} {t.candidates:>7} {t.candidates_precision:>7.3f} "
                  f"{t.candidates_recall:>7.3f} {t.topk_precision:>8.3f} {t.topk_recall:>8.3f} "
                  f"{t.latency_p50_ms:>7.2f} {t.latency_p95_ms:>7.2f} {t.build_seconds:>7.2f}\n")


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="assetscout eval join", description=__doc__.split("\n\n")[0])
    p.add_argument("--lake", required=True, help="folder of table files")
    p.add_argument("--thresholds", default="0.5,0.7,0.9", help="containment thresholds, comma-separated")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--min-distinct", type=int, default=10, help="columns with fewer distinct values are left out")
    p.add_argument("--formats", default="csv,parquet,jsonl", help="table formats read (csv covers tsv)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    a = p.parse_args(argv)
    try:
        thresholds = [float(x) for x in a.thresholds.split(",") if x.strip()]
    except ValueError:
        p.error(f"--thresholds must be numbers separated by commas, got {a.thresholds!r}")
    try:
        run_join_eval(a.lake, thresholds, a.k, min_distinct=a.min_distinct,
                      formats=tuple(f.strip() for f in a.formats.split(",")), as_json=a.json)
    except InvalidInput as exc:
        print(f"assetscout: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
