"""Open Model Zoo: model.yml descriptors, README cards and the device support tables."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from assetscout.catalog.readers.openvino import (
    READERS,
    OmzCardReader,
    OmzDescriptorReader,
    OmzDeviceSupportReader,
)
from assetscout.catalog.readers.openvino_tables import clean, number, parse_card
from assetscout.catalog.records import (
    AssetRecord,
    Configuration,
    DatasetLink,
    Evaluation,
    Rejected,
    Skipped,
)
from assetscout.errors import RecordError

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
OMZ = DATA / "cards" / "openvino_open_model_zoo"

YML = OmzDescriptorReader()
CARD = OmzCardReader()
DEVICES = OmzDeviceSupportReader()

DESCRIPTOR = """\
# Copyright (c) 2024 Intel Corporation
description: >-
  Fast person detector for retail scenes.

  Based on MobileNetV2.
task_type: detection
files:
  - name: FP32/net.xml
    size: 100
    source: https://example.org/FP32/net.xml
  - name: FP32/net.bin
    size: 2000
    source: https://example.org/FP32/net.bin
  - name: FP16-INT8/net.bin
    size: 900
    source: https://example.org/FP16-INT8/net.bin
framework: dldt
input_info:
  - name: data
    shape: [1, 3, 320, 544]
    layout: NCHW
model_optimizer_args:
  - --input_model=$dl_dir/net.onnx
  - --reverse_input_channels
model_info:
  model_type: SSD
  labels: [background, person]
license: https://raw.githubusercontent.com/openvinotoolkit/open_model_zoo/master/LICENSE
"""

README = """\
# person-net-0001

## Use Case and High-Level Description

A person detector. It was pre-trained on ImageNet and trained on the
[Common Objects in Context (COCO)](https://cocodataset.org) dataset.

## Specification

| Metric                   | Value          |
|--------------------------|----------------|
| Type                     | Detection      |
| AP @ [ IoU=0.50:0.95 ]   | 0.447          |
| Accuracy on the DSI1867  | TODO           |
| Max objects to detect    | 200            |
| GFlops                   | 2.300          |
| MParams                  | 0.723          |
| Source framework         | Caffe\\*        |

Average Precision (AP) is defined as an area under the precision/recall curve.

## Accuracy

Accuracy metrics obtained on [Common Objects in Context (COCO)](https://cocodataset.org)
validation dataset.

| Metric                                          | Original model | Converted model |
| ----------------------------------------------- | -------------- | --------------- |
| [COCO mAP (0.5)](https://cocodataset.org/#eval) | 66.23%         | 66.20%          |
| Market-1501 rank@1 accuracy                     | 93.4           | -               |

### Per class

| Label  | IOU  |
|--------|------|
| person | 71.5 |

| | blue | gray |
|-|------|------|
| blue | 90 | 10 |

```
| Not | a table |
```
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def model_dir(tmp_path: Path, name: str = "person-net-0001", group: str = "intel") -> Path:
    return tmp_path / "models" / group / name


def only(items: list) -> AssetRecord:
    assert len(items) == 1 and isinstance(items[0], AssetRecord), items
    return items[0]


# ---------------------------------------------------------------- model.yml


def test_descriptor_fields(tmp_path: Path) -> None:
    path = write(model_dir(tmp_path) / "model.yml", DESCRIPTOR)
    assert YML.claims(path)
    rec = only(list(YML.read(path)))
    assert rec.asset_id == "openvino:model/person-net-0001" and rec.name == "person-net-0001"
    assert rec.priority == 20 and rec.kind == "model"
    assert rec.summary == "Fast person detector for retail scenes."
    assert rec.card_text == "Fast person detector for retail scenes.\nBased on MobileNetV2."
    assert rec.tasks == ["detection"] and rec.library == "dldt"
    assert rec.license == (
        "https://raw.githubusercontent.com/openvinotoolkit/open_model_zoo/master/LICENSE")
    assert rec.size_bytes == 3000
    assert rec.tags == ["intel"] and rec.organization == "Intel"
    assert rec.labels == ["background", "person"]
    assert rec.url == ("https://github.com/openvinotoolkit/open_model_zoo/tree/master/models/"
                       "intel/person-net-0001")
    assert rec.configurations == [
        Configuration("precision", "FP32"),
        Configuration("precision", "FP16-INT8"),
        Configuration("input data", "shape [1, 3, 320, 544], layout NCHW"),
        Configuration("model optimizer args", "--reverse_input_channels"),
        Configuration("model_type", "SSD"),
    ]


def test_composite_part_is_its_own_asset(tmp_path: Path) -> None:
    part = model_dir(tmp_path, "text-rec-0001") / "text-rec-0001-encoder"
    rec = only(list(YML.read(write(part / "model.yml", DESCRIPTOR))))
    assert rec.asset_id == "openvino:model/text-rec-0001-encoder"
    assert rec.tags == ["intel", "composite-part"] and rec.extra["composite"] == "text-rec-0001"
    assert rec.url is not None and rec.url.endswith("/intel/text-rec-0001/text-rec-0001-encoder")


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ("task_type: detection\nframework: [dldt\n", "not valid YAML", 3),
        ("- task_type\n- framework\n", "holds a list, expected a mapping", 1),
        ("framework: dldt\nfiles: []\n", "no 'task_type'", None),
        ("task_type: detection\nframework: dldt\nfiles: {a: 1}\n", "'files' is a dict", None),
        ("task_type: detection\nframework: dldt\nfiles:\n  - name: a.bin\n    size: 10\n"
         "  - name: b.bin\n    size: ten\n", "files entry 2 (b.bin) has size 'ten'", 6),
        ("task_type: detection\nframework: dldt\nfiles: []\nlicense: [a, b]\n",
         "license field is a list of 2 values, expected one string", None),
        ("task_type: detection\nframework: dldt\ninput_info: [7]\n", "input_info entry 1", None),
    ],
)
def test_broken_descriptor_fails_with_reason(
    tmp_path: Path, text: str, reason: str, line: int | None
) -> None:
    path = write(model_dir(tmp_path) / "model.yml", text)
    with pytest.raises(RecordError) as err:
        list(YML.read(path))
    assert reason in err.value.reason
    assert err.value.line == line


# ---------------------------------------------------------------- README.md


def test_card_tables_become_facts(tmp_path: Path) -> None:
    folder = model_dir(tmp_path)
    write(folder / "model.yml", DESCRIPTOR)
    path = write(folder / "README.md", README)
    assert CARD.claims(path)
    rec = only(list(CARD.read(path)))
    assert rec.asset_id == "openvino:model/person-net-0001" and rec.priority == 10
    assert rec.title == "person-net-0001"
    assert rec.summary is not None and rec.summary.startswith("A person detector.")
    assert rec.card_text == README.strip()
    assert rec.parameters == 723_000
    assert rec.license is None and rec.tasks == []  # those come from model.yml
    coco, task = "COCO", "Detection"
    assert rec.evaluations == [
        Evaluation("AP @ [ IoU=0.50:0.95 ]", 0.447, task=task),
        Evaluation("COCO mAP (0.5)", 66.23, coco, task, "validation", "Original model", unit="%"),
        Evaluation("COCO mAP (0.5)", 66.2, coco, task, "validation", "Converted model", unit="%"),
        Evaluation("Market-1501 rank@1 accuracy", 93.4, "Market-1501", task, "validation",
                   "Original model"),
        Evaluation("IOU", 71.5, coco, task, "validation", config="person"),
    ]
    assert rec.configurations == [
        Configuration("Type", "Detection"),
        Configuration("Max objects to detect", "200"),
        Configuration("GFlops", "2.300"),
        Configuration("MParams", "0.723"),
        Configuration("Source framework", "Caffe"),
    ]
    assert rec.datasets == [DatasetLink("ImageNet", "pretrain"), DatasetLink("COCO", "train")]


ACCURACY_ONLY = """\
## Use Case and High-Level Description

The model is pre-trained for image classification task on the ImageNet dataset.

## Accuracy

| Metric | Value |
| ------ | ----- |
| Top 1  | 76.45% |
"""


def test_accuracy_without_dataset_takes_the_one_training_dataset() -> None:
    facts = parse_card(ACCURACY_ONLY)
    assert [(e.metric, e.value, e.dataset) for e in facts.evaluations] == [("Top 1", 76.45, "ImageNet")]


def test_class_list_names_the_dataset_and_two_datasets_name_none() -> None:
    by_classes = ACCURACY_ONLY.replace("pre-trained for image classification task on the ImageNet dataset",
                                       "an object detector; classes in `<omz_dir>/data/dataset_classes/coco_80cl.txt`")
    assert [e.dataset for e in parse_card(by_classes).evaluations] == ["COCO"]
    two = ACCURACY_ONLY.replace("on the ImageNet dataset", "on the ImageNet dataset and trained on COCO")
    assert [e.dataset for e in parse_card(two).evaluations] == [None]
    finetuned = ACCURACY_ONLY.replace("on the ImageNet dataset", "on ImageNet-21k and fine-tuned on CamVid")
    assert [e.dataset for e in parse_card(finetuned).evaluations] == ["CamVid"]
    # pre-trained on COCO 'and then fine-tuned for vehicle detection': measured on the unnamed vehicle data
    vehicles = ACCURACY_ONLY.replace("on the ImageNet dataset", "on COCO and then fine-tuned for vehicles")
    assert [e.dataset for e in parse_card(vehicles).evaluations] == [None]


def test_composite_card(tmp_path: Path) -> None:
    folder = model_dir(tmp_path, "text-rec-0001")
    for part in ("encoder", "decoder"):
        write(folder / f"text-rec-0001-{part}" / "model.yml", DESCRIPTOR)
    card = (
        "# text-rec-0001 (composite)\n\nRecognizes text.\n\n"
        "## Composite model specification\n\n| Metric | Value |\n|---|---|\n"
        "| Accuracy on the alphanumeric subset of ICDAR13 | 0.8995 |\n"
        "| Source framework | PyTorch\\* |\n\n"
        "## Encoder model specification\n\n| Metric | Value |\n|---|---|\n"
        "| GFlops | 12.4 |\n| MParams | 398 |\n\n### Inputs\n\n"
        "## Decoder model specification\n\n| Metric | Value |\n|---|---|\n| MParams | 4.33 |\n"
    )
    path = write(folder / "README.md", card)
    assert CARD.claims(path)
    rec = only(list(CARD.read(path)))
    assert rec.asset_id == "openvino:model/text-rec-0001"
    assert rec.tags == ["intel", "composite"]
    assert rec.extra["parts"] == ["text-rec-0001-decoder", "text-rec-0001-encoder"]
    assert rec.parameters == 402_330_000
    assert rec.evaluations == [
        Evaluation("Accuracy on the alphanumeric subset of ICDAR13", 0.8995, "ICDAR13")]
    assert [c.key for c in rec.configurations] == [
        "Source framework", "GFlops (Encoder model)", "MParams (Encoder model)",
        "MParams (Decoder model)"]


def test_card_without_heading_fails(tmp_path: Path) -> None:
    folder = model_dir(tmp_path)
    write(folder / "model.yml", DESCRIPTOR)
    path = write(folder / "README.md", "\nA model.\n\n## Specification\n")
    with pytest.raises(RecordError) as err:
        list(CARD.read(path))
    assert "'# <model name>' heading" in err.value.reason and err.value.line == 2


def test_other_markdown_is_skipped(tmp_path: Path) -> None:
    folder = model_dir(tmp_path)
    write(folder / "model.yml", DESCRIPTOR)
    notes = write(folder / "description.md", "# Notes\n")
    index = write(tmp_path / "models" / "intel" / "index.md",
                  "# Overview of OpenVINO Toolkit Intel's Pre-Trained Models\n")
    for path, word in ((notes, "not its card"), (index, "index page")):
        assert CARD.claims(path)
        (item,) = CARD.read(path)
        assert isinstance(item, Skipped) and word in item.reason


def test_claims_are_precise(tmp_path: Path) -> None:
    # a model.yml of some other tool, a README with no descriptor beside it, a stray index
    assert not YML.claims(write(tmp_path / "a" / "model.yml", "name: x\nlayers: 3\n"))
    assert not CARD.claims(write(tmp_path / "b" / "README.md", "# b\n"))
    write(tmp_path / "e" / "model.yml", "name: x\n")
    assert not CARD.claims(write(tmp_path / "e" / "README.md", "# e\n"))
    assert not CARD.claims(write(tmp_path / "docs" / "index.md", "# Pre-Trained Models\n"))
    assert not DEVICES.claims(write(tmp_path / "c" / "device_support.md", "# Devices\n"))
    assert not CARD.claims(write(model_dir(tmp_path) / "model.yml", DESCRIPTOR))
    assert not YML.claims(write(tmp_path / "d" / "README.md", "task_type: x\n"))


def test_cell_helpers() -> None:
    assert number("81.11%") == 81.11 and number("17.7 %") == 17.7
    assert number("0.322 (internal test set)") == 0.322 and number("38.74%*") == 38.74
    assert number("<50%") is None and number("TODO") is None and number("224x224") is None
    assert clean("[COCO mAP](https://x.org) \\*") == "COCO mAP"
    assert clean("90<sup>th</sup> `NE`") == "90th NE" and clean("[AP][1]") == "AP"


# ---------------------------------------------------------------- device_support.md


def test_device_support_rows(tmp_path: Path) -> None:
    table = (
        "# Intel's Pre-Trained Models Device Support\n\n"
        "| Model Name | CPU | GPU |\n|------------|-----|-----|\n"
        "| net-a | YES | YES |\n"
        "| net-b | YES |\n"
        "| net-c | YES | YES | YES |\n"
        "|  | YES | |\n"
        "| net-d |  | YES |\n"
    )
    path = write(tmp_path / "models" / "intel" / "device_support.md", table)
    assert DEVICES.claims(path) and not CARD.claims(path)
    items = list(DEVICES.read(path))
    records = [i for i in items if isinstance(i, AssetRecord)]
    rejected = [i for i in items if isinstance(i, Rejected)]
    assert [(r.asset_id, r.line, [c.hardware for c in r.configurations]) for r in records] == [
        ("openvino:model/net-a", 5, ["CPU", "GPU"]),
        ("openvino:model/net-b", 6, ["CPU"]),
        ("openvino:model/net-d", 9, ["GPU"]),
    ]
    assert records[0].configurations[0] == Configuration("device support", "YES", "CPU")
    assert records[0].priority == 30
    assert [(r.line, r.reason.split(",")[0]) for r in rejected] == [
        (7, "device support row has 4 cells"),
        (8, "device support row names no model (first cell '')"),
    ]


def test_device_support_without_header_fails(tmp_path: Path) -> None:
    path = write(tmp_path / "device_support.md", "# Devices\n\n| Model Name\n")
    assert DEVICES.claims(path)
    path.write_text("# Devices\n\n| Name | CPU |\n", encoding="utf-8")
    with pytest.raises(RecordError, match="Model Name"):
        list(DEVICES.read(path))


# ---------------------------------------------------------------- the real folder


def _real(rel: str) -> Path:
    if not OMZ.is_dir():
        pytest.skip("shared data not present")
    return OMZ / "models" / rel


def test_real_resnest_descriptor_and_card() -> None:
    desc = only(list(YML.read(_real("public/resnest-50-pytorch/model.yml"))))
    assert desc.license == "https://raw.githubusercontent.com/zhanghang1989/ResNeSt/master/LICENSE"
    assert desc.tasks == ["classification"] and desc.library == "pytorch"
    assert desc.size_bytes == 110273258 + 2908 + 13205 + 3620
    card = only(list(CARD.read(_real("public/resnest-50-pytorch/README.md"))))
    assert card.asset_id == desc.asset_id == "openvino:model/resnest-50-pytorch"
    assert card.parameters == 27_449_300
    assert [(e.metric, e.value) for e in card.evaluations] == [("Top 1", 81.11), ("Top 5", 95.36)]
    assert Configuration("GFLOPs", "10.8148") in card.configurations


def test_real_intel_descriptor_precisions() -> None:
    rec = only(list(YML.read(_real("intel/person-detection-retail-0013/model.yml"))))
    assert rec.size_bytes == 7048417 and rec.tasks == ["detection"] and rec.library == "dldt"
    assert [c.value for c in rec.configurations if c.key == "precision"] == [
        "FP32", "FP16", "FP16-INT8"]


def test_real_yolof_accuracy_on_coco() -> None:
    rec = only(list(CARD.read(_real("public/yolof/README.md"))))
    assert rec.evaluations[0] == Evaluation("mAP", 60.69, "COCO", "Detection", "validation", unit="%")
    assert [e.metric for e in rec.evaluations] == [
        "mAP", "COCO mAP (0.5)", "COCO mAP (0.5:0.05:0.95)"]


def test_real_composite_text_recognition() -> None:
    rec = only(list(CARD.read(_real("intel/text-recognition-0015/README.md"))))
    assert rec.parameters == 402_330_000
    assert Evaluation("Accuracy on the alphanumeric subset of ICDAR13", 0.8995, "ICDAR13") \
        in rec.evaluations


def test_real_folder_counts() -> None:
    root = _real("").parent
    kinds: Counter[tuple[str, str]] = Counter()
    records: list[AssetRecord] = []
    unclaimed = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        reader = next((r for r in READERS if r.claims(path)), None)
        if reader is None:
            unclaimed.append(path.name)
            continue
        for item in reader.read(path):  # a RecordError here fails the test: none expected
            kinds[(type(reader).__name__, type(item).__name__)] += 1
            if isinstance(item, AssetRecord):
                records.append(item)
    assert unclaimed == ["MANIFEST.md"]
    assert kinds == {
        ("OmzDescriptorReader", "AssetRecord"): 264,  # 143 intel + 121 public
        ("OmzCardReader", "AssetRecord"): 248,  # 236 models + 12 composites
        ("OmzCardReader", "Skipped"): 2,  # the two index.md
        ("OmzDeviceSupportReader", "AssetRecord"): 262,
    }
    assert len({r.asset_id for r in records}) == 276
    descriptors = [r for r in records if r.priority == 20]
    assert Counter(r.library for r in descriptors) == {
        "dldt": 143, "pytorch": 52, "tf": 46, "onnx": 23}
    assert all(r.license and r.license.startswith("https://") for r in descriptors)
    evaluations = [e for r in records for e in r.evaluations]
    assert 480 <= len(evaluations) <= 530
    # 351 of 505 (was 221): the rest are Intel models measured on internal test sets
    assert 340 <= sum(e.dataset is not None for e in evaluations) <= 360
    assert sum(r.parameters is not None for r in records) == 244
