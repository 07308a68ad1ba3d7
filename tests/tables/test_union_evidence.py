"""What union search keeps of a table: texts, value keys, subject relationships."""

from __future__ import annotations

import pytest

from assetscout.errors import InvalidInput
from assetscout.tables.profile import profile_read
from assetscout.tables.read import read_table
from assetscout.tables.union_evidence import PAIR_SEPARATOR, EvidenceOptions, column_text, pair_text, table_evidence


@pytest.fixture
def cities(tmp_path):
    path = tmp_path / "cities.csv"
    path.write_text("city,country,population,notes\n"
                    "Paris,France,2100000,\n"
                    "Rome,Italy,2800000,\n"
                    "Lima,Peru,9700000,\n"
                    "Lyon,France,500000,\n"
                    "Nice,,340000,\n", encoding="utf-8")
    return path


def test_column_text():
    assert column_text("city", "text", ["Paris", "Rome", "Paris"]) == "city: Paris, Rome"
    assert column_text("year", "integer", ["1999", "2001"], max_values=1) == "year (integer): 1999"
    assert column_text("city", "text", ["Paris"], table_name="capitals") == "table capitals. city: Paris"
    assert column_text("city", "text", []) == "city"
    assert pair_text("city", "country", [("Paris", "France")]) == "city and country: Paris France"


def test_table_evidence(cities):
    res = read_table(cities)
    ev = table_evidence("cities.csv", res, profile_read(res))
    assert [c.name for c in ev.columns] == ["city", "country", "population"]  # 'notes' is empty: left out
    assert ev.subject == 0
    assert ev.columns[1].values == frozenset({"france", "italy", "peru"})
    assert ev.columns[2].text.startswith("population (integer): ")
    by_other = {p.other: p for p in ev.pairs}
    assert set(by_other) == {1, 2}
    assert by_other[1].tokens == frozenset(f"{a}{PAIR_SEPARATOR}{b}" for a, b in
                                           [("paris", "france"), ("rome", "italy"), ("lima", "peru"),
                                            ("lyon", "france")])  # Nice has no country: no pair
    assert by_other[1].text == "city and country: Paris France; Rome Italy; Lima Peru; Lyon France"
    assert len(by_other[2].tokens) == 5


def test_pair_rows_are_bounded(cities):
    res = read_table(cities)
    ev = table_evidence("cities.csv", res, profile_read(res), EvidenceOptions(max_pair_rows=2, pair_examples=1))
    by_other = {p.other: p for p in ev.pairs}
    assert len(by_other[1].tokens) == 2 and by_other[1].text == "city and country: Paris France"


def test_no_subject_no_pairs(tmp_path):
    path = tmp_path / "numbers.csv"
    path.write_text("a,b\n1,2\n3,4\n", encoding="utf-8")
    res = read_table(path)
    ev = table_evidence("numbers.csv", res, profile_read(res))
    assert ev.subject is None and ev.pairs == () and len(ev.columns) == 2


@pytest.mark.parametrize("kwargs, word", [
    ({"max_values": -1}, "max_values"),
    ({"max_value_chars": 2}, "max_value_chars"),
    ({"max_pair_rows": 0}, "max_pair_rows"),
    ({"pair_examples": 1.5}, "pair_examples"),
    ({"table_name_in_text": "yes"}, "table_name_in_text"),
])
def test_options_are_checked(kwargs, word):
    with pytest.raises(InvalidInput, match=word):
        EvidenceOptions(**kwargs)
