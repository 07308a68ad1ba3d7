"""Reading JSON-LD as written by dataset-description formats (Croissant, schema.org).

Producers spell the same property many ways: a term of their `@context` (`recordSet`),
a compact IRI (`cr:recordSet`) or a full IRI, and a text value as a string, a value
object, a language map or a list of those. These helpers resolve keys through the
file's own context and read text values, so format readers see one spelling.
"""

from __future__ import annotations

import re
from typing import Any

RAI_08_TERMS = {"dataBiases", "dataCollection", "personalSensitiveInformation"}  # 0.8: core terms
NAMESPACES = {"croissant/RAI": "rai", "w3.org/ns/prov": "prov"}  # kept as 'rai:x' / 'prov:x'
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


class JsonLdContext:
    """Resolves keys and type names through a file's `@context` (terms and prefixes)."""

    def __init__(self, context: Any) -> None:
        self.terms: dict[str, str] = {}
        self.language = "en"
        parts = context if isinstance(context, list) else [context]
        for part in parts:
            if not isinstance(part, dict):
                continue  # a remote context URL: compact IRIs still resolve by local name
            for term, value in part.items():
                if term == "@language" and isinstance(value, str):
                    self.language = value
                elif isinstance(value, str):
                    self.terms[term] = value
                elif isinstance(value, dict) and isinstance(value.get("@id"), str):
                    self.terms[term] = value["@id"]

    def expand(self, key: str) -> str:
        """A term or compact IRI as a full IRI where the context knows it."""
        for _ in range(4):  # term -> compact IRI -> IRI; bounded against cycles
            if key in self.terms and self.terms[key] != key:
                key = self.terms[key]
                continue
            prefix, sep, local = key.partition(":")
            if sep and not local.startswith("//") and prefix in self.terms:
                key = self.terms[prefix] + local
                continue
            break
        return key

    def canonical(self, key: str) -> str:
        """'cr:recordSet', 'http://mlcommons.org/croissant/recordSet' -> 'recordSet';
        RAI and PROV terms keep their namespace: 'rai:dataBiases', 'prov:wasDerivedFrom'."""
        if key.startswith("@"):
            return key
        iri = self.expand(key)
        local = local_name(iri)
        prefix = key.partition(":")[0] if ":" in key and "//" not in key else ""
        for fragment, namespace in NAMESPACES.items():
            if fragment in iri or prefix == namespace:
                return f"{namespace}:{local}"
        return f"rai:{local}" if local in RAI_08_TERMS else local

    def normalize(self, node: Any) -> Any:
        """The whole document with canonical keys (values are left as written)."""
        if isinstance(node, list):
            return [self.normalize(item) for item in node]
        if isinstance(node, dict):
            return {
                self.canonical(k): self.normalize(v) for k, v in node.items() if k != "@context"
            }
        return node

    def type_names(self, value: Any) -> list[str]:
        """Local names of an `@type` / `dataType` value ('sc:Text' -> 'Text').

        Wikidata ids (`wd:Q48277`, a semantic annotation) are left out."""
        names = []
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                item = item.get("@id")
            if not isinstance(item, str) or not item:
                continue
            iri = self.expand(item)
            if "wikidata.org" in iri or item.startswith("wd:"):
                continue
            names.append(local_name(iri))
        return names


def json_kind(value: Any) -> str:
    """What a JSON value is, in the words of a JSON user: 'object', 'list', 'string', ..."""
    kinds = {dict: "object", list: "list", str: "string", bool: "boolean", int: "number",
             float: "number", type(None): "null"}
    return kinds.get(type(value), type(value).__name__)


def local_name(iri: str) -> str:
    """The last segment of an IRI or compact IRI: 'https://schema.org/Text' -> 'Text'."""
    return re.split(r"[/#:]", iri.rstrip("/#"))[-1]


def text_of(value: Any, language: str = "en") -> str | None:
    """A string from a string, a JSON-LD value object, a language map or a list of those;
    `language` picks among translations (then English, then the first given)."""
    if isinstance(value, list):
        tagged = [
            (item.get("@language") if isinstance(item, dict) else None, text_of(item, language))
            for item in value
        ]
        chosen = [t for lang, t in tagged if t and lang == language] or [t for _, t in tagged if t]
        return chosen[0] if chosen else None
    if isinstance(value, dict):
        if "@value" in value:
            return text_of(value["@value"], language)
        if value and all(_is_translation(k, v) for k, v in value.items()):
            return text_of(value.get(language) or value.get("en") or next(iter(value.values())))
        return text_of(value.get("@id")) if set(value) <= {"@id", "@type"} else None
    if value is None or isinstance(value, bool):
        return None
    stripped = str(value).strip()
    return stripped or None


def _is_translation(key: str, value: Any) -> bool:
    """One entry of a language map: {"en": "text"}."""
    return isinstance(value, str) and _LANGUAGE_TAG.fullmatch(key) is not None


def texts_of(value: Any, language: str = "en") -> list[str]:
    """Every text of a single-or-list value, empty ones left out."""
    items = value if isinstance(value, list) else [value]
    return [t for t in (text_of(item, language) for item in items) if t]


def names_of(value: Any, language: str = "en") -> list[str]:
    """Names of creators/publishers (objects with a name, or plain strings), without repeats."""
    found: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        name = text_of(item.get("name") if isinstance(item, dict) else item, language)
        if name and name not in found:
            found.append(name)
    return found


def licenses_of(value: Any, language: str = "en") -> list[str]:
    """Licenses as written: a string, a CreativeWork (its name, else its URL) or a list."""
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, dict) and "@value" not in item:
            found = text_of(item.get("name"), language)
            found = found or text_of(item.get("url") or item.get("@id"))
        else:
            found = text_of(item, language)
        if found and found not in out:
            out.append(found)
    return out


def keywords_of(value: Any, language: str = "en") -> list[str]:
    """schema.org keywords: a list, or one comma-separated string."""
    if isinstance(value, str):
        return [k.strip() for k in value.split(",") if k.strip()]
    return texts_of(value, language)


def date_of(text: str | None) -> str | None:
    """'2025-10-19T01:06:58Z' -> '2025-10-19'; other forms as written (the store parses)."""
    if text and re.match(r"\d{4}-\d{2}-\d{2}", text):
        return text[:10]
    return text
