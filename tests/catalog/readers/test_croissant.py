"""Croissant reader: JSON-LD of versions 0.8 / 1.0 / 1.1 -> datasets with record-set tables."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from assetscout.catalog.readers.croissant import (
    RDF_REASON,
    README_REASON,
    SAMPLE_REASON,
    CroissantReader,
    parse_size,
)
from assetscout.catalog.records import AssetRecord, Rejected, Skipped
from assetscout.errors import RecordError

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
EXAMPLES = DATA / "cards" / "croissant_examples"

CONTEXT_10 = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "sc": "https://schema.org/",
    "dct": "http://purl.org/dc/terms/",
    "conformsTo": "dct:conformsTo",
    "citeAs": "cr:citeAs",
    "recordSet": "cr:recordSet",
    "field": "cr:field",
    "subField": "cr:subField",
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "source": "cr:source",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "containedIn": "cr:containedIn",
    "includes": "cr:includes",
    "repeated": "cr:repeated",
    "data": {"@id": "cr:data", "@type": "@json"},
}
CONTEXT_08 = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "ml": "http://mlcommons.org/schema/",
    "sc": "https://schema.org/",
    "wd": "https://www.wikidata.org/wiki/",
    "recordSet": "ml:recordSet",
    "field": "ml:field",
    "dataType": {"@id": "ml:dataType", "@type": "@vocab"},
    "dataBiases": "ml:dataBiases",
    "source": "ml:source",
}


def _doc_10() -> dict:
    return {
        "@context": CONTEXT_10,
        "@type": "sc:Dataset",
        "name": "Tiny Reviews",
        "alternateName": ["acme/tiny-reviews"],
        "description": "Dataset Card for Tiny\n\n"
        "Tiny Reviews holds short product reviews with a star rating. "
        "It is used in tests only. Nothing else.",
        "conformsTo": "http://mlcommons.org/croissant/1.0",
        "citeAs": "@misc{tiny}",
        "license": {
            "@type": "sc:CreativeWork",
            "name": "CC BY 4.0",
            "url": "https://creativecommons.org/licenses/by/4.0/",
        },
        "url": "https://huggingface.co/datasets/acme/tiny-reviews",
        "version": "1.2.0",
        "datePublished": "2024-05-02T10:00:00Z",
        "keywords": "reviews, sentiment",
        "creator": [
            {"@type": "sc:Organization", "name": "ACME Labs"},
            {"@type": "sc:Person", "name": "Jo"},
        ],
        "inLanguage": ["en", "de"],
        "rai:dataBiases": "Reviews come from one shop.",
        "distribution": [
            {
                "@type": "cr:FileObject", "@id": "archive", "name": "archive",
                "contentUrl": "https://x/a.zip", "encodingFormat": "application/zip",
                "contentSize": "1.5 MB",
            },
            {
                "@type": "cr:FileSet", "@id": "csvs", "name": "csvs",
                "containedIn": {"@id": "archive"}, "encodingFormat": "text/csv",
                "includes": "*.csv", "contentSize": "9 GB",
            },
            {
                "@type": "cr:FileObject", "@id": "extra", "contentSize": "2 KiB",
                "contentUrl": "https://x/e",
            },
        ],
        "recordSet": [
            {
                "@type": "cr:RecordSet",
                "@id": "reviews",
                "name": "reviews",
                "description": "One row per review.",
                "field": [
                    {
                        "@type": "cr:Field", "@id": "reviews/text", "name": "reviews/text",
                        "dataType": "sc:Text", "description": "The review.",
                        "source": {"fileSet": {"@id": "csvs"}, "extract": {"column": "text"}},
                    },
                    {"@id": "reviews/stars", "dataType": ["sc:Integer", "wd:Q1"]},
                    {"@id": "reviews/tags", "dataType": "sc:Text", "repeated": True},
                    {"@type": "cr:Field", "@id": "reviews/author", "subField": [
                        {"@type": "cr:Field", "@id": "reviews/author/name", "dataType": "sc:Text"},
                        {"@type": "cr:Field", "@id": "reviews/author/age", "dataType": "cr:Int64"},
                    ]},
                ],
            },
            {
                "@type": "cr:RecordSet", "@id": "splits", "name": "splits",
                "field": [{"@type": "cr:Field", "@id": "splits/name", "dataType": "sc:Text"}],
                "data": [{"splits/name": "train"}, {"splits/name": "test"}],
            },
        ],
    }


def _write(folder: Path, data: object, name: str = "metadata.json") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=1), encoding="utf-8")
    return path


def _read(path: Path) -> list:
    return list(CroissantReader().read(path))


def _columns(record: AssetRecord, table: str) -> list[tuple[str, str | None]]:
    (schema,) = [t for t in record.tables if t.name == table]
    return [(c.name, c.type) for c in schema.columns]


# ---------------------------------------------------------------- parsing


def test_croissant_10_document_becomes_a_dataset_with_record_set_tables(tmp_path: Path) -> None:
    (record,) = _read(_write(tmp_path / "tiny", _doc_10()))
    assert (record.asset_id, record.kind, record.name, record.priority) == (
        "croissant:dataset/Tiny_Reviews", "dataset", "Tiny Reviews", 20,
    )
    assert record.summary == (
        "Tiny Reviews holds short product reviews with a star rating. It is used in tests only."
    )
    assert record.card_text.startswith("Dataset Card for Tiny")
    assert record.license == "CC BY 4.0"
    assert record.organization == "ACME Labs"
    assert record.tags == ["reviews", "sentiment"]
    assert record.languages == ["en", "de"]
    assert record.created == "2024-05-02"
    assert record.size_bytes == 1_500_000 + 2048  # the FileSet inside the archive: not again
    assert record.aliases == ["acme/tiny-reviews", "hf:dataset/acme/tiny-reviews"]
    assert record.extra["version"] == "1.2.0"
    assert record.extra["citation"] == "@misc{tiny}"
    assert record.extra["croissant_version"] == "http://mlcommons.org/croissant/1.0"
    assert record.extra["rai"] == {"dataBiases": "Reviews come from one shop."}
    assert record.extra["creators"] == ["ACME Labs", "Jo"]
    assert _columns(record, "reviews") == [
        ("text", "Text"), ("stars", "Integer"), ("tags", "Sequence(Text)"),
        ("author.name", "Text"), ("author.age", "Int64"),
    ]
    reviews, splits = record.tables
    assert (reviews.format, reviews.path, reviews.description) == (
        "text/csv", "*.csv", "One row per review.",
    )
    assert reviews.columns[0].description == "The review."
    assert splits.n_rows == 2 and reviews.n_rows is None


def test_croissant_08_ml_terms_read_the_same_way(tmp_path: Path) -> None:
    doc = {
        "@context": CONTEXT_08,
        "@type": "sc:Dataset",
        "name": "Titanic",
        "license": "afl-3.0",
        "dataBiases": "Crew is missing.",
        "distribution": [{
            "@type": "sc:FileObject", "name": "passengers.csv", "contentUrl": "data/titanic.csv",
            "encodingFormat": "text/csv", "contentSize": "117743 B",
        }],
        "recordSet": [{
            "@type": "ml:RecordSet", "name": "passengers",
            "field": [
                {"@type": "ml:Field", "name": "name", "dataType": ["sc:Text", "sc:name"],
                 "source": {"distribution": "passengers.csv", "extract": {"column": "name"}}},
                {"@type": "ml:Field", "name": "url", "dataType": ["sc:URL", "wd:Q48277"]},
            ],
        }],
    }
    (record,) = _read(_write(tmp_path / "titanic", doc))
    assert record.asset_id == "croissant:dataset/Titanic"
    assert record.license == "afl-3.0"
    assert record.size_bytes == 117743
    assert record.extra["rai"] == {"dataBiases": "Crew is missing."}
    assert _columns(record, "passengers") == [("name", "Text"), ("url", "URL")]
    assert record.tables[0].path == "data/titanic.csv"


def test_full_iris_type_lists_and_language_maps(tmp_path: Path) -> None:
    cr, sc = "http://mlcommons.org/croissant/", "https://schema.org/"
    doc = {
        "@context": {"@language": "fr"},
        "@type": [f"{sc}Dataset"],
        f"{sc}name": {"en": "multi", "fr": "multi_fr"},
        f"{sc}description": [{"@value": "English text here.", "@language": "en"},
                             {"@value": "Texte en français pour le test.", "@language": "fr"}],
        f"{sc}license": ["mit", {"@id": "https://spdx.org/licenses/Apache-2.0"}],
        f"{sc}creator": "Solo Author",
        f"{cr}recordSet": {
            "@type": f"{cr}RecordSet", "@id": "rows",
            "field": {"@type": f"{cr}Field", "@id": "rows/x", f"{cr}dataType": f"{sc}Float"},
        },
    }
    (record,) = _read(_write(tmp_path / "m", doc))
    assert (record.asset_id, record.name) == ("croissant:dataset/multi_fr", "multi_fr")
    assert record.card_text == "Texte en français pour le test."
    assert record.license == "mit"
    assert record.extra["licenses"] == ["mit", "https://spdx.org/licenses/Apache-2.0"]
    assert record.organization == "Solo Author"
    assert _columns(record, "rows") == [("x", "Float")]


def test_broken_parts_are_rejected_and_the_dataset_still_comes_out(tmp_path: Path) -> None:
    doc = _doc_10()
    doc["recordSet"].insert(0, "not a record set")
    doc["recordSet"][1]["field"].append({"@type": "cr:Field", "dataType": "sc:Text"})
    items = _read(_write(tmp_path / "t", doc))
    reasons = [i.reason for i in items if isinstance(i, Rejected)]
    assert reasons == [
        "recordSet entry 1 is a string, expected an object",
        "recordSet 'reviews' field 5 has neither 'name' nor '@id'",
    ]
    (record,) = [i for i in items if isinstance(i, AssetRecord)]
    assert [t.name for t in record.tables] == ["reviews", "splits"]
    assert len(record.tables[0].columns) == 5


CTX = '"@context": {"cr": "http://mlcommons.org/croissant/"}'


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{%s,\n \"name\": }" % CTX, "file is not valid JSON"),
        ("[{%s}]" % CTX, "top level is a list, expected one JSON-LD object describing a dataset"),
        ('{%s, "@type": "cr:RecordSet", "name": "x"}' % CTX,
         '@type is "cr:RecordSet", expected sc:Dataset'),
        ('{%s, "name": "x"}' % CTX, "document has no '@type'"),
        ('{%s, "@type": "sc:Dataset", "recordSet": []}' % CTX, "Croissant dataset has no 'name'"),
        ('{%s, "@type": "sc:Dataset", "name": "%%%%"}' % CTX,
         "Croissant dataset name '%%' has no letters or digits"),
    ],
)
def test_whole_file_problems_raise_a_record_error(
    tmp_path: Path, content: str, reason: str
) -> None:
    path = _write(tmp_path / "bad", content)
    with pytest.raises(RecordError) as err:
        _read(path)
    assert err.value.reason.startswith(reason)


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "bad", "{%s,\n \"name\": }" % CTX)
    with pytest.raises(RecordError) as err:
        _read(path)
    assert err.value.line == 2


@pytest.mark.parametrize(
    ("value", "size"),
    [("117743 B", 117743), ("36.809 KB", 36809), ("2 KiB", 2048), ("0.5 TiB", 2**39), (1024, 1024),
     (" B", None), ("lots", None), ("12 parsecs", None), (None, None)],
)
def test_parse_size(value: object, size: int | None) -> None:
    assert parse_size(value) == size


# ---------------------------------------------------------------- claims


def test_claims_croissant_json_and_its_side_files_only(tmp_path: Path) -> None:
    reader = CroissantReader()
    example = tmp_path / "datasets" / "1.0" / "tiny"
    meta = _write(example, _doc_10())
    sample = _write(example / "data" / "deep" / "er", "a,b\n1,2\n", name="rows.csv")
    expected = _write(example / "output", '{"a": 1}\n', name="rows.jsonl")
    recipes = tmp_path / "datasets" / "1.0" / "recipes"
    recipe = _write(recipes, _doc_10(), name="minimal.json")
    recipe_out = _write(recipes / "output", '{"a": 1}\n', name="minimal.jsonl")
    readme = _write(tmp_path / "datasets", "# Dataset Definitions\n", name="README.md")
    ttl = _write(tmp_path / "rdf", "@prefix cr: <http://mlcommons.org/croissant/> .\n", "x.ttl")
    for path in (meta, recipe):
        assert reader.claims(path)
    assert _read(sample) == [Skipped(SAMPLE_REASON)]
    assert _read(expected) == [Skipped(SAMPLE_REASON)]
    assert _read(recipe_out) == [Skipped(SAMPLE_REASON)]
    assert _read(readme) == [Skipped(README_REASON)]
    assert _read(ttl) == [Skipped(RDF_REASON)]

    other = tmp_path / "elsewhere"
    not_croissant = [
        _write(other, {"@context": "https://schema.org", "@type": "Dataset"}, name="schema.json"),
        _write(other / "data", '{"a": 1}\n', name="rows.jsonl"),  # no Croissant file beside data/
        _write(other / "output", "x\n", name="out.jsonl"),
        _write(other, "# readme\n", name="README.md"),
        _write(other, "@prefix schema: <https://schema.org/> .\n", name="y.ttl"),
        _write(other, {"plain_text": {"features": {}}}, name="dataset_infos.json"),
    ]
    _write(other, {"not": "croissant"}, name="metadata.json")  # a metadata.json of another format
    for path in not_croissant:
        assert not reader.claims(path), path


# ---------------------------------------------------------------- real data


def _read_folder(
    root: Path,
) -> tuple[dict[str, AssetRecord], Counter, list[tuple[str, str]], list[str]]:
    """Every file under `root` through the reader: records by path, skip reasons, errors."""
    reader = CroissantReader()
    records: dict[str, AssetRecord] = {}
    skipped: Counter = Counter()
    errors: list[tuple[str, str]] = []
    unclaimed: list[str] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if not reader.claims(path):
            unclaimed.append(rel)
            continue
        try:
            for item in reader.read(path):
                if isinstance(item, AssetRecord):
                    records[rel] = item
                elif isinstance(item, Skipped):
                    skipped[item.reason] += 1
                else:
                    errors.append((rel, item.reason))
        except RecordError as exc:
            errors.append((rel, exc.reason))
    return records, skipped, errors, unclaimed


def test_real_croissant_examples() -> None:
    if not EXAMPLES.exists():
        pytest.skip(f"shared data not present: {EXAMPLES}")
    records, skipped, errors, unclaimed = _read_folder(EXAMPLES)
    assert len(records) == 80  # 60 metadata.json + 21 recipes, less the one without a name
    assert errors == [(
        "datasets/1.0/huggingface-squad/metadata.json",
        "Croissant dataset has no 'name', so it cannot be identified",
    )]
    assert skipped == {SAMPLE_REASON: 138, RDF_REASON: 3, README_REASON: 1}
    assert unclaimed == ["MANIFEST.md"]
    assert len({r.asset_id for r in records.values()}) == 50  # one dataset in 0.8/1.0/1.1 merges

    titanic = records["datasets/1.0/titanic/metadata.json"]
    titanic_08 = records["datasets/0.8/titanic/metadata.json"]
    assert titanic.asset_id == titanic_08.asset_id == "croissant:dataset/Titanic"
    assert (titanic.license, titanic.url) == ("afl-3.0", "https://www.openml.org/d/40945")
    assert [t.name for t in titanic.tables] == ["genders", "embarkation_ports", "passengers"]
    assert ("survived", "Integer") in _columns(titanic, "passengers")

    squad = records["datasets/1.1/huggingface-squad_v2/metadata.json"]
    assert ("answers.text", "Sequence(Text)") in _columns(squad, "squad_v2")
    assert squad.organization == "Pranav R"
    assert "hf:dataset/rajpurkar/squad_v2" in squad.aliases
    assert squad.summary.startswith("Stanford Question Answering Dataset (SQuAD) is a reading")

    multilingual = records["datasets/1.1/recipes/minimal_multilingual.json"]
    assert multilingual.name == "minimal_example_with_multilingual_descriptions"
    assert _columns(multilingual, "examples") == [("name", "Text"), ("age", "Integer")]

    crawl = records["datasets/1.1/commoncrawl-CC-MAIN-2025-43-draft/metadata.json"]
    assert (crawl.created, crawl.organization) == ("2025-10-19", "The Common Crawl Foundation")
    mri = records["datasets/1.1/zenodo-head-mri/metadata.json"]
    assert mri.size_bytes == 4_698_000  # "4.698 MB"
    assert "dataBiases" in records["datasets/1.0/bigcode-the-stack/metadata.json"].extra["rai"]
    assert 170 <= sum(len(r.tables) for r in records.values()) <= 180
