"""The index benchmark runs end to end on a tiny corpus and reports what it measured."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assetscout.eval.bench_index import allowed_ids, clustered_vectors, format_table, main, recall_at_k, run_benchmark


def test_mixture_is_unit_norm_clustered_and_seeded() -> None:
    a = clustered_vectors(3000, 32, n_queries=50, seed=4)
    b = clustered_vectors(3000, 32, n_queries=50, seed=4)
    np.testing.assert_array_equal(a.vectors, b.vectors)
    assert a.vectors.shape == (3000, 32) and a.queries.shape == (50, 32) and a.vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(a.vectors, axis=1), 1.0, atol=1e-5)
    # neighbour structure: points are much closer to their own cluster than to a random one
    same = a.vectors[a.labels == a.labels[0]]
    assert float((same @ a.vectors[0]).mean()) > float((a.vectors @ a.vectors[0]).mean()) + 0.1


@pytest.mark.parametrize("mode", ["random", "topic"])
def test_filters_have_the_requested_size(mode: str) -> None:
    mix = clustered_vectors(5000, 16, seed=1)
    ids = np.arange(5000, dtype=np.int64) * 3
    for fraction in (0.1, 0.01, 0.001):
        allowed = allowed_ids(mix, ids, fraction, mode, seed=2)  # type: ignore[arg-type]
        assert len(allowed) == round(5000 * fraction) and len(np.unique(allowed)) == len(allowed)
        assert np.isin(allowed, ids).all()
    topic = allowed_ids(mix, ids, 0.01, "topic", seed=2)
    assert len(np.unique(mix.labels[np.isin(ids, topic)])) <= 2, "a topic filter is a region, not a sample"


def test_recall_at_k() -> None:
    truth = np.array([[1, 2, 3], [4, -1, -1]])
    assert recall_at_k(np.array([[3, 2, 9], [4, -1, -1]]), truth) == pytest.approx((2 / 3 + 1) / 2)


def test_run_and_cli(tmp_path: Path, capsys) -> None:
    result = run_benchmark(3000, 16, factory="Flat", n_queries=20, fractions=(0.1, 0.001))
    assert [(r.filter, r.fraction) for r in result.rows] == [
        ("none", 1.0), ("random", 0.1), ("random", 0.001), ("topic", 0.1), ("topic", 0.001)
    ]
    assert all(r.recall == 1.0 for r in result.rows), "Flat and exact scans are exact"
    assert result.rows[2].plans == {"subset_scan": 20} and result.rows[2].n_allowed == 3
    assert result.build_s >= 0 and result.peak_rss_mb > 0
    assert "recall@10" in format_table(result)

    out = tmp_path / "bench.json"
    assert main(["--n", "2000", "--dim", "16", "--queries", "5", "--factory", "HNSW32", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["factory"] == "HNSW32" and len(report["rows"]) == 7
    assert "HNSW32" in capsys.readouterr().out
