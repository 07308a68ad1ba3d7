"""Facts in the tables of an Open Model Zoo card (README.md): specification and accuracy.

The cards are written by hand, so the tables vary: `| Metric | Value |` is the common
shape, but accuracy tables also come as one column per model variant (original vs
converted), one row per dataset, or one row per class. Specification tables mix
compute facts (GFlops, MParams, source framework) with reported metrics (AP, accuracy
on a named benchmark). A dataset is attached to a metric when the card names a known
benchmark in the metric's own label or, unambiguously, in the section's text; failing
that, when the card names exactly one dataset the model was trained on or whose class
list it outputs (`dataset_classes/imagenet_2012.txt`, "according to ImageNet classes").
The zoo measures a public model's accuracy on the validation set of the dataset it was
trained for (its accuracy-checker configurations do), so that dataset is what the
table's numbers are on; a card naming none or several keeps the metric without one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assetscout.catalog.records import Configuration, DatasetLink, Evaluation

_HEADING = re.compile(r"(#{2,6})\s+(.*?)\s*#*\s*")
_SEPARATOR = re.compile(r"\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_REF_LINK = re.compile(r"\[([^\]]*)\]\[[^\]]*\]")
_NUMBER = re.compile(
    r"([-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+)\s*(?:%|[A-Za-z˚°]{1,8})?"
    r"(?:\s*\([^)]*\))?\**")
# Spec rows that describe the model's size and origin, not a measured quality.
_COMPUTE = re.compile(r"(?i)(g|m)(flops?|ops)\b|mparams|source framework|^type$|flops|ops$")
_METRIC = re.compile(
    r"(?i)(\bm?AP\b|accuracy|\brank[-@ ]?\d|precision|recall|f-measure|hmean|\bf1\b|\bm?iou\b"
    r"|mpjpe|\bnme\b|normed error|psnr|ssim|bleu|\bwer\b|\bcer\b|correct reads|\bauc\b|dice"
    r"|sisdr|perplexity|\bmae\b|\bmse\b|\bmad\b|\bmetric\b|top[- ]?\d)")
# Benchmarks the zoo's cards name; matched text is kept as written.
_DATASETS = re.compile(
    r"ImageNet(?:-1k|-21k)?|\bCOCO\b|(?:Pascal )?VOC ?20\d\d|\bPascal VOC\b|\bCamVid\b|\bCityscapes\b"
    r"|\bADE20[kK]\b|\bKinetics-\d+\b|\bMarket-1501\b|\bVeRi-776\b|\bWIDER(?: ?FACE)?\b"
    r"|\bWider Face\b|\bLFW\b|\bVGGFace2\b|\bMS-ASL(?:-\d+)?\b|\bJester\b|\bICDAR ?\d{2,4}\b"
    r"|\bSVT\b|\bIIIT5K\b|\bSQuAD v?\d\.\d\b|(?i:\bCoNLL-2003\b)|\bwmt\d\d-[a-z]{2}-[a-z]{2}\b"
    r"|\bWikiText-\d+\b|(?i:\bLibriSpeech\b)|\bPascal-S\b|\bLIVE_1\b|\bBIT-Vehicle\b|\bAffectNet\b"
    r"|\bHumanMatting\b|\bOpenImagesV\d\b|\bPitts30k\b|\bPittsburgh 250k\b|\bMedical Decathlon\b"
    r"|\bBRATS ?\d{4}\b|\bDNS-Challenge(?: \d{4})?|\bCalgary-Campinas\b|\bGNHK\b|\bSCUT-EPT\b"
    r"|\bCelebA\b|\bKITTI\b|\bMPII\b|\bHuman3\.6M\b|\bDIV2K\b|\bSet5\b|\bim2latex[\w-]*"
    r"|\bKondate\b|\bNYU Depth V2\b|\bLJSpeech\b")
_SPLITS = (
    (re.compile(r"\bval20\d\d\b"), None),
    (re.compile(r"(?i)\bvalidation\b"), "validation"),
    (re.compile(r"(?i)[\"`]?\btest[\"`]? (?:split|set|subset|data)\b"), "test"),
    (re.compile(r"(?i)[\"`]?\bdev[\"`]? (?:split|set)\b"), "dev"),
)


_TRAINED_ON = re.compile(r"(?i)\b(pre-?|fine-?)?(?:trained|tuned) (?:for [\w -]{1,40}? )?on\b")
_RETRAINED = re.compile(r"(?i)\b(?:then |and )?(?:fine-?tuned|re-?trained)\b")
# The class list a model outputs names the dataset it was trained for.
_CLASS_LISTS = (
    (re.compile(r"dataset_classes/imagenet[\w-]*\.txt|according to ImageNet classes"), "ImageNet"),
    (re.compile(r"dataset_classes/coco_\w+\.txt"), "COCO"),
    (re.compile(r"dataset_classes/voc_\w+\.txt"), "Pascal VOC"),
    (re.compile(r"dataset_classes/cityscapes_\w+\.txt"), "Cityscapes"),
    (re.compile(r"according to ADE20[kK] classes"), "ADE20k"),
)


@dataclass
class CardFacts:
    """What a card says in its tables (parameters, metrics, settings) and training datasets."""

    parameters: int | None = None
    evaluations: list[Evaluation] = field(default_factory=list)
    configurations: list[Configuration] = field(default_factory=list)
    datasets: list[DatasetLink] = field(default_factory=list)


@dataclass
class _Table:
    kind: str  # "spec" or "accuracy"
    qualifier: str | None  # the part a spec table describes ("Encoder model"), if any
    section: int  # index of the '##' section, whose text gives dataset and split
    rows: list[list[str]]


@dataclass
class _Context:
    task: str | None
    dataset: str | None
    split: str | None


def cells(line: str) -> list[str]:
    """The cells of a markdown table row (escaped pipes kept), stripped."""
    parts = re.split(r"(?<!\\)\|", line.strip())
    if parts and not parts[0].strip():
        parts = parts[1:]
    if parts and not parts[-1].strip():
        parts = parts[:-1]
    return [p.strip() for p in parts]


def is_separator(line: str) -> bool:
    """Whether a table row is the `|---|:---:|` line under the header."""
    return bool(_SEPARATOR.fullmatch(line.strip()))


def clean(text: str) -> str:
    """Markdown cell text as a reader sees it: link text, no trademark stars, code or tags."""
    text = _LINK.sub(r"\1", text)
    text = _REF_LINK.sub(r"\1", text)
    text = re.sub(r"</?[a-zA-Z][^>]*>", "", text)
    text = text.replace("\\*", "").replace("\\_", "_").replace("\\|", "|")
    text = text.replace("**", "").replace("`", "")
    text = re.sub(r"\s+", " ", text).strip()
    return text[1:-1].strip() if text.startswith("[") and text.endswith("]") else text


def number(text: str) -> float | None:
    """A metric value as given ('81.11%' -> 81.11, '0.322 (internal test set)' -> 0.322)."""
    m = _NUMBER.fullmatch(text.strip())
    return float(m.group(1).replace(",", "")) if m else None


def parse_card(body: str) -> CardFacts:
    """Parameters, evaluations and configurations from a card's spec and accuracy tables."""
    found, prose = _tables(body)
    task = _task(found)
    contexts = [_Context(task, _one_match(_DATASETS, text), _split(text)) for text in prose]
    facts = CardFacts()
    mparams: list[float] = []
    for table in found:
        if table.kind == "spec":
            _spec_table(table, contexts[table.section], facts, mparams)
        else:
            _accuracy_table(table, contexts[table.section], facts)
    if mparams:
        facts.parameters = round(sum(mparams) * 1e6)
    facts.datasets = _trained_on(" ".join(prose))
    fallback = _home_dataset(facts.datasets, body)
    if fallback:
        for e in facts.evaluations:
            if e.dataset is None:
                e.dataset = fallback
    return facts


def _home_dataset(trained_on: list[DatasetLink], body: str) -> str | None:
    """The one dataset the card says the model was trained on or predicts the classes of."""
    names: dict[str, str] = {}
    finetuned = [link for link in trained_on if link.role == "finetune"]
    retrained = not finetuned and _RETRAINED.search(body)
    if retrained:  # pre-trained on X, then fine-tuned on data it does not name: not measured on X
        trained_on = [link for link in trained_on if link.role == "train"]
    for link in finetuned or trained_on:  # fine-tuned on X after pre-training: measured on X
        names.setdefault(_key(link.name), link.name)
    for pattern, name in _CLASS_LISTS if not retrained else ():
        if pattern.search(body):
            names.setdefault(_key(name), name)
    # "ImageNet" and "ImageNet-1k", "VOC 2012" and "Pascal VOC": one dataset written twice
    roots = {re.sub(r"pascal|(?:1k|20\d\d)$", "", k) for k in names}
    return min(names.values(), key=len) if len(roots) == 1 else None


def _key(name: str) -> str:
    return re.sub(r"[\s_-]", "", name).lower()


def _trained_on(text: str) -> list[DatasetLink]:
    """'pre-trained on ImageNet', 'trained on [COCO](...)': a benchmark named right after."""
    links: dict[tuple[str, str], DatasetLink] = {}
    for m in _TRAINED_ON.finditer(text):
        named = _DATASETS.search(text, m.end(), m.end() + 40)
        if named:
            role = "finetune" if m.group(1) and m.group(1).lower().startswith("fine") else (
                "pretrain" if m.group(1) else "train")
            links.setdefault((named.group(0), role), DatasetLink(named.group(0), role))
    return list(links.values())


# ---------------------------------------------------------------- structure


def _classify(title: str) -> str | None:
    lower = title.lower()
    if "specification" in lower:
        return "spec"
    if "accuracy" in lower or "validation results" in lower:
        return "accuracy"
    return None


def _qualifier(title: str) -> str | None:
    """'Encoder model specification' -> 'Encoder model'; the whole model's table -> None."""
    rest = re.sub(r"(?i)\s*specification\s*$", "", clean(title)).strip()
    return None if rest.lower() in ("", "model", "composite model") else rest


def _tables(body: str) -> tuple[list[_Table], list[str]]:
    """Spec and accuracy tables, with the text of each '##' section (index 0: before any)."""
    found: list[_Table] = []
    prose: list[list[str]] = [[]]
    kind = section_kind = qualifier = section_qualifier = None
    rows: list[list[str]] = []
    in_code = False

    def flush() -> None:
        if rows and kind:
            found.append(_Table(kind, qualifier, len(prose) - 1, list(rows)))
        rows.clear()

    for raw in body.splitlines() + [""]:
        line = raw.strip()
        if line.startswith("```"):
            in_code = not in_code
            flush()
            continue
        if in_code:
            continue
        if line.startswith("|"):
            rows.append(cells(line))
            continue
        flush()
        m = _HEADING.fullmatch(line)
        if m:
            title, own_kind = m.group(2), _classify(m.group(2))
            own_qualifier = _qualifier(title) if own_kind == "spec" else None
            if len(m.group(1)) == 2:
                prose.append([])
                section_kind, section_qualifier = own_kind, own_qualifier
            kind = own_kind or section_kind
            qualifier = own_qualifier if own_kind else section_qualifier
            continue
        prose[-1].append(clean(line))
    return found, [" ".join(p) for p in prose]


def _body_rows(rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    header = [clean(c) for c in rows[0]]
    rest = rows[1:]
    if rest and is_separator("|".join(rest[0])):
        rest = rest[1:]
    return header, [[clean(c) for c in row] for row in rest]


def _task(found: list[_Table]) -> str | None:
    """The spec table's 'Type' row ('Classification'): the task the metrics measure."""
    for table in found:
        if table.kind != "spec":
            continue
        _, rows = _body_rows(table.rows)
        for row in rows:
            if len(row) >= 2 and row[0].lower() == "type" and row[1]:
                return row[1]
    return None


def _one_match(pattern: re.Pattern[str], text: str) -> str | None:
    """The one name `pattern` finds in `text`, as written; None if none or several."""
    names: dict[str, str] = {}
    for m in pattern.finditer(text):
        names.setdefault(_key(m.group(0)), m.group(0))
    return next(iter(names.values())) if len(names) == 1 else None


def _split(text: str) -> str | None:
    found = {name or m.group(0) for regex, name in _SPLITS for m in regex.finditer(text)}
    return found.pop() if len(found) == 1 else None


# ---------------------------------------------------------------- rows -> facts


def _evaluation(metric: str, value: float, context: _Context, config: str | None = None,
                dataset: str | None = None, *, cell: str = "") -> Evaluation:
    """A metric with the dataset its label names, else the one its section names; '%' kept as its unit."""
    named = _one_match(_DATASETS, metric)
    percent = re.match(r"\s*[-+]?[\d.,]+\s*%", cell) is not None
    return Evaluation(
        metric=metric, value=value, dataset=dataset or named or context.dataset,
        task=context.task, split=_split(metric) or context.split, config=config, unit="%" if percent else None)


def _spec_table(table: _Table, context: _Context, facts: CardFacts, mparams: list[float]) -> None:
    header, rows = _body_rows(table.rows)
    if not header or header[0].lower() != "metric":
        return
    for row in rows:
        if len(row) < 2 or not row[0] or not row[1]:
            continue
        label, text = row[0], row[1]
        value = number(text)
        if label.lower().startswith("mparams") and value is not None:
            mparams.append(value)
        if _METRIC.search(label) and not _COMPUTE.search(label):
            if value is not None:  # a metric without a number ('TODO') says nothing
                facts.evaluations.append(_evaluation(label, value, context, table.qualifier, cell=text))
            continue
        key = f"{label} ({table.qualifier})" if table.qualifier else label
        facts.configurations.append(Configuration(key, text))


def _accuracy_table(table: _Table, context: _Context, facts: CardFacts) -> None:
    """Metric rows, dataset rows or per-class rows; a matrix without a row header is left out."""
    header, rows = _body_rows(table.rows)
    first = header[0].lower() if header else ""
    if not first:
        return
    for row in rows:
        if not row or not row[0]:
            continue
        values = [(header[j] if j < len(header) else "", number(cell), cell)
                  for j, cell in enumerate(row[1:], start=1)]
        numeric = [(col, v, cell) for col, v, cell in values if v is not None and "size" not in col.lower()]
        notes = [cell for col, v, cell in values
                 if v is None and cell and cell not in ("-", "NA") and "size" not in col.lower()]
        for col, value, cell in numeric:
            if first == "metric":
                variant = col if len(numeric) > 1 or col.lower() != "value" else None
                config = "; ".join(c for c in [variant, *notes] if c) or None
                facts.evaluations.append(_evaluation(row[0], value, context, config, cell=cell))
            elif first == "dataset":
                facts.evaluations.append(_evaluation(col, value, context, dataset=row[0], cell=cell))
            else:
                facts.evaluations.append(_evaluation(col, value, context, config=row[0], cell=cell))
