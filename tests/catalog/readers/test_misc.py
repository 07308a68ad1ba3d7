"""SkipDocsReader: documentation, provenance and sample data are skipped, real cards are not."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from assetscout.catalog.readers.misc import READERS, SkipDocsReader, skip_reason
from assetscout.catalog.records import Skipped

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"

SKIPPED = [
    "data/README.md",  # data root: it holds cards/ and tables/
    "data/cards/MANIFEST.md",
    "data/cards/some_zoo/MANIFEST.md",
    "data/cards/some_zoo/README.md",  # next to a MANIFEST.md
    "data/cards/timm_model_index/results/README.md",  # next to results-imagenet.csv
    "data/cards/some_zoo/LICENSE",
    "data/cards/some_zoo/LICENSE.txt",
    "data/cards/some_zoo/.gitattributes",
    "data/cards/some_zoo/convert.py",
    "data/cards/some_zoo/explore.ipynb",
    "data/cards/hub_docs_spec/modelcard.md",
    "data/cards/hub_docs_spec/eval_results.yaml",
    "data/cards/hub_docs_spec/hacktoberfest_challenges/model_no_license.csv",
    "data/cards/peatmoss_metadata/LLM-Pipeline/Cheap_Pipeline/groundTruth.json",
    "data/cards/peatmoss_metadata/LLM-Pipeline/Cheap_Pipeline/metaSchema.json",
    "data/cards/peatmoss_metadata/LLM-Pipeline/Accurate_Pipeline/2k_filtered_models.json",
    "data/cards/peatmoss_metadata/License-Analysis/analyzeIncompatibilities/mapping.csv",
    "data/cards/croissant/0.8/audio_test/data/Clap.mp3",
    "data/cards/croissant/0.8/pass-mini/data/PASS.0.tar",
    "data/cards/croissant/0.8/recipes/data/read_from_tar.tar.gz",
    "data/cards/croissant/0.8/recipes/data/inner/files.zip",
    "data/cards/croissant/1.0/simple-parquet/data/dataframe.parquet",
    "data/cards/croissant/1.1/head-mri/data/1.3.46.670589.2015011413255023689",
    "data/cards/anywhere/photo.JPG",
]

KEPT = [
    "data/cards/hf_datasets/datasets/glue/README.md",  # a real dataset card
    "data/cards/openvino/models/public/resnet-50/README.md",  # a real model card
    "data/cards/hf_models/asgaard/BAAI@bge-m3/1_raw.md",
    "data/cards/tfhub_models/tags/license.yaml",  # a vocabulary the TF Hub reader owns
    "data/cards/croissant/1.0/simple-parquet/metadata.json",
    "data/cards/croissant/1.0/titanic/data/titanic.csv",  # a real table
    "data/cards/croissant/1.0/titanic/output/passengers.jsonl",
    "data/cards/hf_dataset_cards_2023/dataset_info.parquet",  # Hub-wide table
    "data/cards/demo/corpus.jsonl.gz",  # compressed records, not an archive of samples
    "data/cards/peatmoss_elsewhere/mapping.csv",
    "data/cards/some_zoo/notes/README.md",  # no MANIFEST.md beside it
]


@pytest.fixture
def layout(tmp_path: Path) -> Path:
    """A small copy of the shared data layout (names only; contents do not matter)."""
    for rel in SKIPPED + KEPT + [
        "data/tables/ugen/query.csv",
        "data/cards/timm_model_index/results/results-imagenet.csv",
        "data/cards/croissant/0.8/audio_test/metadata.json",
        "data/cards/croissant/0.8/pass-mini/metadata.json",
        "data/cards/croissant/1.0/simple-parquet/metadata.json",
        "data/cards/croissant/1.1/head-mri/metadata.json",
    ]:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x\n")
    return tmp_path


@pytest.mark.parametrize("rel", SKIPPED)
def test_docs_and_samples_are_skipped(layout: Path, rel: str) -> None:
    reader = SkipDocsReader()
    path = layout / rel
    assert reader.claims(path)
    (item,) = reader.read(path)
    assert isinstance(item, Skipped) and item.reason == skip_reason(path)
    assert "not asset metadata" in item.reason or "Croissant" in item.reason


@pytest.mark.parametrize("rel", KEPT)
def test_real_metadata_is_left_to_other_readers(layout: Path, rel: str) -> None:
    assert not SkipDocsReader().claims(layout / rel)


def test_reasons_say_what_the_file_is(layout: Path) -> None:
    cards = layout / "data" / "cards"
    truth = cards / "peatmoss_metadata/LLM-Pipeline/Cheap_Pipeline/groundTruth.json"
    assert skip_reason(truth) == (
        "hand-labelled ground truth used to check license normalization, not asset metadata"
    )
    assert skip_reason(cards / "MANIFEST.md") == (
        "provenance manifest of a data folder, not asset metadata"
    )
    assert skip_reason(cards / "croissant/0.8/audio_test/data/Clap.mp3") == (
        "audio or video file (sample data), not asset metadata"
    )


def test_registry_exposes_one_instance() -> None:
    assert [type(r) for r in READERS] == [SkipDocsReader]


def test_real_shared_data() -> None:
    """Over the whole shared tree: what is skipped, and that no real card is."""
    if not DATA.is_dir():
        pytest.skip(f"shared data not found at {DATA}")
    reader = SkipDocsReader()
    claimed = [p.relative_to(DATA) for p in DATA.rglob("*") if p.is_file() and reader.claims(p)]
    names = Counter(p.name for p in claimed)
    assert names["MANIFEST.md"] == 17
    assert names["README.md"] == 2  # the data root and timm's results folder
    assert Path("README.md") in claimed
    assert Path("cards/timm_model_index/results/README.md") in claimed
    assert Path("cards/hub_docs_spec/modelcard.md") in claimed
    mapping = "cards/peatmoss_metadata/License-Analysis/analyzeIncompatibilities/mapping.csv"
    assert Path(mapping) in claimed
    assert Path("cards/croissant_examples/datasets/1.0/simple-split/data/train.parquet") in claimed
    assert 55 <= len(claimed) <= 70
    owned_elsewhere = ("hf_datasets_canonical_2022/datasets", "openvino_open_model_zoo/models",
                       "hf_model_cards_misc/", "tfhub_models/", "hf_dataset_cards_2023/cards")
    for rel in claimed:
        if rel.name != "MANIFEST.md":
            assert not any(part in str(rel) for part in owned_elsewhere), rel
        assert rel.suffix not in {".csv", ".json", ".jsonl", ".md", ".yaml"} or (
            rel.name == "MANIFEST.md" or rel.name == "README.md"
            or "hub_docs_spec" in rel.parts or "peatmoss_metadata" in rel.parts
        ), rel
