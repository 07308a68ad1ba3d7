"""What the catalog itself knows how to name: the words a query is interpreted against.

The interpreter does not carry a list of benchmarks, tasks, devices or model families:
it reads them from the catalog it serves (benchmark names from the evaluations, task
keys from the assets, hardware from the speed rows, model families from lineage), so a
new zoo's terms are understood as soon as they are ingested, without code changes.
Only the words no catalog states (comparators, units, license spellings, "edge
device") live in `lexicon.py`.

Built once per opened engine (a few SQL aggregates, ~100 ms on the full catalog).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb

from assetscout.catalog.datasets import alias_key
from assetscout.catalog.metrics import metric_key

MAX_NGRAM = 5  # longest benchmark / task / family name matched, in words
_MTEB_TYPE = re.compile(r"(?:Multilabel|ZeroShot|Pair)?(?:Classification|Clustering(?:P2P|S2S)?|Reranking|Retrieval"
                        r"|BitextMining)(?:\.v\d+)?$")


def phrase_key(text: str) -> str:
    """Letters and digits of a phrase, lower-case: how names are compared ('MS-COCO' -> 'mscoco')."""
    return alias_key(text)


@dataclass
class Vocabulary:
    """Names the catalog can answer about, each keyed by `phrase_key`."""

    benchmarks: dict[str, str] = field(default_factory=dict)  # key -> name as most often written
    benchmark_assets: dict[str, int] = field(default_factory=dict)  # key -> assets evaluated on it
    headline_metric: dict[str, str] = field(default_factory=dict)  # benchmark key -> its most reported metric key
    tasks: dict[str, list[str]] = field(default_factory=dict)  # phrase key -> task keys it means
    hardware: dict[str, str] = field(default_factory=dict)  # phrase key -> hardware name as stored
    families: dict[str, list[str]] = field(default_factory=dict)  # family key -> lineage parents (most children first)
    parents: dict[str, str] = field(default_factory=dict)  # phrase key of a parent's name -> parent id
    name_bigrams: set[tuple[str, str]] = field(default_factory=set)  # adjacent tokens of asset names
    sources: set[str] = field(default_factory=set)
    libraries: dict[str, str] = field(default_factory=dict)  # phrase key -> library as stored
    licenses: dict[str, str] = field(default_factory=dict)  # lower-case SPDX id -> as stored
    task_words: set[str] = field(default_factory=set)  # words of task names (for spelling correction)
    corrections: dict[str, str] = field(default_factory=dict)  # memo of words.py _correct
    organizations: dict[str, str] = field(default_factory=dict)  # phrase key -> organization as stored
    has_access: bool = False  # some assets state open / limited / closed access
    _short_of: dict[str, str] = field(default_factory=dict, repr=False)  # 'banking77' -> 'banking77classification'

    @classmethod
    def from_connection(cls, con: duckdb.DuckDBPyConnection) -> "Vocabulary":
        v = cls()
        v._benchmarks(con)
        v._tasks(con)
        v._hardware(con)
        v._families(con)
        v._names(con)
        v.sources = {r[0] for r in con.execute("SELECT DISTINCT unnest(sources) FROM asset").fetchall()}
        for (lib,) in con.execute("SELECT DISTINCT library FROM asset WHERE library IS NOT NULL").fetchall():
            v.libraries.setdefault(phrase_key(lib), lib)
        for (spdx,) in con.execute("SELECT DISTINCT license_spdx FROM asset WHERE license_spdx IS NOT NULL").fetchall():
            v.licenses[spdx.lower()] = spdx
        for org, _ in con.execute("SELECT organization, count(*) FROM asset WHERE organization IS NOT NULL "
                                  "GROUP BY 1 HAVING count(*) >= 3 ORDER BY 2").fetchall():
            v.organizations[phrase_key(org)] = org  # the most used spelling wins (ordered by count)
        v.has_access = bool(con.execute("SELECT 1 FROM asset WHERE access IS NOT NULL LIMIT 1").fetchall())
        return v

    def _benchmarks(self, con: duckdb.DuckDBPyConnection) -> None:
        rows = con.execute(
            "SELECT dataset_key, mode(dataset_name), count(DISTINCT asset_id) FROM evaluation "
            "WHERE dataset_key IS NOT NULL AND dataset_key <> '' GROUP BY 1").fetchall()
        for key, name, n in rows:
            self.benchmarks[key] = name
            self.benchmark_assets[key] = int(n)
        # the names dataset assets go by also name their benchmark ("ImageNet" for imagenet-1k)
        for key, name in con.execute(
                "SELECT alias_key, any_value(alias) FROM dataset_alias WHERE alias_key IN "
                "(SELECT DISTINCT dataset_key FROM evaluation) OR dataset_id IN "
                "(SELECT DISTINCT dataset_id FROM evaluation WHERE dataset_id IS NOT NULL) GROUP BY 1").fetchall():
            if key and key not in self.benchmarks:
                self.benchmarks[key] = name
        # an MTEB task is its dataset plus a task type: 'Banking77' names Banking77Classification too
        for key, name in list(self.benchmarks.items()):
            m = _MTEB_TYPE.search(name)
            short = name[:m.start()].rstrip(" _-") if m else ""
            if short and len(phrase_key(short)) >= 4:
                self.benchmarks.setdefault(phrase_key(short), short)
                self.benchmark_assets.setdefault(phrase_key(short), self.benchmark_assets.get(key, 0))
                self._short_of.setdefault(phrase_key(short), key)
        # headline metric of each benchmark: the metric most of its evaluated assets report
        for key, metric in con.execute(
                "SELECT dataset_key, arg_max(metric_key, n) FROM (SELECT dataset_key, metric_key, "
                "count(DISTINCT asset_id) AS n FROM evaluation WHERE dataset_key IS NOT NULL AND hardware IS NULL "
                "AND metric_key <> 'main_score' GROUP BY 1, 2) GROUP BY 1").fetchall():
            self.headline_metric[key] = metric_key(metric)
        for short, full in self._short_of.items():
            if full in self.headline_metric:
                self.headline_metric.setdefault(short, self.headline_metric[full])

    def _tasks(self, con: duckdb.DuckDBPyConnection) -> None:
        rows = con.execute("SELECT t, count(*) FROM (SELECT unnest(task_keys) AS t FROM asset) "
                           "GROUP BY 1 HAVING count(*) >= 2").fetchall()
        keys = [r[0] for r in rows if r[0] and len(r[0]) <= 60]
        for key in keys:
            self.tasks.setdefault(phrase_key(key), []).append(key)
            self.task_words.update(w for w in key.split("-") if w.isalpha())
        from assetscout.search.interpret.lexicon import AGENT_NOUNS, TASK_PHRASES

        self.task_words.update(w for phrase in TASK_PHRASES for w in phrase.split() if w.isalpha())
        self.task_words.update(AGENT_NOUNS)
        # a task phrase also means the catalog's longer task keys that contain it as whole words:
        # "object detection" -> image-object-detection, "speech recognition" -> automatic-speech-recognition
        by_words = {key: f"-{key}-" for key in keys}
        for phrase in list(self.tasks):
            own = self.tasks[phrase]
            for key in own[:1]:
                for other, padded in by_words.items():
                    if other != key and f"-{key}-" in padded and other.count("-") <= key.count("-") + 2:
                        own.append(other)

    def _hardware(self, con: duckdb.DuckDBPyConnection) -> None:
        for (hw,) in con.execute("SELECT DISTINCT hardware FROM evaluation WHERE hardware IS NOT NULL").fetchall():
            parts = [p for p in re.split(r"[-_\s]+", hw.lower()) if p]
            for phrase in {hw, " ".join(parts), *(parts if len(parts) > 1 else [])}:
                key = phrase_key(phrase)
                if len(key) >= 3 and key not in ("cpu", "gpu"):
                    self.hardware.setdefault(key, phrase_key(hw) if key == phrase_key(hw) else key)

    def _families(self, con: duckdb.DuckDBPyConnection) -> None:
        rows = con.execute("SELECT coalesce(parent_id, parent_name), count(DISTINCT child_id) FROM lineage "
                           "GROUP BY 1 ORDER BY 2 DESC, 1").fetchall()
        for parent, _ in rows:
            repo = parent.split("/")[-1]
            self.parents.setdefault(phrase_key(repo), parent)
            m = re.match(r"(?:meta-)?([a-z]+)", repo.lower())
            if m and len(m.group(1)) >= 3:
                self.families.setdefault(m.group(1), []).append(parent)

    def _names(self, con: duckdb.DuckDBPyConnection) -> None:
        for (name,) in con.execute("SELECT name FROM asset WHERE kind = 'model'").fetchall():
            tokens = [t for t in re.split(r"[^a-z0-9]+", name.lower().split("/")[-1]) if t]
            self.name_bigrams.update(zip(tokens, tokens[1:]))


def vocabulary_to_json(v: Vocabulary, *, min_assets: int = 0, max_parents: int = 10) -> dict:
    """A compact snapshot (for a reproducible `assetscout eval interpret` without a catalog).

    Keeps the benchmarks `min_assets` or more assets report on, every task, device and
    license, the lineage parents with children and `max_parents` per family, and only the
    name bigrams with a size word in them (the one thing they are read for).
    """
    from assetscout.search.interpret.lexicon import SIZE_WORDS

    bench = {k: v.benchmark_assets.get(k, 0) for k in v.benchmarks if v.benchmark_assets.get(k, 0) >= min_assets}
    return {
        "benchmarks": {k: v.benchmarks[k] for k in sorted(bench)},
        "benchmark_assets": dict(sorted(bench.items())),
        "headline_metric": {k: m for k, m in sorted(v.headline_metric.items()) if k in bench},
        "tasks": dict(sorted(v.tasks.items())), "hardware": dict(sorted(v.hardware.items())),
        "families": {k: p[:max_parents] for k, p in sorted(v.families.items())},
        "parents": {k: p for k, p in sorted(v.parents.items()) if any(p in f[:max_parents] for f in v.families.values())},
        "name_bigrams": sorted(b for b in v.name_bigrams if b[0] in SIZE_WORDS or b[1] in SIZE_WORDS),
        "sources": sorted(v.sources), "libraries": dict(sorted(v.libraries.items())),
        "licenses": dict(sorted(v.licenses.items())), "task_words": sorted(v.task_words),
        "organizations": dict(sorted(v.organizations.items())), "has_access": v.has_access,
    }


def vocabulary_from_json(data: dict) -> Vocabulary:
    v = Vocabulary()
    for name in ("benchmarks", "benchmark_assets", "headline_metric", "tasks", "hardware", "families", "parents",
                 "libraries", "licenses", "organizations"):
        setattr(v, name, dict(data.get(name, {})))
    v.has_access = bool(data.get("has_access"))
    v.name_bigrams = {tuple(b) for b in data.get("name_bigrams", [])}
    v.sources, v.task_words = set(data.get("sources", [])), set(data.get("task_words", []))
    return v
