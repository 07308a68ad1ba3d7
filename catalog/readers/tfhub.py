"""TF Hub model docs (github.com/tensorflow/tfhub.dev): Markdown pages, metadata in HTML comments.

A model doc starts with a heading naming its kind and handle (`# Module google/bert/3`,
`# Placeholder ...`, or a deployment format of another model: `# Lite`, `# Tfjs`,
`# Coral`) and carries its facets as one-line comments (`<!-- task: text-embedding -->`).
Every version and every deployment format of a model is its own file; all of them
describe one asset, `tfhub:model/<publisher>/<model>`, so they merge in the catalog.
Facet values are ids of the controlled vocabularies in the sibling `tags/` folder, which
the reader uses (when present) to write tasks and datasets as their display names.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Iterator

import yaml

from assetscout.catalog.records import AssetRecord, DatasetLink, LineageEdge, ReaderItem, Skipped
from assetscout.catalog.readers.base import Reader, first_paragraph, read_text
from assetscout.errors import RecordError

# Heading kind -> format tag of the deployment (None: the model's own page).
_MODEL_KINDS: dict[str, str | None] = {
    "Module": None, "Placeholder": None, "Lite": "tflite", "Tfjs": "tfjs", "Coral": "coral",
}
_PAGE_KINDS = ("Collection", "Publisher")
_SINGLE_KEYS = (
    "asset-path", "license", "fine-tunable", "format", "parent-model", "colab",
    "interactive-visualizer", "demo",
)
_MULTI_KEYS = ("task", "dataset", "network-architecture", "language")
_KNOWN_KEYS = _SINGLE_KEYS + _MULTI_KEYS
# Vocabulary ids that name no dataset or architecture: not worth a link or a tag.
_PLACEHOLDER_IDS = frozenset({"other", "multiple"})
_VOCABS = (
    "task", "dataset", "language", "license", "network_architecture", "colab", "demo",
    "interactive_visualizer",
)

_HEADING = re.compile(r"#\s+(\S+)\s+(\S+)\s*")
_META_OPEN = re.compile(r"<!--\s*(" + "|".join(_KNOWN_KEYS) + r")\s*:")
_META_LINE = re.compile(r"<!--\s*([a-z][a-z-]*)\s*:(.*?)-->\s*")
_MARKERS = re.compile(rb"^<!--\s*(?:asset-path|task|parent-model)\s*:", re.M)
_PAGE_HEADING = re.compile(
    rb"(?:\xef\xbb\xbf)?\s*#\s+(?:" + "|".join((*_MODEL_KINDS, *_PAGE_KINDS)).encode() + rb")\s+\S")
_HANDLE = re.compile(r"[\w.-]+(?:/[^/\s]+)+")
_VERSION = re.compile(r"/(\d+)$")
_COMMENT = re.compile(r"<!--.*?-->", re.S)


class TfHubDocReader(Reader):
    """One TF Hub model doc -> one record of its model (formats and versions merge)."""

    name = "tfhub"
    max_bytes = 2 * 1024 * 1024

    def claims(self, path: Path) -> bool:
        if path.suffix.lower() != ".md":
            return False
        head = _peek(path)
        if _MARKERS.search(head):
            return True
        return _docs_layout(path) is not None and bool(_PAGE_HEADING.match(head))

    def read(self, path: Path) -> Iterator[ReaderItem]:
        text = read_text(path)
        lines = text.splitlines()
        kind, handle, heading_line = _heading(lines)
        if kind in _PAGE_KINDS:
            yield Skipped(f"TF Hub {kind.lower()} page ({handle}), not a model doc")
            return
        if kind not in _MODEL_KINDS:
            raise RecordError(
                f"heading '# {kind} {handle}' is not a TF Hub model doc "
                f"(expected Module, Placeholder, Lite, Tfjs or Coral)", line=heading_line)
        meta = _metadata(lines)
        yield _record(kind, handle, meta, text, _vocabulary(path), heading_line)


class TfHubVocabularyReader(Reader):
    """tags/*.yaml: the controlled vocabularies. Not assets; the doc reader uses them."""

    name = "tfhub"

    def claims(self, path: Path) -> bool:
        return (path.suffix == ".yaml" and path.parent.name == "tags"
                and path.stem in _VOCABS)

    def read(self, path: Path) -> Iterator[ReaderItem]:
        yield Skipped(f"TF Hub controlled vocabulary '{path.stem}' (used to read model docs)")


READERS: list[Reader] = [TfHubVocabularyReader(), TfHubDocReader()]


# ---------------------------------------------------------------- claims


def _docs_layout(path: Path) -> str | None:
    """'models', 'collections' or 'publisher' where `path` sits in a tfhub.dev `docs/` tree.

    None elsewhere, including the legacy `docs/<publisher>/<model>/<version>.md` layout,
    which only the metadata markers tell apart from any other markdown file.
    """
    parts = path.parts
    if "docs" not in parts[:-1]:
        return None
    i = len(parts) - 1 - parts[::-1].index("docs")
    rel = parts[i + 1:]
    if len(rel) == 2 and rel[1] == f"{rel[0]}.md":
        return "publisher"
    if len(rel) >= 3 and rel[1] in ("models", "collections"):
        return rel[1]
    return None


def _peek(path: Path) -> bytes:
    """The first KB: enough for the heading and the metadata comments that mark a doc."""
    try:
        with path.open("rb") as fh:
            return fh.read(1024)
    except OSError:
        return b""


# ---------------------------------------------------------------- parsing


def _heading(lines: list[str]) -> tuple[str, str, int]:
    """(kind, handle, line) of the first non-blank line, which must be `# <Kind> <handle>`."""
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        m = _HEADING.fullmatch(raw.strip())
        if not m:
            raise RecordError(
                "doc does not start with a '# Module <publisher>/<model>/<version>' heading "
                f"(first line is {raw.strip()[:60]!r})", line=number)
        return m.group(1), m.group(2), number
    raise RecordError("doc has no heading", line=1)


def _metadata(lines: list[str]) -> dict[str, list[tuple[str, int]]]:
    """Metadata comments as key -> [(value, line)], checked for the ways they break."""
    meta: dict[str, list[tuple[str, int]]] = {}
    in_code = False
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if line.startswith("```"):
            in_code = not in_code
        if in_code or not _META_OPEN.match(line):
            continue
        m = _META_LINE.fullmatch(line)
        if not m:
            key = _META_OPEN.match(line).group(1)  # type: ignore[union-attr]
            raise RecordError(
                f"metadata comment '{key}' is not closed with '-->' on its line", line=number)
        key, value = m.group(1), m.group(2).strip()
        if not value:
            raise RecordError(f"metadata comment '{key}' has no value", line=number)
        meta.setdefault(key, []).append((value, number))
    for key in _SINGLE_KEYS:
        values = meta.get(key, [])
        if len({v for v, _ in values}) > 1:
            raise RecordError(
                f"'{key}' is given {len(values)} times with different values "
                f"(lines {', '.join(str(n) for _, n in values)}), expected one",
                line=values[1][1])
    return meta


def _one(meta: dict[str, list[tuple[str, int]]], key: str) -> str | None:
    values = meta.get(key)
    return values[0][0] if values else None


def _many(meta: dict[str, list[tuple[str, int]]], key: str) -> list[str]:
    seen: dict[str, None] = {}
    for value, _ in meta.get(key, []):
        seen.setdefault(value, None)
    return list(seen)


def _strip_version(handle: str) -> tuple[str, int | None]:
    """'google/bert/3' -> ('google/bert', 3); a handle without a version is kept whole."""
    m = _VERSION.search(handle)
    if not m:
        return handle, None
    return handle[: m.start()], int(m.group(1))


def _model_handle(
    kind: str, handle: str, meta: dict[str, list[tuple[str, int]]], line: int
) -> tuple[str, int | None]:
    """The model this doc describes: its own handle, or for a deployment, its parent's."""
    if _MODEL_KINDS[kind] is None:
        model, version = _strip_version(handle)
        if version is None or not _HANDLE.fullmatch(model):
            raise RecordError(
                f"heading handle '{handle}' is not <publisher>/<model>/<version>", line=line)
        return model, version
    parent = _one(meta, "parent-model")
    if parent is None:
        raise RecordError(
            f"{kind} doc '{handle}' has no 'parent-model' comment naming the model it deploys",
            line=line)
    model, version = _strip_version(parent)
    if not _HANDLE.fullmatch(model):
        raise RecordError(f"parent-model '{parent}' is not <publisher>/<model>[/<version>]")
    return model, version


def _record(
    kind: str,
    handle: str,
    meta: dict[str, list[tuple[str, int]]],
    text: str,
    vocab: dict[str, dict[str, str]],
    heading_line: int,
) -> AssetRecord:
    model, version = _model_handle(kind, handle, meta, heading_line)
    deployment = _MODEL_KINDS[kind]
    fmt = deployment or _one(meta, "format")
    fine_tunable = _flag(meta, "fine-tunable")
    task_ids = _many(meta, "task")
    dataset_ids = [d for d in _many(meta, "dataset") if d not in _PLACEHOLDER_IDS]
    archs = [a for a in _many(meta, "network-architecture") if a not in _PLACEHOLDER_IDS]
    tags = archs + ([fmt] if fmt else []) + (["fine-tunable"] if fine_tunable else [])
    body = _card_body(text)
    extra: dict[str, object] = {"tfhub_handle": handle, "doc_kind": kind}
    for key, value in (("version", version), ("format", fmt), ("fine_tunable", fine_tunable),
                       ("asset_path", _one(meta, "asset-path")), ("colab", _one(meta, "colab")),
                       ("demo", _one(meta, "demo")),
                       ("interactive_visualizer", _one(meta, "interactive-visualizer")),
                       ("parent_model", _one(meta, "parent-model"))):
        if value is not None:
            extra[key] = value
    if task_ids:
        extra["task_ids"] = task_ids
    if dataset_ids:
        extra["dataset_ids"] = dataset_ids
    return AssetRecord(
        asset_id=f"tfhub:model/{model}",
        kind="model",
        name=model,
        title=model,
        summary=first_paragraph(body) if body else None,
        card_text=body,
        license=_one(meta, "license"),
        tasks=[vocab.get("task", {}).get(t, t) for t in task_ids],
        library="tensorflow",
        languages=_many(meta, "language"),
        tags=list(dict.fromkeys(tags)),
        organization=model.split("/", 1)[0],
        url=f"https://tfhub.dev/{model}",
        datasets=[DatasetLink(vocab.get("dataset", {}).get(d, d), "train") for d in dataset_ids],
        lineage=_lineage(kind, model, meta),
        extra=extra,
        # A deployment page (TF Lite, TF.js, Coral) says less about the model than its
        # own page: let the model page win title/summary when both are in the catalog.
        priority=20 if deployment is None else 21,
    )


def _flag(meta: dict[str, list[tuple[str, int]]], key: str) -> bool | None:
    values = meta.get(key)
    if not values:
        return None
    value, line = values[0]
    if value.lower() not in ("true", "false"):
        raise RecordError(f"'{key}' is {value!r}, expected true or false", line=line)
    return value.lower() == "true"


def _lineage(kind: str, model: str, meta: dict[str, list[tuple[str, int]]]) -> list[LineageEdge]:
    """A model page whose parent-model is another model derives from it.

    On deployment pages the parent is the model being deployed: the page merges into that
    asset, so no edge (it would point at itself).
    """
    parent = _one(meta, "parent-model")
    if parent is None or _MODEL_KINDS[kind] is not None:
        return []
    parent_model, _ = _strip_version(parent)
    if parent_model == model:
        return []
    return [LineageEdge(f"tfhub:model/{parent_model}", "derived")]


def _card_body(text: str) -> str | None:
    """The doc without its heading and its comments: what a reader of the page sees."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip()), 0)
    body = _COMMENT.sub("", "\n".join(lines[start + 1:]))
    body = re.sub(r"\n{3,}", "\n\n", body).strip()
    return body or None


# ---------------------------------------------------------------- vocabularies


def _vocabulary(path: Path) -> dict[str, dict[str, str]]:
    """id -> display name per vocabulary, from `tags/` beside the `docs/` folder (if any)."""
    for parent in path.parents:
        if parent.name == "docs":
            tags = parent.parent / "tags"
            if tags.is_dir():
                stamps = tuple(_mtime(tags / f"{name}.yaml") for name in ("task", "dataset"))
                return _load_vocabulary(str(tags), stamps)
            break
    return {}


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


@functools.lru_cache(maxsize=8)
def _load_vocabulary(tags_dir: str, stamps: tuple[float | None, ...]) -> dict[str, dict[str, str]]:
    """Task and dataset vocabularies, read once per folder; a missing or broken one is left out.

    `stamps` (the files' modification times) is only there to key the cache.
    """
    vocab: dict[str, dict[str, str]] = {}
    for name in ("task", "dataset"):
        try:
            data = yaml.safe_load((Path(tags_dir) / f"{name}.yaml").read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        values = data.get("values") if isinstance(data, dict) else None
        vocab[name] = {
            str(v["id"]): str(v["display_name"])
            for v in values or []
            if isinstance(v, dict) and v.get("id") and v.get("display_name")
        }
    return vocab
