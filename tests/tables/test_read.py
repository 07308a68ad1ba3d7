"""Reading quirks: each case is a generated file with a known answer."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from assetscout.errors import InvalidInput, RecordError
from assetscout.tables.read import ReadOptions, TableReadError, read_table


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def col(result, name: str) -> list:
    return result.table.column(name).to_pylist()


# -- delimiters ------------------------------------------------------------------------------


def test_comma_csv_with_quotes_embedded_delimiters_and_newlines(tmp_path):
    p = write(tmp_path / "t.csv", 'id,text,n\n1,"a, b",2\n2,"line one\nline two",3\n3,"say ""hi""",4\n')
    r = read_table(p)
    assert r.delimiter == ","
    assert r.table.column_names == ["id", "text", "n"]
    assert col(r, "text") == ["a, b", "line one\nline two", 'say "hi"']
    assert r.n_rows == 3 and r.complete and r.ragged.total == 0 and r.warnings == ()


def test_multi_character_delimiter_space_pipe_space_with_crlf(tmp_path):
    # UGEN-V1 style; a '|' inside a value (no spaces around) must not split it
    text = "Age | Culture | Origin \r\n1 | Afro|centrism | Africa \r\n2 | Ideology | Asia \r\n"
    r = read_table(write(tmp_path / "ugen.csv", text))
    assert r.delimiter == " | "
    assert r.table.column_names == ["Age", "Culture", "Origin"]
    assert col(r, "Culture") == ["Afro|centrism", "Ideology"]
    assert col(r, "Origin") == ["Africa", "Asia"]


def test_explicit_multi_character_delimiter(tmp_path):
    r = read_table(write(tmp_path / "t.txt", "a::b\n1::2\n3::4\n"), ReadOptions(delimiter="::"))
    assert r.table.column_names == ["a", "b"] and col(r, "b") == ["2", "4"]


@pytest.mark.parametrize("delim", [";", "\t", "|"])
def test_sniffs_semicolon_tab_pipe(tmp_path, delim):
    rows = [["name", "city", "value"], ["x, y", "Paris", "1,5"], ["z", "Rome", "2,5"]]
    text = "\n".join(delim.join(r) for r in rows) + "\n"
    r = read_table(write(tmp_path / "t.txt", text))
    assert r.delimiter == delim
    assert col(r, "value") == ["1,5", "2,5"]


def test_single_column_file(tmp_path):
    r = read_table(write(tmp_path / "one.csv", "name\nalpha\nbeta\n"))
    assert r.table.column_names == ["name"] and col(r, "name") == ["alpha", "beta"]


# -- encodings -------------------------------------------------------------------------------

TEXT = "id,name\n1,Zoë\n2,Ångström\n3,naïve café\n"


@pytest.mark.parametrize("encoding,reported", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16-le"),
])
def test_unicode_encodings(tmp_path, encoding, reported):
    r = read_table(write(tmp_path / "t.csv", TEXT, encoding))
    assert r.encoding == reported and not r.encoding_fallback
    assert r.table.column_names == ["id", "name"]  # no BOM left in the first name
    assert col(r, "name") == ["Zoë", "Ångström", "naïve café"]


def test_utf16_big_endian_with_bom(tmp_path):
    p = tmp_path / "be.csv"
    p.write_bytes(b"\xfe\xff" + TEXT.encode("utf-16-be"))
    r = read_table(p)
    assert r.encoding == "utf-16-be" and col(r, "name")[0] == "Zoë"


def test_cp1252_fallback_is_reported(tmp_path):
    p = write(tmp_path / "t.csv", "id,price\n1,5 €\n2,“quoted”\n", "cp1252")
    r = read_table(p)
    assert r.encoding == "cp1252" and r.encoding_fallback
    assert col(r, "price") == ["5 €", "“quoted”"]
    assert any("not valid UTF-8" in w for w in r.warnings)


def test_latin1_fallback_when_cp1252_cannot_decode(tmp_path):
    p = tmp_path / "t.csv"
    p.write_bytes(b"id,v\n1,\x81x\n2,caf\xe9\n")  # 0x81 is undefined in cp1252
    r = read_table(p)
    assert r.encoding == "latin-1" and r.encoding_fallback
    assert col(r, "v") == ["\x81x", "café"]


def test_bad_bytes_after_the_sniffed_head_are_replaced_and_counted(tmp_path):
    p = tmp_path / "t.csv"
    p.write_bytes(b"id,v\n" + b"".join(b"%d,ok\n" % i for i in range(20000)) + b"1,bad\xff\xfe\n")
    r = read_table(p)
    assert r.encoding == "utf-8"
    assert col(r, "v")[-1] != "bad" and r.rows_scanned == 20001
    assert any("U+FFFD" in w for w in r.warnings)


# -- bad input -------------------------------------------------------------------------------


def test_binary_file_named_csv(tmp_path):
    p = tmp_path / "image.csv"
    p.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(TableReadError) as err:
        read_table(p)
    assert str(p) in str(err.value) and "NUL" in str(err.value)
    assert isinstance(err.value, RecordError)


@pytest.mark.parametrize("payload,word", [
    (b"PAR1" + b"\x00" * 100, "Parquet"),
    (gzip.compress(b"a,b\n1,2\n"), "gzip"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "PNG"),
])
def test_known_binary_formats_are_named(tmp_path, payload, word):
    p = tmp_path / "data.csv"
    p.write_bytes(payload)
    with pytest.raises(TableReadError, match=word):
        read_table(p)


@pytest.mark.parametrize("content", [b"", b"   \n\n\t\n"])
def test_empty_file(tmp_path, content):
    p = tmp_path / "empty.csv"
    p.write_bytes(content)
    with pytest.raises(TableReadError, match="empty"):
        read_table(p)


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(TableReadError, match="nope.csv"):
        read_table(tmp_path / "nope.csv")


def test_header_only_gives_zero_rows(tmp_path):
    r = read_table(write(tmp_path / "h.csv", "a,b,c\n"))
    assert r.table.num_rows == 0 and r.table.column_names == ["a", "b", "c"]
    assert r.n_rows == 0 and [c.n_values for c in r.columns] == [0, 0, 0]
    assert any("only a header" in w for w in r.warnings)


def test_single_line_of_numbers_is_a_header_with_a_warning(tmp_path):
    r = read_table(write(tmp_path / "n.csv", "1,2,3\n"))
    assert r.table.column_names == ["1", "2", "3"] and r.table.num_rows == 0
    assert any("looks like data" in w for w in r.warnings)


def test_header_false_reads_the_first_line_as_data(tmp_path):
    r = read_table(write(tmp_path / "n.csv", "1,2,3\n4,5,6\n"), ReadOptions(header=False))
    assert r.table.column_names == ["col_1", "col_2", "col_3"]
    assert col(r, "col_1") == ["1", "4"] and r.renamed == ()


def test_duplicated_and_empty_headers_are_renamed_and_reported(tmp_path):
    r = read_table(write(tmp_path / "d.csv", "name,Name,,name,name_2\n1,2,3,4,5\n"))
    assert r.table.column_names == ["name", "Name_3", "col_3", "name_4", "name_2"]
    assert [(x.ordinal, x.original, x.name) for x in r.renamed] == [
        (1, "Name", "Name_3"), (2, "", "col_3"), (3, "name", "name_4")]
    assert any("renamed columns" in w for w in r.warnings)


def test_all_null_column_is_reported(tmp_path):
    r = read_table(write(tmp_path / "n.csv", "a,b\n1,NA\n2,\n3, n/a \n"))
    assert col(r, "b") == [None, None, None]
    assert r.columns[1].n_nulls == 3 and r.columns[1].n_values == 0
    assert any("'b' is entirely null" in w for w in r.warnings)


def test_null_tokens_become_nulls_and_cells_are_stripped(tmp_path):
    r = read_table(write(tmp_path / "n.csv", "v\n  x  \nNULL\nNone\n-\n--\n?\nnan\nN/A\nNaN\nok\n"))
    assert col(r, "v") == ["x"] + [None] * 8 + ["ok"]
    assert r.columns[0].distinct == frozenset({"x", "ok"})


def test_wide_table_columns_capped(tmp_path):
    n = 10_000
    text = ",".join(f"c{i}" for i in range(n)) + "\n" + ",".join(str(i) for i in range(n)) + "\n"
    r = read_table(write(tmp_path / "wide.csv", text))
    assert r.table.num_columns == 2000 and r.dropped_columns == 8000
    assert col(r, "c1999") == ["1999"]
    assert any("8000 columns beyond max_columns=2000" in w for w in r.warnings)


def test_wide_table_keeps_fewer_sample_rows(tmp_path):
    text = "a,b,c,d\n" + "".join(f"{i},{i},{i},{i}\n" for i in range(100))
    r = read_table(write(tmp_path / "w.csv", text), ReadOptions(max_cells=40))
    assert r.table.num_rows == 10 and r.rows_scanned == 100
    assert r.columns[0].n_values == 100  # counts still cover every row


# -- ragged rows -----------------------------------------------------------------------------

RAGGED = "a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12,,\n13\n"


def test_ragged_rows_padded_and_merged_by_default(tmp_path):
    r = read_table(write(tmp_path / "r.csv", RAGGED))
    assert col(r, "a") == ["1", "4", "6", "10", "13"]
    assert col(r, "b") == ["2", "5", "7", "11", None]
    assert col(r, "c") == ["3", None, "8,9", "12", None]
    assert (r.ragged.padded, r.ragged.merged, r.ragged.trimmed) == (2, 1, 1)
    assert r.ragged.total == 3
    assert any("fewer fields" in w and "first at line 3" in w for w in r.warnings)


def test_ragged_rows_truncated(tmp_path):
    r = read_table(write(tmp_path / "r.csv", RAGGED), ReadOptions(extra_fields="truncate"))
    assert col(r, "c") == ["3", None, "8", "12", None] and r.ragged.truncated == 1


def test_ragged_rows_skipped(tmp_path):
    r = read_table(write(tmp_path / "r.csv", RAGGED), ReadOptions(extra_fields="skip"))
    assert col(r, "a") == ["1", "4", "10", "13"] and r.ragged.skipped == 1 and r.n_rows == 4


def test_trailing_delimiter_on_every_row_is_not_ragged(tmp_path):
    r = read_table(write(tmp_path / "t.csv", "a | b\r\nx | y |\r\nz | w |\r\n"))
    assert col(r, "b") == ["y", "w"] and r.ragged.trimmed == 2 and r.ragged.total == 0


# -- bounded reading -------------------------------------------------------------------------


def big_csv(path: Path, n: int) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("id,group,label\n")
        for i in range(n):
            fh.write(f"{i},{i % 7},label number {i}\n")
    return path


def test_byte_budget_stops_on_a_line_boundary_and_estimates_rows(tmp_path):
    p = big_csv(tmp_path / "big.csv", 20_000)
    r = read_table(p, ReadOptions(max_bytes_sampled=50_000, max_rows=100))
    assert not r.complete and r.n_rows is None
    assert 0 < r.rows_scanned < 20_000
    assert r.bytes_scanned < 50_000 + 100
    assert abs(r.n_rows_estimate - 20_000) / 20_000 < 0.1
    ids = [int(x) for x in col(r, "id")]
    assert ids == list(range(100)) and r.table.num_rows == 100
    assert r.columns[2].n_values == r.rows_scanned  # the last row scanned is whole
    assert r.columns[0].distinct_count == r.rows_scanned
    assert any("estimate" in w for w in r.warnings)


def test_distinct_sets_are_capped_then_estimated(tmp_path):
    p = big_csv(tmp_path / "big.csv", 20_000)
    r = read_table(p, ReadOptions(max_distinct=1000))
    ids = r.columns[0]
    assert not ids.distinct_complete and len(ids.distinct) == 1000
    assert abs(ids.distinct_count - 20_000) / 20_000 < 0.05  # HyperLogLog, p=14
    group = r.columns[1]
    assert group.distinct_complete and group.distinct_count == 7
    assert any("estimates" in w for w in r.warnings)


def test_distinct_total_budget_is_shared_between_columns(tmp_path):
    p = big_csv(tmp_path / "big.csv", 3000)
    r = read_table(p, ReadOptions(max_distinct_total=3000))  # 1000 per column
    assert len(r.columns[0].distinct) == 1000 and not r.columns[0].distinct_complete


def test_reservoir_sample_is_seeded_and_reaches_the_end(tmp_path):
    p = big_csv(tmp_path / "big.csv", 5000)
    opts = ReadOptions(max_rows=200, sample="reservoir", seed=7)
    a, b = read_table(p, opts), read_table(p, opts)
    ids = [int(x) for x in col(a, "id")]
    assert ids == [int(x) for x in col(b, "id")]
    assert len(ids) == len(set(ids)) == 200 and max(ids) > 4000
    c = read_table(p, ReadOptions(max_rows=200, sample="reservoir", seed=8))
    assert col(c, "id") != col(a, "id")


def test_utf16_cut_keeps_whole_characters(tmp_path):
    p = tmp_path / "u16.csv"
    p.write_bytes(("id,name\n" + "".join(f"{i},nåme {i}\n" for i in range(3000))).encode("utf-16"))
    r = read_table(p, ReadOptions(max_bytes_sampled=10_001))
    assert not r.complete and r.rows_scanned > 100
    assert col(r, "name")[-1] == f"nåme {r.rows_scanned - 1}"
    assert not any("U+FFFD" in w for w in r.warnings)


# -- other formats ---------------------------------------------------------------------------


def test_parquet_keeps_types_and_cleans_strings(tmp_path):
    p = tmp_path / "t.parquet"
    pq.write_table(pa.table({
        "id": pa.array(range(50), pa.int64()),
        "score": pa.array([i / 4 for i in range(50)], pa.float64()),
        "name": pa.array([" a " if i % 2 else "NA" for i in range(50)], pa.string()),
        "tags": pa.array([[i, i + 1] for i in range(50)], pa.list_(pa.int64())),
    }), p, row_group_size=10)
    r = read_table(p, ReadOptions(max_rows=20))
    assert r.format == "parquet" and r.n_rows == 50 and r.complete
    assert r.table.schema.field("id").type == pa.int64()
    assert r.table.schema.field("tags").type == pa.string()
    assert col(r, "tags")[0] == "[0, 1]"
    assert r.table.num_rows == 20
    name = r.columns[2]
    assert (name.n_values, name.n_nulls, name.distinct) == (25, 25, frozenset({"a"}))
    assert r.columns[0].distinct_count == 50


def test_parquet_reservoir_and_column_cap(tmp_path):
    p = tmp_path / "t.parquet"
    pq.write_table(pa.table({f"c{j}": list(range(1000)) for j in range(5)}), p, row_group_size=100)
    r = read_table(p, ReadOptions(max_rows=50, sample="reservoir", max_columns=3))
    ids = col(r, "c0")
    assert len(ids) == len(set(ids)) == 50 and max(ids) > 500 and ids == sorted(ids)
    assert r.table.column_names == ["c0", "c1", "c2"] and r.dropped_columns == 2


def test_parquet_that_is_not_parquet(tmp_path):
    p = write(tmp_path / "fake.parquet", "a,b\n1,2\n")
    with pytest.raises(TableReadError, match="Parquet"):
        read_table(p)


def test_json_lines_keys_in_order_late_keys_and_bad_lines(tmp_path):
    lines = [json.dumps({"id": 1, "name": "a", "ok": True}), "not json", "[1, 2]", "",
             json.dumps({"id": 2, "name": "b", "extra": {"k": [1]}}), json.dumps({"id": 3.5, "name": None})]
    r = read_table(write(tmp_path / "t.jsonl", "\n".join(lines) + "\n"))
    assert r.format == "jsonl" and r.table.column_names == ["id", "name", "ok", "extra"]
    assert col(r, "id") == ["1", "2", "3.5"]
    assert col(r, "ok") == ["true", None, None]
    assert col(r, "extra") == [None, '{"k": [1]}', None]
    assert r.ragged.malformed == 2 and r.n_rows == 3
    extra = r.columns[3]
    assert (extra.n_values, extra.n_nulls) == (1, 2)
    assert any("2 lines are not JSON objects" in w and "line 2" in w for w in r.warnings)


def test_json_lines_with_no_object(tmp_path):
    with pytest.raises(TableReadError, match="no line is a JSON object"):
        read_table(write(tmp_path / "t.jsonl", "1\n2\n"))


# -- options ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs,name", [
    ({"max_rows": 0}, "max_rows"), ({"max_columns": -1}, "max_columns"),
    ({"max_bytes_sampled": 0}, "max_bytes_sampled"), ({"sample": "random"}, "sample"),
    ({"extra_fields": "keep"}, "extra_fields"), ({"format": "xlsx"}, "format"),
    ({"delimiter": '"'}, "delimiter"), ({"encoding": "no-such-codec"}, "encoding"),
    ({"max_rows": True}, "max_rows"),
])
def test_options_are_checked(kwargs, name):
    with pytest.raises(InvalidInput, match=name):
        ReadOptions(**kwargs)


def test_oversized_field_is_one_malformed_row(tmp_path):
    p = write(tmp_path / "huge.csv", "a,b\n1,x\n2," + "y" * 200_000 + "\n3,z\n")
    r = read_table(p)
    assert col(r, "a") == ["1", "3"] and r.ragged.malformed == 1
    assert any("could not be parsed" in w and "line 3" in w for w in r.warnings)


def test_a_line_longer_than_the_overrun_is_cut_and_dropped(tmp_path, monkeypatch):
    from assetscout.tables import textio

    monkeypatch.setattr(textio, "MAX_LINE_OVERRUN", 1000)
    head = "a,b\n" + "".join(f"{i},v{i}\n" for i in range(100))
    p = write(tmp_path / "long.csv", head + "100," + "z" * 50_000 + "\n101,end\n")
    r = read_table(p, ReadOptions(max_bytes_sampled=len(head) + 10))  # the budget ends inside row 100
    assert not r.complete and r.rows_scanned == 100
    assert col(r, "b")[-1] == "v99"  # the cut row is dropped, not read as a short value
