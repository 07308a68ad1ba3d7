"""Croissant (MLCommons) JSON-LD dataset descriptions -> `croissant:dataset/<name>` assets.

Croissant changed its JSON-LD context between versions (0.8 used `ml:` terms under
mlcommons.org/schema, 1.0/1.1 use `cr:` under mlcommons.org/croissant, 1.1 allows
language maps), and any producer may write compact IRIs (`cr:recordSet`) or full ones.
So keys are first resolved through the file's own `@context` to one canonical name
(`recordSet`, `rai:dataBiases`), and only then read. Record sets become tables, their
fields columns, which is what table-aware search needs from a Croissant file.

Beside each example, the Croissant repository keeps sample data (`data/`) and expected
records (`output/*.jsonl`) and Turtle renderings; those are claimed and skipped, so that
no other reader mistakes them for assets.
"""

from __future__ import annotations

import json
import re
from itertools import islice
from pathlib import Path
from typing import Any, Iterator

from assetscout.catalog.records import (
    AssetRecord,
    Column,
    ReaderItem,
    Rejected,
    Skipped,
    TableSchema,
)
from assetscout.catalog.readers import jsonld
from assetscout.catalog.readers.base import Reader, first_paragraph, read_text
from assetscout.catalog.readers.jsonld import JsonLdContext
from assetscout.errors import RecordError

PEEK_BYTES = 8192
SAMPLE_DIR_NAMES = ("data", "output")
MAX_SAMPLE_DEPTH = 6  # data/repo/default/train/0000.parquet is 4 folders deep
MAX_DISTRIBUTION_LISTED = 100
_NAMESPACE_MARKERS = ("mlcommons.org/croissant", "mlcommons.org/schema")
_TERM_MARKERS = ('"recordSet"', '"cr:', '"ml:RecordSet"')
_SIZE_UNITS = {
    "": 1, "b": 1, "byte": 1, "bytes": 1,
    "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12, "pb": 10**15,
    "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40, "pib": 2**50,
}
_HF_DATASET_URL = re.compile(r"^https?://huggingface\.co/datasets/([\w.\-]+(?:/[\w.\-]+)?)/?$")

SAMPLE_REASON = "sample data of a Croissant example, not metadata"
RDF_REASON = "RDF Turtle is not read; the same Croissant metadata is read from its JSON-LD form"
README_REASON = "README of a Croissant example gallery, not asset metadata"


class CroissantReader(Reader):
    """Croissant `*.json` / `*.jsonld` metadata files, plus the example gallery's side files.

    Claims a JSON file whose first bytes carry a Croissant context marker; a `.ttl` file
    with that marker (skipped); files under `data/` or `output/` next to a Croissant file
    (skipped, sample data); the gallery README (skipped).
    """

    name = "croissant"

    def __init__(self) -> None:
        self._roots: dict[Path, bool] = {}  # folder -> holds a Croissant file (claims cache)
        self._galleries: dict[Path, bool] = {}  # folder -> is a gallery of examples

    def claims(self, path: Path) -> bool:
        return self._role(path) is not None

    def read(self, path: Path) -> Iterator[ReaderItem]:
        role = self._role(path)
        if role == "sample":
            yield Skipped(SAMPLE_REASON)
        elif role == "rdf":
            yield Skipped(RDF_REASON)
        elif role == "readme":
            yield Skipped(README_REASON)
        else:
            yield from read_croissant(read_text(path))

    def _role(self, path: Path) -> str | None:
        suffix = path.suffix.lower()
        if suffix in (".json", ".jsonld") and _looks_like_croissant(path):
            return "metadata"
        if suffix == ".ttl" and any(m in _head(path) for m in _NAMESPACE_MARKERS):
            return "rdf"
        if path.name.lower() == "readme.md" and self._is_gallery(path.parent):
            return "readme"
        for folder in islice(path.parents, MAX_SAMPLE_DEPTH):
            if folder.name in SAMPLE_DIR_NAMES and self._holds_croissant(folder.parent):
                return "sample"
        return None

    def _holds_croissant(self, folder: Path) -> bool:
        """Whether `folder` has a Croissant metadata.json (or recipe *.json) in it; cached."""
        if folder not in self._roots:
            candidates = [folder / "metadata.json"] + sorted(islice(folder.glob("*.json"), 200))
            self._roots[folder] = any(p.is_file() and _looks_like_croissant(p) for p in candidates)
        return self._roots[folder]

    def _is_gallery(self, folder: Path) -> bool:
        """A `datasets/` gallery: version folders (`1.0`) whose examples are Croissant files."""
        if folder not in self._galleries:
            versions = [d for d in islice(folder.glob("[0-9]*.[0-9]*"), 20) if d.is_dir()]
            self._galleries[folder] = any(
                self._holds_croissant(example)
                for version in versions
                for example in islice(version.iterdir(), 20)
                if example.is_dir()
            )
        return self._galleries[folder]


def _head(path: Path) -> str:
    """The first bytes of a file as text (for cheap format sniffing); '' if unreadable."""
    try:
        with path.open("rb") as handle:
            return handle.read(PEEK_BYTES).decode("utf-8", errors="ignore")
    except OSError:
        return ""


def _looks_like_croissant(path: Path) -> bool:
    """A Croissant namespace in the first bytes, or a JSON-LD context with Croissant terms."""
    head = _head(path)
    if any(m in head for m in _NAMESPACE_MARKERS):
        return True
    return '"@context"' in head and any(m in head for m in _TERM_MARKERS)


# ---------------------------------------------------------------- the document


def read_croissant(source: str) -> Iterator[ReaderItem]:
    """Parse one Croissant document: one dataset AssetRecord, Rejected for broken parts."""
    try:
        raw = json.loads(source)
    except json.JSONDecodeError as exc:
        raise RecordError(f"file is not valid JSON: {exc.msg}", line=exc.lineno) from None
    except RecursionError:
        raise RecordError("JSON is nested too deeply to read") from None
    if not isinstance(raw, dict):
        kind = jsonld.json_kind(raw)
        raise RecordError(
            f"top level is a {kind}, expected one JSON-LD object describing a dataset", line=1
        )
    ctx = JsonLdContext(raw.get("@context"))
    doc = _dataset_node(ctx.normalize(raw), ctx)
    name = jsonld.text_of(doc.get("name"), ctx.language)
    if not name:
        raise RecordError("Croissant dataset has no 'name', so it cannot be identified")
    asset_name = _id_part(name)
    if not asset_name:
        raise RecordError(
            f"Croissant dataset name {name!r} has no letters or digits to build an id from"
        )
    problems: list[Rejected] = []
    distribution = _entries(doc.get("distribution"), "distribution", problems)
    tables = [
        _table(rs, i, ctx, distribution, problems)
        for i, rs in enumerate(_entries(doc.get("recordSet"), "recordSet", problems), 1)
    ]
    yield from problems
    yield _record(doc, ctx, name, asset_name, distribution, tables)


def _dataset_node(doc: dict[str, Any], ctx: JsonLdContext) -> dict[str, Any]:
    """The sc:Dataset node: the document itself, or the Dataset inside an `@graph`."""
    nodes = doc.get("@graph") if isinstance(doc.get("@graph"), list) else [doc]
    for node in nodes:
        if isinstance(node, dict) and "Dataset" in ctx.type_names(node.get("@type")):
            return node
    types = doc.get("@type")
    if types is None:
        raise RecordError(
            "document has no '@type'; a Croissant file describes one sc:Dataset", line=1
        )
    raise RecordError(f"@type is {json.dumps(types)}, expected sc:Dataset", line=1)


def _entries(value: Any, what: str, problems: list[Rejected]) -> list[dict[str, Any]]:
    """A list-or-single property as a list of objects; other items reported and left out."""
    items = value if isinstance(value, list) else ([] if value is None else [value])
    good = []
    for i, item in enumerate(items, 1):
        if isinstance(item, dict):
            good.append(item)
        else:
            kind = jsonld.json_kind(item)
            problems.append(Rejected(f"{what} entry {i} is a {kind}, expected an object"))
    return good


def _record(
    doc: dict[str, Any], ctx: JsonLdContext, name: str, asset_name: str,
    distribution: list[dict[str, Any]], tables: list[TableSchema],
) -> AssetRecord:
    """The dataset asset: schema.org properties as written, record sets as tables."""
    lang = ctx.language
    description = jsonld.text_of(doc.get("description"), lang)
    licenses = jsonld.licenses_of(doc.get("license"), lang)
    creators = jsonld.names_of(doc.get("creator"), lang)
    url = jsonld.text_of(doc.get("url"), lang)
    extra: dict[str, Any] = {
        "version": jsonld.text_of(doc.get("version"), lang),
        "croissant_version": doc.get("conformsTo"),
        "citation": jsonld.text_of(doc.get("citeAs") or doc.get("citation"), lang),
        "same_as": jsonld.text_of(doc.get("sameAs"), lang),
        "creators": creators,
        "publisher": jsonld.names_of(doc.get("publisher"), lang),
        "licenses": licenses if len(licenses) > 1 else None,
        "is_live_dataset": doc.get("isLiveDataset"),
        "temporal_coverage": jsonld.text_of(doc.get("temporalCoverage"), lang),
        "distribution": [_file_summary(d, ctx) for d in distribution[:MAX_DISTRIBUTION_LISTED]],
        "rai": _namespaced(doc, "rai:", lang),
        "prov": _namespaced(doc, "prov:", lang),
    }
    return AssetRecord(
        asset_id=f"croissant:dataset/{asset_name}",
        kind="dataset",
        name=name,
        summary=_summary(description),
        card_text=description,
        license=licenses[0] if licenses else None,
        languages=jsonld.texts_of(doc.get("inLanguage"), lang),
        tags=jsonld.keywords_of(doc.get("keywords"), lang),
        organization=(creators or extra["publisher"] or [None])[0],
        size_bytes=_total_size(distribution),
        created=jsonld.date_of(jsonld.text_of(doc.get("datePublished"), lang)),
        modified=jsonld.date_of(jsonld.text_of(doc.get("dateModified"), lang)),
        url=url,
        aliases=_aliases(doc, url, lang),
        tables=tables,
        extra={k: v for k, v in extra.items() if v not in (None, "", [], {})},
        priority=20,
    )


# ---------------------------------------------------------------- record sets -> tables


def _table(
    rs: dict[str, Any], index: int, ctx: JsonLdContext,
    distribution: list[dict[str, Any]], problems: list[Rejected],
) -> TableSchema:
    rs_id = jsonld.text_of(rs.get("@id"))
    name = jsonld.text_of(rs.get("name"), ctx.language) or rs_id or f"recordSet {index}"
    prefixes = [p for p in (rs_id, jsonld.text_of(rs.get("name"))) if p]
    columns: list[Column] = []
    for i, field in enumerate(_entries(rs.get("field"), f"recordSet '{name}' field", problems), 1):
        columns.extend(_columns(field, i, name, prefixes, "", ctx, problems))
    data = rs.get("data")
    source = _source_file(rs.get("field"), distribution) or {}
    return TableSchema(
        name=name,
        columns=columns,
        n_rows=len(data) if isinstance(data, list) else None,
        format=jsonld.text_of(source.get("encodingFormat")),
        path=jsonld.text_of(source.get("contentUrl")) or jsonld.text_of(source.get("includes")),
        description=jsonld.text_of(rs.get("description"), ctx.language),
    )


def _columns(
    field: dict[str, Any], index: int, table: str, prefixes: list[str], parent: str,
    ctx: JsonLdContext, problems: list[Rejected],
) -> list[Column]:
    """One field as columns: itself, or its sub-fields as dotted `parent.child` columns."""
    raw = jsonld.text_of(field.get("name"), ctx.language) or jsonld.text_of(field.get("@id"))
    if not raw:
        problems.append(Rejected(f"recordSet '{table}' field {index} has neither 'name' nor '@id'"))
        return []
    name = _strip_prefixes(raw, prefixes)
    full = f"{parent}.{name}" if parent else name
    subs = field.get("subField")
    if subs:
        inner = prefixes + [p for p in (raw, jsonld.text_of(field.get("@id"))) if p]
        what = f"recordSet '{table}' field '{full}' subField"
        return [
            col
            for i, sub in enumerate(_entries(subs, what, problems), 1)
            for col in _columns(sub, i, table, inner, full, ctx, problems)
        ]
    description = jsonld.text_of(field.get("description"), ctx.language)
    return [Column(full, _field_type(field, ctx), description)]


def _strip_prefixes(name: str, prefixes: list[str]) -> str:
    """'squad_v2/answers/text' in record set 'squad_v2', field 'squad_v2/answers' -> 'text'."""
    for prefix in sorted(prefixes, key=len, reverse=True):
        if name.startswith(prefix + "/"):
            return name[len(prefix) + 1:]
    return name


def _field_type(field: dict[str, Any], ctx: JsonLdContext) -> str | None:
    """'sc:Text' -> 'Text'; ['sc:Text', 'sc:name'] -> 'Text' (classes, not properties);
    a repeated / array field -> 'Sequence(Text)'."""
    types = ctx.type_names(field.get("dataType"))
    classes = [t for t in types if t[:1].isupper()]
    typ = "|".join(classes or types) or None
    if typ and (field.get("repeated") is True or field.get("isArray") is True):
        return f"Sequence({typ})"
    return typ


def _source_file(fields: Any, distribution: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The FileObject/FileSet the record set's first sourced field reads from."""
    by_key = {}
    for entry in distribution:
        for key in (_ref(entry.get("@id")), _ref(entry.get("name"))):
            if key:
                by_key.setdefault(key, entry)
    for field in fields if isinstance(fields, list) else [fields]:
        source = field.get("source") if isinstance(field, dict) else None
        if not isinstance(source, dict):
            continue
        for kind in ("fileObject", "fileSet", "distribution"):
            key = _ref(source.get(kind))
            if key in by_key:
                return by_key[key]
    return None


def _ref(value: Any) -> str | None:
    """What a reference points at: `{"@id": "x"}`, `{"name": "x"}` or plain "x"."""
    if isinstance(value, dict):
        return jsonld.text_of(value.get("@id")) or jsonld.text_of(value.get("name"))
    return jsonld.text_of(value)


# ---------------------------------------------------------------- distribution and size


def _file_summary(entry: dict[str, Any], ctx: JsonLdContext) -> dict[str, Any]:
    summary = {
        "name": jsonld.text_of(entry.get("name"), ctx.language) or jsonld.text_of(entry.get("@id")),
        "type": "|".join(ctx.type_names(entry.get("@type"))) or None,
        "content_url": jsonld.text_of(entry.get("contentUrl")),
        "encoding_format": jsonld.text_of(entry.get("encodingFormat")),
        "content_size": jsonld.text_of(entry.get("contentSize")),
        "includes": jsonld.text_of(entry.get("includes")),
        "contained_in": _ref(entry.get("containedIn")),
    }
    return {k: v for k, v in summary.items() if v}


def _total_size(distribution: list[dict[str, Any]]) -> int | None:
    """Bytes of the top-level files (not those inside an archive), each file counted once."""
    sizes: dict[str, int] = {}
    for i, entry in enumerate(distribution):
        if entry.get("containedIn"):
            continue
        size = parse_size(entry.get("contentSize"))
        if size is not None:
            key = _checksum(entry) or jsonld.text_of(entry.get("contentUrl")) or str(i)
            sizes[key] = size
    return sum(sizes.values()) if sizes else None


def _checksum(entry: dict[str, Any]) -> str | None:
    """A real hex digest (Hub exports put an issue URL in `sha256`)."""
    for key in ("sha256", "md5"):
        value = jsonld.text_of(entry.get(key))
        if value and re.fullmatch(r"[0-9a-fA-F]{32,128}", value):
            return value
    return None


def parse_size(value: Any) -> int | None:
    """'117743 B', '36.809 KB', '97.73 TiB', 1024 -> bytes; None when not a size."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value) if value >= 0 else None
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([A-Za-z]*)\s*", str(value).replace(",", ""))
    if not m or m.group(2).lower() not in _SIZE_UNITS:
        return None
    return int(float(m.group(1)) * _SIZE_UNITS[m.group(2).lower()])


# ---------------------------------------------------------------- other properties


def _aliases(doc: dict[str, Any], url: str | None, language: str) -> list[str]:
    """alternateName as written, plus the Hub dataset id when the dataset lives on the Hub."""
    aliases = jsonld.texts_of(doc.get("alternateName"), language)
    for link in (url, jsonld.text_of(doc.get("sameAs"), language)):
        m = _HF_DATASET_URL.match(link or "")
        if m and f"hf:dataset/{m.group(1)}" not in aliases:
            aliases.append(f"hf:dataset/{m.group(1)}")
    return aliases


def _namespaced(doc: dict[str, Any], prefix: str, language: str) -> dict[str, Any]:
    """RAI / PROV properties by local name; text values as text, structures as written."""
    out = {}
    for key, value in doc.items():
        if key.startswith(prefix):
            single = not isinstance(value, list) or len(value) == 1
            found = jsonld.text_of(value, language) if single else None
            out[key[len(prefix):]] = found if found is not None else value
    return out


def _id_part(name: str) -> str:
    """The name made URL-safe-ish for an asset id: case and '/' kept, other runs -> '_',
    no '.' / '..' segments."""
    safe = re.sub(r"[^\w.\-~/]+", "_", name.strip())
    safe = re.sub(r"(?<![^/])\.+(?![^/])", "_", safe)
    return safe.strip("_/")


def _summary(description: str | None, target: int = 80) -> str | None:
    """One or two sentences from the first paragraph that reads as prose (skips headings
    such as 'Dataset Card for X' that Hub-made Croissant files start with)."""
    if not description:
        return None
    paragraphs = [first_paragraph(p) for p in re.split(r"\n\s*\n", description)]
    prose = [p for p in paragraphs if p and len(p.split()) >= 6]
    para = (prose or [p for p in paragraphs if p] or [None])[0]
    if not para:
        return None
    sentences = re.split(r"(?<=[.!?])\s+", para)
    summary = sentences[0]
    if len(summary) < target and len(sentences) > 1:
        summary = f"{summary} {sentences[1]}"
    return summary


READERS: list[Reader] = [CroissantReader()]
