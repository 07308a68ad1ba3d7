"""OpenVINO Open Model Zoo (github.com/openvinotoolkit/open_model_zoo): descriptors and cards.

Each model lives in `models/{intel,public}/<model>/` with a structured `model.yml`
(task, framework, license URL, files, inputs) and a human-written `README.md` whose
specification and accuracy tables hold parameters, FLOPs and reported metrics. Both
describe the same asset, `openvino:model/<model folder>`: the descriptor as zoo metadata
(priority 20), the card as the human-written record (priority 10). A composite model
(`text-recognition-0015`) has a README of its own and one folder with a `model.yml` per
part (`text-recognition-0015-encoder`); OMZ downloads, converts and lists device support
per part, so each part is an asset and the README describes the composite.
`models/<group>/device_support.md` says which device runs which model: hardware facts.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import yaml

from assetscout.catalog.readers import openvino_tables as tables
from assetscout.catalog.records import AssetRecord, Configuration, ReaderItem, Rejected, Skipped
from assetscout.catalog.readers.base import Reader, as_list, first_paragraph, read_text
from assetscout.errors import RecordError

_GROUPS = ("intel", "public")
_REPO_URL = "https://github.com/openvinotoolkit/open_model_zoo/tree/master/models"
_DESCRIPTOR_KEYS = re.compile(rb"^(?:task_type|framework|files)\s*:", re.M)
_COMPOSITE_HEADING = re.compile(rb"\A\s*#\s+\S+\s+\(composite\)")
_PRECISION = re.compile(r"(?:FP|INT)\d+(?:-INT\d+)?")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it: 10x faster


def _peek(path: Path, size: int = 4096) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(size)
    except OSError:
        return b""


def _is_descriptor(path: Path) -> bool:
    """An OMZ `model.yml`: its first KBs hold one of the keys every descriptor has."""
    return bool(_DESCRIPTOR_KEYS.search(_peek(path)))


def _group(model_dir: Path) -> str | None:
    """'intel' or 'public' for a model folder (or a composite's part folder), else None."""
    for folder in (model_dir.parent, model_dir.parent.parent):
        if folder.name in _GROUPS and folder.parent.name == "models":
            return folder.name
    return None


def _composite_of(model_dir: Path) -> str | None:
    """The composite model a part folder belongs to (`x/x-encoder` -> 'x'), if it is a part."""
    parent = model_dir.parent
    if parent.name not in _GROUPS and model_dir.name.startswith(f"{parent.name}-"):
        return parent.name
    return None


def _url(model_dir: Path) -> str | None:
    group = _group(model_dir)
    if group is None:
        return None
    composite = _composite_of(model_dir)
    rel = f"{composite}/{model_dir.name}" if composite else model_dir.name
    return f"{_REPO_URL}/{group}/{rel}"


# ---------------------------------------------------------------- model.yml


class OmzDescriptorReader(Reader):
    """`model.yml`: the structured descriptor of one model (or one part of a composite)."""

    name = "openvino"
    max_bytes = 1024 * 1024

    def claims(self, path: Path) -> bool:
        return path.name == "model.yml" and _is_descriptor(path)

    def read(self, path: Path) -> Iterator[ReaderItem]:
        data, file_lines = _load_yaml(read_text(path))
        for key in ("task_type", "framework"):
            if not isinstance(data.get(key), str) or not data[key].strip():
                raise RecordError(f"model.yml has no '{key}' (a non-empty string is required)")
        size = _files_size(data.get("files"), file_lines)
        model_dir = path.parent
        group, composite = _group(model_dir), _composite_of(model_dir)
        description = data.get("description")
        description = description.strip() or None if isinstance(description, str) else None
        model_info = data.get("model_info") if isinstance(data.get("model_info"), dict) else {}
        extra: dict[str, Any] = {"files": len(data.get("files") or [])}
        if composite:
            extra["composite"] = composite
        yield AssetRecord(
            asset_id=f"openvino:model/{model_dir.name}",
            kind="model",
            name=model_dir.name,
            # A folded YAML scalar keeps one newline per paragraph break.
            summary=first_paragraph(description.replace("\n", "\n\n")) if description else None,
            card_text=description,
            license=_license(data.get("license")),
            tasks=[data["task_type"].strip()],
            library=data["framework"].strip(),
            tags=[t for t in (group, "composite-part" if composite else None) if t],
            organization="Intel" if group == "intel" else None,
            size_bytes=size,
            url=_url(model_dir),
            configurations=_descriptor_configurations(data, model_info),
            labels=as_list(model_info.get("labels")),
            extra=extra,
            priority=20,
        )


def _load_yaml(text: str) -> tuple[dict[str, Any], list[int]]:
    """The descriptor as a mapping, plus the line of each `files` entry for error reasons."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RecordError(f"model.yml is not valid YAML: {problem}",
                          line=mark.line + 1 if mark is not None else None) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise RecordError(
            f"model.yml holds a {type(data).__name__}, expected a mapping of keys", line=1)
    lines: list[int] = []
    for key_node, value_node in node.value:
        if key_node.value == "files" and isinstance(value_node, yaml.SequenceNode):
            lines = [item.start_mark.line + 1 for item in value_node.value]
    return data, lines


def _license(value: Any) -> str | None:
    """The license URL as written; one string, or a list holding exactly one."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list):
        what = f"a list of {len(value)} values"
    else:
        what = f"a {type(value).__name__}"
    raise RecordError(f"license field is {what}, expected one string (a URL)")


def _files_size(files: Any, lines: list[int]) -> int | None:
    """Total bytes of the model's files (all precisions): what a download costs."""
    if files is None:
        return None
    if not isinstance(files, list):
        raise RecordError(f"'files' is a {type(files).__name__}, expected a list of files")
    total = 0
    for i, entry in enumerate(files, start=1):
        line = lines[i - 1] if i <= len(lines) else None
        if not isinstance(entry, dict):
            raise RecordError(f"files entry {i} is not a mapping of name/size/source", line=line)
        size = entry.get("size")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise RecordError(
                f"files entry {i} ({entry.get('name', 'no name')}) has size {size!r}, "
                "expected a number of bytes", line=line)
        total += size
    return total if files else None


def _descriptor_configurations(
    data: dict[str, Any], model_info: dict[str, Any]
) -> list[Configuration]:
    """Precisions shipped, inputs, quantization and conversion settings, as key -> text."""
    precisions: dict[str, None] = {}
    for entry in data.get("files") or []:
        head = str(entry.get("name", "")).split("/", 1)[0]
        if _PRECISION.fullmatch(head):
            precisions.setdefault(head, None)
    configs = [Configuration("precision", p) for p in precisions]
    if data.get("quantized"):
        configs.append(Configuration("quantized", str(data["quantized"])))
    configs += _input_configurations(data.get("input_info"))
    args = data.get("model_optimizer_args")
    args = [str(a) for a in args if "$" not in str(a)] if isinstance(args, list) else []
    if args:  # mean/scale values, channel order: how to feed the converted model
        configs.append(Configuration("model optimizer args", " ".join(args)))
    for key, value in model_info.items():
        if key != "labels" and isinstance(value, (str, int, float)) and not isinstance(value, bool):
            configs.append(Configuration(str(key), str(value)))
    return configs


def _input_configurations(inputs: Any) -> list[Configuration]:
    """`input_info` entries as 'input <name>' -> 'shape [1, 3, 224, 224], layout NCHW'."""
    if inputs is None:
        return []
    if not isinstance(inputs, list):
        raise RecordError(f"'input_info' is a {type(inputs).__name__}, expected a list of inputs")
    configs = []
    for i, entry in enumerate(inputs, start=1):
        if not isinstance(entry, dict) or not entry.get("name"):
            raise RecordError(f"input_info entry {i} is not a mapping with a 'name'")
        parts = []
        if entry.get("shape") is not None:
            parts.append(f"shape {entry['shape']}")
        if entry.get("layout"):
            parts.append(f"layout {entry['layout']}")
        configs.append(Configuration(f"input {entry['name']}", ", ".join(parts) or "unspecified"))
    return configs


# ---------------------------------------------------------------- README.md and other .md


class OmzCardReader(Reader):
    """A model folder's README.md (the card); other markdown of the zoo is skipped."""

    name = "openvino"
    max_bytes = 2 * 1024 * 1024

    def claims(self, path: Path) -> bool:
        if path.suffix.lower() != ".md":
            return False
        if _is_descriptor(path.parent / "model.yml"):
            return True
        if path.name == "README.md":
            return bool(_COMPOSITE_HEADING.match(_peek(path, 256)))
        return (path.name == "index.md" and path.parent.name in _GROUPS
                and b"Pre-Trained Models" in _peek(path, 1024))

    def read(self, path: Path) -> Iterator[ReaderItem]:
        if path.name == "index.md":
            yield Skipped("Open Model Zoo index page (table of contents), not model metadata")
            return
        if path.name != "README.md":
            yield Skipped(f"extra document of model {path.parent.name}, not its card (README.md)")
            return
        yield _card_record(path, read_text(path))


def _card_record(path: Path, text: str) -> AssetRecord:
    title, body = _title(text)
    card = tables.parse_card(body)
    model_dir = path.parent
    composite = not (model_dir / "model.yml").is_file()
    extra: dict[str, Any] = {}
    if composite:
        extra["parts"] = sorted(
            d.name for d in model_dir.iterdir() if (d / "model.yml").is_file())
    group = _group(model_dir)
    return AssetRecord(
        asset_id=f"openvino:model/{model_dir.name}",
        kind="model",
        name=model_dir.name,
        title=title,
        summary=first_paragraph(body),
        card_text=text.strip(),
        tags=[t for t in (group, "composite" if composite else None) if t],
        parameters=card.parameters,
        url=_url(model_dir),
        datasets=card.datasets,
        evaluations=card.evaluations,
        configurations=card.configurations,
        extra=extra,
        priority=10,
    )


def _title(text: str) -> tuple[str, str]:
    """The `# <model>` heading and the text below it; a card without one is broken."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if line.startswith("# ") and line[2:].strip():
            return line[2:].strip(), "\n".join(lines[i + 1:])
        raise RecordError(
            f"README does not start with a '# <model name>' heading (first line is "
            f"{line.strip()[:60]!r})", line=i + 1)
    raise RecordError("README has no heading")


# ---------------------------------------------------------------- device_support.md


class OmzDeviceSupportReader(Reader):
    """`device_support.md`: a model x device table; each row is one model's hardware facts."""

    name = "openvino"
    max_bytes = 1024 * 1024

    def claims(self, path: Path) -> bool:
        return path.name == "device_support.md" and b"| Model Name" in _peek(path, 2048)

    def read(self, path: Path) -> Iterator[ReaderItem]:
        lines = read_text(path).splitlines()
        header_at = next((i for i, line in enumerate(lines)
                          if line.lstrip().startswith("|") and "Model Name" in line), None)
        if header_at is None:
            raise RecordError("no '| Model Name | <device> | ...' table header found")
        devices = tables.cells(lines[header_at])[1:]
        for number in range(header_at + 2, len(lines) + 1):  # 1-based: the row below the header
            line = lines[number - 1].strip()
            if not line.startswith("|"):
                if line:
                    break
                continue
            if not tables.is_separator(line):
                yield _support_row(tables.cells(line), devices, number)


def _support_row(row: list[str], devices: list[str], line: int) -> ReaderItem:
    """One model's row; missing trailing cells are empty (as markdown renders them)."""
    if len(row) > len(devices) + 1:
        return Rejected(
            f"device support row has {len(row)} cells, more than the header's {len(devices) + 1} "
            f"(model name, {', '.join(devices)})", line=line)
    name = row[0]
    if not name or " " in name:
        return Rejected(f"device support row names no model (first cell {name!r})", line=line)
    return AssetRecord(
        asset_id=f"openvino:model/{name}",
        kind="model",
        name=name,
        configurations=[Configuration("device support", value, hardware=device)
                        for device, value in zip(devices, row[1:]) if value],
        priority=30,
        line=line,
    )


READERS: list[Reader] = [OmzDescriptorReader(), OmzDeviceSupportReader(), OmzCardReader()]
