"""Leave-one-dataset-out benchmark of model recommendation (and of dataset recommendation).

Models for a dataset: for every benchmark with at least --min-models evaluated models,
hide every evaluation on it (and on any benchmark of the same name), rank the models that
were evaluated there from the rest of the catalog, and score the ranking against their
true results on the hidden benchmark:

  nDCG@10  gain = the model's true percentile there (1 best, 0 worst), ideal = sorted truth
  top-1    the first suggestion is (one of) the truly best

Baselines, in the same run and on the same candidates:
  most-evaluated  models evaluated on the most other benchmarks first
  same-task       best mean percentile over the benchmarks of the same task (all benchmarks
                  when the task is unknown)

Reported overall (mean over benchmarks), per zoo, and for the two halves of a fixed hash
split of benchmark ids: nothing was tuned on either half; the halves show whether the
figures hold. 95% bootstrap intervals of the paired difference method - baseline.

Datasets for a model (--datasets): for models evaluated on >= 3 datasets, hide the
model's own evaluations and dataset links, suggest 10 datasets, and score recall@10 of
the hidden ones against the most-used-datasets baseline.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from assetscout.errors import AssetScoutError, InvalidInput
from assetscout.progress import progress_line


def ndcg_at(pred_order: np.ndarray, gains: np.ndarray, k: int = 10) -> float:
    """nDCG@k of candidates ranked by `pred_order` (indices into `gains`)."""
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = float((gains[pred_order[:k]] * discounts[: min(k, len(pred_order))]).sum())
    ideal = np.sort(gains)[::-1][:k]
    idcg = float((ideal * discounts[: len(ideal)]).sum())
    return dcg / idcg if idcg > 0 else 0.0


def _rank(scores: np.ndarray, tiebreak: np.ndarray) -> np.ndarray:
    """Indices by descending score, ties by descending tiebreak, then by position (deterministic)."""
    return np.lexsort((np.arange(len(scores)), -tiebreak, -scores))


def _half(bench_id: str) -> str:
    return "A" if int(hashlib.sha256(bench_id.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "B"


def evaluate_models(rec: Any, *, min_models: int = 5, progress: bool = False) -> dict[str, Any]:
    """Leave-one-dataset-out over `rec` (a ModelRecommender)."""
    ev = rec.ev
    targets = [j for j, b in enumerate(ev.benches) if b.n_models >= min_models]
    counts = ev.mask.sum(axis=1).astype(np.float64)
    rows: list[dict[str, Any]] = []
    tick = progress_line("recommend", "benchmarks") if progress else None
    started = time.monotonic()
    for n, j in enumerate(targets):
        bench = ev.benches[j]
        target = rec.target_for_bench(j)
        weights = rec.neighbour_weights(target, hide=j)
        hidden = np.zeros(len(ev.benches), bool)
        hidden[rec.same_name[rec.name_keys[j]]] = True  # what neighbour_weights hid
        score, _ = rec.transfer_scores(weights)
        cands = np.flatnonzero(ev.mask[:, j])
        truth = ev.quality[cands, j].astype(np.float64)
        evaluated = counts[cands] - ev.mask[cands][:, hidden].sum(axis=1)
        same = np.asarray([(b.task == bench.task) if bench.task else True for b in ev.benches]) & ~hidden
        m_same = ev.mask[cands][:, same]
        q_same = ev.filled[cands][:, same]
        seen = m_same.sum(axis=1)
        same_task = np.where(seen > 0, q_same.sum(axis=1) / np.maximum(seen, 1), 0.5)
        best = truth.max()
        row = {"benchmark": bench.id, "name": bench.name, "zoo": bench.zoo, "models": int(len(cands)),
               "half": _half(bench.id)}
        for method, s in (("method", score[cands]), ("most_evaluated", evaluated), ("same_task", same_task)):
            order = _rank(np.asarray(s, np.float64), evaluated)
            row[method] = {"ndcg@10": ndcg_at(order, truth), "top1": float(truth[order[0]] == best)}
        rows.append(row)
        if tick:
            tick(n + 1, len(targets), bench.name)
    return summarize_rows(rows, seconds=time.monotonic() - started, min_models=min_models)


METHODS = ("method", "most_evaluated", "same_task")


def summarize_rows(rows: list[dict[str, Any]], *, seconds: float = 0.0, min_models: int = 5,
                   seed: int = 0) -> dict[str, Any]:
    def block(subset: list[dict[str, Any]]) -> dict[str, Any]:
        if not subset:
            return {"benchmarks": 0}
        out: dict[str, Any] = {"benchmarks": len(subset), "models_per_benchmark": round(
            float(np.mean([r["models"] for r in subset])), 1)}
        for m in METHODS:
            out[m] = {k: round(float(np.mean([r[m][k] for r in subset])), 4) for k in ("ndcg@10", "top1")}
        return out

    rng = np.random.default_rng(seed)
    diffs: dict[str, Any] = {}
    for base in METHODS[1:]:
        d = np.asarray([r["method"]["ndcg@10"] - r[base]["ndcg@10"] for r in rows])
        if len(d):
            boots = [float(d[rng.integers(0, len(d), len(d))].mean()) for _ in range(1000)]
            diffs[f"method - {base}"] = {"ndcg@10": round(float(d.mean()), 4),
                                         "ci95": [round(float(np.percentile(boots, 2.5)), 4),
                                                  round(float(np.percentile(boots, 97.5)), 4)]}
    zoos = defaultdict(list)
    for r in rows:
        zoos[r["zoo"]].append(r)
    return {
        "setting": f"leave-one-dataset-out over benchmarks with >= {min_models} evaluated models; candidates = "
                   "the models evaluated on the hidden benchmark",
        "overall": block(rows),
        "macro_over_zoos": {m: {k: round(float(np.mean([block(z)[m][k] for z in zoos.values()])), 4)
                                for k in ("ndcg@10", "top1")} for m in METHODS} if zoos else {},
        "paired_difference": diffs,
        "by_zoo": {z: block(rs) for z, rs in sorted(zoos.items(), key=lambda kv: -len(kv[1]))},
        "halves": {h: block([r for r in rows if r["half"] == h]) for h in ("A", "B")},
        "seconds": round(seconds, 1),
    }


def format_summary(result: dict[str, Any]) -> str:
    lines = [result["setting"]]

    def line(label: str, b: dict[str, Any]) -> str:
        if not b.get("benchmarks"):
            return f"  {label:<22} (no benchmark)"
        return (f"  {label:<22}{b['benchmarks']:>6}  " + "  ".join(
            f"{m} nDCG@10 {b[m]['ndcg@10']:.3f} top-1 {b[m]['top1']:.3f}" for m in METHODS))

    lines.append(line("overall", result["overall"]))
    for z, b in result["by_zoo"].items():
        lines.append(line(z, b))
    for h, b in result["halves"].items():
        lines.append(line(f"half {h}", b))
    mz = result["macro_over_zoos"]
    if mz:
        lines.append("  macro over zoos        " + "  ".join(
            f"{m} nDCG@10 {mz[m]['ndcg@10']:.3f} top-1 {mz[m]['top1']:.3f}" for m in METHODS))
    for k, v in result["paired_difference"].items():
        lines.append(f"  {k}: nDCG@10 {v['ndcg@10']:+.4f} (95% CI {v['ci95'][0]:+.4f} .. {v['ci95'][1]:+.4f})")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="assetscout eval recommend", description=__doc__.split("\n\n")[0])
    p.add_argument("--catalog", type=Path, default=None, metavar="DIR", help="the catalog (default: the configured one)")
    p.add_argument("--model", default=None, metavar="DIR", help="a local sentence-transformers model folder")
    p.add_argument("--min-models", type=int, default=5, help="benchmarks with at least this many models (default 5)")
    p.add_argument("--datasets", action="store_true", help="also evaluate datasets-for-a-model (needs the search index)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--quiet", action="store_true", help="no progress line")
    a = p.parse_args(argv)
    try:
        if a.min_models < 2:
            raise InvalidInput(f"--min-models must be at least 2, got {a.min_models}")
        from assetscout.catalog.store import open_catalog
        from assetscout.config import default_catalog_dir
        from assetscout.embed.text import SentenceTransformerEncoder
        from assetscout.search.recommend.models import ModelRecommender

        catalog = open_catalog(a.catalog or default_catalog_dir())
        con = catalog.connect()
        encoder = SentenceTransformerEncoder(a.model)
        try:
            rec = ModelRecommender.open(catalog, encoder, con)
            result: dict[str, Any] = {"models_for_a_dataset": evaluate_models(rec, min_models=a.min_models,
                                                                              progress=not a.quiet)}
            if a.datasets:
                from assetscout.search.recommend.datasets import evaluate_datasets

                result["datasets_for_a_model"] = evaluate_datasets(catalog, encoder, progress=not a.quiet)
        finally:
            con.close()
    except AssetScoutError as exc:
        print(f"assetscout: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, InvalidInput) else 1
    if a.json:
        json.dump(result, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print("models for a dataset:")
        print(format_summary(result["models_for_a_dataset"]))
        if "datasets_for_a_model" in result:
            from assetscout.search.recommend.datasets import format_dataset_eval

            print("\ndatasets for a model:")
            print(format_dataset_eval(result["datasets_for_a_model"]))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
