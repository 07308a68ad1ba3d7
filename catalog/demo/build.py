"""The embedded demo corpus: a few thousand real assets shipped inside the package.

Only sources whose license allows redistribution go in (Apache-2.0, CC0, MIT; see
NOTICE.md beside this file): timm, OpenCLIP, MTEB, HELM, OpenVINO, TF Hub, the
canonical HF dataset cards and schemas, Croissant examples. The raw Hub cards carry
their owners' licenses and are never shipped.

`make_archive` builds `demo_corpus.tar.gz` from a checkout of the shared data (run by
a maintainer: `python -m assetscout.catalog.demo.build --shared-data ../shared/data`);
`ingest_demo` unpacks it inside the catalog directory (a stable path, so re-running
the demo is an unchanged, near-instant ingest) and ingests it.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import tarfile
from importlib import resources
from pathlib import Path
from typing import Iterator

from assetscout.catalog.ingest import IngestReport, ingest
from assetscout.catalog.store import Catalog, write_json_atomic

ARCHIVE_NAME = "demo_corpus.tar.gz"
UNPACKED = "demo_corpus"

# MTEB tasks kept in the demo (the classic English benchmark), so the score table stays small.
MTEB_TASKS = {
    "AmazonCounterfactualClassification", "AmazonPolarityClassification", "AmazonReviewsClassification",
    "Banking77Classification", "EmotionClassification", "ImdbClassification", "MassiveIntentClassification",
    "MassiveScenarioClassification", "MTOPDomainClassification", "MTOPIntentClassification",
    "ToxicConversationsClassification", "TweetSentimentExtractionClassification",
    "ArxivClusteringP2P", "ArxivClusteringS2S", "BiorxivClusteringP2P", "MedrxivClusteringP2P",
    "RedditClustering", "StackExchangeClustering", "TwentyNewsgroupsClustering",
    "SprintDuplicateQuestions", "TwitterSemEval2015", "TwitterURLCorpus",
    "AskUbuntuDupQuestions", "MindSmallReranking", "SciDocsRR", "StackOverflowDupQuestions",
    "ArguAna", "ClimateFEVER", "CQADupstackRetrieval", "DBPedia", "FEVER", "FiQA2018", "HotpotQA",
    "MSMARCO", "NFCorpus", "NQ", "QuoraRetrieval", "SCIDOCS", "SciFact", "Touche2020", "TRECCOVID",
    "BIOSSES", "SICK-R", "STS12", "STS13", "STS14", "STS15", "STS16", "STS17", "STS22", "STSBenchmark",
    "SummEval",
}
# UGEN-V1 topics whose query table, 10 unionable and 10 same-topic non-unionable lake tables
# (by the benchmark's ground truth) make the demo's table lake: union and join answers exist
LAKE_TOPICS = ("World Geography", "Financial Markets", "Sports", "Medicine")
TFHUB_MAX_MODELS = 600
HF_DATASETS_MAX = 400


def _files(root: Path, pattern: str) -> list[Path]:
    return sorted(p for p in root.glob(pattern) if p.is_file())


def _selection(shared: Path) -> Iterator[tuple[str, Path | bytes]]:
    """(path inside the archive, file or bytes) for everything the demo ships."""
    cards = shared / "cards"
    for p in _files(cards / "timm_model_index", "models/*.mdx"):
        yield f"cards/timm_model_index/models/{p.name}", p
    for name in ("results-imagenet.csv", "results-imagenet-a.csv", "model_metadata-in1k.csv"):
        p = cards / "timm_model_index" / "results" / name
        if p.is_file():
            yield f"cards/timm_model_index/results/{name}", p
    for p in _files(cards / "openclip_results", "*.csv"):
        yield f"cards/openclip_results/{p.name}", p
    yield "cards/helm_model_metadata/model_metadata.yaml", cards / "helm_model_metadata" / "model_metadata.yaml"
    for p in _files(cards / "openvino_open_model_zoo", "models/*/*/model.yml"):
        yield str(p.relative_to(shared)), p
        readme = p.parent / "README.md"
        if readme.is_file():
            yield str(readme.relative_to(shared)), readme
    tf_models = sorted({p.parent for p in _files(cards / "tfhub_models", "docs/*/models/**/*.md")})
    for folder in tf_models[:TFHUB_MAX_MODELS]:
        for p in _files(folder, "*.md"):
            yield str(p.relative_to(shared)), p
    for p in _files(cards / "tfhub_models", "tags/*.yaml"):
        yield str(p.relative_to(shared)), p
    ds_dirs = sorted(p.parent for p in _files(cards / "hf_datasets_canonical_2022", "datasets/*/dataset_infos.json"))
    for folder in ds_dirs[:HF_DATASETS_MAX]:
        for name in ("README.md", "dataset_infos.json"):
            p = folder / name
            if p.is_file():
                yield str(p.relative_to(shared)), p
    for p in _files(cards / "croissant_examples", "datasets/*/*/metadata.json"):
        yield str(p.relative_to(shared)), p
    yield from lake_files(shared / "tables" / "ugen_v1")
    mteb = cards / "mteb_model_meta_and_results"
    yield "cards/mteb_model_meta_and_results/model_meta.jsonl", mteb / "model_meta.jsonl"
    yield "cards/mteb_model_meta_and_results/results_main_score.tsv", _filtered_mteb(mteb / "results_main_score.tsv")


def lake_files(ugen: Path, topics: tuple[str, ...] = LAKE_TOPICS) -> Iterator[tuple[str, Path]]:
    """The UGEN-V1 tables of `topics`: each topic's query table and its 20 judged lake tables."""
    truth = ugen / "groundtruth" / "groundtruth.csv"
    if not truth.is_file():
        return
    with open(truth, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        query, lake = row["query_table"].strip(), row["data_lake_table"].strip()
        if query.rsplit("_", 1)[0] in topics:
            if (ugen / "datalake" / lake).is_file():
                yield f"lake/ugen_v1/datalake/{lake}", ugen / "datalake" / lake
    for p in _files(ugen / "query", "*.csv"):
        if p.name.rsplit("_", 1)[0] in topics:
            yield f"lake/ugen_v1/query/{p.name}", p


def _filtered_mteb(path: Path) -> bytes:
    out = io.StringIO()
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh, delimiter="\t")
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
        header = next(reader)
        writer.writerow(header)
        task_col = header.index("task_name")
        for row in reader:
            if len(row) > task_col and row[task_col] in MTEB_TASKS:
                writer.writerow(row)
    return out.getvalue().encode("utf-8")


def make_archive(shared: Path, out: Path) -> dict[str, int]:
    """Write the demo archive (deterministic: sorted, fixed mtimes); return counts."""
    files = 0
    raw = 0
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=9) as tar:
        for arcname, src in sorted(_selection(shared), key=lambda x: x[0]):
            data = src if isinstance(src, bytes) else src.read_bytes()
            info = tarfile.TarInfo(f"{UNPACKED}/{arcname}")
            info.size = len(data)
            info.mtime = 0
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
            files += 1
            raw += len(data)
    out.write_bytes(buf.getvalue())
    return {"files": files, "bytes_unpacked": raw, "bytes_archive": out.stat().st_size}


def _archive() -> Path:
    ref = resources.files("assetscout.catalog.demo").joinpath(ARCHIVE_NAME)
    return Path(str(ref))


def unpack_demo(catalog: Catalog) -> Path:
    """Unpack the shipped archive into the catalog directory (once per archive version)."""
    archive = _archive()
    if not archive.is_file():
        raise FileNotFoundError(f"demo corpus {archive} is missing from this installation")
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    target = catalog.root / UNPACKED
    stamp = catalog.root / f"{UNPACKED}.json"
    if stamp.is_file() and target.is_dir():
        try:
            if json.loads(stamp.read_text("utf-8")).get("sha256") == digest:
                return target
        except ValueError:
            pass
    catalog.root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(catalog.root, filter="data")
    write_json_atomic(stamp, {"sha256": digest, "archive": ARCHIVE_NAME})
    return target


def ingest_demo(catalog: Catalog, *, progress: bool = True) -> IngestReport:
    """Ingest the demo corpus into `catalog` (unchanged files are not read again)."""
    return ingest([unpack_demo(catalog)], catalog, progress=progress)


def main() -> None:
    parser = argparse.ArgumentParser(description="Build the demo corpus archive from the shared data.")
    parser.add_argument("--shared-data", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name(ARCHIVE_NAME))
    parser.add_argument("--vectors", type=Path, metavar="CATALOG",
                        help="also export the embeddings of a catalog indexed from this demo with the packaged "
                             "model (catalog/demo/vectors.py), so that 'assetscout demo' need not embed")
    args = parser.parse_args()
    print(json.dumps(make_archive(args.shared_data, args.out), indent=2))
    if args.vectors:
        from assetscout.catalog.demo.vectors import VECTORS_NAME, export_vectors
        from assetscout.embed.text import SentenceTransformerEncoder

        print(json.dumps(export_vectors(args.vectors, SentenceTransformerEncoder(), args.out.with_name(VECTORS_NAME))))


if __name__ == "__main__":
    main()
