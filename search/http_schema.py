"""The OpenAPI contract's patterns for query values, built from the query model's own grammar.

The schema must say exactly what the server takes: a request the schema calls valid is
answered, never refused (tests/search/test_contract.py runs schemathesis against it).
Each pattern here is the grammar `search/query.py` parses, written as a regular expression
(a subset where the parser is more lenient, e.g. numbers in more notations), so the two
cannot drift: a new filter key or sort key appears in the schema without an edit here.
"""

from __future__ import annotations

import re

from assetscout.catalog.graph.compliance import STATUSES as LINEAGE_STATUSES
from assetscout.catalog.licenses import LICENSE_CLASSES
from assetscout.catalog.records import ASSET_KINDS
from assetscout.search.query import FILTER_KEYS, MAX_VALUE_CHARS, SORT_KEYS

# every character str.strip() removes, spelled out: a schema's `\s` is ECMA's in some validators and
# generators (no U+0085, say) and Python's in others, so the patterns do not rely on it
WS = r"\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# a short text value: no control characters, not blank (the parser strips, then refuses empty)
_VALUE = rf"[^{WS}\x00-\x1f][^\x00-\x1f]{{0,{MAX_VALUE_CHARS - 2}}}"
SHORT_TEXT = f"^{_VALUE}$"
_NOT_EQ_VALUE = rf"[^{WS}=\x00-\x1f][^\x00-\x1f]{{0,{MAX_VALUE_CHARS - 2}}}"  # 'license==mit' is refused
_BOOL = "(?:true|false|yes|no|1|0)"
# a count: plain digits below 1e16, or a mantissa with a K/M/B suffix (30M, 1.5B)
_COUNT = r"(?:[0-9]{1,15}|[0-9]{1,6}(?:\.[0-9]{1,3})?[kKmMbB])"
_ENUMS = {"license_class": LICENSE_CLASSES, "license_lineage": LINEAGE_STATUSES, "kind": ASSET_KINDS}


def _alt(words: object) -> str:
    return "(?:" + "|".join(re.escape(str(w)) for w in words) + ")"  # type: ignore[attr-defined]


def _filter_value(key: str, kind: str) -> str:
    if key in _ENUMS:
        return _alt(_ENUMS[key])
    return {"bool": _BOOL, "int": _COUNT}.get(kind, _NOT_EQ_VALUE)


FILTER_PATTERN = "^(?:" + "|".join(f"{re.escape(key)}={_filter_value(key, kind)}"
                                   for key, (kind, _) in FILTER_KEYS.items()) + ")$"
KINDS_PATTERN = rf"^{_alt(ASSET_KINDS)}(?:,{_alt(ASSET_KINDS)})*$"  # GET kind=model,dataset
KIND_PATTERN = rf"^{_alt(ASSET_KINDS)}$"
# NAME op VALUE[%][@DATASET]: a name without <, >, =; no look-ahead (pydantic's regex engine has none)
METRIC_PATTERN = (rf"^[^<>={WS}\x00-\x1f][^<>=\x00-\x1f]{{0,60}}(?:>=|<=|>|<|=)[0-9]{{1,6}}(?:\.[0-9]{{1,4}})?%?"
                  rf"(?:@[^{WS}\x00-\x1f][^\x00-\x1f]{{0,60}})?$")
# metric:NAME[@DATASET]; a NAME starting with 'on ' would read as hardware: spelled out without look-ahead
_NAME_CHAR = r"[^@\x00-\x1f]"
_SORT_NAME = (rf"(?:[^oO@{WS}\x00-\x1f]{_NAME_CHAR}{{0,60}}|[oO](?:[^nN@\x00-\x1f]{_NAME_CHAR}{{0,59}})?"
              rf"|[oO][nN](?:[^@{WS}\x00-\x1f]{_NAME_CHAR}{{0,58}})?)")
SORT_PATTERN = rf"^(?:{_alt(SORT_KEYS)}|metric:{_SORT_NAME}(?:@[^{WS}\x00-\x1f][^\x00-\x1f]{{0,60}})?)$"


def _integral(value: object) -> object:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def json_int(**schema: int) -> object:
    """An int field of a strict body that takes what JSON Schema calls an integer: 10 and 10.0,
    never true or "10" (strict mode refuses both, and would refuse 10.0 too)."""
    from typing import Annotated

    from pydantic import BeforeValidator, Field

    return Annotated[int, BeforeValidator(_integral), Field(json_schema_extra=schema or None)]


def items(pattern: str, max_items: int | None = None) -> dict:
    """json_schema_extra of a repeatable query parameter whose values match `pattern` (documented,
    not enforced by FastAPI: the query parser checks and says what is wrong in words)."""
    out: dict = {"items": {"type": "string", "pattern": pattern}}
    if max_items is not None:
        out["maxItems"] = max_items
    return out


def nullable(pattern: str) -> dict:
    """json_schema_extra of an optional string field matching `pattern` when given."""
    return {"anyOf": [{"type": "string", "pattern": pattern}, {"type": "null"}]}


def filters_model() -> type:
    """POST /search `filters`: one optional field per filter key, typed as the parser reads it."""
    from typing import Annotated, Any

    from pydantic import ConfigDict, Field, create_model

    def short(pattern: str = SHORT_TEXT) -> Any:  # documented; check_filters refuses in words
        return Annotated[str, Field(json_schema_extra={"pattern": pattern})]

    fields: dict[str, Any] = {}
    for key, (kind, help_) in FILTER_KEYS.items():
        if kind == "list":
            one = short(f"^{_alt(_ENUMS[key])}$") if key in _ENUMS else short(f"^{_NOT_EQ_VALUE}$")
            typ: Any = one | Annotated[list[one], Field(min_length=1, max_length=50)]  # type: ignore[valid-type]
        elif kind == "bool":
            typ = bool | short(f"^{_BOOL}$")
        else:
            typ = json_int(minimum=0, exclusiveMaximum=10**16) | short(f"^{_COUNT}$")  # check_filters checks
        fields[key] = (typ | None, Field(None, description=help_))
    return create_model("Filters", __config__=ConfigDict(extra="forbid", strict=True), **fields)
