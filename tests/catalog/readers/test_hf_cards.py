"""HF card readers: model/dataset cards with YAML, Hub API rows, layouts, broken input."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from assetscout.catalog.readers.hf_cards import (
    CanonicalDatasetsReader,
    DatasetCardsReader,
    GenericCardReader,
    HubSampleReader,
    PopularCardsReader,
    READERS,
    generic_repo_id,
)
from assetscout.catalog.readers.hf_vocab import classify_hub_tags, is_language_tag
from assetscout.catalog.records import AssetRecord, Rejected, Skipped
from assetscout.errors import RecordError

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
CARDS = DATA / "cards"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _split(items: list) -> tuple[list[AssetRecord], list[Rejected], list[Skipped]]:
    return ([i for i in items if isinstance(i, AssetRecord)],
            [i for i in items if isinstance(i, Rejected)],
            [i for i in items if isinstance(i, Skipped)])


def _claimer(path: Path) -> str | None:
    return next((type(r).__name__ for r in READERS if r.claims(path)), None)


def _real(*parts: str) -> Path:
    path = CARDS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not found at {path}")
    return path


# ---------------------------------------------------------------- model cards

MODEL_CARD = """\
---
license: other
license_name: my-license-1.0
license_link: LICENSE
pipeline_tag: text-generation
library_name: transformers
tags:
- merge
- text-classification
language:
- en
- no
datasets: my-org/my-data
base_model:
- org-a/base-one
- https://huggingface.co/org-b/base-two
base_model_relation: merge
metrics:
- accuracy
extra_gated_prompt: Agree to the terms
model-index:
- name: my-model
  results:
  - task:
      type: text-classification
      name: Text Classification
    dataset:
      type: glue
      name: GLUE SST-2
      config: sst2
      split: validation
    metrics:
    - type: accuracy
      value: 91.5
      name: Accuracy
    - type: f1
      value: N/A
  - task:
      type: text-classification
    dataset:
      name: IMDB
  - task:
      type: question-answering
    dataset:
      type: squad
    metrics:
    - type: exact_match
      value: "80.1%"
- name: broken-entry
---

# My Model

My model merges two bases. It classifies text.

## Usage

Use it.
"""


def test_model_card_fields(tmp_path: Path) -> None:
    path = _write(tmp_path / "my-org@my-model.md", MODEL_CARD)
    assert _claimer(path) == "GenericCardReader"
    recs, rejected, _ = _split(list(GenericCardReader().read(path)))
    assert len(recs) == 1
    rec = recs[0]
    assert rec.asset_id == "hf:model/my-org/my-model" and rec.kind == "model"
    assert rec.license == "other"
    assert rec.extra["license_name"] == "my-license-1.0" and rec.extra["license_link"] == "LICENSE"
    assert rec.tasks == ["text-generation", "text-classification"]
    assert rec.languages == ["en", "no"]  # YAML reads `no` as False; Norwegian is restored
    assert rec.library == "transformers"
    assert rec.access == "gated"
    assert [(d.name, d.role) for d in rec.datasets] == [("my-org/my-data", "train")]
    assert [(e.parent, e.relation) for e in rec.lineage] == [
        ("hf:model/org-a/base-one", "merge"), ("hf:model/org-b/base-two", "merge")]
    assert rec.title == "My Model"
    assert rec.summary == "My model merges two bases. It classifies text."
    assert rec.card_text.startswith("# My Model") and rec.priority == 10
    assert rec.extra["metrics"] == ["accuracy"]
    evals = {(e.metric, e.dataset): e for e in rec.evaluations}
    assert set(evals) == {("accuracy", "glue"), ("exact_match", "squad")}
    acc = evals[("accuracy", "glue")]
    assert (acc.value, acc.task, acc.config, acc.split) == (91.5, "text-classification", "sst2", "validation")
    assert evals[("exact_match", "squad")].value == 80.1
    reasons = sorted(r.reason for r in rejected)
    assert reasons == [
        "model-index entry 1, result 1, metric 2 (f1) value 'N/A' is not a number",
        "model-index entry 1, result 2 has no 'metrics' list",
        "model-index entry 2 has no 'results' list",
    ]
    assert {r.line for r in rejected} == {MODEL_CARD.splitlines().index("model-index:") + 1}


def test_relation_inferred_and_bad_relation_reported(tmp_path: Path) -> None:
    card = "---\nbase_model: TheBloke/x\nbase_model_relation: copy\ntags: [gguf]\n---\nbody text\n"
    path = _write(tmp_path / "a@b.md", card)
    recs, rejected, _ = _split(list(GenericCardReader().read(path)))
    assert [(e.parent, e.relation) for e in recs[0].lineage] == [("hf:model/TheBloke/x", "quantized")]
    assert len(rejected) == 1 and "base_model_relation is 'copy'" in rejected[0].reason
    assert rejected[0].line == 3


def test_license_mapping_is_reported_and_card_still_read(tmp_path: Path) -> None:
    path = _write(tmp_path / "a@b.md", "---\nlicense:\n  name: mit\ntags: [x]\n---\nHello.\n")
    recs, rejected, _ = _split(list(GenericCardReader().read(path)))
    assert recs[0].license is None and recs[0].tags == ["x"]
    assert rejected[0].reason == "'license' is a mapping, expected a license id; field ignored"
    assert rejected[0].line == 2


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ("---\nlicense: mit\ntags: [a, b\n---\nbody\n", "YAML front matter is not valid YAML", 3),
        ("\n\n---\nlicense: mit\ntags: [a, b\n---\nbody\n", "YAML front matter is not valid YAML", 5),
        ("---\nlicense: mit\n\n# Title\n", "never closed", 1),
        ("---\n- license\n- mit\n---\nbody\n", "expected a mapping", 2),
        ("<!DOCTYPE html>\n<html><head></head><body>license: mit</body></html>\n", "HTML page", 1),
    ],
)
def test_broken_card_rejected_whole(tmp_path: Path, text: str, reason: str, line: int) -> None:
    path = _write(tmp_path / "org@broken.md", text)
    with pytest.raises(RecordError) as err:
        list(GenericCardReader().read(path))
    assert reason in err.value.reason
    assert err.value.line == line


def test_card_without_yaml_and_with_empty_yaml(tmp_path: Path) -> None:
    plain = _write(tmp_path / "org" / "README.md", "# Tiny Net\n\nA tiny network for tests.\n")
    assert _claimer(plain) is None  # plain markdown docs are not cards
    empty = _write(tmp_path / "org@tiny.md", "---\n---\n\n# Tiny Net\n\nA tiny network.\n")
    assert _claimer(empty) == "GenericCardReader"
    recs, rejected, _ = _split(list(GenericCardReader().read(empty)))
    assert recs[0].asset_id == "hf:model/org/tiny" and recs[0].summary == "A tiny network."
    assert not rejected
    braces = _write(tmp_path / "org@braces.md", "---\n{}\n---\nBody.\n")
    assert _claimer(braces) == "GenericCardReader"


def test_template_is_skipped(tmp_path: Path) -> None:
    text = ("---\nlanguage:\n- {lang_0}\nlicense: {license}\nlicense_name: {license_name}\n"
            "library_name: {library_name}\nextra_gated_fields:\n"
            "- {field_name_0}: {field_type_0}\n---\nSpec.\n")
    path = _write(tmp_path / "spec" / "modelcard.md", text)
    items = list(GenericCardReader().read(path))
    assert len(items) == 1 and isinstance(items[0], Skipped) and "template" in items[0].reason


def test_generic_claims_and_ids(tmp_path: Path) -> None:
    jekyll = _write(tmp_path / "post.md", "---\nlayout: post\ntitle: Hi\n---\ntext\n")
    assert _claimer(jekyll) is None
    readme = _write(tmp_path / "acme@widget" / "README.md", "---\nlicense: mit\n---\nA widget.\n")
    assert _claimer(readme) == "GenericCardReader"
    assert generic_repo_id(readme) == "acme/widget"
    assert generic_repo_id(tmp_path / "bert-base-uncased.md") == "bert-base-uncased"
    data_card = _write(tmp_path / "sets" / "mini" / "README.md",
                       "---\nlicense: cc0-1.0\ntask_categories: [translation]\n---\nPairs.\n")
    recs, _, _ = _split(list(GenericCardReader().read(data_card)))
    assert recs[0].asset_id == "hf:dataset/mini" and recs[0].kind == "dataset"
    assert _claimer(tmp_path / "notes.txt") is None


def test_trainer_generated_text_gives_lineage_dataset_and_results(tmp_path: Path) -> None:
    body = ("---\nlicense: apache-2.0\ntags: [generated_from_trainer]\n---\n\n"
            "This model is a fine-tuned version of [DistilBERT]"
            "(https://huggingface.co/distilbert-base-uncased) on the imdb dataset.\n"
            "It achieves the following results on the evaluation set:\n- Loss: 0.2301\n"
            "- Accuracy: 0.9312\n- Runtime: fast\n")
    path = _write(tmp_path / "me@distil-imdb.md", body)
    rec = _split(list(GenericCardReader().read(path)))[0][0]
    assert [(e.parent, e.relation) for e in rec.lineage] == [("hf:model/distilbert-base-uncased", "finetune")]
    assert [(d.name, d.role) for d in rec.datasets] == [("imdb", "finetune")]
    assert [(e.metric, e.value, e.dataset) for e in rec.evaluations] == [
        ("Loss", 0.2301, "imdb"), ("Accuracy", 0.9312, "imdb")]


# ---------------------------------------------------------------- Hub API rows


def test_hub_rows(tmp_path: Path) -> None:
    good = {"modelId": "org/m1", "downloads": 12.0, "likes": 3.0,
            "tags": ["license:mit", "dataset:squad", "base_model:quantized:org/base", "arxiv:1810.04805",
                     "en", "yue", "sv-SE", "ppo", "question-answering", "transformers",
                     "sentence-transformers", "pytorch", "region:us", "custom"],
            "modelcard_text": "\n# M1\n\nAnswers questions.\n"}
    lines = [
        json.dumps(good),
        "{not json",
        json.dumps({"tags": []}),
        json.dumps({"modelId": "org/m1", "tags": []}),
        json.dumps({"modelId": "org/m2", "tags": "license:mit", "modelcard_text": "---\nbroken: [\n"}),
    ]
    path = tmp_path / "dump" / "models.jsonl"
    path.parent.mkdir()
    path.write_bytes(("\n".join(lines) + "\n").encode() + b'{"modelId": "org/\xff"}\n')
    assert _claimer(path) == "HubSampleReader"
    recs, rejected, _ = _split(list(HubSampleReader().read(path)))
    assert [r.asset_id for r in recs] == ["hf:model/org/m1", "hf:model/org/m2"]
    m1 = recs[0]
    assert (m1.license, m1.downloads, m1.likes, m1.line) == ("mit", 12, 3, 1)
    assert m1.languages == ["en", "yue", "sv-SE"] and m1.tasks == ["question-answering"]
    assert m1.library == "sentence-transformers"
    assert sorted(m1.tags) == ["custom", "ppo", "pytorch", "transformers"]
    assert [(d.name, d.role) for d in m1.datasets] == [("squad", "train")]
    assert [(e.parent, e.relation) for e in m1.lineage] == [("hf:model/org/base", "quantized")]
    assert m1.extra == {"arxiv": ["1810.04805"], "region": ["us"]}
    assert m1.title == "M1" and m1.summary == "Answers questions."
    assert recs[1].card_text == "---\nbroken: [" and recs[1].license is None
    got = {r.line: r.reason for r in rejected}
    assert got[2].startswith("line is not valid JSON")
    assert got[3] == "row has no 'modelId' string"
    assert got[4] == "model org/m1 already read at line 1; duplicate row ignored"
    assert got[5] == "'tags' of org/m2 is a str, expected a list; tags ignored"
    assert got[6] == "line is not valid UTF-8"
    dup = _write(tmp_path / "dump" / "cards" / "org@m1.md", "# M1\n")
    assert _claimer(dup) == "HubSampleReader"
    assert isinstance(next(iter(HubSampleReader().read(dup))), Skipped)
    lone = _write(tmp_path / "other" / "cards" / "org@m1.md", "# M1\n")
    assert _claimer(lone) is None


def test_hub_rows_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "models.jsonl"
    path.write_text("\n\n")
    with pytest.raises(RecordError, match="empty"):
        list(HubSampleReader().read(path))


def test_tag_vocabulary() -> None:
    assert is_language_tag("en") and is_language_tag("yue") and is_language_tag("pt-BR")
    assert not any(is_language_tag(t) for t in ("ppo", "moe", "llm", "tf", "7b", "gguf"))
    hub = classify_hub_tags(["peft", "transformers", "base_model:org/x", "license:apache-2.0", "license:mit"])
    assert hub.library == "peft" and hub.tags == ["transformers"]
    assert hub.base_models == [("org/x", None)] and hub.license == "apache-2.0"


# ---------------------------------------------------------------- dataset cards

DATASET_CARD = """\
---
pretty_name: Mini Reviews
paperswithcode_id: mini-reviews
license:
- cc-by-4.0
- mit
language:
- en
task_categories:
- text-classification
task_ids:
- sentiment-classification
size_categories:
- 1K<n<10K
multilinguality:
- monolingual
source_datasets:
- original
- extended|imdb
- irds/gov2
- extended|other-web
dataset_info:
- config_name: plain
  features:
  - name: text
    dtype: string
  - name: label
    dtype:
      class_label:
        names:
          '0': neg
          '1': pos
  - name: tokens
    sequence: string
  - name: tags
    sequence:
      class_label:
        names: [O, B-PER]
  - name: meta
    struct:
    - name: id
      dtype: int32
  splits:
  - name: train
    num_bytes: 1000
    num_examples: 900
  - name: test
    num_examples: 100
  download_size: 700
  dataset_size: 1200
- config_name: raw
  features:
  - name: html
    dtype: string
  dataset_size: 300
- just a string
configs:
- config_name: raw
  data_files:
  - split: train
    path: raw/train-*.parquet
---

# Dataset Card for Mini Reviews

## Dataset Summary

[More Information Needed]
"""


def _dataset_layout(tmp_path: Path, names: list[str] | None) -> Path:
    top = tmp_path / "hub_dump"
    (top / "cards").mkdir(parents=True)
    if names is not None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.table({"dataset_name": names}), top / "dataset_info.parquet")
    return top / "cards"


def test_dataset_card_fields(tmp_path: Path) -> None:
    cards = _dataset_layout(tmp_path, ["someone/mini_reviews", "ag_news"])
    path = _write(cards / "someone_mini_reviews.md", DATASET_CARD)
    assert _claimer(path) == "DatasetCardsReader"
    recs, rejected, _ = _split(list(DatasetCardsReader().read(path)))
    rec = recs[0]
    assert rec.asset_id == "hf:dataset/someone/mini_reviews" and rec.kind == "dataset"
    assert rec.url == "https://huggingface.co/datasets/someone/mini_reviews"
    assert rec.title == "Mini Reviews" and rec.summary is None  # a placeholder is no summary
    assert rec.license == "cc-by-4.0, mit" and rec.extra["licenses"] == ["cc-by-4.0", "mit"]
    assert rec.tasks == ["text-classification", "sentiment-classification"]
    assert rec.aliases == ["pwc:mini-reviews", "Mini Reviews", "mini_reviews"]
    assert "size_categories:1K<n<10K" in rec.tags and "multilinguality:monolingual" in rec.tags
    assert [(e.parent, e.relation) for e in rec.lineage] == [
        ("hf:dataset/imdb", "derived"), ("hf:dataset/irds/gov2", "derived")]
    plain, raw = rec.tables
    assert (plain.name, plain.n_rows) == ("plain", 1000)
    assert plain.description == "splits train: 900 rows, test: 100 rows"
    assert [(c.name, c.type, c.description) for c in plain.columns] == [
        ("text", "string", None), ("label", "class_label", "classes: neg, pos"),
        ("tokens", "sequence<string>", None), ("tags", "sequence<class_label>", "classes: O, B-PER"),
        ("meta", "struct", None)]
    assert (raw.name, raw.n_rows, raw.path) == ("raw", None, "raw/train-*.parquet")
    assert rec.size_bytes == 1500
    assert [r.reason for r in rejected] == ["dataset_info config 3 is a str, expected a mapping"]
    assert rejected[0].line == DATASET_CARD.splitlines().index("dataset_info:") + 1


def test_dataset_ids_from_hub_table_and_without(tmp_path: Path) -> None:
    cards = _dataset_layout(tmp_path / "a", ["ag_news", "my-org/long_name_here"])
    reader = DatasetCardsReader()
    assert reader.repo_id(_write(cards / "ag_news.md", "x")) == "ag_news"
    assert reader.repo_id(_write(cards / "my-org_long_name_here.md", "x")) == "my-org/long_name_here"
    bare = tmp_path / "b" / "hf_dataset_cards_copy" / "cards"
    card = _write(bare / "my-org_long_name_here.md", "---\nlicense: mit\n---\nx\n")
    assert _claimer(card) == "DatasetCardsReader"
    assert DatasetCardsReader().repo_id(card) == "my-org/long_name_here"  # first '_' without the table
    elsewhere = _write(tmp_path / "c" / "cards" / "a_b.md", "# notes\n")
    assert _claimer(elsewhere) is None


def test_canonical_layout(tmp_path: Path) -> None:
    root = tmp_path / "hf_datasets_canonical_copy"
    card = _write(root / "datasets" / "tiny" / "README.md",
                  "---\npretty_name: Tiny\nlicense: [mit]\n---\nTiny.\n")
    (card.parent / "dataset_infos.json").write_text("{}")
    builder = _write(root / "datasets" / "csv" / "README.md", "\n### Contributions\n\nThanks.\n")
    metric = _write(root / "metric_cards" / "bleu" / "README.md", "# Metric Card for BLEU\n")
    assert {_claimer(p) for p in (card, builder, metric)} == {"CanonicalDatasetsReader"}
    rec = next(iter(CanonicalDatasetsReader().read(card)))
    assert (rec.asset_id, rec.license, rec.title) == ("hf:dataset/tiny", "mit", "Tiny")
    assert "loading script" in next(iter(CanonicalDatasetsReader().read(builder))).reason
    assert "metric card" in next(iter(CanonicalDatasetsReader().read(metric))).reason
    other = _write(tmp_path / "repo" / "datasets" / "README.md", "# All datasets\n")
    assert _claimer(other) is None


def test_popular_layout(tmp_path: Path) -> None:
    raw = _write(tmp_path / "acme@rocket" / "1_raw.md", "---\nlicense: mit\n---\n# Rocket\n\nFast.\n")
    dup = _write(tmp_path / "acme@rocket" / "2_original_model_card.md", "# Rocket\n\nFast.\n")
    assert _claimer(raw) == _claimer(dup) == "PopularCardsReader"
    assert next(iter(PopularCardsReader().read(raw))).asset_id == "hf:model/acme/rocket"
    assert isinstance(next(iter(PopularCardsReader().read(dup))), Skipped)


# ---------------------------------------------------------------- real data


def _read_all(folder: Path) -> tuple[list[AssetRecord], list[Rejected], list[Skipped], Counter]:
    recs, rejected, skipped = [], [], []
    failed: Counter = Counter()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        reader = next((r for r in READERS if r.claims(path)), None)
        if reader is None:
            continue
        try:
            r, j, s = _split(list(reader.read(path)))
        except RecordError as exc:
            failed[exc.reason] += 1
            continue
        recs += r
        rejected += j
        skipped += s
    return recs, rejected, skipped, failed


def test_real_model_cards() -> None:
    recs, rejected, skipped, failed = _read_all(_real("hf_model_cards_misc"))
    assert len(recs) == 758 + 48 + 40
    assert len(skipped) == 758 + 48 and not rejected and not failed
    by = {r.asset_id: r for r in recs}
    assert len(by) == len(recs) - 1  # stable-diffusion-v1-4 is in two collections
    bloom = by["hf:model/bigscience/bloom"]
    assert bloom.license == "bigscience-bloom-rail-1.0"
    assert {(e.metric, e.value, e.dataset) for e in bloom.evaluations} >= {
        ("pass@1", 0.15542682926829265, "openai_humaneval")}
    bge = by["hf:model/BAAI/bge-m3"]
    assert (bge.license, bge.tasks[0], bge.library) == ("mit", "sentence-similarity", "sentence-transformers")
    wav = by["hf:model/DrishtiSharma/wav2vec2-large-xls-r-300m-ab-v4"]
    assert (wav.license, wav.languages, wav.line) == ("apache-2.0", ["ab"], 1)
    assert ("Wer", 0.5794) in {(e.metric, e.value) for e in wav.evaluations}
    merge = by["hf:model/Gille/StrangeMerges_22-7B-slerp"]
    assert sorted((e.parent, e.relation) for e in merge.lineage) == [
        ("hf:model/Gille/StrangeMerges_21-7B-slerp", "merge"), ("hf:model/paulml/OGNO-7B", "merge")]
    assert by["hf:model/CAUKiel/JavaBERT"].languages == ["code"]
    assert 300 <= sum(len(r.evaluations) for r in recs) <= 600
    assert 200 <= sum(len(r.lineage) for r in recs) <= 350


def test_real_canonical_datasets() -> None:
    recs, rejected, skipped, failed = _read_all(_real("hf_datasets_canonical_2022"))
    assert len(recs) == 764 and not rejected and not failed
    assert Counter(s.reason.split(" ")[0] for s in skipped) == {"metric": 41, "README": 6}
    squad = next(r for r in recs if r.asset_id == "hf:dataset/squad")
    assert (squad.title, squad.license, squad.languages) == ("SQuAD", "cc-by-4.0", ["en"])
    assert "pwc:squad" in squad.aliases and "extractive-qa" in squad.tasks
    assert [(e.parent, e.relation) for e in squad.lineage] == [("hf:dataset/wikipedia", "derived")]


def test_real_dataset_cards_sample() -> None:
    cards = _real("hf_dataset_cards_2023", "cards")
    reader = DatasetCardsReader()
    quotes = next(iter(reader.read(cards / "Abirate_english_quotes.md")))
    assert quotes.asset_id == "hf:dataset/Abirate/english_quotes"
    assert quotes.tasks == ["text-classification", "multi-label-classification"]
    assert next(iter(reader.read(cards / "ag_news.md"))).asset_id == "hf:dataset/ag_news"
    shader = next(iter(reader.read(cards / "Vipitis_Shadertoys-fine.md")))
    assert shader.license == "cc-by-nc-sa-3.0" and shader.languages == ["en", "code"]
    assert [(t.name, t.n_rows) for t in shader.tables] == [("default", 184946 + 32638)]
    assert [c.name for c in shader.tables[0].columns] == ["name", "code", "source", "author"]
    with pytest.raises(RecordError, match="HTML page"):
        list(reader.read(cards / "gimmaru_github-issues.md"))
    with pytest.raises(RecordError, match="never closed") as err:
        list(reader.read(cards / "DTU54DL_commo-test1k-whisper-proc.md"))
    assert err.value.line == 1


@pytest.mark.slow
def test_real_dataset_cards_all() -> None:
    recs, rejected, skipped, failed = _read_all(_real("hf_dataset_cards_2023"))
    assert len(recs) == 7423 and not skipped
    assert sum(failed.values()) == 10
    assert failed["file is an HTML page, not a markdown card"] == 1
    assert len({r.asset_id for r in recs}) == len(recs)
    assert 5900 <= sum(len(r.tables) for r in recs) <= 6100
    assert len(rejected) < 20
