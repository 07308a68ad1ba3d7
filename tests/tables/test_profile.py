"""Profiling a small hand-made table whose every expected value is worked out by hand."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from assetscout.errors import InvalidInput
from assetscout.tables.coltypes import entity_share, infer_type, is_date, is_datetime
from assetscout.tables.profile import (
    ColumnProfile,
    NumericSummary,
    ProfileOptions,
    key_candidates,
    profile_read,
    profile_table,
    subject_column,
)
from assetscout.tables.read import ReadOptions, read_table

# 8 rows. Expected values per column are in the tests below.
TABLE = pa.table({
    "row_id": ["1", "2", "3", "4", "5", "6", "7", "8"],
    "city": ["Paris", "Rome", "Oslo", "Lima", "Quito", "Cairo", "Delhi", "NA"],
    "country": ["France", "Italy", "Norway", "Peru", "Ecuador", "Egypt", "India", "Peru"],
    "population": ["2.1", "2.8", "0.7", "10.0", "2.8", "9.5", "", "1.5"],
    "capital": ["yes", "yes", "yes", "yes", "yes", "yes", "no", "no"],
    "founded": ["2001-01-31", "1999-12-01", "2010-06-15", "1535-01-18", "1534-12-06", "0969-07-06",
                "1911-12-12", "n/a"],
    "updated": ["2023-01-01T10:00:00Z"] * 8,
    "code": ["fr-75", "it-rm", "no-03", "pe-lim", "ec-q", "eg-c", "in-dl", "pe-x"],
    "notes": [None] * 8,
    "region": ["eu", "eu", "eu", "sa", "sa", "af", "as", "sa"],
})


@pytest.fixture(scope="module")
def prof():
    return profile_table(TABLE, name="cities")


def test_types(prof):
    types = {c.name: c.type for c in prof.columns}
    assert types == {
        "row_id": "integer", "city": "text", "country": "text", "population": "float", "capital": "boolean",
        "founded": "date", "updated": "datetime", "code": "id", "notes": "empty", "region": "categorical",
    }


def test_counts_nulls_distinct(prof):
    city = prof.column("city")
    assert (city.n_values, city.n_nulls, city.null_fraction) == (7, 1, 1 / 8)
    assert (city.distinct_count, city.distinct_exact, city.uniqueness) == (7, True, 1.0)
    country = prof.column("country")
    assert (country.distinct_count, country.uniqueness) == (7, 7 / 8)
    pop = prof.column("population")
    assert (pop.n_values, pop.n_nulls, pop.distinct_count) == (7, 1, 6)
    notes = prof.column("notes")
    assert (notes.n_values, notes.null_fraction, notes.distinct_count, notes.uniqueness) == (0, 1.0, 0, 0.0)


def test_numeric_summary(prof):
    assert prof.column("population").numeric == NumericSummary(0.7, 10.0, pytest.approx(29.4 / 7))
    assert prof.column("row_id").numeric == NumericSummary(1.0, 8.0, 4.5)
    assert prof.column("city").numeric is None


def test_representative_values(prof):
    region = prof.column("region")
    assert region.top_values[:2] == (("eu", 3), ("sa", 3))  # ties broken by value
    assert region.top_values == (("eu", 3), ("sa", 3), ("af", 1), ("as", 1))
    assert region.samples[:4] == ("eu", "sa", "af", "as")
    opts = ProfileOptions(top_k=2, n_samples=4)
    p = profile_table(TABLE, options=opts)
    c = p.column("country")
    assert c.top_values[0] == ("Peru", 2) and len(c.top_values) == 2
    assert len(c.samples) == 4 and len(set(c.samples)) == 4 and c.samples[0] == "Peru"
    assert p.column("country").samples == profile_table(TABLE, options=opts).column("country").samples


def test_key_candidates_and_subject(prof):
    names = [prof.columns[i].name for i in prof.key_candidates]
    # city has a null, country a repeat, population is float: none of them keys
    assert names == ["row_id", "code"]  # founded holds 'n/a', a null
    assert prof.columns[prof.subject_column].name == "city"


def test_subject_prefers_leftmost_entity_column_and_skips_numeric_ones():
    t = pa.table({"year": ["1990", "1991", "1992"], "kind": ["a", "a", "a"],
                  "title": ["Alien", "Heat", "Fargo"], "director": ["Scott", "Mann", "Coen"]})
    p = profile_table(t)
    assert p.columns[p.subject_column].name == "title"


def test_subject_falls_back_to_best_named_column_and_none_without_text():
    t = pa.table({"v": ["x", "x", "y", "y", "y"], "w": ["a", "b", "c", "c", "d"]})
    p = profile_table(t, options=ProfileOptions(subject_min_uniqueness=0.9))
    # neither passes 0.9; w has the best distinct x non-null score (0.8 against 0.4)
    assert p.columns[p.subject_column].name == "w"
    assert profile_table(pa.table({"a": [1, 2], "b": [0.5, 1.5]})).subject_column is None


def test_scans_override_sample_counts(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("k,v\n" + "".join(f"{i},{i % 3}\n" for i in range(1000)), encoding="utf-8")
    r = read_table(p, ReadOptions(max_rows=10))
    prof = profile_read(r)
    k = prof.column("k")
    assert (k.n_values, k.distinct_count, k.uniqueness) == (1000, 1000, 1.0)
    assert prof.n_rows == 1000 and prof.n_rows_sampled == 10
    assert k.numeric == NumericSummary(0.0, 9.0, 4.5)  # numeric summary: the sample
    assert prof.column("v").distinct_count == 3
    assert prof.key_candidates == (0,)


def test_estimated_distinct_is_not_a_key(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("k\n" + "".join(f"{i}\n" for i in range(3000)), encoding="utf-8")
    prof = profile_read(read_table(p, ReadOptions(max_distinct=100)))
    assert not prof.columns[0].distinct_exact and prof.key_candidates == ()


def test_typed_arrow_columns():
    t = pa.table({
        "i": pa.array([1, 2, None], pa.int32()),
        "f": pa.array([1.5, float("nan"), 3.5], pa.float64()),
        "b": pa.array([True, False, True]),
        "d": pa.array([dt.date(2020, 1, 1)] * 3, pa.date32()),
        "ts": pa.array([dt.datetime(2020, 1, 1)] * 3, pa.timestamp("s")),
    })
    p = profile_table(t)
    assert [c.type for c in p.columns] == ["integer", "float", "boolean", "date", "datetime"]
    f = p.column("f")
    assert (f.n_nulls, f.numeric) == (1, NumericSummary(1.5, 3.5, 2.5))
    assert p.column("i").numeric == NumericSummary(1.0, 2.0, 1.5)
    assert p.key_candidates == ()  # i has a null, f is float, the rest repeat


def test_zero_row_table():
    p = profile_table(pa.table({"a": pa.array([], pa.string())}))
    c = p.columns[0]
    assert (c.type, c.null_fraction, c.n_values, p.subject_column, p.key_candidates) == ("empty", 0.0, 0, None, ())


@pytest.mark.parametrize("values,expected", [
    (["1", "2", "-3"], "integer"),
    (["1", "2.5", "1e3"], "float"),
    (["0", "1", "1"], "integer"),
    (["True", "false"], "boolean"),
    (["Y", "N", "Y"], "boolean"),
    (["2020-02-29", "31/12/2020", "Jan 5, 2021"], "date"),
    (["2020-02-30"], "text"),  # not a day that exists
    (["2021-03-04 05:06:07", "2021-03-04T05:06:07.123+02:00"], "datetime"),
    (["2021-03-04", "2021-03-04 05:06"], "datetime"),
    (["abc-1", "abc-2", "abc-3"], "id"),
    (["a b", "c d", "e f"], "text"),
])
def test_infer_type(values, expected):
    from collections import Counter

    assert infer_type(Counter(values)) == expected


def test_infer_type_tolerates_a_few_strays_by_threshold():
    from collections import Counter

    values = Counter({str(i): 1 for i in range(97)} | {"n.a.": 3})
    assert infer_type(values) == "integer"
    assert infer_type(values, threshold=0.99) != "integer"


def test_date_helpers():
    assert is_date("1999/12/31") and not is_date("1999-13-01") and not is_date("12345")
    assert is_datetime("2020-01-01 23:59:59") and not is_datetime("2020-01-01 24:00")
    assert entity_share(["Paris", "12", "2020-01-01", "R2D2"]) == 0.5


def test_helpers_accept_profiles():
    c = ColumnProfile(0, "a", "text", 2, 0, 0.0, 2, True, 1.0, 1.0, None, (), ())
    assert key_candidates([c]) == (0,) and subject_column([c]) == 0


@pytest.mark.parametrize("kwargs,name", [
    ({"type_threshold": 1.5}, "type_threshold"), ({"top_k": -1}, "top_k"),
    ({"subject_max_null": -0.1}, "subject_max_null"), ({"n_samples": 2.5}, "n_samples"),
])
def test_options_are_checked(kwargs, name):
    with pytest.raises(InvalidInput, match=name):
        ProfileOptions(**kwargs)


def test_scans_must_match_columns():
    with pytest.raises(InvalidInput, match="scans"):
        profile_table(TABLE, scans=[])
