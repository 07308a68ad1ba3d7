"""TF Hub model docs: metadata comments -> records; broken docs fail alone, with a reason."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from assetscout.catalog.readers.tfhub import READERS, TfHubDocReader, TfHubVocabularyReader
from assetscout.catalog.records import AssetRecord, LineageEdge, Skipped
from assetscout.errors import RecordError

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
TFHUB = DATA / "cards" / "tfhub_models"

DOC = TfHubDocReader()
VOCAB = TfHubVocabularyReader()

MODULE_DOC = """\
# Module acme/vision/classifier/2

An image classifier trained on ImageNet.

<!-- asset-path: https://example.org/classifier.tar.gz -->
<!-- task: image-classification -->
<!-- task: image-feature-vector -->
<!-- dataset: imagenet-ilsvrc-2012-cls -->
<!-- dataset: other -->
<!-- network-architecture: mobilenet-v2 -->
<!-- network-architecture: other -->
<!-- language: en -->
<!-- language: de -->
<!-- license: apache-2.0 -->
<!-- fine-tunable: true -->
<!-- format: saved_model_2 -->
<!-- colab: https://colab.research.google.com/x.ipynb -->

## Overview

A longer description. <!-- an editor's note -->

```python
m = hub.KerasLayer("https://tfhub.dev/acme/vision/classifier/2")
```
"""

TASK_VOCAB = """\
values:
  - id: image-classification
    display_name: Image classification
  - id: image-feature-vector
    display_name: Image feature vector
"""

DATASET_VOCAB = """\
values:
  - id: imagenet-ilsvrc-2012-cls
    display_name: ImageNet (ILSVRC-2012-CLS)
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def tree(tmp_path: Path, rel: str, text: str, vocab: bool = True) -> Path:
    """A doc inside a `docs/` tree, with the `tags/` vocabularies beside it when asked."""
    if vocab:
        write(tmp_path / "tags" / "task.yaml", TASK_VOCAB)
        write(tmp_path / "tags" / "dataset.yaml", DATASET_VOCAB)
    return write(tmp_path / "docs" / rel, text)


def one_record(path: Path) -> AssetRecord:
    items = list(DOC.read(path))
    assert len(items) == 1 and isinstance(items[0], AssetRecord), items
    return items[0]


# ---------------------------------------------------------------- parsing


def test_module_doc_gives_every_facet(tmp_path: Path) -> None:
    path = tree(tmp_path, "acme/models/vision/classifier/2.md", MODULE_DOC)
    rec = one_record(path)
    assert rec.asset_id == "tfhub:model/acme/vision/classifier"
    assert (rec.kind, rec.name, rec.title) == ("model", *["acme/vision/classifier"] * 2)
    assert rec.priority == 20 and rec.organization == "acme" and rec.library == "tensorflow"
    assert rec.summary == "An image classifier trained on ImageNet."
    assert rec.license == "apache-2.0"
    assert rec.tasks == ["Image classification", "Image feature vector"]
    assert [(d.name, d.role) for d in rec.datasets] == [("ImageNet (ILSVRC-2012-CLS)", "train")]
    assert rec.languages == ["en", "de"]
    assert rec.tags == ["mobilenet-v2", "saved_model_2", "fine-tunable"]
    assert rec.lineage == []
    assert rec.url == "https://tfhub.dev/acme/vision/classifier"
    assert rec.extra["version"] == 2 and rec.extra["format"] == "saved_model_2"
    assert rec.extra["task_ids"] == ["image-classification", "image-feature-vector"]
    assert rec.extra["asset_path"] == "https://example.org/classifier.tar.gz"
    # the card text is what a reader sees: no heading, no comments, code kept
    assert rec.card_text is not None
    assert "<!--" not in rec.card_text and "# Module" not in rec.card_text
    assert "A longer description." in rec.card_text and "hub.KerasLayer" in rec.card_text


def test_without_vocabulary_ids_are_kept(tmp_path: Path) -> None:
    path = tree(tmp_path, "acme/models/vision/classifier/2.md", MODULE_DOC, vocab=False)
    rec = one_record(path)
    assert rec.tasks == ["image-classification", "image-feature-vector"]
    assert [d.name for d in rec.datasets] == ["imagenet-ilsvrc-2012-cls"]


def test_broken_vocabulary_is_ignored(tmp_path: Path) -> None:
    path = tree(tmp_path, "acme/models/vision/classifier/2.md", MODULE_DOC)
    one_record(path)  # vocabularies read once...
    broken = write(tmp_path / "tags" / "task.yaml", "values: [unclosed\n")
    os.utime(broken, (1, 1))  # ...and again when one changes
    rec = one_record(path)
    assert rec.tasks == ["image-classification", "image-feature-vector"]
    assert [d.name for d in rec.datasets] == ["ImageNet (ILSVRC-2012-CLS)"]


def test_deployment_doc_merges_into_its_model(tmp_path: Path) -> None:
    doc = (
        "# Lite acme/vision/classifier/2/default/1\n"
        "TF Lite deployment of acme/vision/classifier/2.\n\n"
        "<!-- asset-path: legacy -->\n"
        "<!-- parent-model: acme/vision/classifier/2 -->\n"
    )
    rec = one_record(tree(tmp_path, "acme/models/vision/classifier/2/default/lite/1.md", doc))
    assert rec.asset_id == "tfhub:model/acme/vision/classifier"
    assert rec.tags == ["tflite"] and rec.extra["format"] == "tflite"
    assert rec.extra["version"] == 2 and rec.extra["doc_kind"] == "Lite"
    assert rec.lineage == []  # the parent is this very asset
    assert rec.priority == 21  # the model's own page wins title and summary
    assert rec.license is None


def test_parent_model_of_another_model_is_lineage(tmp_path: Path) -> None:
    doc = (
        "# Module acme/vision/classifier-birds/1\nFine-tuned on birds.\n\n"
        "<!-- parent-model: acme/vision/classifier/2 -->\n<!-- format: saved_model_2 -->\n"
    )
    rec = one_record(tree(tmp_path, "acme/models/vision/classifier-birds/1.md", doc))
    assert rec.lineage == [LineageEdge("tfhub:model/acme/vision/classifier", "derived")]


def test_placeholder_doc_in_legacy_layout(tmp_path: Path) -> None:
    doc = "# Placeholder acme/scenes/1\nScene classifier.\n\n<!-- task: image-classification -->\n"
    path = tree(tmp_path, "acme/scenes/1.md", doc, vocab=False)
    assert DOC.claims(path)
    rec = one_record(path)
    assert rec.asset_id == "tfhub:model/acme/scenes" and rec.tasks == ["image-classification"]


def test_collection_and_publisher_pages_are_skipped(tmp_path: Path) -> None:
    coll = tree(tmp_path, "acme/collections/bert/1.md",
                "# Collection acme/bert/1\nBERT models.\n<!-- task: text-embedding -->\n")
    pub = tree(tmp_path, "acme/acme.md", "# Publisher acme\nAcme Corp.\n")
    for path, word in ((coll, "collection"), (pub, "publisher")):
        assert DOC.claims(path)
        items = list(DOC.read(path))
        assert len(items) == 1 and isinstance(items[0], Skipped) and word in items[0].reason


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ("Just text.\n<!-- task: image-classification -->\n", "does not start with a '# Module", 1),
        ("\n\n# Overview\n<!-- task: x -->\n", "does not start with a '# Module", 3),
        ("# Widget acme/x/1\n<!-- task: x -->\n", "is not a TF Hub model doc", 1),
        ("# Module acme/x\n<!-- task: x -->\n", "is not <publisher>/<model>/<version>", 1),
        ("# Module acme/x/1\n<!-- task: image-classification\n", "not closed with '-->'", 2),
        ("# Module acme/x/1\n\n<!-- dataset:  -->\n", "'dataset' has no value", 3),
        ("# Module acme/x/1\n<!-- license: mit -->\n<!-- license: apache-2.0 -->\n",
         "'license' is given 2 times with different values (lines 2, 3)", 3),
        ("# Module acme/x/1\n<!-- fine-tunable: maybe -->\n", "'fine-tunable' is 'maybe'", 2),
        ("# Tfjs acme/x/1/default/1\n<!-- asset-path: legacy -->\n", "no 'parent-model'", 1),
    ],
)
def test_broken_doc_fails_with_reason(tmp_path: Path, text: str, reason: str, line: int) -> None:
    path = tree(tmp_path, "acme/models/x/1.md", text, vocab=False)
    assert DOC.claims(path)
    with pytest.raises(RecordError) as err:
        list(DOC.read(path))
    assert reason in err.value.reason
    assert err.value.line == line


def test_same_value_twice_is_accepted(tmp_path: Path) -> None:
    doc = ("# Module acme/x/1\nX.\n<!-- interactive-visualizer: vision -->\n"
           "<!-- interactive-visualizer: vision -->\n")
    rec = one_record(tree(tmp_path, "acme/models/x/1.md", doc))
    assert rec.extra["interactive_visualizer"] == "vision"


def test_empty_file_fails(tmp_path: Path) -> None:
    path = tree(tmp_path, "acme/models/x/1.md", "  \n")
    with pytest.raises(RecordError, match="empty"):
        list(DOC.read(path))


# ---------------------------------------------------------------- claims


def test_claims_are_precise(tmp_path: Path) -> None:
    assert DOC.claims(tree(tmp_path, "acme/models/x/1.md", "# Module acme/x/1\n"))
    # a single file anywhere, recognized by its metadata comments
    assert DOC.claims(write(tmp_path / "loose.md", "# Module acme/x/1\n<!-- asset-path: a -->\n"))
    # other markdown is not ours: an HF card, a manifest quoting the markers, a plain README
    hf = write(tmp_path / "card" / "README.md", "---\nlicense: mit\n---\n# My model\n")
    manifest = write(tmp_path / "MANIFEST.md", "metadata in `<!-- task: -->` comments\n")
    readme = write(tmp_path / "docs" / "guide" / "README.md", "# Guide\n")
    # a docs tree that merely has a 'models' folder
    other_docs = write(tmp_path / "docs" / "api" / "models" / "intro.md", "# Models\nText.\n")
    for path in (hf, manifest, readme, other_docs):
        assert not DOC.claims(path), path
    assert not DOC.claims(write(tmp_path / "docs" / "acme" / "models" / "x" / "1.txt", "x"))
    vocab = write(tmp_path / "tags" / "task.yaml", TASK_VOCAB)
    assert VOCAB.claims(vocab) and not DOC.claims(vocab)
    assert not VOCAB.claims(write(tmp_path / "conf" / "task.yaml", "a: 1\n"))
    (item,) = VOCAB.read(vocab)
    assert isinstance(item, Skipped) and "vocabulary" in item.reason


# ---------------------------------------------------------------- the real folder


def _real(rel: str) -> Path:
    if not TFHUB.is_dir():
        pytest.skip("shared data not present")
    return TFHUB / rel


def test_real_bert_doc() -> None:
    rec = one_record(_real("docs/tensorflow/models/bert_en_uncased_L-12_H-768_A-12/4.md"))
    assert rec.asset_id == "tfhub:model/tensorflow/bert_en_uncased_L-12_H-768_A-12"
    assert rec.tasks == ["Text embedding"]
    assert [d.name for d in rec.datasets] == ["Wikipedia and BooksCorpus"]
    assert rec.languages == ["en"] and rec.license is None
    assert rec.tags == ["transformer", "saved_model_2", "fine-tunable"]
    assert rec.extra["version"] == 4
    assert rec.summary == "Bidirectional Encoder Representations from Transformers (BERT)."


def test_real_legacy_layout_doc_with_license() -> None:
    path = _real("docs/sayannath/mobilevit_xs_1k_256/1.md")
    assert DOC.claims(path)
    rec = one_record(path)
    assert rec.asset_id == "tfhub:model/sayannath/mobilevit_xs_1k_256"
    assert rec.license == "apache-2.0" and rec.tasks == ["Image classification"]


def test_real_lite_doc_merges_into_midas() -> None:
    rec = one_record(_real("docs/intel/midas/v2_1_small/1/lite/lite/1.md"))
    assert rec.asset_id == "tfhub:model/intel/midas/v2_1_small"
    assert rec.tags == ["tflite"] and rec.priority == 21


def test_real_folder_counts() -> None:
    root = _real("")
    kinds: Counter[str] = Counter()
    records: list[AssetRecord] = []
    unclaimed = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        reader = next((r for r in READERS if r.claims(path)), None)
        if reader is None:
            unclaimed.append(path.name)
            continue
        for item in reader.read(path):  # a RecordError here fails the test: none expected
            kinds[type(item).__name__] += 1
            if isinstance(item, AssetRecord):
                records.append(item)
    assert unclaimed == ["MANIFEST.md"]
    # 2,371 docs under models/ + 359 in the legacy layout;
    # skipped: 39 publisher pages + 50 collections + 8 vocabularies
    assert kinds == {"AssetRecord": 2730, "Skipped": 97}
    assert len({r.asset_id for r in records}) == 1332
    assert Counter(r.extra["doc_kind"] for r in records) == {
        "Module": 1815, "Lite": 372, "Tfjs": 358, "Placeholder": 182, "Coral": 3}
    licenses = Counter(r.license for r in records if r.license)
    assert licenses == {"mit": 150, "apache-2.0": 144, "custom": 15, "cc-by-sa-4.0": 6,
                        "cc-by-nc-4.0": 4, "bsd-3-clause": 1}
    assert Counter(d.name for r in records for d in r.datasets)["ImageNet (ILSVRC-2012-CLS)"] == 626
    assert sum(len(r.lineage) for r in records) == 0  # parent-model only on deployment pages
