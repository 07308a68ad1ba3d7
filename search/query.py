"""The one query model behind the Python API, the CLI and HTTP.

A query is text plus structured constraints. Everything a user sends is checked here,
where it enters, with an error that names the parameter, the bad value and what is
allowed; nothing from a query is ever pasted into SQL (the planner binds values).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Literal, Mapping

from assetscout.catalog.graph.compliance import STATUSES as LINEAGE_STATUSES
from assetscout.catalog.licenses import LICENSE_CLASSES
from assetscout.catalog.records import ASSET_KINDS
from assetscout.errors import InvalidInput, check_unicode

MAX_TEXT_CHARS = 2_000
MAX_K = 1_000
MAX_OFFSET = 10_000
MAX_FILTER_VALUES = 50
MAX_VALUE_CHARS = 300

SortKey = Literal["relevance", "downloads", "likes", "referenced_by", "parameters", "fewest_parameters", "created",
                  "name"]
SORT_KEYS: tuple[str, ...] = ("relevance", "downloads", "likes", "referenced_by", "parameters", "fewest_parameters",
                              "created", "name")
MAX_LITERAL = 20  # phrases a query may ask to keep uninterpreted
METRIC_SORT_PREFIX = "metric:"  # sort=metric:NAME[@DATASET][ on HARDWARE], best first in the metric's direction
SORT_HELP = ("one of " + ", ".join(SORT_KEYS) + ", or metric:NAME[@DATASET][ on HARDWARE] (best first: highest "
             "accuracy, lowest error; assets without that metric are left out), e.g. metric:top1@ImageNet")

# filter key -> (kind of value, help). "list" keys may repeat (OR within a key, AND across keys).
FILTER_KEYS: dict[str, tuple[str, str]] = {
    "license": ("list", "SPDX id or license as written, e.g. Apache-2.0, mit, cc-by-nc-4.0"),
    "license_class": ("list", "one of " + ", ".join(LICENSE_CLASSES)),
    "non_commercial": ("bool", "true or false"),
    "task": ("list", "task / pipeline tag, e.g. text-classification, image-classification"),
    "library": ("list", "library, e.g. transformers, timm, sentence-transformers"),
    "language": ("list", "language code in any form: en, eng or eng-Latn match the same"),
    "tag": ("list", "a tag as written"),
    "dataset": ("list", "a dataset the model was trained or evaluated on (name or dataset id)"),
    "base_model": ("list", "an ancestor model (asset id or HF repo id): its descendants"),
    "organization": ("list", "publisher / organization"),
    "source": ("list", "the reader that contributed the asset, e.g. mteb_meta, timm_results"),
    "access": ("list", "open, limited, closed"),
    "kind": ("list", "model, dataset or table (the same as the kind parameter)"),
    "modality": ("list", "text, vision, audio, multimodal, video, tabular, graph, time-series, reinforcement-learning"),
    "format": ("list", "deployment format: tflite, tfjs, coral-edgetpu, savedmodel, tf1-hub, openvino-ir, onnx, gguf"),
    "precision": ("list", "numeric precision offered: fp32, fp16, bf16, int8, int4 (OpenVINO FP16-INT8 = fp16-int8)"),
    "multilingual": ("bool", "true: two or more languages, or marked multilingual"),
    "commercial_use": ("bool", "true: a known license that allows commercial use (public-domain, permissive, "
                               "copyleft, weak-copyleft or responsible-AI class, not non-commercial)"),
    "license_lineage": ("list", "license status across lineage: clean, conflict or unknown (assetscout licenses check)"),
    "commercial_use_lineage": ("bool", "true: commercial use is safe across lineage (license_lineage clean and the "
                                       "asset's own license allows commercial use)"),
    "min_parameters": ("int", "minimum parameter count, e.g. 1e6 or 110M"),
    "max_parameters": ("int", "maximum parameter count (exclusive), e.g. 100M"),
    "min_size_bytes": ("int", "minimum size in bytes"),
    "max_size_bytes": ("int", "maximum size in bytes (exclusive)"),
}

_OPS = (">=", "<=", ">", "<", "==", "=")
# NAME op VALUE[%][@DATASET][ on HARDWARE]; NAME may hold '@' (R@1, ndcg@10): the value ends it
_METRIC_RE = re.compile(r"^\s*(?P<metric>[^<>=]+?)\s*(?P<op>>=|<=|==|=|>|<)\s*(?P<value>[-+]?[0-9.]+(?:e[-+]?\d+)?)"
                        r"\s*(?P<percent>%)?\s*(?:@\s*(?P<dataset>.+?))?(?:\s*\bon\s+(?P<hardware>\S.*?))?\s*$",
                        re.I)
_ON_HARDWARE = re.compile(r"^(?P<rest>.*?)(?:^|\s+)on\s+(?P<hardware>\S.*?)\s*$", re.I)


def _number_text(value: float) -> str:
    """The shortest text that reads back as `value` (not '%g', which prints 1000001 as 1e+06)."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _split_hardware(text: str | None) -> tuple[str | None, str | None]:
    """'ImageNet on rtx4090' -> ('ImageNet', 'rtx4090'); 'on cpu' -> (None, 'cpu')."""
    if not text:
        return None, None
    m = _ON_HARDWARE.match(text)
    if not m:
        return text.strip() or None, None
    return m.group("rest").strip() or None, m.group("hardware").strip()


@dataclass(frozen=True)
class MetricConstraint:
    """`metric op value`, optionally on a dataset and hardware: e.g. top1 >= 85 @ ImageNet.

    Metric names are matched through the vocabulary (catalog/metrics.py). For bounded
    metrics (accuracy, F1, recall...) a value above 1 or written with '%' is a percent:
    `accuracy>=90%`, `accuracy>=90` and `accuracy>=0.9` are one constraint, and match
    sources that write 0.9 as well as those that write 90.
    """

    metric: str
    op: str
    value: float
    dataset: str | None = None
    hardware: str | None = None
    percent: bool = False

    @classmethod
    def parse(cls, text: str) -> "MetricConstraint":
        """Parse 'NAME>=VALUE[%][@DATASET][ on HARDWARE]' (the CLI and GET form)."""
        if not isinstance(text, str) or len(text) > MAX_VALUE_CHARS:
            raise InvalidInput(f"metric constraint must be a string of at most {MAX_VALUE_CHARS} characters")
        m = _METRIC_RE.match(text)
        if not m:
            raise InvalidInput(
                f"metric constraint {text!r} is not of the form NAME>=VALUE[%][@DATASET][ on HARDWARE], "
                "e.g. 'top1>=85@ImageNet', 'R@1>=0.5@MSCOCO', 'infer_samples_per_sec>=1000 on rtx4090'")
        try:
            number = float(m.group("value"))
        except ValueError:
            raise InvalidInput(f"metric constraint {text!r}: {m.group('value')!r} is not a number") from None
        return cls.build(m.group("metric"), m.group("op"), number, m.group("dataset"), m.group("hardware"),
                         percent=bool(m.group("percent")))

    @classmethod
    def build(cls, metric: Any, op: Any, value: Any, dataset: Any = None, hardware: Any = None, *,
              percent: Any = False) -> "MetricConstraint":
        metric = _short_text("metric", metric)
        if op not in _OPS:
            raise InvalidInput(f"metric operator {op!r} is not allowed; use one of {', '.join(_OPS)}")
        if isinstance(value, bool):
            raise InvalidInput(f"metric value {value!r} is not a number")
        percent = _parse_bool("metric percent", percent)
        if isinstance(value, str) and value.strip().endswith("%"):
            value, percent = value.strip()[:-1], True
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise InvalidInput(f"metric value {value!r} is not a number") from None
        if not math.isfinite(number):
            raise InvalidInput(f"metric value {value!r} must be a finite number")
        ds = _short_text("metric dataset", dataset) if dataset not in (None, "") else None
        hw = _short_text("metric hardware", hardware) if hardware not in (None, "") else None
        return cls(metric, "=" if op == "==" else op, number, ds, hw, percent)

    def label(self) -> str:
        """How a person reads it: 'accuracy (top-1) ≥ 85 on ImageNet'."""
        from assetscout.catalog.metrics import metric_info

        op = {">=": "≥", "<=": "≤"}.get(self.op, self.op)
        value = f"{_number_text(self.value)}{'%' if self.percent else ''}"
        where = (f" on {self.dataset}" if self.dataset else "") + (f" ({self.hardware})" if self.hardware else "")
        return f"{metric_info(self.metric).label} {op} {value}{where}"

    def to_text(self) -> str:
        """The CLI/GET form that parses back to this constraint."""
        value = f"{_number_text(self.value)}{'%' if self.percent else ''}"
        return (f"{self.metric}{self.op}{value}" + (f"@{self.dataset}" if self.dataset else "")
                + (f" on {self.hardware}" if self.hardware else ""))


@dataclass(frozen=True)
class MetricSort:
    """sort=metric:NAME[@DATASET][ on HARDWARE]: best value first, in the metric's direction."""

    metric: str
    dataset: str | None = None
    hardware: str | None = None

    @classmethod
    def parse(cls, text: str) -> "MetricSort":
        body = text[len(METRIC_SORT_PREFIX):].strip()
        body, hardware = _split_hardware(body)
        if not body:
            raise InvalidInput(f"sort {text!r} names no metric; e.g. metric:top1@ImageNet")
        # '@' followed by digits belongs to the name (R@1, ndcg@10); the next '@' starts the dataset
        parts = body.split("@")
        name, i = parts[0], 1
        while i < len(parts) and parts[i].strip().isdigit():
            name, i = f"{name}@{parts[i].strip()}", i + 1
        dataset = "@".join(parts[i:]).strip() or None
        return cls(_short_text("sort metric", name), _short_text("sort dataset", dataset) if dataset else None,
                   _short_text("sort hardware", hardware) if hardware else None)

    def to_text(self) -> str:
        return (METRIC_SORT_PREFIX + self.metric + (f"@{self.dataset}" if self.dataset else "")
                + (f" on {self.hardware}" if self.hardware else ""))

    def as_constraint(self) -> MetricConstraint:
        """The 'has this metric' condition: any value, same metric, dataset and hardware."""
        return MetricConstraint(self.metric, ">=", -math.inf, self.dataset, self.hardware)


@dataclass(frozen=True)
class Query:
    """What the user asks. Build with `Query.build(...)` to get every field checked."""

    text: str = ""
    kinds: tuple[str, ...] = ()
    filters: Mapping[str, Any] = field(default_factory=dict)
    metrics: tuple[MetricConstraint, ...] = ()
    sort: str = "relevance"
    k: int = 10
    offset: int = 0
    explain: bool = False
    sort_metric: MetricSort | None = None  # set when sort is metric:...
    interpret: bool = True  # read constraints out of the text (search/interpret); False: the text is literal
    literal: tuple[str, ...] = ()  # phrases of the text not to interpret (an interpretation chip removed)
    # filter keys that rank rather than filter: assets whose metadata confirms them rank higher, none is
    # left out (set by interpretation for what text states only loosely: a task, a language, "small")
    preferred_filters: tuple[str, ...] = ()
    # filter keys applied open-world: they leave out only assets whose metadata states otherwise (an
    # interpreted language: "in French" drops the English-only models, keeps those that state no language)
    open_world_filters: tuple[str, ...] = ()

    @classmethod
    def build(cls, *, text: Any = "", kinds: Iterable[Any] | Any = (), filters: Mapping[str, Any] | None = None,
              metrics: Iterable[Any] = (), sort: Any = "relevance", k: Any = 10, offset: Any = 0,
              explain: Any = False, interpret: Any = True, literal: Iterable[Any] = ()) -> "Query":
        text = "" if text is None else text
        if not isinstance(text, str):
            raise InvalidInput(f"text must be a string, got {type(text).__name__}")
        text = " ".join(check_unicode(text, "text").split())
        if len(text) > MAX_TEXT_CHARS:
            raise InvalidInput(f"text is {len(text)} characters long; at most {MAX_TEXT_CHARS} are allowed")
        if isinstance(kinds, str):
            kinds = [kinds]
        checked = check_filters(filters or {})
        if "kind" in checked:  # a kind filter (facet value 'kind=model') is the kinds parameter
            kinds = [*(kinds or ()), *checked.pop("kind")]
        kind_list = tuple(dict.fromkeys(str(x) for x in (kinds or ())))
        for kind in kind_list:
            if kind not in ASSET_KINDS:
                raise InvalidInput(f"kind {kind!r} is not known; use one of {', '.join(ASSET_KINDS)}")
        parsed: list[MetricConstraint] = []
        for m in metrics or ():
            if isinstance(m, MetricConstraint):
                parsed.append(m)
            elif isinstance(m, str):
                parsed.append(MetricConstraint.parse(m))
            elif isinstance(m, Mapping):
                unknown = set(m) - {"metric", "op", "value", "dataset", "hardware", "percent"}
                if unknown:
                    raise InvalidInput(f"metric constraint has unknown field(s) {sorted(unknown)}; "
                                       "allowed: metric, op, value, dataset, hardware, percent")
                parsed.append(MetricConstraint.build(m.get("metric"), m.get("op", ">="), m.get("value"), m.get("dataset"),
                                                     m.get("hardware"), percent=m.get("percent", False)))
            else:
                raise InvalidInput(f"metric constraint {m!r} is neither 'NAME>=VALUE@DATASET' nor an object")
        if len(parsed) > 10:
            raise InvalidInput(f"{len(parsed)} metric constraints given; at most 10 are allowed")
        sort_metric = None
        if isinstance(sort, str) and sort.strip().lower().startswith(METRIC_SORT_PREFIX):
            sort_metric = MetricSort.parse(sort.strip())
            sort = sort_metric.to_text()
        elif sort not in SORT_KEYS:
            raise InvalidInput(f"sort {sort!r} is not allowed; use {SORT_HELP}")
        k_int = _int_in_range("k", k, 1, MAX_K)
        offset_int = _int_in_range("offset", offset, 0, MAX_OFFSET)
        if not isinstance(explain, bool):
            explain = _parse_bool("explain", explain)
        interpret = _parse_bool("interpret", interpret)
        if isinstance(literal, str):
            literal = [literal]
        literal_list = tuple(dict.fromkeys(_short_text("literal phrase", p) for p in (literal or ())))
        if len(literal_list) > MAX_LITERAL:
            raise InvalidInput(f"{len(literal_list)} literal phrases given; at most {MAX_LITERAL} are allowed")
        if sort == "relevance" and not text:
            sort = "downloads"  # nothing to rank by relevance: most used first
        return cls(text, kind_list, checked, tuple(parsed), str(sort), k_int, offset_int, bool(explain), sort_metric,
                   interpret, literal_list)


def check_filters(filters: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and normalize facet filters; unknown keys are refused with the allowed list."""
    if not isinstance(filters, Mapping):
        raise InvalidInput("filters must be an object of KEY: VALUE(S)")
    out: dict[str, Any] = {}
    for key, raw in filters.items():
        if key not in FILTER_KEYS:
            raise InvalidInput(f"unknown filter {key!r}; allowed filters: {', '.join(FILTER_KEYS)}")
        kind, _ = FILTER_KEYS[key]
        if kind == "list":
            values = raw if isinstance(raw, (list, tuple)) else [raw]
            if not values or len(values) > MAX_FILTER_VALUES:
                raise InvalidInput(f"filter {key!r} needs 1 to {MAX_FILTER_VALUES} values, got {len(values)}")
            cleaned = [_short_text(f"filter {key!r}", v) for v in values]
            if key == "license_class":
                for v in cleaned:
                    if v not in LICENSE_CLASSES:
                        raise InvalidInput(f"license_class {v!r} is not known; use one of {', '.join(LICENSE_CLASSES)}")
            if key == "license_lineage":
                for v in cleaned:
                    if v not in LINEAGE_STATUSES:
                        raise InvalidInput(f"license_lineage {v!r} is not known; use one of {', '.join(LINEAGE_STATUSES)}")
            out[key] = list(dict.fromkeys(cleaned))
        elif kind == "bool":
            out[key] = _parse_bool(key, raw[0] if isinstance(raw, (list, tuple)) and len(raw) == 1 else raw)
        else:
            out[key] = _parse_count(key, raw[0] if isinstance(raw, (list, tuple)) and len(raw) == 1 else raw)
    return out


def parse_filter_args(items: Iterable[str]) -> dict[str, Any]:
    """CLI / GET form: ['license=mit', 'task=text-classification', 'max_parameters=100M']."""
    grouped: dict[str, list[str]] = {}
    for item in items:
        if not isinstance(item, str) or "=" not in item:
            raise InvalidInput(f"filter {item!r} is not of the form KEY=VALUE (e.g. license=apache-2.0)")
        key, _, value = item.partition("=")
        if value.lstrip().startswith("="):  # 'license==mit': a comparison, not a value starting with '='
            raise InvalidInput(f"filter {item!r} is not of the form KEY=VALUE: write one '=' "
                               f"(e.g. {key.strip()}={value.lstrip().lstrip('=').strip() or 'VALUE'})")
        grouped.setdefault(key.strip(), []).append(value.strip())
    return {k: (v if FILTER_KEYS.get(k, ("list",))[0] == "list" else v[-1]) for k, v in grouped.items()}


def _short_text(what: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise InvalidInput(f"{what} must be a string, got {type(value).__name__}")
    text = check_unicode(str(value), what).strip()
    if not text:
        raise InvalidInput(f"{what} is empty")
    if len(text) > MAX_VALUE_CHARS:
        raise InvalidInput(f"{what} is {len(text)} characters long; at most {MAX_VALUE_CHARS} are allowed")
    if any(ord(ch) < 32 for ch in text):
        raise InvalidInput(f"{what} contains control characters")
    return text


def _int_in_range(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise InvalidInput(f"{name} must be an integer, got a boolean")
    try:
        number = int(value) if not isinstance(value, float) or value.is_integer() else None
    except (TypeError, ValueError, OverflowError):
        number = None
    if number is None:
        raise InvalidInput(f"{name} must be an integer, got {value!r}")
    if not low <= number <= high:
        raise InvalidInput(f"{name} must be between {low} and {high}, got {number}")
    return number


def _parse_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise InvalidInput(f"{name} must be true or false, got {value!r}")


_SCALE = {"": 1, "k": 10**3, "m": 10**6, "b": 10**9, "t": 10**12}


def _parse_count(name: str, value: Any) -> int:
    if isinstance(value, bool):
        raise InvalidInput(f"filter {name!r} must be a number")
    if isinstance(value, (int, float)) and math.isfinite(value):
        number = float(value)
    else:
        m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:e[+-]?\d+)?)\s*([kKmMbBtT]?)\s*", str(value))
        if not m:
            raise InvalidInput(f"filter {name!r} must be a number such as 30000000, 30M or 1.5B, got {value!r}")
        number = float(m.group(1)) * _SCALE[m.group(2).lower()]
    if not 0 <= number < 1e16:
        raise InvalidInput(f"filter {name!r} must be between 0 and 1e16, got {value!r}")
    return int(number)
