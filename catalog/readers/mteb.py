"""MTEB: embedding-model metadata (model_meta.jsonl) and per-task scores (results TSV).

Both files come from the MTEB results repository. The metadata file has one line per
(model, revision); the catalog wants one asset per model, so revisions of one name are
merged. The scores table is large (114k rows), so it is streamed and grouped by model.
Both readers derive the asset id from the model name the same way, so the facts of the
two files, and of the model's Hub card, land on one asset.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any, Iterator

from assetscout.catalog.readers.base import MB, Reader, as_list, read_text, to_int
from assetscout.catalog.records import (
    AssetRecord,
    DatasetLink,
    Evaluation,
    LineageEdge,
    ReaderItem,
    Rejected,
    Skipped,
)
from assetscout.errors import RecordError

PRIORITY_META = 20
PRIORITY_RESULTS = 30

_REPO_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*")
RESULTS_HEADER = (
    "model_dir", "revision", "task_name", "split", "n_subsets",
    "main_score_mean", "languages", "mteb_version",
)

# MTEB writes ISO 639-3 codes ('eng-Latn'); search filters use the 2-letter codes the
# Hub uses ('en'). Common languages only: a code not listed is kept as written alone.
_ISO3_TO_ISO1 = dict(pair.split(":") for pair in (
    "afr:af amh:am ara:ar arb:ar asm:as aze:az azj:az bel:be ben:bn bod:bo bos:bs "
    "bre:br bul:bg cat:ca ces:cs cmn:zh cym:cy dan:da deu:de ell:el eng:en epo:eo "
    "est:et eus:eu fas:fa pes:fa fin:fi fra:fr fry:fy gla:gd gle:ga glg:gl guj:gu "
    "hat:ht hau:ha heb:he hin:hi hrv:hr hun:hu hye:hy ibo:ig ind:id isl:is ita:it "
    "jav:jv jpn:ja kan:kn kat:ka kaz:kk khm:km kin:rw kir:ky kor:ko kur:ku lao:lo "
    "lat:la lav:lv lit:lt ltz:lb mal:ml mar:mr mkd:mk mlg:mg mlt:mt mon:mn mri:mi "
    "msa:ms zsm:ms mya:my nep:ne nld:nl nno:nn nob:nb nor:no nya:ny oci:oc ori:or "
    "orm:om pan:pa pol:pl por:pt pus:ps que:qu ron:ro rus:ru san:sa sin:si slk:sk "
    "slv:sl sna:sn snd:sd som:so sot:st spa:es sqi:sq als:sq srp:sr sun:su swa:sw "
    "swh:sw swe:sv tam:ta tat:tt tel:te tgk:tg tgl:tl tha:th tur:tr uig:ug ukr:uk "
    "urd:ur uzb:uz vie:vi xho:xh yid:yi yor:yo zho:zh zul:zu"
).split())

# Framework names as MTEB writes them -> Hub library names, most specific first.
_LIBRARIES = (
    ("Sentence Transformers", "sentence-transformers"), ("PyLate", "pylate"),
    ("ColPali", "colpali"), ("GritLM", "gritlm"), ("LLM2Vec", "llm2vec"),
    ("ColBERT", "colbert"), ("Tevatron", "tevatron"), ("Transformers", "transformers"),
    ("OpenVINO", "openvino"), ("ONNX", "onnx"), ("TensorFlow", "tensorflow"),
    ("PyTorch", "pytorch"), ("NumPy", "numpy"),
)

# MTEB task types a task name ends with, longest first so 'PairClassification' wins
# over 'Classification'. Names without such a suffix ('ArguAna') get no task type.
_TASK_TYPES = (
    "MultilabelClassification", "ZeroShotClassification", "PairClassification",
    "InstructionRetrieval", "InstructionReranking", "BitextMining", "Classification",
    "Summarization", "Clustering", "Regression", "Reranking", "Retrieval", "VisualSTS",
    "STS",
)


def mteb_asset_id(name: str) -> str:
    """`hf:model/<name>` when the MTEB name is a Hub repo id, else `mteb:model/<name>`.

    Names like 'openai/text-embedding-3-large (embed_dim=512)' are MTEB variants, not
    repo ids, so they stay in the mteb namespace.
    """
    if _REPO_ID.fullmatch(name):
        return f"hf:model/{name}"
    return f"mteb:model/{name}"


def name_from_model_dir(model_dir: str) -> str:
    """Undo MTEB's folder naming: '/' became '__' and ' ' became '_'.

    Only the first '__' is the owner separator, and only a parenthesised variant suffix
    ('_(embed_dim=2048,_evolved_prompts=True)') had spaces; other underscores are real.
    """
    name = model_dir.replace("__", "/", 1)
    m = re.fullmatch(r"(.*?)_\((.*)\)", name)
    if m:
        name = f"{m.group(1)} ({m.group(2).replace(',_', ', ')})"
    return name


def task_type(task_name: str) -> str | None:
    """The MTEB task type a task name ends with ('SciFactRetrieval' -> 'Retrieval')."""
    base = re.sub(r"\.v\d+$", "", task_name)
    base = re.sub(r"(?<=Clustering)(P2P|S2S)$", "", base)
    for suffix in _TASK_TYPES:
        if base.endswith(suffix):
            return suffix
    return None


def _peek(path: Path, size: int = 4096) -> bytes:
    """The first bytes of a file, for cheap format checks in `claims`."""
    try:
        with path.open("rb") as fh:
            return fh.read(size)
    except OSError:
        return b""


# ---------------------------------------------------------------- model_meta.jsonl


def _languages(value: Any) -> list[str]:
    """Languages as written, plus the 2-letter code of each one we can map."""
    written = as_list(value)
    extra: list[str] = []
    for code in written:
        short = _ISO3_TO_ISO1.get(re.split(r"[-_]", code, maxsplit=1)[0])
        if short and short not in written and short not in extra:
            extra.append(short)
    return written + extra


def _library(frameworks: list[str]) -> str | None:
    """The most specific library in MTEB's framework list, as the Hub spells it."""
    lowered = {f.lower() for f in frameworks}
    for written, library in _LIBRARIES:
        if written.lower() in lowered:
            return library
    rest = [f for f in frameworks if f.lower() not in ("api", "safetensors")]
    return rest[0].lower().replace(" ", "-") if rest else None


def _tasks(meta: dict[str, Any], frameworks: list[str]) -> list[str]:
    """Hub pipeline tag: rerankers rank, sentence encoders compare, the rest embed."""
    if meta.get("is_cross_encoder") is True or "cross-encoder" in as_list(meta.get("model_type")):
        return ["text-ranking"]
    if "Sentence Transformers" in frameworks and as_list(meta.get("modalities")) in ([], ["text"]):
        return ["sentence-similarity"]
    return ["feature-extraction"]


def _training_datasets(value: Any) -> list[DatasetLink]:
    """MTEB lists training data as task/dataset names, or a dict of name -> splits."""
    names = list(value) if isinstance(value, dict) else as_list(value)
    return [DatasetLink(name=str(n), role="train") for n in names if str(n).strip()]


def _number(value: Any) -> int | float | None:
    """Token counts are written as floats (8192.0): give ints where they are whole."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value) if float(value).is_integer() else value


def _first(meta: dict[str, Any], *keys: str) -> Any:
    """The first key present with a value: older MTEB versions spelled some keys apart."""
    for key in keys:
        if meta.get(key) is not None:
            return meta[key]
    return None


def _revision_rank(item: tuple[int, dict[str, Any]]) -> tuple[bool, str, int, int]:
    """Which revision is the latest: a real commit over 'external' leaderboard imports,
    then the newest release date, then the most complete metadata, then the last line."""
    line, meta = item
    real = str(meta.get("revision")) not in ("external", "no_revision_available")
    filled = sum(1 for v in meta.values() if v not in (None, [], {}, ""))
    return real, str(meta.get("release_date") or ""), filled, line


def _merge_revisions(items: list[tuple[int, dict[str, Any]]]) -> tuple[int, dict[str, Any]]:
    """The latest revision's metadata, its gaps filled from the older revisions."""
    ranked = sorted(items, key=_revision_rank, reverse=True)
    line, merged = ranked[0][0], dict(ranked[0][1])
    for _, older in ranked[1:]:
        for key, value in older.items():
            if merged.get(key) in (None, [], {}, "") and value not in (None, [], {}, ""):
                merged[key] = value
    merged["_revisions"] = [str(m.get("revision")) for _, m in ranked]
    return line, merged


def meta_record(meta: dict[str, Any], line: int | None = None) -> AssetRecord:
    """One MTEB model_meta object (revisions already merged) as an asset record."""
    name = str(meta["name"]).strip()
    frameworks = as_list(meta.get("framework"))
    open_weights = _first(meta, "open_weights", "open_source")
    adapted = meta.get("adapted_from")
    lineage = []
    if isinstance(adapted, str) and adapted.strip():
        parent = adapted.strip()
        lineage.append(LineageEdge(
            parent=f"hf:model/{parent}" if _REPO_ID.fullmatch(parent) else parent,
            relation="finetune",
        ))
    extra = {
        "revisions": meta.get("_revisions") or [str(meta.get("revision"))],
        "embed_dim": _number(_first(meta, "embed_dim", "embedding_dimension")),
        "max_tokens": _number(meta.get("max_tokens")),
        "similarity_fn_name": meta.get("similarity_fn_name"),
        "framework": frameworks,
        "open_weights": open_weights,
        "public_training_code": meta.get("public_training_code"),
        "public_training_data": meta.get("public_training_data"),
        "use_instructions": _first(meta, "use_instructions", "use_instuctions"),
        "model_type": as_list(meta.get("model_type")),
        "modalities": as_list(meta.get("modalities")),
        "superseded_by": meta.get("superseded_by"),
    }
    license_ = meta.get("license")
    return AssetRecord(
        asset_id=mteb_asset_id(name),
        kind="model",
        name=name,
        license=str(license_) if license_ not in (None, "") else None,
        tasks=_tasks(meta, frameworks),
        library=_library(frameworks),
        languages=_languages(meta.get("languages")),
        tags=["open-weights"] if open_weights is True else [],
        organization=name.split("/", 1)[0] if "/" in name else None,
        access={True: "open", False: "closed"}.get(open_weights),
        parameters=to_int(meta.get("n_parameters")),
        created=str(meta["release_date"]) if meta.get("release_date") else None,
        url=meta.get("reference") if isinstance(meta.get("reference"), str) else None,
        datasets=_training_datasets(meta.get("training_datasets")),
        lineage=lineage,
        extra={k: v for k, v in extra.items() if v not in (None, [], {}, "")},
        priority=PRIORITY_META,
        line=line,
    )


def _parse_meta_line(raw: str, line: int) -> dict[str, Any] | Rejected:
    """One JSONL line as a metadata object, or why it is not one."""
    try:
        meta = json.loads(raw)
    except json.JSONDecodeError as exc:
        return Rejected(reason=f"line is not valid JSON: {exc.msg} (column {exc.colno})", line=line)
    if not isinstance(meta, dict):
        kind = type(meta).__name__
        return Rejected(reason=f"line is a JSON {kind}, expected an object", line=line)
    name = meta.get("name")
    if not isinstance(name, str) or not name.strip():
        return Rejected(reason="model entry has no 'name' (a non-empty string)", line=line)
    return meta


class MTEBMetaReader(Reader):
    """MTEB's model_meta.jsonl: one asset per model name, revisions merged."""

    name = "mteb_meta"

    def claims(self, path: Path) -> bool:
        """The file name MTEB exports use, with an MTEB-shaped first object."""
        if path.name != "model_meta.jsonl":
            return False
        head = _peek(path)
        return b'"name"' in head and (b'"n_parameters"' in head or b'"embed_dim"' in head)

    def read(self, path: Path) -> Iterator[ReaderItem]:
        """Parse every line, then merge the lines of one model name in file order."""
        groups: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        for line, raw in enumerate(read_text(path).splitlines(), 1):
            if not raw.strip():
                continue
            parsed = _parse_meta_line(raw, line)
            if isinstance(parsed, Rejected):
                yield parsed
                continue
            groups.setdefault(parsed["name"].strip(), []).append((line, parsed))
        for items in groups.values():
            line, merged = _merge_revisions(items)
            yield meta_record(merged, line)


# ---------------------------------------------------------------- results TSV


def _parse_result_row(fields: list[str], line: int) -> tuple[str, str, Evaluation] | Rejected:
    """One TSV row as (model_dir, revision, evaluation), or why it cannot be read."""
    if len(fields) != len(RESULTS_HEADER):
        return Rejected(
            reason=f"row has {len(fields)} columns, expected {len(RESULTS_HEADER)}", line=line
        )
    model_dir, revision, task, split, _, score = fields[:6]
    if not model_dir or not task:
        return Rejected(reason="row has an empty model_dir or task_name", line=line)
    try:
        value = float(score)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        reason = f"main_score_mean of {task!r} is {score!r}, not a number"
        return Rejected(reason=reason, line=line)
    evaluation = Evaluation(
        metric="main_score", value=value, dataset=task, task=task_type(task),
        split=split or None,
    )
    return model_dir, revision, evaluation


def _lines(path: Path) -> Iterator[tuple[int, str | None]]:
    """Stream a file's lines as text, with None for a line that is not UTF-8."""
    with path.open("rb") as fh:
        for line, raw in enumerate(fh, 1):
            try:
                yield line, raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError:
                yield line, None


def _is_grouped(path: Path) -> bool:
    """Whether the rows of each model are contiguous (true of MTEB's export)."""
    done: set[str] = set()
    current = None
    for line, text in _lines(path):
        if line == 1 or not text:
            continue
        model_dir = text.split("\t", 1)[0]
        if model_dir != current:
            if model_dir in done:
                return False
            if current is not None:
                done.add(current)
            current = model_dir
    return True


class _ModelResults:
    """The evaluations of one model collected from the table."""

    def __init__(self, model_dir: str, line: int) -> None:
        self.model_dir = model_dir
        self.line = line
        self.revisions: list[str] = []
        self.evaluations: list[Evaluation] = []

    def add(self, revision: str, evaluation: Evaluation) -> None:
        if revision and revision not in self.revisions:
            self.revisions.append(revision)
        self.evaluations.append(evaluation)

    def record(self) -> AssetRecord:
        name = name_from_model_dir(self.model_dir)
        return AssetRecord(
            asset_id=mteb_asset_id(name),
            kind="model",
            name=name,
            evaluations=self.evaluations,
            extra={"revisions": self.revisions} if self.revisions else {},
            priority=PRIORITY_RESULTS,
            line=self.line,
        )


class MTEBResultsReader(Reader):
    """MTEB's per-task main scores: one asset per model carrying all its scores."""

    name = "mteb_results"
    max_bytes = 500 * MB  # streamed row by row, never held whole

    def claims(self, path: Path) -> bool:
        """A TSV whose header is the MTEB main-score export's."""
        if path.suffix.lower() != ".tsv":
            return False
        head = _peek(path, 256).lstrip(b"\xef\xbb\xbf")
        return head.startswith(b"model_dir\trevision\ttask_name\t")

    def read(self, path: Path) -> Iterator[ReaderItem]:
        """Stream the rows; a model is yielded as soon as its rows end (sorted file) or
        at the end of the file (unsorted file: then rows are kept per model)."""
        head = _peek(path)
        if not head.strip():
            raise RecordError("file is empty")
        if b"\x00" in head:
            raise RecordError("file is binary (contains NUL bytes), not text")
        header = head.decode("utf-8", "replace").lstrip("\ufeff").splitlines()[0].split("\t")
        if tuple(h.strip() for h in header) != RESULTS_HEADER:
            expected = ", ".join(RESULTS_HEADER)
            raise RecordError(f"header is not the MTEB results header: expected {expected}", line=1)
        grouped = _is_grouped(path)
        models: dict[str, _ModelResults] = {}  # one open model at a time when grouped
        for line, text in _lines(path):
            if line == 1 or text == "":
                continue
            if text is None:
                yield Rejected(reason="row is not valid UTF-8", line=line)
                continue
            parsed = _parse_result_row(text.split("\t"), line)
            if isinstance(parsed, Rejected):
                yield parsed
                continue
            model_dir, revision, evaluation = parsed
            if model_dir not in models:
                if grouped:
                    yield from (m.record() for m in models.values())
                    models.clear()
                models[model_dir] = _ModelResults(model_dir, line)
            models[model_dir].add(revision, evaluation)
        yield from (m.record() for m in models.values())


# ---------------------------------------------------------------- the folder's manifest


class MTEBManifestReader(Reader):
    """The MANIFEST.md that describes the MTEB folder: provenance, not asset metadata."""

    name = "mteb_manifest"

    def claims(self, path: Path) -> bool:
        return path.name == "MANIFEST.md" and b"MTEB" in _peek(path, 200)

    def read(self, path: Path) -> Iterator[ReaderItem]:
        yield Skipped(reason="MTEB folder manifest (provenance notes), not asset metadata")


READERS: list[Reader] = [MTEBMetaReader(), MTEBResultsReader(), MTEBManifestReader()]
