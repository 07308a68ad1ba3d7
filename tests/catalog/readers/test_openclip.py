"""OpenCLIP readers: zero-shot results tables and architecture profiles."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from assetscout.catalog.readers.openclip import (
    READERS,
    OpenClipProfileReader,
    OpenClipResultsReader,
    pretrain_datasets,
)
from assetscout.catalog.records import AssetRecord, Rejected
from assetscout.errors import RecordError

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "cards" / "openclip_results"

MAIN = """\
name,pretrained,params (M),FLOPs (B),Average perf. on 3 datasets,ImageNet 1k,Flickr,CIFAR-10
ViT-B-32,laion2b_s34b_b79k,151.28,14.78,0.5694,0.6656,0.7,0.9358
ViT-B-32,openai,151.28,14.78,0.5,0.63,,0.89
ViT-B-32,laion2b_s34b_b79k,151.28,14.78,0.1,0.1,0.1,0.1
RN50,,102.0,18.2,0.4,0.5,0.3,0.7
ViT-L-14,datacomp_xl_s13b_b90k,427.62,175.33,0.7,n/a,0.8
ViT-L-14,datacomp_xl_s13b_b90k_x,427.62,175.33,0.7,bad,0.8,0.9
RN101,yfcc15m,inf,10.0,0.3,nan,0.2,0.6
"""

PROFILE = """\
model,image_size,image_width,text_width,embed_dim,mparams,image_mparams,text_mparams,gflops,image_gflops,text_gflops
ViT-B-32,224,768,512,512,151.28,87.85,63.43,14.78,8.82,5.96
ViT-B-32,224,768,512,512,151.28,87.85,63.43,14.78,8.82,5.96
RN50,224,64,512,1024,many,38.32,63.43,18.18,12.22,5.96
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def read_all(reader: object, path: Path) -> tuple[list[AssetRecord], list[Rejected]]:
    items = list(reader.read(path))  # type: ignore[attr-defined]
    return ([i for i in items if isinstance(i, AssetRecord)],
            [i for i in items if isinstance(i, Rejected)])


@pytest.mark.parametrize(("tag", "links"), [
    ("laion2b_s34b_b79k", [("laion2b", "pretrain")]),
    ("laion400m_e32", [("laion400m", "pretrain")]),
    ("datacomp_xl_s13b_b90k", [("datacomp_xl", "pretrain")]),
    ("laion2b_s34b_b82k_augreg_soup", [("laion2b", "pretrain")]),
    ("frozen_laion5b_s13b_b90k", [("laion5b", "pretrain")]),
    ("mscoco_finetuned_laion2b_s13b_b90k", [("laion2b", "pretrain"), ("mscoco", "finetune")]),
    ("metaclip_fullcc", [("metaclip_fullcc", "pretrain")]),
    ("dfn5b", [("dfn5b", "pretrain")]),
    ("openai", []),
    ("v1", []),
])
def test_pretrain_datasets_from_tag(tag: str, links: list[tuple[str, str]]) -> None:
    assert [(d.name, d.role) for d in pretrain_datasets(tag)] == links


def test_main_table_records(tmp_path: Path) -> None:
    path = write(tmp_path, "openclip_results.csv", MAIN)
    records, rejected = read_all(OpenClipResultsReader(), path)
    assert [r.asset_id for r in records] == [
        "openclip:model/ViT-B-32/laion2b_s34b_b79k", "openclip:model/ViT-B-32/openai",
        "openclip:model/ViT-L-14/datacomp_xl_s13b_b90k_x", "openclip:model/RN101/yfcc15m"]
    rec = records[0]
    assert (rec.kind, rec.library, rec.priority, rec.line) == ("model", "open_clip", 20, 2)
    assert rec.parameters == 151_280_000 and rec.tasks == ["zero-shot-image-classification"]
    assert [(c.key, c.value) for c in rec.configurations] == [("gflops", "14.78")]
    assert [(d.name, d.role) for d in rec.datasets] == [("laion2b", "pretrain")]
    assert [(e.parent, e.relation) for e in rec.lineage] == [("openclip:model/ViT-B-32", "base")]
    assert [(e.metric, e.value, e.dataset, e.task) for e in rec.evaluations] == [
        ("Average perf. on 3 datasets", 0.5694, None, None),
        ("main_score", 0.6656, "ImageNet 1k", "zero-shot-image-classification"),
        ("main_score", 0.7, "Flickr", "zero-shot-retrieval"),
        ("main_score", 0.9358, "CIFAR-10", "zero-shot-image-classification"),
    ]
    assert records[1].datasets == []  # 'openai' names no corpus
    assert "Flickr" not in {e.dataset for e in records[1].evaluations}  # empty cell: not measured
    assert [e.dataset for e in records[2].evaluations] == [None, "Flickr", "CIFAR-10"]
    assert sorted((r.line, r.reason) for r in rejected) == [
        (4, "checkpoint ViT-B-32/laion2b_s34b_b79k is listed again (first on line 2)"),
        (5, "row needs both 'name' and 'pretrained'"),
        (6, "row has 7 values, the header has 8 columns"),
        (7, "checkpoint ViT-L-14/datacomp_xl_s13b_b90k_x: column 'ImageNet 1k' value 'bad' "
            "is not a number; left out"),
        (8, "checkpoint RN101/yfcc15m: column 'params (M)' value 'inf' is not a number; left out"),
    ]
    rn101 = records[3]
    assert rn101.parameters is None and "ImageNet 1k" not in {e.dataset for e in rn101.evaluations}


def test_breakdown_tables(tmp_path: Path) -> None:
    retrieval = write(tmp_path, "openclip_retrieval_results.csv",
                      "name,pretrained,params (M),FLOPs (B),Average score,Flickr image retr. R@1,"
                      "WinoGAViL jaccard score 10\nViT-B-32,openai,151.28,14.78,0.6,0.58,0.55\n")
    (rec,), _ = read_all(OpenClipResultsReader(), retrieval)
    assert rec.priority == 30 and rec.tasks == [] and rec.summary is None
    assert [(e.metric, e.dataset, e.value) for e in rec.evaluations] == [
        ("Average score", None, 0.6), ("image retr. R@1", "Flickr", 0.58),
        ("jaccard score 10", "WinoGAViL", 0.55)]
    multi = write(tmp_path, "openclip_multilingual_retrieval_results.csv",
                  "model,version,avg,crossmodal3600 image_retrieval_recall@1 ar,"
                  "crossmodal3600 image_retrieval_recall@1 avg\nnllb-clip-base,v1,0.7,0.55,0.6\n")
    (rec,), _ = read_all(OpenClipResultsReader(), multi)
    assert rec.asset_id == "openclip:model/nllb-clip-base/v1" and rec.parameters is None
    assert [(e.metric, e.dataset, e.config, e.value) for e in rec.evaluations] == [
        ("avg", None, None, 0.7),
        ("image_retrieval_recall@1", "crossmodal3600", "ar", 0.55),
        ("image_retrieval_recall@1", "crossmodal3600", "avg", 0.6)]


def test_results_with_unknown_id_columns_fail(tmp_path: Path) -> None:
    path = write(tmp_path, "openclip_results.csv", "arch,tag,score\nA,b,1\n")
    assert not OpenClipResultsReader().claims(path)
    with pytest.raises(RecordError, match="expected 'name,pretrained' or 'model,version'"):
        list(OpenClipResultsReader().read(path))


def test_profile(tmp_path: Path) -> None:
    path = write(tmp_path, "model_profile.csv", PROFILE)
    records, rejected = read_all(OpenClipProfileReader(), path)
    vit = records[0]
    assert vit.asset_id == "openclip:model/ViT-B-32" and vit.tags == ["architecture"]
    assert vit.parameters == 151_280_000 and vit.priority == 20
    configs = {c.key: c.value for c in vit.configurations}
    assert configs["embed_dim"] == "512" and configs["gflops"] == "14.78" and len(configs) == 9
    assert records[1].asset_id == "openclip:model/RN50" and records[1].parameters is None
    assert [(r.line, r.reason) for r in rejected] == [
        (3, "architecture ViT-B-32 is listed again (first on line 2)"),
        (4, "architecture RN50: column 'mparams' value 'many' is not a number; left out"),
    ]


def test_claims(tmp_path: Path) -> None:
    results, profile = READERS
    assert results.claims(write(tmp_path, "openclip_results.csv", MAIN))
    assert profile.claims(write(tmp_path, "model_profile.csv", PROFILE))
    assert not profile.claims(write(tmp_path, "other_profile.csv", "model,params\nx,1\n"))
    assert not results.claims(write(tmp_path, "results.csv", MAIN))
    assert not results.claims(write(tmp_path, "openclip_notes.md", "# notes\n"))
    empty = write(tmp_path, "openclip_x_results.csv", "")
    assert not results.claims(empty)
    with pytest.raises(RecordError, match="empty"):
        list(results.read(empty))


# ---------------------------------------------------------------- the real folder


def real(name: str) -> Path:
    if not DATA.is_dir():
        pytest.skip("shared data not present")
    return DATA / name


def test_real_main_table() -> None:
    records, rejected = read_all(OpenClipResultsReader(), real("openclip_results.csv"))
    assert len(records) == 121 and not rejected
    rec = next(r for r in records if r.asset_id == "openclip:model/ViT-B-32/laion2b_s34b_b79k")
    assert rec.parameters == 151_280_000
    scores = {(e.metric, e.dataset): e.value for e in rec.evaluations}
    assert scores[("main_score", "ImageNet 1k")] == 0.6656
    assert scores[("Average perf. on 38 datasets", None)] == 0.5694
    assert len(rec.evaluations) == 39  # 38 datasets + the average
    eva = next(r for r in records if r.name == "EVA02-E-14-plus/laion2b_s9b_b144k")
    assert eva.parameters == 5_044_890_000


def test_real_every_file() -> None:
    counts: Counter[str] = Counter()
    claimed: dict[str, str] = {}
    for path in sorted(real("").iterdir()):
        readers = [r for r in READERS if r.claims(path)]
        if not readers:
            continue
        assert len(readers) == 1
        claimed[path.name] = readers[0].name
        for item in readers[0].read(path):
            counts[type(item).__name__] += 1
            if isinstance(item, AssetRecord):
                counts[path.name] += 1
                counts["evaluations"] += len(item.evaluations)
    assert set(claimed) == {"model_profile.csv", "openclip_results.csv",
                            "openclip_classification_results.csv", "openclip_retrieval_results.csv",
                            "openclip_multilingual_retrieval_results.csv"}
    assert counts["model_profile.csv"] == 85
    assert counts["openclip_multilingual_retrieval_results.csv"] == 123
    assert counts["AssetRecord"] == 85 + 3 * 121 + 123 and counts["Rejected"] == 0
    assert 45_000 <= counts["evaluations"] <= 50_000
