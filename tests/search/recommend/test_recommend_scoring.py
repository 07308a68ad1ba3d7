"""Recommendation arithmetic on hand-made evidence: percentiles, nDCG, transfer, shrinkage, lineage, hiding."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from assetscout.embed.fake import HashingEncoder
from assetscout.errors import InvalidInput
from assetscout.eval.recommend import ndcg_at
from assetscout.search.recommend.evidence import Bench, Evidence, percentiles
from assetscout.search.recommend.models import ModelRecommender, Settings


def test_percentiles_best_is_one_and_ties_share():
    assert percentiles(np.array([0.9, 0.5, 0.7])).tolist() == [1.0, 0.0, 0.5]
    assert percentiles(np.array([3.0, 1.0, 2.0]), higher_is_better=False).tolist() == [0.0, 1.0, 0.5]
    assert percentiles(np.array([0.8, 0.8, 0.1])).tolist() == [0.75, 0.75, 0.0]
    assert percentiles(np.array([0.3])).tolist() == [1.0]


def test_ndcg():
    gains = np.array([1.0, 0.5, 0.0])
    assert ndcg_at(np.array([0, 1, 2]), gains) == pytest.approx(1.0)
    worst = (0.0 + 0.5 / np.log2(3) + 1.0 / np.log2(4)) / (1.0 + 0.5 / np.log2(3))
    assert ndcg_at(np.array([2, 1, 0]), gains) == pytest.approx(worst)
    assert ndcg_at(np.array([0, 1]), np.zeros(2)) == 0.0


def _bench(i: int, name: str, task: str) -> Bench:
    return Bench(f"name:{name}", name, None, "zoo", task, "accuracy", "accuracy", "higher", 3, name)


@pytest.fixture
def rec():
    """Benchmarks T (target), S1 (like T), S2 (unlike T); models a, b, c, and d = a fine-tune of c."""
    benches = [_bench(0, "T", "cls"), _bench(1, "S1", "cls"), _bench(2, "S2", "det")]
    nan = np.nan
    quality = np.array([[1.0, 0.0, 1.0],    # a: best on T, worst on S1, best on S2
                        [0.5, 1.0, 0.0],    # b: best on S1 (the similar one)
                        [0.0, 0.5, 0.5],    # c
                        [nan, nan, nan]],   # d: no evaluation of its own
                       np.float32)
    ev = Evidence(benches, ["a", "b", "c", "d"], quality,
                  {(i, j): (float(quality[i, j]), "accuracy") for i in range(4) for j in range(3)
                   if not np.isnan(quality[i, j])})
    con = duckdb.connect()
    con.execute("CREATE TABLE lineage (child_id VARCHAR, parent_id VARCHAR, relation VARCHAR)")
    con.execute("INSERT INTO lineage VALUES ('d', 'c', 'finetune'), ('b', 'b', 'finetune')")  # + a self-loop
    con.execute("CREATE TABLE asset (asset_id VARCHAR, name VARCHAR, license_spdx VARCHAR, license_raw VARCHAR, "
                "license_class VARCHAR, parameters BIGINT, library VARCHAR)")
    con.execute("INSERT INTO asset VALUES ('a','a','MIT',NULL,'permissive',10,NULL), ('b','b',NULL,NULL,'unknown',NULL,NULL),"
                "('c','c',NULL,NULL,'unknown',NULL,NULL), ('d','d','MIT',NULL,'permissive',5,NULL)")
    vectors = np.array([[1, 0, 0], [0.9, 0.1, 0], [0, 0, 1]], np.float32)
    r = ModelRecommender(con, HashingEncoder(), evidence=ev, bench_vectors=vectors,
                         settings=Settings(neighbours=2))
    yield r
    con.close()


def test_neighbours_weigh_content_task_and_family(rec):
    w = rec.neighbour_weights(rec.target_for_bench(0))
    assert w[0] == 0  # the target itself is hidden
    cos1 = 0.9 / np.sqrt(0.82)
    assert w[1] == pytest.approx(0.5 * cos1 + 0.25 + 0.25)  # similar text, same task, same family
    assert w[2] == pytest.approx(0.25)  # orthogonal text, other task, same family


def test_transfer_prefers_the_model_strong_on_the_similar_benchmark(rec):
    score, support = rec.transfer_scores(rec.neighbour_weights(rec.target_for_bench(0)))
    w1, w2 = 0.5 * 0.9 / np.sqrt(0.82) + 0.5, 0.25
    den = w1 + w2 + 1.0
    assert score[:3] == pytest.approx([(w2 + 0.5) / den, (w1 + 0.5) / den, (0.5 * w1 + 0.5 * w2 + 0.5) / den])
    assert score[1] > score[2] > score[0]
    assert support[3] == pytest.approx(0.5 * (w1 + w2))  # d: no evaluation, its parent c pooled at half weight
    assert score[3] == pytest.approx(0.5)


def test_shrinkage_toward_half_with_less_support(rec):
    w = np.array([0, 1.0, 0], np.float32)
    score, support = rec.transfer_scores(w)
    assert score[1] == pytest.approx((1.0 + 0.5) / (1 + 1))  # one neighbour of weight 1 = the prior's weight
    assert support[1] == 1.0


def test_recommend_direct_first_and_explained(rec):
    out = rec.recommend(rec.target_for_bench(0), k=4)
    ids = [s.asset_id for s in out.suggestions]
    assert ids[:3] == ["a", "b", "c"]  # evaluated on T: by their result on T
    assert out.suggestions[0].direct["percentile"] == 1.0 and "on T itself (rank 1 of 3)" in out.suggestions[0].why
    assert ids[3] == "d" and "derived from c" in out.suggestions[3].why
    hidden = rec.recommend(rec.target_for_bench(0), k=4, use_direct=False)
    assert hidden.suggestions[0].asset_id == "b"  # without T's own results: the best on the similar S1
    limited = rec.recommend(rec.target_for_bench(0), k=4, allowed={"c", "d"})
    assert [s.asset_id for s in limited.suggestions] == ["c", "d"]
    with pytest.raises(InvalidInput, match="k must be an integer"):
        rec.recommend(rec.target_for_bench(0), k=0)
