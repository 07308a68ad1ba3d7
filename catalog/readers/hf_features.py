"""Hugging Face `datasets` features (the `features` of dataset_infos.json) -> flat columns.

A features mapping nests: dicts of features, `Sequence`s of dicts, lists of dicts.
Column search wants flat, typed columns, so each leaf becomes one dotted column
(`answers.text`) with a short readable type (`Sequence(string)`,
`ClassLabel(names=[neg,pos])`) that keeps what a user would check: the value type, the
label names, the array shape.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterator

MAX_LABEL_NAMES_SHOWN = 10  # in a ClassLabel type string; all names still go to `labels`
_NOT_A_SEQUENCE = object()  # _sequence_item() of a feature that is not a sequence


def flatten_features(
    features: dict[str, Any], prefix: str = ""
) -> Iterator[tuple[str, str | None]]:
    """(dotted column name, readable type) for every leaf of a features mapping."""
    for key, feature in features.items():
        yield from _flatten(f"{prefix}{key}", feature)


def _flatten(name: str, feature: Any) -> Iterator[tuple[str, str | None]]:
    """Dicts open into dotted columns; a sequence of a dict becomes a dict of sequences
    (as the `datasets` library stores it), so `answers.text` is `Sequence(string)`."""
    if isinstance(feature, dict) and "_type" not in feature:
        yield from flatten_features(feature, prefix=f"{name}.")
        return
    item, length = _sequence_item(feature)
    if item is not _NOT_A_SEQUENCE:
        suffix = f", length={length}" if isinstance(length, int) and length >= 0 else ""
        for col, typ in _flatten(name, item):
            yield col, f"Sequence({typ or 'unknown'}{suffix})"
        return
    yield name, _type_name(feature)



def _sequence_item(feature: Any) -> tuple[Any, Any]:
    """(item feature, fixed length) of a `Sequence` or `[feature]` list, else a marker."""
    if isinstance(feature, list) and len(feature) == 1:
        return feature[0], None
    if isinstance(feature, dict) and feature.get("_type") == "Sequence":
        return feature.get("feature"), feature.get("length")
    return _NOT_A_SEQUENCE, None


def _type_name(feature: Any) -> str | None:
    """A short readable type: 'string', 'ClassLabel(names=[neg,pos])', 'Image'."""
    if not isinstance(feature, dict):
        return None
    kind = str(feature.get("_type"))
    if kind == "Value":
        return str(feature.get("dtype") or "unknown")
    if kind == "ClassLabel":
        return _class_label_type(feature)
    if kind in ("Translation", "TranslationVariableLanguages"):
        return f"{kind}(languages=[{','.join(map(str, feature.get('languages') or []))}])"
    if kind.startswith("Array") and "shape" in feature:
        shape = ",".join(map(str, feature.get("shape") or []))
        return f"{kind}(shape=[{shape}], dtype={feature.get('dtype')})"
    if kind == "Audio" and feature.get("sampling_rate"):
        return f"Audio(sampling_rate={feature['sampling_rate']})"
    return kind


def _class_label_type(feature: dict[str, Any]) -> str:
    names = [_label_text(n) for n in feature.get("names") or []]
    if not names:
        return f"ClassLabel(num_classes={feature.get('num_classes')})"
    if len(names) <= MAX_LABEL_NAMES_SHOWN:
        return f"ClassLabel(names=[{','.join(names)}])"
    shown = ",".join(names[:MAX_LABEL_NAMES_SHOWN])
    return f"ClassLabel(num_classes={len(names)}, names=[{shown},...])"


def _label_text(name: Any) -> str:
    """A label name inside a type string; quoted when it holds a comma or a bracket."""
    text = str(name)
    return json.dumps(text, ensure_ascii=False) if re.search(r'[,\[\]"]|^\s|\s$', text) else text


def collect_labels(feature: Any, labels: list[str]) -> None:
    """Every ClassLabel name anywhere in the features, in order, without repeats."""
    if isinstance(feature, list):
        for item in feature:
            collect_labels(item, labels)
    elif isinstance(feature, dict):
        if feature.get("_type") == "ClassLabel":
            seen = set(labels)
            labels.extend(n for n in map(str, feature.get("names") or []) if n not in seen)
            return
        for value in feature.values():
            if isinstance(value, (dict, list)):
                collect_labels(value, labels)
