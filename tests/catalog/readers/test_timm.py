"""timm readers: model-index docs (timm.py) and the results/ tables (timm_results.py)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from assetscout.catalog.readers.timm import READERS, TimmModelIndexReader
from assetscout.catalog.readers.timm_results import TimmResultsReader, benchmark_setting
from assetscout.catalog.records import AssetRecord, Rejected, Skipped
from assetscout.errors import RecordError

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "cards" / "timm_model_index"

DOC = """\
# ResNet

**ResNets** learn residual functions with reference to the layer inputs.

## How do I use this model?

```py
>>> model = timm.create_model('resnet18', pretrained=True)
```

<!--
Type: model-index
Collections:
- Name: ResNet
  Paper:
    Title: Deep Residual Learning for Image Recognition
    URL: https://paperswithcode.com/paper/deep-residual
Models:
- Name: resnet18
  In Collection: ResNet
  Metadata:
    FLOPs: 2337073152
    Parameters: 11690000
    File Size: 46827520
    Architecture:
    - Convolution
    - Residual Block
    Tasks:
    - Image Classification
    Training Techniques:
    - SGD with Momentum
    Training Data:
    - ImageNet
    - JFT-300M
    Training Resources: 8x V100
    ID: resnet18
    Crop Pct: '0.875'
    Image Size: '224'
    Interpolation: bilinear
  Code: https://github.com/x/resnet.py#L1
  Weights: https://download.pytorch.org/models/resnet18-5c106cde.pth
  Results:
  - Task: Image Classification
    Dataset: ImageNet
    Metrics:
      Top 1 Accuracy: 69.74%
      Top 5 Accuracy: 89.09%
- In Collection: ResNet
  Metadata:
    Parameters: 1
- Name: resnet26
  Metadata:
    Parameters: lots
    ID: resnet26
  Results:
  - Task: Image Classification
    Dataset: ImageNet
    Metrics:
      Top 1 Accuracy: n/a
      Top 5 Accuracy: 92.1%
- just a string
-->
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def read_all(reader: object, path: Path) -> tuple[list[AssetRecord], list[Rejected], list[Skipped]]:
    items = list(reader.read(path))  # type: ignore[attr-defined]
    return ([i for i in items if isinstance(i, AssetRecord)],
            [i for i in items if isinstance(i, Rejected)],
            [i for i in items if isinstance(i, Skipped)])


# ---------------------------------------------------------------- model-index docs


def test_model_index_entry_becomes_a_full_record(tmp_path: Path) -> None:
    path = write(tmp_path, "models/resnet.mdx", DOC)
    records, rejected, _ = read_all(TimmModelIndexReader(), path)
    rec = records[0]
    assert rec.asset_id == "timm:model/resnet18" and rec.title == "resnet18"
    assert (rec.kind, rec.library, rec.priority) == ("model", "timm", 20)
    assert rec.parameters == 11690000 and rec.size_bytes == 46827520
    assert rec.tasks == ["Image Classification"]
    assert rec.tags == ["Convolution", "Residual Block", "SGD with Momentum"]
    assert [(d.name, d.role) for d in rec.datasets] == [("ImageNet", "train"), ("JFT-300M", "train")]
    configs = {c.key: c.value for c in rec.configurations}
    assert configs == {"flops": "2337073152", "training_resources": "8x V100", "crop_pct": "0.875",
                       "img_size": "224", "interpolation": "bilinear"}
    assert rec.url == "https://download.pytorch.org/models/resnet18-5c106cde.pth"
    top1 = rec.evaluations[0]
    assert (top1.metric, top1.value, top1.dataset, top1.task) == (
        "Top 1 Accuracy", 69.74, "ImageNet", "Image Classification")
    assert rec.extra["collection"] == "ResNet"
    assert rec.extra["paper_title"] == "Deep Residual Learning for Image Recognition"
    assert rec.summary == "ResNets learn residual functions with reference to the layer inputs."
    assert "create_model" in rec.card_text and "model-index" not in rec.card_text
    assert rec.line == 19  # the '- Name: resnet18' line


def test_model_index_bad_entries_are_rejected_and_good_ones_kept(tmp_path: Path) -> None:
    path = write(tmp_path, "models/resnet.mdx", DOC)
    records, rejected, _ = read_all(TimmModelIndexReader(), path)
    assert [r.asset_id for r in records] == ["timm:model/resnet18", "timm:model/resnet26"]
    reasons = [r.reason for r in rejected]
    assert "model-index entry 2 has no 'Name'" in reasons
    assert "model-index entry 4 is a str, expected a mapping" in reasons
    assert any("'Parameters' value 'lots' is not a number" in r for r in reasons)
    assert any("'Top 1 Accuracy' value 'n/a' is not a number" in r for r in reasons)
    resnet26 = records[1]
    assert resnet26.parameters is None
    assert [(e.metric, e.value) for e in resnet26.evaluations] == [("Top 5 Accuracy", 92.1)]
    assert all(r.line is not None for r in rejected)


def test_model_index_broken_yaml_fails_the_file_with_its_line(tmp_path: Path) -> None:
    broken = "# X\n\n<!--\nType: model-index\nModels:\n- Name: a\n  Metadata: [unclosed\n-->\n"
    path = write(tmp_path, "x.mdx", broken)
    with pytest.raises(RecordError, match="not valid YAML") as err:
        list(TimmModelIndexReader().read(path))
    assert err.value.line is not None and 6 <= err.value.line <= 8


@pytest.mark.parametrize(("text", "reason"), [
    ("# X\n<!--\nType: model-index\nModels:\n- Name: a\n", "never closed"),
    ("# X\n<!--\nType: model-index\nCollections: []\n-->\n", "no 'Models' list"),
    ("# X\nno index here\n", "no model-index block"),
    ("", "file is empty"),
])
def test_model_index_whole_file_problems(tmp_path: Path, text: str, reason: str) -> None:
    path = write(tmp_path, "x.mdx", text)
    with pytest.raises(RecordError, match=reason):
        list(TimmModelIndexReader().read(path))


def test_claims_only_timm_files(tmp_path: Path) -> None:
    mdx, results = READERS
    assert mdx.claims(write(tmp_path, "a/resnet.mdx", DOC))
    assert not mdx.claims(write(tmp_path, "a/quickstart.mdx", "# Quickstart\n<!-- note -->\n"))
    assert not mdx.claims(write(tmp_path, "a/card.md", DOC))
    assert results.claims(write(tmp_path, "r/results-imagenet.csv", "model,img_size,top1\n"))
    assert results.claims(write(tmp_path, "r/benchmark-infer-amp-nchw-pt1-cu1-x.csv", "model,a\n"))
    assert results.claims(write(tmp_path, "r/model_metadata-in1k.csv", "model,pretrain\n"))
    assert not results.claims(write(tmp_path, "r/results-other.csv", "id,score\n"))
    assert not results.claims(write(tmp_path, "r/scores.csv", "model,top1\n"))
    assert not results.claims(write(tmp_path, "r/README.md", "# Some other project\n"))


# ---------------------------------------------------------------- result tables

RESULTS = """\
model,img_size,top1,top1_err,top5,top5_err,param_count,crop_pct,interpolation
resnet50.a1_in1k,288,81.240,18.760,95.112,4.888,25.56,1.000,bicubic
eva_giant_patch14_336.clip_ft_in1k,336,89.462,10.538,98.828,1.172,"1,013.01",1.000,bicubic
resnet50.a1_in1k,224,80.382,19.618,94.598,5.402,25.56,0.950,bicubic
,224,1,99,2,98,1.0,0.9,bicubic
broken_row,224,80.0
vit_tiny,224,abc,0,90.5,9.5,5.7,0.9,bicubic
"""


def test_results_group_rows_of_one_model(tmp_path: Path) -> None:
    path = write(tmp_path, "results-imagenet.csv", RESULTS)
    records, rejected, _ = read_all(TimmResultsReader(), path)
    by_id = {r.asset_id: r for r in records}
    assert list(by_id) == ["timm:model/resnet50.a1_in1k",
                           "timm:model/eva_giant_patch14_336.clip_ft_in1k", "timm:model/vit_tiny"]
    rec = by_id["timm:model/resnet50.a1_in1k"]
    assert (rec.priority, rec.parameters, rec.line) == (30, 25_560_000, 2)
    assert [(e.metric, e.value, e.config) for e in rec.evaluations] == [
        ("top1", 81.24, "img_size=288, crop_pct=1.000, interpolation=bicubic"),
        ("top5", 95.112, "img_size=288, crop_pct=1.000, interpolation=bicubic"),
        ("top1", 80.382, "img_size=224, crop_pct=0.950, interpolation=bicubic"),
        ("top5", 94.598, "img_size=224, crop_pct=0.950, interpolation=bicubic"),
    ]
    assert {(e.dataset, e.split, e.task) for e in rec.evaluations} == {
        ("imagenet-1k", "validation", "Image Classification")}
    assert [(edge.parent, edge.relation) for edge in rec.lineage] == [("timm:model/resnet50", "base")]
    assert rec.extra == {"architecture": "resnet50", "pretrained_tag": "a1_in1k"}
    assert by_id["timm:model/eva_giant_patch14_336.clip_ft_in1k"].parameters == 1_013_010_000
    assert [(e.metric, e.value) for e in by_id["timm:model/vit_tiny"].evaluations] == [("top5", 90.5)]
    assert by_id["timm:model/vit_tiny"].lineage == []  # no pretrained tag, nothing to link
    assert sorted((r.line, r.reason) for r in rejected) == [
        (5, "row has no model name"),
        (6, "row has 3 values, the header has 9 columns"),
        (7, "model 'vit_tiny': column 'top1' value 'abc' is not a number; left out"),
    ]


def test_results_nan_is_missing_and_infinity_is_reported(tmp_path: Path) -> None:
    header = RESULTS.splitlines()[0]
    path = write(tmp_path, "results-imagenet.csv",
                 f"{header}\nm.tag,224,nan,0,inf,0,nan,0.9,bicubic\n.odd,224,1,99,2,98,1,0.9,x\n")
    records, rejected, _ = read_all(TimmResultsReader(), path)
    assert records[0].evaluations == [] and records[0].parameters is None
    assert [r.reason for r in rejected] == [
        "model 'm.tag': column 'top5' value 'inf' is not a number; left out"]
    assert records[1].asset_id == "timm:model/.odd" and records[1].lineage == []


@pytest.mark.parametrize(("name", "dataset", "split"), [
    ("results-imagenet-real.csv", "imagenet-real", "validation"),
    ("results-sketch.csv", "imagenet-sketch", None),
    ("results-imagenet-a-clean.csv", "imagenet-a-clean", "validation"),
    ("results-imagenet-x.csv", "imagenet-x", None),
])
def test_results_eval_set_from_file_name(tmp_path: Path, name: str, dataset: str, split: str | None) -> None:
    path = write(tmp_path, name, RESULTS.splitlines()[0] + "\n" + RESULTS.splitlines()[1] + "\n")
    (rec,), _, _ = read_all(TimmResultsReader(), path)
    assert {(e.dataset, e.split) for e in rec.evaluations} == {(dataset, split)}


def test_results_without_accuracy_columns_fail(tmp_path: Path) -> None:
    path = write(tmp_path, "results-imagenet.csv", "model,img_size\nresnet50,224\n")
    with pytest.raises(RecordError, match="header lacks column"):
        list(TimmResultsReader().read(path))


def test_benchmark_setting_from_file_name() -> None:
    assert benchmark_setting("benchmark-infer-amp-nchw-pt240-cu124-rtx4090-dynamo") == (
        "rtx4090", {"mode": "infer", "precision": "amp", "layout": "nchw", "torch": "pt240",
                    "cuda": "cu124", "compile": "dynamo"})
    hardware, settings = benchmark_setting("benchmark-infer-fp32-nchw-pt221-cpu-i9_10940x-dynamo")
    assert hardware == "cpu-i9_10940x" and "cuda" not in settings
    assert benchmark_setting("benchmark-odd")[0] is None


def test_benchmark_rows_become_hardware_evaluations(tmp_path: Path) -> None:
    text = ("model,infer_img_size,infer_batch_size,infer_samples_per_sec,infer_step_time,"
            "infer_gmacs,infer_macts,param_count\n"
            "resnet50,160,1024.0,6033.87,169.699,2.1,5.67,25.56\n"
            "resnet50,224,1024.0,3219.06,318.095,4.11,11.11,25.56\n"
            "tiny,224,1024,fast,1.0,0.1,0.2,1.0\n")
    path = write(tmp_path, "benchmark-infer-amp-nchw-pt240-cu124-rtx3090.csv", text)
    records, rejected, _ = read_all(TimmResultsReader(), path)
    rec = records[0]
    assert rec.asset_id == "timm:model/resnet50" and rec.parameters == 25_560_000
    speed = [e for e in rec.evaluations if e.metric == "infer_samples_per_sec"]
    assert [(e.value, e.hardware) for e in speed] == [(6033.87, "rtx3090"), (3219.06, "rtx3090")]
    assert speed[1].config == ("precision=amp, layout=nchw, torch=pt240, cuda=cu124, "
                               "batch_size=1024, img_size=224")
    gmacs = [e for e in rec.evaluations if e.metric == "infer_gmacs"]
    assert [(e.value, e.config, e.hardware) for e in gmacs] == [
        (2.1, "img_size=160", None), (4.11, "img_size=224", None)]
    assert [r.reason for r in rejected] == [
        "model 'tiny': column 'infer_samples_per_sec' value 'fast' is not a number; left out"]
    assert len(records) == 2


def test_pretrain_metadata(tmp_path: Path) -> None:
    text = "model,pretrain\nadv_inception_v3,in1k-adv\nbeit_base,in21k-selfsl\nadv_inception_v3,in1k\nlonely,\n"
    path = write(tmp_path, "model_metadata-in1k.csv", text)
    records, rejected, _ = read_all(TimmResultsReader(), path)
    rec = records[0]
    assert rec.asset_id == "timm:model/adv_inception_v3" and rec.tags == ["pretrain:in1k-adv"]
    assert [(d.name, d.role) for d in rec.datasets] == [("in1k", "pretrain")]
    assert records[1].datasets[0].name == "in21k"
    assert [(r.line, r.reason) for r in rejected] == [
        (4, "model 'adv_inception_v3' is listed again (first on line 2)"),
        (5, "row needs both a model name and a pretrain tag"),
    ]


def test_results_readme_is_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, "results/README.md", "# Validation and Benchmark Results\n\ntext\n")
    assert TimmResultsReader().claims(path)
    assert [type(i) for i in TimmResultsReader().read(path)] == [Skipped]


# ---------------------------------------------------------------- the real folder


def real(*parts: str) -> Path:
    if not DATA.is_dir():
        pytest.skip("shared data not present")
    return DATA.joinpath(*parts)


def test_real_resnet_family_doc() -> None:
    records, rejected, _ = read_all(TimmModelIndexReader(), real("models", "resnet.mdx"))
    assert len(records) == 9 and not rejected
    rec = next(r for r in records if r.asset_id == "timm:model/resnet18")
    assert rec.parameters == 11_690_000 and rec.size_bytes == 46_827_520
    assert rec.line == 107  # its '- Name: resnet18' line
    assert [(e.metric, e.value) for e in rec.evaluations] == [
        ("Top 1 Accuracy", 69.74), ("Top 5 Accuracy", 89.09)]
    assert rec.summary.startswith("Residual Networks, or ResNets, learn residual functions")


def test_real_results_imagenet() -> None:
    records, rejected, _ = read_all(TimmResultsReader(), real("results", "results-imagenet.csv"))
    assert not rejected
    assert len(records) == 1266  # 1,556 rows: 290 models measured at two image sizes
    assert sum(len(r.evaluations) for r in records) == 2 * 1556
    rec = next(r for r in records if r.asset_id == "timm:model/resnet50.a1_in1k")
    assert {e.value for e in rec.evaluations if e.metric == "top1"} == {81.24, 80.382}
    assert rec.parameters == 25_560_000
    eva = next(r for r in records if r.name == "eva_giant_patch14_336.clip_ft_in1k")
    assert eva.parameters == 1_013_010_000


def test_real_benchmark_and_metadata() -> None:
    reader = TimmResultsReader()
    records, rejected, _ = read_all(reader, real("results", "benchmark-infer-amp-nchw-pt113-cu117-rtx3090.csv"))
    assert not rejected and 900 <= len(records) <= 932
    rec = next(r for r in records if r.asset_id == "timm:model/resnet50")
    (speed,) = [e for e in rec.evaluations if e.metric == "infer_samples_per_sec"]
    assert (speed.value, speed.hardware) == (3025.4, "rtx3090")
    records, rejected, _ = read_all(reader, real("results", "model_metadata-in1k.csv"))
    assert len(records) == 521 and not rejected
    ns = next(r for r in records if r.name == "tf_efficientnet_b0_ns")
    assert ns.tags == ["pretrain:jft300m-ns"]


@pytest.mark.slow
def test_real_whole_folder() -> None:
    root = real()
    counts: Counter[str] = Counter()
    unclaimed = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        readers = [r for r in READERS if r.claims(path)]
        if not readers:
            unclaimed.append(path.name)
            continue
        assert len(readers) == 1
        for item in readers[0].read(path):
            counts[type(item).__name__] += 1
            if isinstance(item, AssetRecord):
                counts[readers[0].name] += 1
                counts["evaluations"] += len(item.evaluations)
    assert unclaimed == ["MANIFEST.md"]
    assert counts["timm_model_index"] == 261
    assert counts["Rejected"] == 0 and counts["Skipped"] == 1
    assert 30_000 <= counts["timm_results"] <= 40_000
    assert counts["evaluations"] > 100_000
