"""Rules for what people say with numbers and superlatives: metric thresholds, 'best on X', sizes.

    "mAP above 40 on COCO"            -> metric map>40@COCO
    "accuracy over 90%"               -> metric accuracy>90%   (90 % = 0.90 however a source writes it)
    "WER below 5 on LibriSpeech"      -> metric wer<5@LibriSpeech
    "best speech model on LibriSpeech" -> sort metric:wer@LibriSpeech (the benchmark's headline metric)
    "fastest on an RTX 4090"          -> sort metric:throughput on rtx4090
    "under 20M parameters", "7B"      -> max_parameters / a 0.8x-1.25x parameter range
    "< 100 MB"                        -> max_size_bytes

A number glued to a name ("ResNet-50", "GPT-2", "T5-11B", "COCO 2017") is not a size:
sizes need a unit (M, B, k) standing as their own word.
"""

from __future__ import annotations

import re

from assetscout.catalog.metrics import metric_info
from assetscout.search.interpret.lexicon import (BEST_WORDS, BYTE_UNITS, COMPARATOR_RE, COMPARATORS, FAST_WORDS,
                                                 LOW_LATENCY, METRIC_PHRASES, METRIC_RE, PARAM_UNITS, PARAM_WORD,
                                                 SORT_WORDS, THROUGHPUT_UNITS, TIME_UNITS, TRAILING_LESS,
                                                 TRAILING_MORE)
from assetscout.search.interpret.scan import B, E, Constraint, Scan
from assetscout.search.query import MetricConstraint

_NUM = r"(?P<num>\d{1,3}(?:,\d{3})+(?![\d])|\d+(?:[.,]\d+)?|\.\d+)"
_PCT = r"(?P<pct>\s*%|\s*percent(?:age points?)?)?"
_UNIT = (r"(?:\s*(?P<unit>ms|milliseconds?|seconds?|sec|s|us|µs|img/s|images/s|samples/s|img/sec|images/sec|fps|"
         r"(?:images|samples|frames|examples|sentences|tokens) per second|per second|/s))?")
_METRIC_FIRST = re.compile(
    B + rf"(?P<metric>{METRIC_RE})(?:\s+(?:score|of|is|value|that is|which is))?\s*(?:of\s+)?"
    rf"(?P<cmp>{COMPARATOR_RE})\s*{_NUM}{_PCT}{_UNIT}" + E)
_VALUE_FIRST = re.compile(
    B + rf"(?P<cmp>{COMPARATOR_RE})\s*{_NUM}{_PCT}{_UNIT}\s*(?P<metric>{METRIC_RE})" + E)
# 'at least 75 ImageNet top-1': a benchmark between the number and the metric (checked against the vocabulary)
_VALUE_BENCH_METRIC = re.compile(
    B + rf"(?P<cmp>{COMPARATOR_RE})\s*{_NUM}{_PCT}\s+(?P<between>(?:[\w.-]+\s+){{1,4}}?)(?P<metric>{METRIC_RE})" + E)
# 'cosine Spearman on STSBenchmark of at least 0.88': the benchmark between the metric and the comparison
_METRIC_BENCH_VALUE = re.compile(
    B + rf"(?P<metric>{METRIC_RE})\s+(?:on|@|for)\s+(?P<between>(?:[\w.-]+\s+){{1,4}}?)(?:(?:of|is|at)\s+)?"
    rf"(?P<cmp>{COMPARATOR_RE})\s*{_NUM}{_PCT}" + E)
# throughput said by its unit: '3000 images/s on an RTX 4090', 'at least 500 samples per second'
_THROUGHPUT = re.compile(
    B + rf"(?:(?P<cmp>{COMPARATOR_RE})\s*)?{_NUM}\s*(?P<unit>{THROUGHPUT_UNITS})"
    rf"(?:\s*(?P<trail>{TRAILING_MORE}|{TRAILING_LESS}))?" + E)
_TRAILING = re.compile(
    B + rf"{_NUM}{_PCT}\s+(?P<metric>{METRIC_RE})\s*(?P<trail>{TRAILING_MORE}|{TRAILING_LESS})?" + E)
_METRIC_TRAILING = re.compile(
    B + rf"(?P<metric>{METRIC_RE})\s+(?:of\s+)?{_NUM}{_PCT}\s*(?P<trail>{TRAILING_MORE}|{TRAILING_LESS})" + E)
_PARAM_UNIT = r"(?P<unit>k|m|b|t|mn|bn|thousand|million|millions|billion|billions|trillion)"
_NOT_PARAMS = re.compile(r"\s*(?:images?|samples?|examples?|rows?|tokens?|words?|hours?|sentences?|documents?|"
                         r"downloads?|likes?|pairs?|videos?|clips?|files?|records?|entries|users?|instances?|"
                         r"utterances?|frames?|classes|questions?|articles?|dialogues?|stars?|people|speakers?)\b")
_PARAMS_CMP = re.compile(B + rf"(?P<cmp>{COMPARATOR_RE})\s*{_NUM}\s*{_PARAM_UNIT}" + E + rf"(?:\s*{PARAM_WORD})?"
                         + rf"(?:\s+{PARAM_WORD})?")
_PARAMS_TRAIL = re.compile(B + rf"{_NUM}\s*{_PARAM_UNIT}" + E + rf"\s*{PARAM_WORD}\s*(?:models?\s+)?"
                           rf"(?P<trail>{TRAILING_MORE}|{TRAILING_LESS}|or smaller|or fewer)")
_PARAMS_ABOUT = re.compile(r"(?<![\w.-])" + rf"(?:~|about |around |roughly |approximately )?{_NUM}\s?"
                           r"(?P<unit>[mb])" + E + r"(?:[- ]?(?:param(?:eter)?s?|sized?|models?|llms?|variants?"
                           r"|checkpoints?))?")
_BYTES_CMP = re.compile(B + rf"(?P<cmp>{COMPARATOR_RE})\s*{_NUM}\s*(?P<unit>kb|kib|mb|mib|gb|gib|tb)" + E)
_BYTES_TRAIL = re.compile(B + rf"{_NUM}\s*(?P<unit>kb|kib|mb|mib|gb|gib|tb)" + E + rf"\s*(?P<trail>{TRAILING_LESS}|"
                          rf"{TRAILING_MORE}|or smaller)")
_SPEED = ("throughput", "latency")


def _number(text: str) -> float:
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", text):
        return float(text.replace(",", ""))
    return float(text.replace(",", "."))


def _op(m: re.Match[str], metric: str) -> str | None:
    if m.groupdict().get("cmp"):
        return COMPARATORS[m.group("cmp")]
    trail = m.groupdict().get("trail")
    if trail:
        return ">=" if re.match(TRAILING_MORE, trail) else "<="
    return None


def metric_constraints(scan: Scan) -> None:
    """'mAP above 40 on COCO', 'at least 90% accuracy', '90% top-1 or more', 'latency under 10 ms on cpu'."""
    for pattern in (_METRIC_FIRST, _METRIC_BENCH_VALUE, _VALUE_FIRST, _VALUE_BENCH_METRIC, _METRIC_TRAILING, _TRAILING,
                    _THROUGHPUT):
        for m in list(pattern.finditer(scan.low)):
            if not scan.free(m.start(), m.end()):
                continue
            between = m.groupdict().get("between")
            if between is not None and re.sub(r"[^a-z0-9]", "", between) not in scan.vocab.benchmarks:
                continue
            phrase = m.group("metric") if "metric" in m.groupdict() else "throughput"
            metric = METRIC_PHRASES.get(phrase, phrase)
            info = metric_info(metric)
            op = _op(m, metric)
            percent = bool(m.groupdict().get("pct"))
            if op is None:  # '90% accuracy', '3000 images/s': at least, for a higher-is-better metric
                if not (percent or pattern is _THROUGHPUT) or info.direction is None:
                    continue
                op = ">=" if info.direction == "higher" else "<="
            value = _number(m.group("num"))
            unit = (m.groupdict().get("unit") or "").lower()
            if unit in TIME_UNITS and info.key == "latency":
                value *= TIME_UNITS[unit]
            claims = [(m.start(), m.end())]
            dataset = hardware = None
            found = scan.benchmark_after(m.end(), window=0)
            if between is not None:
                dataset = scan.vocab.benchmarks[re.sub(r"[^a-z0-9]", "", between)]
                found = None
            if found:
                dataset = scan.vocab.benchmarks[found[2]]
                claims.append(found[:2])
            elif between is None:
                left = _benchmark_before(scan, m.start())
                if left:
                    dataset = scan.vocab.benchmarks[left[2]]
                    claims.append(left[:2])
            end = max(c[1] for c in claims)
            trail = re.compile(rf"\s*(?:{TRAILING_MORE}|{TRAILING_LESS})" + E).match(scan.low, end)
            if trail:  # 'with 85% top-1 on ImageNet or better'
                claims.append((end, trail.end()))
                end = trail.end()
            if info.key in _SPEED or info.broader and set(info.broader) & set(_SPEED):
                hw = _hardware_after(scan, end)
                if hw:
                    hardware = hw[2]
                    claims.append(hw[:2])
            try:
                c = MetricConstraint.build(metric, op, value, dataset, hardware, percent=percent)
            except Exception:  # noqa: BLE001 - a phrase that does not build is left as text
                continue
            start, stop = min(s for s, _ in claims), max(e for _, e in claims)
            scan.add(Constraint("metric", "metric", c.to_text(), c.label(), scan.source(start, stop), start, stop),
                     *claims)


def _benchmark_before(scan: Scan, pos: int) -> tuple[int, int, str] | None:
    """A benchmark name right before a metric: 'COCO mAP above 40', 'ImageNet top-1 over 85'."""
    words = [m for m in re.finditer(r"[\w@.+'-]+", scan.low[:pos])][-4:]
    for i in range(len(words)):
        s, e = words[i].start(), words[-1].end()
        if pos - e > 1:
            return None
        key = re.sub(r"[^a-z0-9]", "", scan.low[s:e])
        if key in scan.vocab.benchmarks and scan.free(s, e):
            return s, e, key
    return None


def _hardware_after(scan: Scan, pos: int) -> tuple[int, int, str] | None:
    m = re.compile(r"\s*,?\s*(?:on|using|with|for)\s+(?:an?\s+|the\s+)?").match(scan.low, pos)
    if not m:
        return None
    generic = re.compile(r"(cpus?|gpus?)" + E).match(scan.low, m.end())
    if generic:
        return m.start(), generic.end(), generic.group(1).rstrip("s")
    found = scan.longest_name(m.end(), scan.vocab.hardware, max_words=3)
    vendor = re.compile(r"(?:nvidia\s+)?(?:geforce\s+)?(?:rtx|gtx|intel|amd|apple)\s*").match(scan.low, m.end())
    if not found and vendor:  # 'RTX 5090' where the benchmark file says '5090'
        found = scan.longest_name(vendor.end(), scan.vocab.hardware, max_words=2)
    if found:
        return m.start(), found[1], scan.low[found[0]:found[1]]
    return None


def sort_intents(scan: Scan) -> None:
    """'best X on D', 'lowest WER on LibriSpeech', 'fastest on RTX 4090', 'most downloaded', 'newest'."""
    for m in list(scan.finditer(B + rf"(?P<best>{BEST_WORDS})" + E)):
        if not scan.free(m.start(), m.end()) or any(c.type == "sort" for c in scan.constraints):
            continue
        _best(scan, m)
    for pattern, metric in ((FAST_WORDS, "throughput"), (LOW_LATENCY, "latency")):
        for m in list(scan.finditer(B + pattern + E)):
            if not scan.free(m.start(), m.end()) or any(c.type == "sort" for c in scan.constraints):
                continue
            claims = [(m.start(), m.end())]
            hw = _hardware_after(scan, m.end()) or _hardware_anywhere(scan, m.end())
            text = f"metric:{metric}" + (f" on {hw[2]}" if hw else "")
            if hw:
                claims.append(hw[:2])
            label = f"{metric_info(metric).label} {'highest' if metric == 'throughput' else 'lowest'} first" + (
                f" ({hw[2]})" if hw else "")
            start, end = min(c[0] for c in claims), max(c[1] for c in claims)
            scan.add(Constraint("sort", "sort", text, label, scan.source(start, end), start, end), *claims)
    for phrase, key in sorted(SORT_WORDS.items(), key=lambda kv: -len(kv[0])):
        for m in list(scan.finditer(B + re.escape(phrase) + E)):
            if not scan.free(m.start(), m.end()) or any(c.type == "sort" for c in scan.constraints):
                continue
            if key == "parameters" and scan.kind == "dataset":
                continue
            label = {"downloads": "most downloaded first", "likes": "most liked first", "created": "newest first",
                     "referenced_by": "most referenced first", "fewest_parameters": "fewest parameters first",
                     "parameters": "most parameters first"}[key]
            scan.add(Constraint("sort", "sort", key, label, scan.source(m.start(), m.end()), m.start(), m.end()))


def _hardware_anywhere(scan: Scan, pos: int) -> tuple[int, int, str] | None:
    for m in re.finditer(r"\b(?:on|using|with|for)\s", scan.low[pos:pos + 60]):
        found = _hardware_after(scan, pos + m.start() - 1 if m.start() else pos)
        if found:
            return found
    return None


def _best(scan: Scan, m: re.Match[str]) -> None:
    """'best <anything> on <benchmark>' -> sort by the named metric, else the benchmark's headline metric."""
    window = scan.low[m.end():m.end() + 120]
    stop = re.search(r"[,;]|\band\b|\bwith\b", window)
    window_end = m.end() + (stop.start() if stop else len(window))
    found = None
    for w in re.finditer(r"[\w.-]+", scan.low[m.end():window_end]):  # 'best zero-shot ImageNet OpenCLIP model'
        hit = scan.longest_name(m.end() + w.start(), scan.vocab.benchmarks, max_words=3)
        if hit and scan.vocab.benchmark_assets.get(hit[2], 0) >= 3:
            found = hit
            break
    for o in re.finditer(r"\s(?:on|for|at|in|@)\s", scan.low[m.end() - 1:window_end]):
        after = m.end() - 1 + o.end()
        for w in [None, *re.finditer(r"[\w'-]+\s+", scan.low[after:window_end])][:3]:  # 'for zero-shot ImageNet'
            begin = after + (w.end() if w else 0)
            hit = scan.longest_name(begin, scan.vocab.benchmarks)
            if hit:
                found = (m.end() - 1 + o.start() + 1, hit[1], hit[2])
                break
        if found:
            break
    named = next((x for x in re.finditer(B + f"(?P<metric>{METRIC_RE})" + E, scan.low[:window_end])
                  if x.start() >= m.end() - len(m.group(0)) and scan.free(x.start(), x.end())), None)
    dataset = scan.vocab.benchmarks[found[2]] if found else None
    claims = [(m.start(), m.end())]
    if dataset is None:  # 'best ... with mAP above 40 on COCO': the benchmark a metric constraint named
        for c in scan.constraints:
            if c.type == "metric" and "@" in c.value:
                base = MetricConstraint.parse(c.value)
                metric_text = METRIC_PHRASES.get(named.group("metric"), named.group("metric")) if named else base.metric
                _add_sort(scan, metric_text, base.dataset, claims)
                return
        return  # 'best' with no benchmark: no order to sort by, the word stays text
    claims.append(found[:2])
    if named and named.start() < found[0]:
        metric = METRIC_PHRASES.get(named.group("metric"), named.group("metric"))
        claims.append((named.start(), named.end()))
    else:
        metric = scan.vocab.headline_metric.get(found[2])
        if metric is None:
            return
        zero_shot = re.search(r"zero[- ]shot", scan.low[m.end():found[1]])
        if metric == "accuracy" and zero_shot:
            metric = "zero-shot accuracy"
            claims.append((m.end() + zero_shot.start(), m.end() + zero_shot.end()))
    if m.group("best").startswith("lowest") and metric_info(metric).direction != "lower":
        return
    count = re.compile(r"\s+\d{1,3}" + E).match(scan.low, m.end())
    if count:  # 'top 10 models on ImageNet': how many to show, not words to search for
        claims.append((m.end(), count.end()))
    _add_sort(scan, metric, dataset, claims)


def _add_sort(scan: Scan, metric: str, dataset: str | None, claims: list[tuple[int, int]]) -> None:
    info = metric_info(metric)
    text = f"metric:{metric}" + (f"@{dataset}" if dataset else "")
    label = f"best {info.label}" + (f" on {dataset}" if dataset else "") + (
        " (lowest first)" if info.direction == "lower" else "")
    start, end = min(c[0] for c in claims), max(c[1] for c in claims)
    scan.add(Constraint("sort", "sort", text, label, scan.source(start, end), start, end), *claims)


_PARAMS_BETWEEN = re.compile(B + r"between\s+(?P<a>\d+(?:\.\d+)?)\s*(?P<ua>k|m|b|t)?\s*(?:and|-|to)\s*"
                             r"(?P<b>\d+(?:\.\d+)?)\s*(?P<ub>k|m|b|t)" + E + rf"(?:\s*{PARAM_WORD})?")


def sizes(scan: Scan) -> None:
    """Parameter counts and byte sizes with a unit, compared or approximate."""
    for m in list(_PARAMS_BETWEEN.finditer(scan.low)):
        if not scan.free(m.start(), m.end(), kind_ok=True):
            continue
        low = float(m.group("a")) * PARAM_UNITS[m.group("ua") or m.group("ub")]
        high = float(m.group("b")) * PARAM_UNITS[m.group("ub")]
        _param_constraint(scan, ">=", low, m.start(), m.end())
        _param_constraint(scan, "<=", high, m.start(), m.end())
    for m in list(_PARAMS_CMP.finditer(scan.low)) + list(_PARAMS_TRAIL.finditer(scan.low)):
        said_params = re.search(PARAM_WORD, m.group(0)) is not None
        if not scan.free(m.start(), m.end(), kind_ok=True) or (not said_params and _NOT_PARAMS.match(scan.low, m.end())):
            continue  # 'more than 1M images' is a dataset's size, not parameters
        op = _op(m, "")
        if m.groupdict().get("trail") in ("or smaller", "or fewer"):
            op = "<="
        n = _number(m.group("num")) * PARAM_UNITS[m.group("unit")]
        _param_constraint(scan, op or "<", n, m.start(), m.end())
    for m in list(_PARAMS_ABOUT.finditer(scan.low)):
        m_end = m.end("unit")
        if not scan.free(m.start(), m_end) or _NOT_PARAMS.match(scan.low, m.end()):
            continue
        if re.search(r"[-\w]$", scan.low[:m.start()]):  # glued to a name: 'T5-11B', 'llama7b'
            continue
        n = _number(m.group("num")) * PARAM_UNITS[m.group("unit")]
        if n < 1e5:
            continue
        end = m.end() if scan.free(m.start(), m.end()) else m_end
        low, high = int(n * 0.8), int(n * 1.25)
        source = scan.source(m.start(), end)
        scan.add(Constraint("filter", "min_parameters", low, f"parameters ≥ {_count(low)} (about {source})",
                            source, m.start(), end))
        scan.add(Constraint("filter", "max_parameters", high, f"parameters < {_count(high)} (about {source})",
                            source, m.start(), end))
    for m in list(_BYTES_CMP.finditer(scan.low)) + list(_BYTES_TRAIL.finditer(scan.low)):
        if not scan.free(m.start(), m.end()):
            continue
        op = _op(m, "") or ("<=" if "smaller" in (m.groupdict().get("trail") or "") else "<")
        n = int(_number(m.group("num")) * BYTE_UNITS[m.group("unit")])
        key, bound = ("max_size_bytes", n + (1 if op == "<=" else 0)) if op.startswith("<") else (
            "min_size_bytes", n + (1 if op == ">" else 0))
        label = f"size {'<' if key.startswith('max') else '≥'} {_bytes(bound)}"
        scan.add(Constraint("filter", key, bound, label, scan.source(m.start(), m.end()), m.start(), m.end()))


def _param_constraint(scan: Scan, op: str, n: float, start: int, end: int) -> None:
    if op.startswith("<"):
        key, bound = "max_parameters", int(n) + (1 if op == "<=" else 0)
        label = f"parameters {'≤' if op == '<=' else '<'} {_count(int(n))}"
    else:
        key, bound = "min_parameters", int(n) + (1 if op == ">" else 0)
        label = f"parameters {'>' if op == '>' else '≥'} {_count(int(n))}"
    scan.add(Constraint("filter", key, bound, label, scan.source(start, end), start, end))


def _count(n: int) -> str:
    for unit, scale in (("T", 10**12), ("B", 10**9), ("M", 10**6), ("k", 10**3)):
        if n >= scale:
            return f"{n / scale:.3g}{unit}"
    return str(n)


def _bytes(n: int) -> str:
    for unit, scale in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} bytes"


def attach_benchmarks(scan: Scan) -> None:
    """A metric constraint said without a benchmark takes the one benchmark the query names elsewhere.

    'fastest ImageNet classifier on CPU with top-1 above 75': the threshold is on ImageNet.
    Only when exactly one benchmark is named: with two, which one is meant is a guess.
    """
    pending = [c for c in scan.constraints if c.type == "metric" and "@" not in c.value.split(" on ")[0]]
    if not pending:
        return
    mentions = []
    for t in scan.tokens():
        for n in (3, 2, 1):
            found = scan.longest_name(t[0], scan.vocab.benchmarks, max_words=n)
            if found and found not in mentions and scan.vocab.benchmark_assets.get(found[2], 0) >= 3:
                mentions.append(found)
                break
    names = {scan.vocab.benchmarks[f[2]] for f in mentions}
    if len(names) != 1:
        return
    start, end, key = mentions[0]
    for c in pending:
        base = MetricConstraint.parse(c.value)
        built = MetricConstraint.build(base.metric, base.op, base.value, scan.vocab.benchmarks[key], base.hardware,
                                       percent=base.percent)
        c.value, c.label = built.to_text(), built.label()
        c.source_text = f"{c.source_text} … {scan.source(start, end)}"
    scan.hard[start:end] = b"\x01" * (end - start)
