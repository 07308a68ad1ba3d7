"""load_peatmoss_licenses: (model id, license as written) pairs for license-normalization checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assetscout.catalog.readers.peatmoss import load_peatmoss_licenses
from assetscout.errors import RecordError

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
PEATMOSS = DATA / "cards" / "peatmoss_metadata"


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def peatmoss(tmp_path: Path) -> Path:
    root = tmp_path / "peatmoss_metadata"
    truth = {
        "org/a": {"license": "CreativeML OpenRAIL-M", "model_type": "cv"},
        "org/b": {"license": "", "model_type": "nlp"},  # labeller found none
        "org/c": "not an object",
    }
    _write(root, "LLM-Pipeline/Accurate_Pipeline/groundTruth.json", json.dumps(truth))
    cheap = json.dumps({"org/a": truth["org/a"]})
    _write(root, "LLM-Pipeline/Cheap_Pipeline/groundTruth.json", cheap)
    _write(
        root,
        "License-Analysis/analyzeIncompatibilities/mapping.csv",
        "github.com/x/y,gpt2,https://huggingface.co/gpt2,mit\n"
        "github.com/x/z,gpt2,https://huggingface.co/gpt2,mit\n"
        "github.com/x/w,org/t5,https://huggingface.co/org/t5,apache-2.0\n"
        "github.com/x/v,org/t5,https://huggingface.co/org/t5,bsd-3-clause\n"
        "short,row\n",
    )
    return root


def test_pairs_from_ground_truth_then_mapping(peatmoss: Path) -> None:
    assert load_peatmoss_licenses(peatmoss) == [
        ("org/a", "CreativeML OpenRAIL-M"),
        ("gpt2", "mit"),
        ("org/t5", "apache-2.0"),
        ("org/t5", "bsd-3-clause"),
    ]


def test_root_may_be_the_parent_folder(peatmoss: Path) -> None:
    assert load_peatmoss_licenses(peatmoss.parent) == load_peatmoss_licenses(peatmoss)
    assert load_peatmoss_licenses(peatmoss.parent / "nothing here") == []


def test_header_row_is_not_a_pair(peatmoss: Path) -> None:
    mapping = peatmoss / "License-Analysis/analyzeIncompatibilities/mapping.csv"
    mapping.write_text(
        "github,model,url,license\ngithub.com/a,gpt2,https://huggingface.co/gpt2,mit\n"
    )
    assert ("model", "license") not in load_peatmoss_licenses(peatmoss)


def test_malformed_ground_truth_names_the_file(peatmoss: Path) -> None:
    truth = peatmoss / "LLM-Pipeline/Cheap_Pipeline/groundTruth.json"
    truth.write_text("[1, 2]")
    with pytest.raises(RecordError, match="groundTruth.json is a JSON list"):
        load_peatmoss_licenses(peatmoss)
    truth.write_text('{"a": ')
    with pytest.raises(RecordError, match="groundTruth.json is not valid JSON"):
        load_peatmoss_licenses(peatmoss)


def test_real_peatmoss() -> None:
    if not PEATMOSS.is_dir():
        pytest.skip(f"shared data not found at {PEATMOSS}")
    pairs = load_peatmoss_licenses(PEATMOSS)
    assert len(pairs) == len(set(pairs)) == 1533
    assert pairs[0] == ("OpenAssistant/oasst-sft-4-pythia-12b-epoch-3.5", "apache-2.0")
    assert ("bigcode/santacoder", "bigcode-openrail-m") in pairs  # first mapping row
    assert ("prompthero/openjourney-v4", "CreativeML OpenRAIL-M") in pairs
    t5 = "pszemraj/long-t5-tglobal-base-16384-book-summary"
    both = {lic for model, lic in pairs if model == t5}
    assert both == {"apache-2.0", "bsd-3-clause"}
    ids = {model for model, _ in pairs}
    assert len(ids) == 1532  # 1,512 in the mapping, 42 labelled, 22 in both
