"""The lexical union baseline: TF-IDF cosine checked against a plain-Python computation."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from assetscout.errors import InvalidInput
from assetscout.eval.union_lexical import LexicalUnionBaseline, read_tokens


def _by_hand(tables: dict[str, Counter], query: Counter) -> dict[str, float]:
    n = len(tables)
    df = Counter(t for doc in tables.values() for t in doc)
    idf = {t: math.log((1 + n) / (1 + d)) + 1 for t, d in df.items()}

    def vec(doc: Counter) -> dict[str, float]:
        v = {t: (1 + math.log(c)) * idf[t] for t, c in doc.items() if t in idf}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {t: x / norm for t, x in v.items()}

    qv = vec(query)
    return {name: sum(x * vec(doc).get(t, 0.0) for t, x in qv.items()) for name, doc in tables.items()}


def test_scores_are_tfidf_cosines():
    tables = {
        "cities": Counter({"city": 1, "paris": 3, "rome": 1, "country": 1}),
        "films": Counter({"film": 1, "director": 1, "rome": 1}),
        "empty": Counter(),
    }
    query = Counter({"city": 1, "paris": 1, "unseen": 4})
    base = LexicalUnionBaseline(tables)
    got = base.scores(query)
    assert got == pytest.approx(_by_hand(tables, query))
    assert base.rank(query, 2) == [("cities", pytest.approx(got["cities"])), ("empty", 0.0)]  # ties by id
    assert base.rank(Counter(tables["films"]), 1, exclude={"films"})[0][0] == "cities"
    assert base.scores(Counter({"nothing": 1})) == {"cities": 0.0, "films": 0.0, "empty": 0.0}
    with pytest.raises(InvalidInput, match="k must"):
        base.rank(query, 0)


def test_tokens_and_folder(tmp_path):
    lake = tmp_path / "lake"
    lake.mkdir()
    (lake / "a.csv").write_text("City Name,pop\nParis,2100000\nSão Paulo,12000000\n", encoding="utf-8")
    (lake / "b.csv").write_text("x\n" + "".join(f"r{i}\n" for i in range(700)), encoding="utf-8")
    (lake / "bad.csv").write_bytes(b"\x00\x01" * 50)
    assert read_tokens(lake / "a.csv") == Counter({"city": 1, "name": 1, "pop": 1, "paris": 1, "2100000": 1,
                                                   "são": 1, "paulo": 1, "12000000": 1})
    assert sum(read_tokens(lake / "b.csv").values()) == 1 + 500  # header + the first 500 rows
    base, rejected = LexicalUnionBaseline.from_folder(lake)
    assert len(base) == 2 and [t for t, _ in rejected] == ["bad.csv"]
    assert base.rank(read_tokens(lake / "a.csv"), 1)[0] == ("a.csv", pytest.approx(1.0))
