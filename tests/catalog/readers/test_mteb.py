"""MTEB readers: model_meta.jsonl (revisions merged) and the main-score results table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assetscout.catalog.readers.mteb import (
    MTEBManifestReader,
    MTEBMetaReader,
    MTEBResultsReader,
    mteb_asset_id,
    name_from_model_dir,
    task_type,
)
from assetscout.catalog.records import AssetRecord, Rejected, Skipped
from assetscout.errors import RecordError

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
MTEB_DIR = DATA / "cards" / "mteb_model_meta_and_results"

HEADER = "model_dir\trevision\ttask_name\tsplit\tn_subsets\tmain_score_mean\tlanguages\tmteb_version"


def _records(items: list) -> dict[str, AssetRecord]:
    return {i.asset_id: i for i in items if isinstance(i, AssetRecord)}


def _rejected(items: list) -> list[Rejected]:
    return [i for i in items if isinstance(i, Rejected)]


def _meta(**fields: object) -> str:
    base = {"name": "acme/embedder", "revision": "abc", "n_parameters": 100, "embed_dim": 8}
    base.update(fields)
    return json.dumps(base)


# ---------------------------------------------------------------- pure helpers


def test_asset_id_uses_hub_namespace_only_for_repo_ids() -> None:
    assert mteb_asset_id("BAAI/bge-m3") == "hf:model/BAAI/bge-m3"
    assert mteb_asset_id("AITeamVN/Vietnamese_Embedding") == "hf:model/AITeamVN/Vietnamese_Embedding"
    variant = "openai/text-embedding-3-large (embed_dim=512)"
    assert mteb_asset_id(variant) == f"mteb:model/{variant}"
    assert mteb_asset_id("bm25") == "mteb:model/bm25"


def test_model_dir_maps_back_to_the_meta_name() -> None:
    assert name_from_model_dir("BAAI__bge-m3") == "BAAI/bge-m3"
    assert name_from_model_dir("AITeamVN__Vietnamese_Embedding") == "AITeamVN/Vietnamese_Embedding"
    assert (
        name_from_model_dir("voyageai__voyage-4-large_(embed_dim=2048,_evolved_prompts=True)")
        == "voyageai/voyage-4-large (embed_dim=2048, evolved_prompts=True)"
    )


@pytest.mark.parametrize(
    ("task", "expected"),
    [
        ("AmazonCounterfactualVNClassification", "Classification"),
        ("SprintDuplicateQuestionsPairClassification", "PairClassification"),
        ("ArxivClusteringP2P.v2", "Clustering"),
        ("Core17InstructionRetrieval", "InstructionRetrieval"),
        ("SciFact", None),
        ("STSBenchmark", None),
        ("BIOSSES", None),
    ],
)
def test_task_type_from_name_suffix(task: str, expected: str | None) -> None:
    assert task_type(task) == expected


# ---------------------------------------------------------------- model_meta.jsonl


def test_meta_merges_revisions_and_rejects_bad_lines(tmp_path: Path) -> None:
    lines = [
        _meta(revision="external", n_parameters=999, license="mit", release_date="2023-01-01",
              languages=["en"], reference=None),
        _meta(revision="c0ffee", n_parameters=110_000_000, license=None, release_date="2024-02-08",
              languages=["eng-Latn", "deu_Latn", "python-Code"], framework=["Sentence Transformers", "PyTorch"],
              open_weights=True, max_tokens=512.0, reference="https://huggingface.co/acme/embedder",
              adapted_from="FacebookAI/xlm-roberta-large",
              training_datasets={"MSMARCO": ["train"], "NQ": ["train"]}, modalities=["text"]),
        '{"name": "broken", ',
        "",
        "[1, 2]",
        json.dumps({"revision": "x"}),
        _meta(name="openai/text-embedding-3-small (embed_dim=512)", open_weights=False,
              framework=["API"], adapted_from="XLM-RoBERTa", training_datasets=["T2Retrieval"]),
        _meta(name="acme/reranker", is_cross_encoder=True, framework=["Sentence Transformers"]),
    ]
    path = tmp_path / "model_meta.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(MTEBMetaReader().read(path))

    bad = _rejected(items)
    assert [r.line for r in bad] == [3, 5, 6]
    assert "not valid JSON" in bad[0].reason
    assert "JSON list, expected an object" in bad[1].reason
    assert "no 'name'" in bad[2].reason

    recs = _records(items)
    assert set(recs) == {
        "hf:model/acme/embedder",
        "mteb:model/openai/text-embedding-3-small (embed_dim=512)",
        "hf:model/acme/reranker",
    }
    rec = recs["hf:model/acme/embedder"]
    assert rec.line == 2  # the real commit wins over the 'external' import
    assert rec.parameters == 110_000_000 and rec.created == "2024-02-08"
    assert rec.license == "mit"  # gap filled from the older revision
    assert rec.extra["revisions"] == ["c0ffee", "external"]
    assert rec.languages == ["eng-Latn", "deu_Latn", "python-Code", "en", "de"]
    assert rec.lineage[0].parent == "hf:model/FacebookAI/xlm-roberta-large"
    assert rec.lineage[0].relation == "finetune"
    assert [(d.name, d.role) for d in rec.datasets] == [("MSMARCO", "train"), ("NQ", "train")]
    assert rec.tasks == ["sentence-similarity"] and rec.library == "sentence-transformers"
    assert rec.tags == ["open-weights"] and rec.access == "open"
    assert rec.organization == "acme" and rec.priority == 20
    assert rec.extra["max_tokens"] == 512 and isinstance(rec.extra["max_tokens"], int)
    assert rec.url == "https://huggingface.co/acme/embedder"

    api = recs["mteb:model/openai/text-embedding-3-small (embed_dim=512)"]
    assert api.access == "closed" and api.tags == [] and api.library is None
    assert api.tasks == ["feature-extraction"]
    assert api.lineage[0].parent == "XLM-RoBERTa"  # not a repo id: kept as written
    assert [d.name for d in api.datasets] == ["T2Retrieval"]
    assert recs["hf:model/acme/reranker"].tasks == ["text-ranking"]


def test_meta_whole_file_problems_raise(tmp_path: Path) -> None:
    empty = tmp_path / "model_meta.jsonl"
    empty.write_text("  \n", encoding="utf-8")
    with pytest.raises(RecordError, match="empty"):
        list(MTEBMetaReader().read(empty))
    latin = tmp_path / "latin" / "model_meta.jsonl"
    latin.parent.mkdir()
    latin.write_bytes(b'{"name": "a/b", "license": "caf\xe9"}\n')
    with pytest.raises(RecordError, match="not valid UTF-8"):
        list(MTEBMetaReader().read(latin))


def test_claims_only_mteb_files(tmp_path: Path) -> None:
    meta = tmp_path / "model_meta.jsonl"
    meta.write_text(_meta() + "\n", encoding="utf-8")
    other = tmp_path / "sub" / "model_meta.jsonl"
    other.parent.mkdir()
    other.write_text('{"id": 1}\n', encoding="utf-8")
    renamed = tmp_path / "scores.tsv"
    renamed.write_text(HEADER + "\n", encoding="utf-8")
    plain_tsv = tmp_path / "queries.tsv"
    plain_tsv.write_text("qid\ttext\n", encoding="utf-8")
    manifest = tmp_path / "MANIFEST.md"
    manifest.write_text("# MTEB results repository\n", encoding="utf-8")
    other_manifest = tmp_path / "sub" / "MANIFEST.md"
    other_manifest.write_text("# timm model index\n", encoding="utf-8")

    assert MTEBMetaReader().claims(meta) and not MTEBMetaReader().claims(other)
    assert MTEBResultsReader().claims(renamed) and not MTEBResultsReader().claims(plain_tsv)
    assert not MTEBResultsReader().claims(meta)
    assert MTEBManifestReader().claims(manifest) and not MTEBManifestReader().claims(other_manifest)
    skipped = list(MTEBManifestReader().read(manifest))
    assert len(skipped) == 1 and isinstance(skipped[0], Skipped)


# ---------------------------------------------------------------- results TSV


def _tsv(tmp_path: Path, rows: list[str], name: str = "results_main_score.tsv") -> Path:
    path = tmp_path / name
    path.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode("utf-8"))
    return path


def test_results_group_rows_per_model_and_reject_bad_rows(tmp_path: Path) -> None:
    path = _tsv(tmp_path, [
        "BAAI__bge-m3\tr1\tSciFact\ttest\t1\t0.64366\teng-Latn\t1.36.32",
        "BAAI__bge-m3\tr1\tBanking77Classification\ttest\t1\t0.8\teng-Latn\t",
        "BAAI__bge-m3\tr1\tAFQMC\ttest\t1\tnan\tcmn-Hans\t1.12.75",
        "BAAI__bge-m3\tr2\tSciFact\ttest\t1\t0.65\teng-Latn\t1.38.0",
        "BAAI__bge-m3\tr2\tNFCorpus\ttest",
        "openai__text-embedding-3-large_(embed_dim=512)\t3\tArguAna\ttest\t1\tabc\teng-Latn\t2.3.3",
        "openai__text-embedding-3-large_(embed_dim=512)\t3\tArguAna\tdev\t2\t-0.03\teng-Latn\t2.3.3",
    ])
    items = list(MTEBResultsReader().read(path))
    bad = _rejected(items)
    assert [r.line for r in bad] == [4, 6, 7]
    assert "'nan', not a number" in bad[0].reason
    assert "4 columns, expected 8" in bad[1].reason
    assert "'abc', not a number" in bad[2].reason

    recs = _records(items)
    bge = recs["hf:model/BAAI/bge-m3"]
    assert bge.priority == 30 and bge.kind == "model" and bge.line == 2
    assert bge.extra["revisions"] == ["r1", "r2"]
    assert [(e.dataset, e.split, e.value, e.task) for e in bge.evaluations] == [
        ("SciFact", "test", 0.64366, None),
        ("Banking77Classification", "test", 0.8, "Classification"),
        ("SciFact", "test", 0.65, None),
    ]
    assert all(e.metric == "main_score" and e.config is None for e in bge.evaluations)
    variant = recs["mteb:model/openai/text-embedding-3-large (embed_dim=512)"]
    assert variant.name == "openai/text-embedding-3-large (embed_dim=512)"
    assert [e.value for e in variant.evaluations] == [-0.03]


def test_results_unsorted_rows_still_give_one_record_per_model(tmp_path: Path) -> None:
    path = _tsv(tmp_path, [
        "a__x\tr\tT1\ttest\t1\t0.1\ten\t1",
        "b__y\tr\tT1\ttest\t1\t0.2\ten\t1",
        "a__x\tr\tT2\ttest\t1\t0.3\ten\t1",
    ])
    items = list(MTEBResultsReader().read(path))
    assert [i.asset_id for i in items] == ["hf:model/a/x", "hf:model/b/y"]
    assert [e.value for e in items[0].evaluations] == [0.1, 0.3]


def test_results_non_utf8_row_is_rejected_alone(tmp_path: Path) -> None:
    path = tmp_path / "r.tsv"
    path.write_bytes(
        (HEADER + "\n").encode() + b"a__x\tr\tCaf\xe9\ttest\t1\t0.1\ten\t1\n"
        + b"a__x\tr\tT2\ttest\t1\t0.3\ten\t1\n"
    )
    items = list(MTEBResultsReader().read(path))
    assert items[0] == Rejected(reason="row is not valid UTF-8", line=2)
    assert [e.dataset for e in items[1].evaluations] == ["T2"]


def test_results_bad_header_or_empty_file_raise(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.tsv"
    wrong.write_text("model\ttask\tscore\nx\ty\t1\n", encoding="utf-8")
    with pytest.raises(RecordError, match="header") as err:
        list(MTEBResultsReader().read(wrong))
    assert err.value.line == 1
    empty = tmp_path / "empty.tsv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(RecordError, match="empty"):
        list(MTEBResultsReader().read(empty))


# ---------------------------------------------------------------- the real folder


@pytest.fixture(scope="module")
def real_dir() -> Path:
    if not MTEB_DIR.is_dir():
        pytest.skip(f"shared data not found at {MTEB_DIR}")
    return MTEB_DIR


def test_real_meta_file(real_dir: Path) -> None:
    items = list(MTEBMetaReader().read(real_dir / "model_meta.jsonl"))
    assert not _rejected(items)
    recs = _records(items)
    assert len(recs) == 659  # 852 lines, 659 unique names
    assert sum(r.asset_id.startswith("mteb:model/") for r in recs.values()) == 8
    assert 200 <= sum(len(r.lineage) for r in recs.values()) <= 239

    vn = recs["hf:model/AITeamVN/Vietnamese_Embedding"]
    assert vn.license == "cc-by-4.0" and vn.parameters == 568_000_000
    assert vn.languages == ["vie-Latn", "vi"] and vn.created == "2024-03-17"
    assert [e.parent for e in vn.lineage] == ["hf:model/BAAI/bge-m3"]
    assert vn.library == "sentence-transformers" and vn.extra["embed_dim"] == 1024

    bge = recs["hf:model/BAAI/bge-m3"]
    assert bge.license == "mit" and bge.parameters == 568_000_000

    e5 = recs["hf:model/intfloat/multilingual-e5-large"]
    assert len(e5.extra["revisions"]) == 4 and e5.extra["revisions"][-1] == "external"
    assert e5.created == "2024-02-08" and "en" in e5.languages


def test_real_results_file(real_dir: Path) -> None:
    items = list(MTEBResultsReader().read(real_dir / "results_main_score.tsv"))
    bad = _rejected(items)
    assert len(bad) == 12 and all("'AFQMC' is 'nan'" in r.reason for r in bad)
    recs = _records(items)
    assert len(recs) == 662
    assert sum(len(r.evaluations) for r in recs.values()) == 114_460 - 12

    bge = recs["hf:model/BAAI/bge-m3"]
    assert len(bge.evaluations) == 659
    scifact = [e for e in bge.evaluations if e.dataset == "SciFact" and e.split == "test"]
    assert [e.value for e in scifact] == [0.64366]
    vn = recs["hf:model/AITeamVN/Vietnamese_Embedding"]
    polarity = next(e for e in vn.evaluations if e.dataset == "AmazonPolarityVNClassification")
    assert polarity.value == 0.887758 and polarity.task == "Classification"

    meta_ids = set(_records(list(MTEBMetaReader().read(real_dir / "model_meta.jsonl"))))
    assert len(set(recs) - meta_ids) == 5  # five result folders have no model_meta.json
    assert "mteb:model/voyageai/voyage-4-large (embed_dim=2048, evolved_prompts=True)" in recs


def test_real_tree_claims_only_the_mteb_files(real_dir: Path) -> None:
    readers = [MTEBMetaReader(), MTEBResultsReader(), MTEBManifestReader()]
    claimed = sorted(
        (r.name, p.name)
        for p in DATA.rglob("*") if p.is_file()
        for r in readers if r.claims(p)
    )
    assert claimed == [
        ("mteb_manifest", "MANIFEST.md"),
        ("mteb_meta", "model_meta.jsonl"),
        ("mteb_results", "results_main_score.tsv"),
    ]
