"""hf_hub readers: dataset_infos.json schemas and the Hub-wide Parquet tables."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from assetscout.catalog.readers.hf_hub import (
    READERS,
    DatasetInfosReader,
    HubCardSectionsSkipper,
    HubDatasetTableReader,
    HubModelTableReader,
)
from assetscout.catalog.records import AssetRecord, FacetUpdate, Rejected, Skipped
from assetscout.errors import RecordError

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
CARDS = DATA / "cards"


def _value(dtype: str) -> dict:
    return {"dtype": dtype, "id": None, "_type": "Value"}


def _config(name: str, features: object, splits: dict[str, int], size: int) -> dict:
    return {
        "description": "A tiny review corpus. It has two configs for tests. More text here.",
        "citation": "@misc{tiny}",
        "homepage": "https://example.org/tiny",
        "license": "cc-by-4.0" if name == "plain" else "",
        "features": features,
        "splits": {s: {"name": s, "num_bytes": 10, "num_examples": n} for s, n in splits.items()},
        "download_size": size // 2,
        "dataset_size": size,
        "builder_name": "tiny",
        "config_name": name,
        "version": {"version_str": "1.0.0"},
        "task_templates": [{"task": "text-classification"}],
    }


PLAIN = {
    "text": _value("string"),
    "label": {"num_classes": 2, "names": ["neg", "pos"], "_type": "ClassLabel"},
}
NESTED = {
    "answers": {
        "feature": {"text": _value("string"), "start": _value("int32")},
        "length": -1,
        "_type": "Sequence",
    },
    "meta": {"source": _value("string"), "scores": [_value("float32")]},
    "tags": {
        "feature": {"names": ["O", "B-PER, I-PER"], "_type": "ClassLabel"},
        "_type": "Sequence",
    },
    "point": {"feature": _value("float64"), "length": 3, "_type": "Sequence"},
    "pair": {"languages": ["de", "en"], "_type": "Translation"},
    "audio": {"sampling_rate": 16000, "_type": "Audio"},
}


def _write(
    tmp_path: Path, data: object, name: str = "tiny", file: str = "dataset_infos.json"
) -> Path:
    folder = tmp_path / "datasets" / name
    folder.mkdir(parents=True)
    path = folder / file
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def _read(reader, path: Path) -> list:
    return list(reader.read(path))


# ---------------------------------------------------------------- dataset_infos.json


def test_dataset_infos_builds_one_dataset_with_a_table_per_config(tmp_path: Path) -> None:
    path = _write(tmp_path, {
        "plain": _config("plain", PLAIN, {"train": 30, "test": 10}, 1000),
        "nested": _config("nested", NESTED, {"train": 5}, 5000),
    })
    (record,) = _read(DatasetInfosReader(), path)
    assert isinstance(record, AssetRecord)
    assert (record.asset_id, record.kind, record.name, record.priority) == (
        "hf:dataset/tiny", "dataset", "tiny", 20,
    )
    assert record.license == "cc-by-4.0"
    assert record.url == "https://example.org/tiny"
    assert record.summary == "A tiny review corpus. It has two configs for tests."
    assert record.size_bytes == 5000  # the largest config
    assert record.tasks == ["text-classification"]
    assert record.labels == ["neg", "pos", "O", "B-PER, I-PER"]
    assert record.extra["citation"] == "@misc{tiny}"
    assert record.extra["version"] == "1.0.0"
    assert record.extra["configs"]["plain"] == {
        "splits": {"train": 30, "test": 10}, "download_size": 500, "dataset_size": 1000,
    }
    plain, nested = record.tables
    assert (plain.name, plain.n_rows) == ("plain", 40)
    assert [(c.name, c.type) for c in plain.columns] == [
        ("text", "string"), ("label", "ClassLabel(names=[neg,pos])"),
    ]
    assert [(c.name, c.type) for c in nested.columns] == [
        ("answers.text", "Sequence(string)"),
        ("answers.start", "Sequence(int32)"),
        ("meta.source", "string"),
        ("meta.scores", "Sequence(float32)"),
        ("tags", 'Sequence(ClassLabel(names=[O,"B-PER, I-PER"]))'),
        ("point", "Sequence(float64, length=3)"),
        ("pair", "Translation(languages=[de,en])"),
        ("audio", "Audio(sampling_rate=16000)"),
    ]


def test_many_class_names_are_shortened_in_the_type_but_all_kept_as_labels(tmp_path: Path) -> None:
    names = [f"c{i}" for i in range(25)]
    features = {"label": {"names": names, "_type": "ClassLabel"}}
    path = _write(tmp_path, {"default": _config("default", features, {}, 1)})
    (record,) = _read(DatasetInfosReader(), path)
    assert record.tables[0].columns[0].type == (
        "ClassLabel(num_classes=25, names=[c0,c1,c2,c3,c4,c5,c6,c7,c8,c9,...])"
    )
    assert record.labels == names
    assert record.tables[0].n_rows is None  # no splits: unknown, not zero


def test_single_config_dataset_info_json_is_read_too(tmp_path: Path) -> None:
    path = _write(tmp_path, _config("plain", PLAIN, {"train": 3}, 10), file="dataset_info.json")
    (record,) = _read(DatasetInfosReader(), path)
    assert [t.name for t in record.tables] == ["plain"]
    assert record.tables[0].n_rows == 3


def test_a_broken_config_is_rejected_and_the_others_still_come_out(tmp_path: Path) -> None:
    path = _write(tmp_path, {
        "good": _config("good", PLAIN, {"train": 2}, 10),
        "bad": "not an object",
        "odd": _config("odd", "string features", {"train": 1}, 10),
    })
    items = _read(DatasetInfosReader(), path)
    rejected = [i for i in items if isinstance(i, Rejected)]
    records = [i for i in items if isinstance(i, AssetRecord)]
    assert len(records) == 1
    assert [t.name for t in records[0].tables] == ["good", "odd"]
    assert records[0].tables[1].columns == []
    lines = {r.reason: r.line for r in rejected}
    bad = "config 'bad' is a string, expected an object of dataset info"
    assert set(lines) == {bad, "config 'odd': 'features' is a string, expected an object"}
    assert path.read_text().splitlines()[lines[bad] - 1].strip().startswith('"bad"')


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"a": {', "file is not valid JSON"),
        ("[1, 2]", "top level is a list, expected an object mapping config names to dataset info"),
        ("{}", "file holds no configs (empty object)"),
        ('{"a": 1, "b": []}', "no config could be read: config 'a' is a number"),
        ("", "file is empty"),
    ],
)
def test_whole_file_problems_raise_a_record_error(
    tmp_path: Path, content: str, reason: str
) -> None:
    path = tmp_path / "dataset_infos.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RecordError) as err:
        _read(DatasetInfosReader(), path)
    assert err.value.reason.startswith(reason)


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "dataset_infos.json"
    path.write_text('{\n "a": {\n  "features": ,\n }\n}', encoding="utf-8")
    with pytest.raises(RecordError) as err:
        _read(DatasetInfosReader(), path)
    assert err.value.line == 3


def test_claims_only_dataset_infos_files(tmp_path: Path) -> None:
    reader = DatasetInfosReader()
    assert reader.claims(tmp_path / "imdb" / "dataset_infos.json")
    assert reader.claims(tmp_path / "imdb" / "dataset_info.json")
    assert not reader.claims(tmp_path / "imdb" / "README.md")
    assert not reader.claims(tmp_path / "imdb" / "metadata.json")


# ---------------------------------------------------------------- Hub tables


def _model_table(path: Path) -> None:
    utc = timezone.utc
    pq.write_table(pa.table({
        "modelId": ["bert-base-uncased", None, "org/tiny", "org/other"],
        "author": ["huggingface", "x", "org", ""],
        "creation_time": pa.array(
            [
                datetime(2018, 11, 14, 23, 35, tzinfo=utc),
                None,
                datetime(2023, 1, 1, 0, 30, tzinfo=utc),
                None,
            ],
            type=pa.timestamp("us", tz="UTC"),
        ),
        "downloads": [31924518.0, 1.0, 0.0, float("nan")],
        "has_modelcard": [True, False, False, None],
        "task_category": ["fill-mask", "x", "unknown", None],
        "task_domain": ["nlp", "x", "unknown", "reinfocement_learning"],
    }), path)


def test_model_table_gives_one_facet_update_per_row(tmp_path: Path) -> None:
    path = tmp_path / "model_info.parquet"
    _model_table(path)
    reader = HubModelTableReader()
    reader.batch_rows = 3  # rows span two batches: line numbers must keep counting
    items = _read(reader, path)
    assert items[0] == FacetUpdate(
        asset_id="hf:model/bert-base-uncased", downloads=31924518, task="fill-mask", domain="nlp",
        author="huggingface", created="2018-11-14", has_card=True, line=1,
    )
    assert items[1] == Rejected("row 2 has no modelId", line=2)
    assert items[2] == FacetUpdate(
        asset_id="hf:model/org/tiny", downloads=0, task=None, domain=None, author="org",
        created="2023-01-01", has_card=False, line=3,
    )
    assert items[3].line == 4 and items[3].downloads is None and items[3].has_card is None
    assert items[3].domain == "reinfocement_learning"  # as written


def test_dataset_table_parses_git_dates_and_prefers_non_empty_card(tmp_path: Path) -> None:
    path = tmp_path / "dataset_info.parquet"
    pq.write_table(pa.table({
        "dataset_name": ["imdb", "user/set"],
        "author": ["huggingface", "user"],
        "dataset_creation_time": ["Tue Jan 25 23:34:04 2022 -0500", "2023-03-01T10:00:00Z"],
        "downloads": [230011.0, 3.0],
        "has_card": [True, True],
        "has_nonempty_card": [True, False],
        "task": ["text-classification,question-answering", "None"],
        "domain": ["nlp", None],
    }), path)
    first, second = _read(HubDatasetTableReader(), path)
    assert first.asset_id == "hf:dataset/imdb"
    assert first.created == "2022-01-26"  # 23:34 at -05:00 is the next day in UTC
    assert first.task == "text-classification,question-answering"
    assert (second.asset_id, second.created, second.task, second.has_card) == (
        "hf:dataset/user/set", "2023-03-01", None, False,
    )


def test_table_without_its_id_column_or_not_parquet_is_a_record_error(tmp_path: Path) -> None:
    path = tmp_path / "model_info.parquet"
    pq.write_table(pa.table({"name": ["x"]}), path)
    with pytest.raises(RecordError, match="table has no 'modelId' column"):
        _read(HubModelTableReader(), path)
    path.write_text("modelId,downloads\nx,1\n", encoding="utf-8")
    with pytest.raises(RecordError, match="not a readable Parquet file"):
        _read(HubModelTableReader(), path)


def test_hub_tables_are_claimed_by_name_and_the_sections_table_is_skipped(tmp_path: Path) -> None:
    names = {
        "model_info.parquet": "hf_hub_models",
        "dataset_info.parquet": "hf_hub_datasets",
        "datasetcard_sections_info.parquet": "hf_hub_card_sections",
        "other.parquet": None,
        "dataset_infos.json": "hf_dataset_infos",
    }
    for name, expected in names.items():
        claimed = [r.name for r in READERS if r.claims(tmp_path / name)]
        assert claimed == ([expected] if expected else []), name
    (skip,) = _read(HubCardSectionsSkipper(), tmp_path / "datasetcard_sections_info.parquet")
    assert isinstance(skip, Skipped) and "not asset metadata" in skip.reason


# ---------------------------------------------------------------- real data


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"shared data not present: {path}")
    return path


def test_real_canonical_dataset_infos() -> None:
    root = _need(CARDS / "hf_datasets_canonical_2022" / "datasets")
    reader = DatasetInfosReader()
    records: dict[str, AssetRecord] = {}
    other = []
    for path in sorted(root.glob("*/*")):
        if not reader.claims(path):
            continue
        for item in reader.read(path):
            if isinstance(item, AssetRecord):
                records[item.asset_id] = item
            else:
                other.append(item)
    assert len(records) == 756 and other == []
    imdb = records["hf:dataset/imdb"]
    assert imdb.size_bytes == 133190346 and imdb.labels == ["neg", "pos"]
    assert imdb.url == "http://ai.stanford.edu/~amaas/data/sentiment/"
    assert imdb.extra["configs"]["plain_text"]["splits"] == {
        "train": 25000, "test": 25000, "unsupervised": 50000,
    }
    assert imdb.tables[0].n_rows == 100000
    squad = records["hf:dataset/squad"].tables[0]
    assert ("answers.answer_start", "Sequence(int32)") in [(c.name, c.type) for c in squad.columns]
    assert squad.n_rows == 87599 + 10570
    assert len(records["hf:dataset/glue"].tables) == 12
    assert len(records["hf:dataset/imagenet-1k"].labels) == 1000
    assert 5000 <= sum(len(r.tables) for r in records.values()) <= 5200


def test_real_model_table() -> None:
    path = _need(CARDS / "hf_model_metadata_2023" / "model_info.parquet")
    items = list(HubModelTableReader().read(path))
    assert len(items) == 74970 and all(isinstance(i, FacetUpdate) for i in items)
    bert = items[0]
    assert (bert.asset_id, bert.downloads, bert.task, bert.created, bert.has_card) == (
        "hf:model/bert-base-uncased", 31924518, "fill-mask", "2018-11-14", True,
    )
    assert sum(1 for i in items if i.has_card) == 32111
    assert sum(1 for i in items if i.task is None) == 26296  # 'unknown' is no task


def test_real_dataset_table() -> None:
    path = _need(CARDS / "hf_dataset_cards_2023" / "dataset_info.parquet")
    items = list(HubDatasetTableReader().read(path))
    assert len(items) == 24065 and all(isinstance(i, FacetUpdate) for i in items)
    imdb = next(i for i in items if i.asset_id == "hf:dataset/imdb")
    assert (imdb.downloads, imdb.task, imdb.created, imdb.author) == (
        230011, "text-classification", "2022-01-25", "huggingface",
    )
    assert sum(1 for i in items if i.has_card) == 7433  # cards with text, as the MANIFEST counts
    assert all(i.created for i in items)  # every git date parsed
