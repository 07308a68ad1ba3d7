"""Papers with Code readers: DataFinder corpus, sota-extractor tables, taxonomy files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assetscout.catalog.readers.pwc import (
    READERS,
    DataFinderCorpusReader,
    PwcAuxiliaryReader,
    SotaTablesReader,
    lead_sentences,
    load_synonyms,
    load_task_taxonomy,
)
from assetscout.catalog.readers.pwc_sota import parse_metric_value, parse_parameter_count
from assetscout.catalog.records import AssetRecord, Evaluation, Rejected, Skipped
from assetscout.errors import RecordError

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
PWC = DATA / "cards" / "pwc_derived"
TASKS = PWC / "sota_extractor_data" / "tasks"
CORPUS = DATA / "retrieval" / "datafinder" / "corpus_pwc_datasets.jsonl"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"shared data not found at {path}")
    return path


def _split(items: list) -> tuple[dict[str, AssetRecord], list[Rejected], list[Skipped]]:
    records = {i.name: i for i in items if isinstance(i, AssetRecord)}
    assert len(records) == sum(isinstance(i, AssetRecord) for i in items), "one record per asset"
    return (
        records,
        [i for i in items if isinstance(i, Rejected)],
        [i for i in items if isinstance(i, Skipped)],
    )


# ---------------------------------------------------------------- DataFinder corpus

GOOD = {
    "id": "MuMu",
    "contents": "MuMu is a new dataset of 31k albums. It has 250 genre classes. Third one.\r\n\r\n"
    "Source: [Multi-label Music Genre Classification](/paper/multi-label-music)",
    "variants": ["MuMu", "MuMu albums"],
    "title": "Multi-label Music Genre Classification",
    "year": 2017,
    "date": "2017-07-16",
}


def _corpus(tmp_path: Path, lines: list[str], name: str = "corpus_pwc_datasets.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_corpus_line_becomes_dataset_record(tmp_path: Path) -> None:
    path = _corpus(tmp_path, [json.dumps(GOOD)])
    (rec,) = DataFinderCorpusReader().read(path)
    assert rec.asset_id == "pwc:dataset/MuMu" and rec.kind == "dataset"
    assert rec.name == rec.title == "MuMu"
    assert rec.aliases == ["MuMu", "MuMu albums"]
    assert rec.summary == "MuMu is a new dataset of 31k albums. It has 250 genre classes."
    assert rec.card_text.endswith("Source: Multi-label Music Genre Classification")
    assert "](" not in rec.card_text and "\r" not in rec.card_text
    assert rec.extra == {
        "source_url": "https://paperswithcode.com/paper/multi-label-music",
        "paper_title": "Multi-label Music Genre Classification",
        "date": "2017-07-16",
        "year": 2017,
    }
    assert rec.priority == 20 and rec.line == 1


def test_corpus_bad_lines_are_rejected_and_good_ones_kept(tmp_path: Path) -> None:
    dup = dict(GOOD, title="Another paper", variants=["MuMu-v2"])
    lines = [
        json.dumps(GOOD),
        '{"id": "Broken", "contents": ',  # 2: truncated JSON
        "[1, 2]",  # 3: not an object
        json.dumps({"contents": "no id", "variants": []}),  # 4
        json.dumps({"id": "X", "contents": ["a"], "variants": []}),  # 5
        json.dumps({"id": "Y", "contents": "ok", "variants": 3}),  # 6
        "",  # 7: blank, ignored
        json.dumps(dup),  # 8: same id again
        json.dumps({"id": "Empty", "contents": "", "variants": "Empty set"}),  # 9
    ]
    records, rejected, _ = _split(list(DataFinderCorpusReader().read(_corpus(tmp_path, lines))))
    assert set(records) == {"MuMu", "Empty"}
    assert [(r.line, r.reason) for r in rejected] == [
        (2, "line is not valid JSON: Expecting value (column 30)"),
        (3, "line is a JSON list, expected an object"),
        (4, "line has no 'id' (the dataset name)"),
        (5, "'contents' of 'X' is a list, expected text"),
        (6, "'variants' of 'Y' is not a list of names"),
    ]
    mumu = records["MuMu"]
    assert mumu.aliases == ["MuMu", "MuMu albums", "MuMu-v2"]
    assert mumu.extra["other_paper_titles"] == ["Another paper"]
    assert mumu.extra["duplicate_lines"] == [8]
    empty = records["Empty"]
    assert empty.summary is None and empty.card_text is None and empty.aliases == ["Empty set"]


def test_corpus_whole_file_problems_raise(tmp_path: Path) -> None:
    empty = _corpus(tmp_path, [""])
    with pytest.raises(RecordError, match="file is empty"):
        list(DataFinderCorpusReader().read(empty))
    latin = tmp_path / "corpus_pwc_datasets.jsonl"
    latin.write_bytes(b'{"id": "Caf\xe9", "contents": "", "variants": []}\n')
    with pytest.raises(RecordError, match="not valid UTF-8"):
        list(DataFinderCorpusReader().read(latin))


def test_corpus_claims(tmp_path: Path) -> None:
    reader = DataFinderCorpusReader()
    renamed = _corpus(tmp_path, [json.dumps(GOOD)], name="pwc_copy.jsonl")
    other = _corpus(tmp_path, [json.dumps({"name": "bert", "license": "mit"})], name="meta.jsonl")
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_bytes(b"\xff\xfe not json")
    assert reader.claims(renamed)
    assert not reader.claims(other) and not reader.claims(garbage)
    lonely = tmp_path / "elsewhere" / "queries_dev.tsv"
    lonely.parent.mkdir()
    lonely.write_text("query_id\tquery\n")
    assert not reader.claims(lonely)
    beside = tmp_path / "queries_dev.tsv"
    beside.write_text("query_id\tquery\n")
    _corpus(tmp_path, [json.dumps(GOOD)])
    assert reader.claims(beside)
    assert list(reader.read(beside)) == [
        Skipped("retrieval benchmark queries/judgments, not asset metadata")
    ]


def test_lead_sentences_is_short_and_whole() -> None:
    assert lead_sentences("") is None
    assert lead_sentences("One. Two. Three.") == "One. Two."
    long = "word " * 100
    summary = lead_sentences(long, limit=50)
    assert summary.endswith("...") and len(summary) <= 53


def test_real_corpus() -> None:
    records, rejected, skipped = _split(list(DataFinderCorpusReader().read(_need(CORPUS))))
    # 3,327 lines; 33 ids appear twice (same text, another paper title) and are merged.
    assert len(records) == 3294 and not rejected and not skipped
    mumu = records["MuMu"]
    assert mumu.summary == (
        "MuMu is a new dataset of more than 31k albums classified into 250 genre classes."
    )
    assert mumu.extra["source_url"] == "https://arxiv.org/pdf/1707.04916"
    assert mumu.extra["year"] == 2017
    imdb = records["IMDb Movie Reviews"]
    assert imdb.asset_id == "pwc:dataset/IMDb Movie Reviews"
    assert imdb.aliases == ["IMDb", "IMDb Movie Reviews", "User and product information"]
    assert imdb.extra["duplicate_lines"] == [1395]
    assert records["DIV2K"].aliases[-1] == "DIV2K val - 4x upscaling"
    assert records["ATIS"].extra["paper_title"] == "The ATIS Spoken Language Systems Pilot Corpus"
    assert sum(len(r.aliases) for r in records.values()) > 3000
    assert sum(r.summary is None for r in records.values()) == 14  # empty or 'Source:'-only text


def test_real_benchmark_files_are_skipped() -> None:
    folder = _need(CORPUS).parent
    reader = DataFinderCorpusReader()
    for name in ("queries_dev.tsv", "qrels_dev.tsv"):
        assert reader.claims(folder / name)
        (item,) = reader.read(folder / name)
        assert isinstance(item, Skipped)


# ---------------------------------------------------------------- sota tables


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (81.3, 81.3),
        (7, 7.0),
        ("90.871", 90.871),
        ("93.2%", 93.2),
        ("86.5 (dev)", 86.5),
        ("17.1(16.1 with basic dynamic evaluation)", 17.1),
        ("0.7482 ± 0.0015", 0.7482),
        ("0.25±0.005", 0.25),
        ("**70.3**", 70.3),
        ("63.7*", 63.7),
        ("60.7+", 60.7),
        ("\ufeff93.3", 93.3),
        ("−3.5", -3.5),
        ("78.6/84.4", None),
        ("(32.76 32.07 26.26 22.74)", None),
        ("-", None),
        ("", None),
        ("Please tell us", None),
        (None, None),
        (True, None),
        (["1"], None),
    ],
)
def test_parse_metric_value(raw: object, expected: float | None) -> None:
    assert parse_metric_value(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("24M", 24_000_000), ("0.46B", 460_000_000), ("3.0m", 3_000_000), ("~257M", 257_000_000),
     ("2179678", 2_179_678), ("220k", 220_000), ("43B?", None), ("Please tell us", None)],
)
def test_parse_parameter_count(raw: str, expected: int | None) -> None:
    assert parse_parameter_count(raw) == expected


def _row(model: str, metrics: object, **paper: str) -> dict:
    return {"model_name": model, "metrics": metrics, "paper_title": paper.get("title", ""),
            "paper_url": paper.get("url", ""), "paper_date": paper.get("date"),
            "code_links": [{"title": "code", "url": "https://github.com/x/y"}]}


TABLE = [
    {
        "task": "Language Modelling",
        "datasets": [
            {
                "dataset": "PTB",
                "sota": {"metrics": ["ppl"], "rows": [
                    _row("AWD-LSTM", {"Test perplexity": "57.3", "Number of params": "24M"},
                         title="Regularizing LSTMs", url="https://arxiv.org/abs/1708.02182",
                         date="2017-08-07"),
                    _row("Bad", {"Test perplexity": "-", "Note": "n/a"}),
                    "not a row",
                    _row("", {"Test perplexity": "60.0"}, title="Some Paper Title"),
                    _row("", {"Test perplexity": "61.0"}),
                    _row("ListMetrics", ["57.3"]),
                ]},
                "subdatasets": [{"subdataset": "char", "sota": {"rows": [
                    _row("AWD-LSTM", {"BPC": "1.175 (test)"}),
                ]}}],
            },
            {"description": "no name", "sota": {"rows": [_row("Lost", {"F1": "1"})]}},
        ],
        "subtasks": [
            {"task": "Word Level Models", "datasets": [{"dataset": "WikiText-2", "sota": {"rows": [
                _row("AWD-LSTM", {"Test perplexity": "65.8", "Number of params": "24M",
                                  "Accuracy": "93.2%"}),
            ]}}]},
        ],
    },
    42,
]


def _table(tmp_path: Path, data: object, name: str = "lm.json") -> Path:
    folder = tmp_path / "sota_extractor_data" / "tasks"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def test_sota_rows_merge_per_model(tmp_path: Path) -> None:
    records, rejected, _ = _split(list(SotaTablesReader().read(_table(tmp_path, TABLE))))
    assert set(records) == {"AWD-LSTM", "Some Paper Title"}
    awd = records["AWD-LSTM"]
    assert awd.asset_id == "pwc:model/AWD-LSTM" and awd.kind == "model" and awd.priority == 30
    assert awd.evaluations == [
        Evaluation("Test perplexity", 57.3, dataset="PTB", task="Language Modelling"),
        Evaluation("BPC", 1.175, dataset="PTB", task="Language Modelling", config="char"),
        Evaluation("Test perplexity", 65.8, dataset="WikiText-2", task="Word Level Models"),
        Evaluation("Accuracy", 93.2, dataset="WikiText-2", task="Word Level Models"),
    ]
    assert awd.parameters == 24_000_000
    assert [(c.key, c.value) for c in awd.configurations] == [("Number of params", "24M")]
    assert awd.tasks == ["Language Modelling", "Word Level Models"]
    assert [(d.name, d.role) for d in awd.datasets] == [("PTB", "eval"), ("WikiText-2", "eval")]
    assert awd.url == "https://arxiv.org/abs/1708.02182"
    assert awd.extra["paper_title"] == "Regularizing LSTMs"
    assert awd.extra["paper_date"] == "2017-08-07"
    assert awd.extra["code_links"] == ["https://github.com/x/y"]
    assert awd.line is not None
    assert records["Some Paper Title"].extra["name_from"] == "paper_title"


def test_sota_malformed_parts_are_rejected_with_reasons(tmp_path: Path) -> None:
    path = _table(tmp_path, TABLE)
    _, rejected, _ = _split(list(SotaTablesReader().read(path)))
    reasons = [r.reason for r in rejected]
    assert reasons == [
        "row 2 of dataset 'PTB': model 'Bad' has no numeric metric value "
        "(Test perplexity: '-', Note: 'n/a')",
        "row 3 of dataset 'PTB' is a str, expected an object",
        "row 5 of dataset 'PTB' has no 'model_name' nor a paper title to name it by",
        "row 6 of dataset 'PTB': model 'ListMetrics' has 'metrics' a list, "
        "expected metric -> value",
        "dataset entry 2 of task 'Language Modelling' has no 'dataset' name; "
        "its rows are not read",
        "task entry 2 is a JSON int, expected an object",
    ]
    lines = path.read_text().splitlines()
    bad = rejected[0]
    assert '"model_name": "Bad"' in lines[bad.line - 1]


def test_sota_whole_file_problems(tmp_path: Path) -> None:
    reader = SotaTablesReader()
    broken = _table(tmp_path, None, name="broken.json")
    broken.write_text('[\n  {"task": "x",\n  }\n]\n')
    with pytest.raises(RecordError) as err:
        list(reader.read(broken))
    assert err.value.reason.startswith("file is not valid JSON") and err.value.line == 3
    number = _table(tmp_path, 3, name="number.json")
    with pytest.raises(RecordError, match="top level is a JSON int, expected a list of tasks"):
        list(reader.read(number))
    single = _table(tmp_path, TABLE[0], name="single.json")  # one task object, not a list
    assert "AWD-LSTM" in _split(list(reader.read(single)))[0]


def test_sota_claims(tmp_path: Path) -> None:
    reader = SotaTablesReader()
    copied = tmp_path / "copy.json"
    copied.write_text(json.dumps(TABLE))
    assert reader.claims(copied)
    croissant = tmp_path / "metadata.json"
    croissant.write_text(json.dumps({"@context": {}, "name": "x"}))
    other_list = tmp_path / "list.json"
    other_list.write_text(json.dumps([{"id": 1, "datasets": []}]))
    assert not reader.claims(croissant) and not reader.claims(other_list)
    assert not reader.claims(tmp_path / "copy.jsonl")


def test_format_example_with_trailing_comma_is_skipped(tmp_path: Path) -> None:
    example = tmp_path / "tasks" / "examples" / "example_json_format.json"
    example.parent.mkdir(parents=True)
    example.write_text('{"task": "Dialogue", "datasets": [{"title": "", "url": "",}]}')
    reader = SotaTablesReader()
    assert reader.claims(example)
    (item,) = reader.read(example)
    assert isinstance(item, Skipped) and "not valid JSON" in item.reason


def test_real_squad_table() -> None:
    records, rejected, _ = _split(list(SotaTablesReader().read(_need(TASKS / "squad.json"))))
    assert len(records) == 327
    assert len(rejected) == 65  # rows with neither a model name nor a paper title
    assert all("nor a paper title" in r.reason and r.line for r in rejected)
    text = (TASKS / "squad.json").read_text(encoding="utf-8").splitlines()
    assert all(text[r.line - 1].strip() == '"model_name": "",' for r in rejected)
    fpnet = records["FPNet (ensemble)"]
    first = fpnet.evaluations[:2]
    assert first == [
        Evaluation("EM", 90.871, dataset="SQuAD2.0", task="Question Answering"),
        Evaluation("F1", 93.183, dataset="SQuAD2.0", task="Question Answering"),
    ]
    assert records["Retro-Reader (ensemble)"].url == "http://arxiv.org/abs/2001.09694"


def test_real_nlp_progress_and_ogb() -> None:
    nlp, _, _ = _split(list(SotaTablesReader().read(_need(TASKS / "nlp-progress.json"))))
    doc = nlp["AWD-LSTM-DOC x5 (2018)"]
    assert doc.parameters == 185_000_000
    assert Evaluation("Test perplexity", 47.17, dataset="Penn Treebank",
                      task="Word Level Models") in doc.evaluations
    ogb, _, _ = _split(list(SotaTablesReader().read(_need(TASKS / "ogb.json"))))
    sagn = ogb["SAGN+SLE"]  # 'Test Accuracy': '0.8428 ± 0.0014'
    assert Evaluation("Test Accuracy", 0.8428, dataset="ogbn-products",
                      task="Node Property Prediction") in sagn.evaluations
    assert sagn.parameters is None  # two leaderboards give two different counts
    assert {c.value for c in sagn.configurations} == {"2179678", "8556888"}


def test_real_all_tables() -> None:
    reader = SotaTablesReader()
    records = evaluations = rejected = 0
    for path in sorted(_need(TASKS).glob("*.json")):
        assert reader.claims(path)
        for item in reader.read(path):
            if isinstance(item, AssetRecord):
                records += 1
                evaluations += len(item.evaluations)
            elif isinstance(item, Rejected):
                rejected += 1
    assert 1900 <= records <= 2000
    assert 5800 <= evaluations <= 6100
    assert 70 <= rejected <= 90
    (example,) = reader.read(TASKS / "examples" / "example_json_format.json")
    assert isinstance(example, Skipped)


# ---------------------------------------------------------------- taxonomy, synonyms


def test_auxiliary_files_are_skipped(tmp_path: Path) -> None:
    reader = PwcAuxiliaryReader()
    synonyms = tmp_path / "synonyms.csv"
    synonyms.write_text(
        'task,synonym\n"Chunking","Shallow parsing"\n"NER", "Entity recognition"\nlonely\n'
    )
    other = tmp_path / "x" / "synonyms.csv"
    other.parent.mkdir()
    other.write_text("word,synonym\nbig,large\n")
    taxonomy = tmp_path / "cv_tasks_detailed.csv"
    taxonomy.write_text("Task Name,Dataset Count\n")
    assert reader.claims(synonyms) and reader.claims(taxonomy)
    assert not reader.claims(other) and not reader.claims(tmp_path / "results-imagenet.csv")
    (item,) = reader.read(taxonomy)
    assert item == Skipped("task taxonomy, not asset metadata")
    assert load_synonyms(synonyms) == {"Chunking": "Shallow parsing", "NER": "Entity recognition"}


def test_load_task_taxonomy(tmp_path: Path) -> None:
    folder = tmp_path / "results" / "hierarchical"
    folder.mkdir(parents=True)
    (folder / "nlp_hierarchy.csv").write_text(
        "Task Name,Parent Task,Level,Dataset Count,Description\n"
        "Question Answering,,0,416,\nOpen-Domain QA,Question Answering,1,n/a,\n,,0,1,\n"
    )
    assert load_task_taxonomy(tmp_path) == [
        {"task": "Question Answering", "area": "nlp", "parent": None, "level": 0,
         "dataset_count": 416},
        {"task": "Open-Domain QA", "area": "nlp", "parent": "Question Answering", "level": 1,
         "dataset_count": None},
    ]
    assert load_task_taxonomy(tmp_path / "nowhere") == []


def test_real_taxonomy_and_synonyms() -> None:
    taxonomy = load_task_taxonomy(_need(PWC))
    assert len(taxonomy) == 5879
    assert {t["area"] for t in taxonomy} == {"cv", "nlp", "audio", "other"}
    assert {"task": "Speech Separation", "area": "audio", "parent": None, "level": 0,
            "dataset_count": 16} in taxonomy
    synonyms = load_synonyms(TASKS / "synonyms.csv")
    assert len(synonyms) == 14
    assert synonyms["Word Level Models"] == "Language Model"
    assert synonyms["Named entity recognition"] == "Entity recognition"


def test_every_real_pwc_file_has_exactly_one_pwc_reader() -> None:
    """Each file under pwc_derived is read or skipped by one reader (MANIFEST.md: misc)."""
    counts: dict[str, int] = {}
    for path in sorted(p for p in _need(PWC).rglob("*") if p.is_file()):
        claimed = [r.name for r in READERS if r.claims(path)]
        if path.name == "MANIFEST.md":
            assert claimed == []
            continue
        assert len(claimed) == 1, (path, claimed)
        counts[claimed[0]] = counts.get(claimed[0], 0) + 1
    assert counts == {"pwc_sota": 13, "pwc_taxonomy": 22}
