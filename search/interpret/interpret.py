"""Natural-language queries -> structured constraints, explained and reversible.

    >>> Interpreter(vocab).interpret("object detector under 20M parameters with mAP above 40 on COCO, apache licensed")
    kind: model; task: object detector (soft); parameters < 20M; mAP ≥ 40 on COCO; license: Apache-2.0
    remaining text: "object detector"

Every constraint names the words it came from (`source_text`), so the response can
show it and a client can undo it: `literal=[source_text]` keeps those words as text,
`interpret=False` turns interpretation off. What is not understood, or is negated
("not apache"), or is a name that merely looks like a number ("ResNet-50", "COCO 2017"),
stays text: a phrase never becomes a constraint the user did not state. Flags the user
gave always win over interpreted ones.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from assetscout.search.interpret import numeric, words
from assetscout.search.interpret.lexicon import AGENT_NOUNS, CONNECTORS, FILLER
from assetscout.search.interpret.scan import Constraint, Scan
from assetscout.search.interpret.vocabulary import Vocabulary
from assetscout.search.query import FILTER_KEYS, MetricConstraint, Query

_RULES = (words.zoos_and_formats, words.kind, numeric.metric_constraints, numeric.sort_intents, words.trained_on,
          numeric.sizes, words.licenses, words.lineage, words.organizations, words.size_words,
          numeric.attach_benchmarks,
          words.languages, words.tasks, words.modalities)
_WORD = re.compile(r"[\w@.+'/-]+|[,;]")


@dataclass
class Interpretation:
    """What a query's text was understood to ask, and the text left for retrieval."""

    enabled: bool
    text: str
    remaining_text: str
    constraints: list[Constraint] = field(default_factory=list)
    literal: list[str] = field(default_factory=list)
    overridden: list[str] = field(default_factory=list)  # keys the user's own flags already set

    def to_dict(self) -> dict[str, Any]:
        return {"enabled": self.enabled, "text": self.text, "remaining_text": self.remaining_text,
                "constraints": [c.to_dict() for c in self.constraints], "literal": self.literal,
                "overridden_by_flags": self.overridden}

    def apply(self, query: Query) -> Query:
        """The query with these constraints merged in (flags the user set explicitly are kept)."""
        filters = dict(query.filters)
        preferred_filters = set(query.preferred_filters)
        open_world = set(query.open_world_filters)
        kinds, metrics, sort, sort_metric = query.kinds, list(query.metrics), query.sort, query.sort_metric
        user_sorted = not (query.sort == "relevance" or (query.sort == "downloads" and not query.text))
        for c in self.constraints:
            if c.type == "kind":
                if kinds and c.value not in kinds:
                    self.overridden.append("kind")
                kinds = kinds or (c.value,)
            elif c.type == "metric":
                m = MetricConstraint.parse(c.value)
                if m not in metrics:
                    metrics.append(m)
            elif c.type == "sort":
                if user_sorted:
                    self.overridden.append("sort")
                else:
                    built = Query.build(text="x", sort=c.value)
                    sort, sort_metric = built.sort, built.sort_metric
            elif c.key in query.filters:
                self.overridden.append(c.key)
            elif FILTER_KEYS[c.key][0] == "list" and c.key in filters:
                filters[c.key] = list(dict.fromkeys([*filters[c.key], *c.value]))
            else:
                filters[c.key] = c.value
                if c.preferred:
                    preferred_filters.add(c.key)
                elif c.open_world:
                    open_world.add(c.key)
        text = self.remaining_text
        if not text and sort == "relevance":
            sort = "downloads"
        rebuilt = Query.build(text=text, kinds=kinds, filters=filters, metrics=metrics, sort=sort, k=query.k,
                              offset=query.offset, explain=query.explain, interpret=False)
        return dataclasses.replace(rebuilt, sort_metric=sort_metric if sort.startswith("metric:") else None,
                                   preferred_filters=tuple(sorted(preferred_filters)),
                                   open_world_filters=tuple(sorted(open_world - preferred_filters)), interpret=query.interpret,
                                   literal=query.literal)


class Interpreter:
    """Interprets query text against one catalog's vocabulary (see vocabulary.py)."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab

    def interpret(self, text: str, *, literal: tuple[str, ...] | list[str] = ()) -> Interpretation:
        scan = Scan(text, self.vocab, tuple(literal))
        for rule in _RULES:
            rule(scan)
        scan.constraints.sort(key=lambda c: (c.start, c.type))
        return Interpretation(True, text, _remaining(scan), scan.constraints, list(literal))


def _remaining(scan: Scan) -> str:
    """The text without the hard constraints' words, dangling connectors and fillers trimmed."""
    kept: list[tuple[str, bool, bool]] = []  # (word, a removed span came right before it, kept literal)
    gap = False
    for m in _WORD.finditer(scan.text):
        if any(scan.hard[m.start():m.end()]):
            gap = True
            continue
        kept.append((m.group(0), gap, any(scan.protected[m.start():m.end()])))
        gap = False
    kept.append(("", gap, False))
    out: list[tuple[str, bool]] = []
    for i, (word, after_gap, literal) in enumerate(kept[:-1]):
        before_gap = kept[i + 1][1]
        lw = word.lower()
        if not literal and (lw in CONNECTORS or lw in FILLER) and (after_gap or before_gap or i == 0
                                                                  or i == len(kept) - 2):
            continue
        out.append((word, literal))
    while out and out[-1][0].lower() in CONNECTORS and not out[-1][1]:
        out.pop()
    while out and out[0][0].lower() in CONNECTORS and not out[0][1]:
        out.pop(0)
    text = re.sub(r"\s+([,;])", r"\1", " ".join(w for w, _ in out)).strip(" ,;")
    said = FILLER | (set(AGENT_NOUNS) if scan.kind else set())  # 'classifier' said the kind: no need left
    if not any(literal for _, literal in out) and all(w.lower().strip(",;.") in said for w in text.split()):
        return ""  # nothing left to rank by: the constraints alone list the assets
    return text
