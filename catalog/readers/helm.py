"""Stanford HELM's model catalog (model_metadata.yaml): one asset per listed model.

HELM lists closed API models (GPT-4, Claude) next to open ones, with access level,
organization and size: the facts a license/access filter needs for models that never
appear on the Hub. Entries keep HELM's ids (`helm:model/openai/gpt-4`): HELM does not
say whether a name is also a Hub repo, so no link to `hf:` ids is guessed here.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Iterator

import yaml

from assetscout.catalog.readers.base import Reader, first_paragraph, read_text, to_int
from assetscout.catalog.records import AssetRecord, ReaderItem, Rejected, Skipped
from assetscout.errors import RecordError

PRIORITY = 20

# HELM modality tags -> Hub pipeline tags. HELM catalogs language models, so an entry
# with no modality tag (old, deprecated LMs) is a text-generation model.
_TASK_OF_TAG = {
    "TEXT_MODEL_TAG": "text-generation",
    "CODE_MODEL_TAG": "text-generation",
    "VISION_LANGUAGE_MODEL_TAG": "image-text-to-text",
    "AUDIO_LANGUAGE_MODEL_TAG": "audio-text-to-text",
    "TEXT_TO_IMAGE_MODEL_TAG": "text-to-image",
    "TEXT_SIMILARITY_MODEL_TAG": "sentence-similarity",
}
_HELM_SHAPE = re.compile(rb"^models:[ \t]*(?:\[[ \t]*\])?[ \t]*(?:#.*)?\r?$", re.M)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def readable_tag(tag: str) -> str:
    """'TEXT_MODEL_TAG' -> 'text-model': HELM's constant names as plain facet values."""
    return re.sub(r"_TAG$", "", tag.strip()).lower().replace("_", "-")


def tasks_from_tags(tags: list[str]) -> list[str]:
    """The pipeline tasks a HELM entry's modality tags imply, in a stable order."""
    tasks: list[str] = []
    for tag in tags:
        task = _TASK_OF_TAG.get(tag)
        if task and task not in tasks:
            tasks.append(task)
    return tasks or ["text-generation"]


def _date(value: Any) -> str | None:
    """YAML turns 2023-06-22 into a date; keep ISO text either way."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    text = str(value).strip() if value is not None else ""
    return text or None


def _text(value: Any) -> str | None:
    """A scalar field as stripped text, None when missing or blank."""
    text = str(value).strip() if value is not None else ""
    return text or None


def _entry_problem(entry: Any, index: int) -> str | None:
    """Why entry `index` (1-based) cannot be read, or None when it can."""
    where = f"model entry {index}"
    if not isinstance(entry, dict):
        return f"{where} is a {type(entry).__name__}, expected a mapping of fields"
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        return f"{where} has no 'name' (a non-empty string such as 'openai/gpt-4')"
    tags = entry.get("tags")
    if tags is not None and not (
        isinstance(tags, list) and all(isinstance(t, str) for t in tags)
    ):
        return f"{where} ({name}): 'tags' is not a list of tag names"
    params = entry.get("num_parameters")
    if params is not None and to_int(params) is None:
        return f"{where} ({name}): num_parameters {params!r} is not a number"
    return None


def entry_record(entry: dict[str, Any], line: int | None = None) -> AssetRecord:
    """One checked HELM entry as an asset record."""
    name = entry["name"].strip()
    tags = [t.strip() for t in entry.get("tags") or [] if t.strip()]
    description = _text(entry.get("description"))
    return AssetRecord(
        asset_id=f"helm:model/{name}",
        kind="model",
        name=name,
        title=_text(entry.get("display_name")),
        summary=first_paragraph(description) if description else None,
        card_text=description,
        tasks=tasks_from_tags(tags),
        tags=[readable_tag(t) for t in tags],
        organization=_text(entry.get("creator_organization_name")),
        access=_text(entry.get("access")),
        parameters=to_int(entry.get("num_parameters")),
        # 17 entries spell the key 'release' (a typo in HELM's file); same meaning.
        created=_date(entry.get("release_date", entry.get("release"))),
        priority=PRIORITY,
        line=line,
    )


def _model_nodes(text: str) -> list[yaml.Node]:
    """The YAML nodes of the `models:` list, so each entry keeps its line number."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RecordError(
            f"file is not valid YAML: {problem}", line=mark.line + 1 if mark else None
        ) from None
    finally:
        loader.dispose()
    if not isinstance(root, yaml.MappingNode):
        raise RecordError("file is not a YAML mapping with a 'models' list", line=1)
    for key, value in root.value:
        if key.value == "models":
            if isinstance(value, yaml.SequenceNode):
                return list(value.value)
            if value.tag.endswith(":null"):
                return []
            line = key.start_mark.line + 1
            raise RecordError("'models' is not a list of model entries", line=line)
    raise RecordError("file has no top-level 'models' list", line=1)


def _construct(node: yaml.Node) -> Any:
    """Turn one entry's node into Python values (dates, ints) like safe_load does."""
    loader = _Loader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


class HELMReader(Reader):
    """HELM's model_metadata.yaml: the model catalog of the HELM benchmark."""

    name = "helm"

    def claims(self, path: Path) -> bool:
        """HELM's file name, or any YAML with a top-level `models:` list of HELM fields."""
        if path.suffix.lower() not in (".yaml", ".yml"):
            return False
        try:
            with path.open("rb") as fh:
                head = fh.read(8192)
        except OSError:
            return False
        if not _HELM_SHAPE.search(head):
            return False
        return path.name == "model_metadata.yaml" or b"creator_organization_name:" in head

    def read(self, path: Path) -> Iterator[ReaderItem]:
        """Each entry alone: a broken one is rejected with its line, the rest still read."""
        nodes = _model_nodes(read_text(path))
        if not nodes:
            yield Skipped(reason="HELM model list is empty (no models to read)")
            return
        first_line: dict[str, int] = {}
        for index, node in enumerate(nodes, 1):
            line = node.start_mark.line + 1
            try:
                entry = _construct(node)
            except (yaml.YAMLError, ValueError) as exc:
                reason = f"model entry {index} has a value YAML cannot read: {exc}"
                yield Rejected(reason=reason, line=line)
                continue
            problem = _entry_problem(entry, index)
            if problem:
                yield Rejected(reason=problem, line=line)
                continue
            name = entry["name"].strip()
            if name in first_line:
                reason = (f"model entry {index} ({name}) repeats the entry at line "
                          f"{first_line[name]}; the first one is kept")
                yield Rejected(reason=reason, line=line)
                continue
            first_line[name] = line
            yield entry_record(entry, line)


class HELMManifestReader(Reader):
    """The MANIFEST.md that describes the HELM folder: provenance, not asset metadata."""

    name = "helm_manifest"

    def claims(self, path: Path) -> bool:
        if path.name != "MANIFEST.md":
            return False
        try:
            with path.open("rb") as fh:
                return b"HELM" in fh.read(200)
        except OSError:
            return False

    def read(self, path: Path) -> Iterator[ReaderItem]:
        yield Skipped(reason="HELM folder manifest (provenance notes), not asset metadata")


READERS: list[Reader] = [HELMReader(), HELMManifestReader()]
