"""Resolving dataset mentions ("ImageNet", "imagenet-1k", "ILSVRC 2012") to dataset assets.

Evaluations and training-data links name datasets as their authors wrote them. We link a
mention to one dataset asset when the evidence allows:

1. every dataset asset contributes keys: its id, name, title and the aliases its source
   lists (Papers-with-Code variants, HF pretty names, paperswithcode ids);
2. a curated alias table (aliases/datasets.tsv) adds names the sources never list
   (ILSVRC 2012 -> ImageNet, in1k -> ImageNet, ...);
3. a mention matches a key after normalization (case, punctuation, a trailing
   "dataset"/"benchmark", an MTEB task-type suffix).

When one key names several dataset assets, the strongest evidence wins (id or name over
title over listed alias over curated alias), then the source (Papers with Code, whose
ids are the ones evaluation tables use, then canonical HF datasets), then the id; a
title or alias that several datasets of one source share equally resolves to none of
them (only the id would choose, and the id says nothing about which was meant). Names
left unresolved are reported, with counts, so the alias table can grow.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Any

import duckdb
import pyarrow as pa

_EVIDENCE_RANK = {"id": 0, "name": 0, "title": 1, "alias": 2, "curated": 3}
_SOURCE_RANK = ("pwc", "hf_dataset_infos", "hf_dataset_card", "croissant")
_DROP_WORDS = re.compile(r"\b(the|dataset|datasets|corpus|benchmark|data set)\b")
_MTEB_SUFFIX = re.compile(
    r"(multilabelclassification|pairclassification|instructionretrieval|classification|"
    r"retrieval|clustering|reranking|bitextmining|summarization|sts)(v\d+)?$"
)


@lru_cache(maxsize=65536)
def alias_key(name: str) -> str:
    """Normalized form of a dataset name: ascii, lowercase, alphanumerics only."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = text.split("/")[-1] if text.count("/") == 1 and " " not in text else text
    return re.sub(r"[^a-z0-9]", "", text)


def _loose_key(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = _DROP_WORDS.sub(" ", text)
    return re.sub(r"[^a-z0-9]", "", text)


def _candidate_keys(name: str) -> list[str]:
    """Keys to try for a mention, most exact first."""
    keys = [alias_key(name), _loose_key(name)]
    stripped = _MTEB_SUFFIX.sub("", keys[0])
    if stripped and stripped != keys[0]:
        keys.append(stripped)
    return [k for k in dict.fromkeys(keys) if k]


def _curated() -> list[tuple[str, str]]:
    text = resources.files("assetscout.catalog").joinpath("aliases/datasets.tsv").read_text("utf-8")
    pairs = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        alias, _, canonical = line.partition("\t")
        if canonical.strip():
            pairs.append((alias.strip(), canonical.strip()))
    return pairs


def equivalent_keys(name: str) -> set[str]:
    """Alias keys of every name the curated table says means the same dataset as `name`."""
    groups: dict[str, set[str]] = {}
    for alias, canonical in _curated():
        groups.setdefault(alias_key(canonical), {alias_key(canonical)}).add(alias_key(alias))
    key = alias_key(name)
    out = {key}
    for members in groups.values():
        if key in members:
            out |= members
    return out


def _source_rank(source: str) -> int:
    return _SOURCE_RANK.index(source) if source in _SOURCE_RANK else len(_SOURCE_RANK)


def build_aliases(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Rebuild the dataset_alias table; return key -> dataset id (the winner per key)."""
    rows = con.execute(
        "SELECT asset_id, name, title, aliases, source FROM asset WHERE kind = 'dataset'"
    ).fetchall()
    best: dict[str, tuple[tuple[int, int, str], str, str, str]] = {}
    tied: set[str] = set()  # keys that several datasets claim with equal evidence from one source

    def offer(key: str, dataset_id: str, alias: str, evidence: str, source: str) -> None:
        if not key:
            return
        rank = (_EVIDENCE_RANK[evidence], _source_rank(source), dataset_id)
        old = best.get(key)
        if old is not None and old[0][:2] == rank[:2] and old[1] != dataset_id and evidence in ("title", "alias"):
            tied.add(key)  # e.g. four flax-sentence-embeddings/stackexchange_* cards titled "stackexchange"
        elif old is None or rank[:2] < old[0][:2]:
            tied.discard(key)
        if old is None or rank < old[0]:
            best[key] = (rank, dataset_id, alias, evidence)

    for asset_id, name, title, aliases, source in rows:
        local = asset_id.split("dataset/", 1)[-1]
        offer(alias_key(local), asset_id, local, "id", source)
        offer(alias_key(name), asset_id, name, "name", source)
        if title:
            offer(alias_key(title), asset_id, title, "title", source)
        for a in aliases or []:
            a = a.split(":", 1)[-1] if a.startswith("pwc:") else a
            offer(alias_key(a), asset_id, a, "alias", source)
    for key in tied:  # only the id would break the tie: which of them is meant is unknown, so none is
        if best[key][3] in ("title", "alias"):
            del best[key]
    exact = {k: v[1] for k, v in best.items()}
    for alias, canonical in _curated():
        target = exact.get(alias_key(canonical))
        if target is not None:
            offer(alias_key(alias), target, alias, "curated", "curated")
    con.execute("DELETE FROM dataset_alias")
    if best:
        con.register("_aliases", pa.table({
            "alias_key": list(best),
            "dataset_id": [v[1] for v in best.values()],
            "alias": [v[2] for v in best.values()],
            "evidence": [v[3] for v in best.values()],
        }))
        try:
            con.execute("INSERT INTO dataset_alias SELECT alias_key, dataset_id, alias, evidence FROM _aliases")
        finally:
            con.unregister("_aliases")
    return {k: v[1] for k, v in best.items()}


def resolve(con: duckdb.DuckDBPyConnection, *, report_top: int = 25) -> dict[str, Any]:
    """Resolve every dataset mention in evaluation and asset_dataset; return statistics."""
    keys = build_aliases(con)
    names = [r[0] for r in con.execute(
        "SELECT DISTINCT dataset_name FROM evaluation WHERE dataset_name IS NOT NULL "
        "UNION SELECT DISTINCT dataset_name FROM asset_dataset"
    ).fetchall()]
    mapping: dict[str, str] = {}
    for name in names:
        for key in _candidate_keys(name):
            if key in keys:
                mapping[name] = keys[key]
                break
    con.register("_map", pa.table({
        "dataset_name": list(mapping), "dataset_id": list(mapping.values()),
    }, schema=pa.schema([("dataset_name", pa.string()), ("dataset_id", pa.string())])))
    try:
        for table in ("evaluation", "asset_dataset"):
            con.execute(f"UPDATE {table} SET dataset_id = NULL")
            con.execute(
                f"UPDATE {table} SET dataset_id = m.dataset_id FROM _map m "
                f"WHERE {table}.dataset_name = m.dataset_name"
            )
    finally:
        con.unregister("_map")
    _resolve_lineage(con)
    total, resolved = con.execute(
        "SELECT count(*), count(dataset_id) FROM evaluation WHERE dataset_name IS NOT NULL"
    ).fetchone()
    link_total, link_resolved = con.execute(
        "SELECT count(*), count(dataset_id) FROM asset_dataset").fetchone()
    unresolved = con.execute(
        "SELECT dataset_name, count(*) AS n FROM (SELECT dataset_name, dataset_id FROM evaluation "
        " UNION ALL SELECT dataset_name, dataset_id FROM asset_dataset) "
        "WHERE dataset_id IS NULL AND dataset_name IS NOT NULL "
        "GROUP BY 1 ORDER BY n DESC, dataset_name LIMIT ?", [report_top]
    ).fetchall()
    distinct_unresolved = con.execute(
        "SELECT count(DISTINCT dataset_name) FROM (SELECT dataset_name, dataset_id FROM evaluation "
        " UNION ALL SELECT dataset_name, dataset_id FROM asset_dataset) WHERE dataset_id IS NULL"
    ).fetchone()[0]
    return {
        "evaluations": total,
        "evaluations_resolved": resolved,
        "evaluations_resolved_share": round(resolved / total, 4) if total else None,
        "dataset_links": link_total,
        "dataset_links_resolved": link_resolved,
        "distinct_names": len(names),
        "distinct_names_resolved": len(mapping),
        "distinct_names_unresolved": distinct_unresolved,
        "top_unresolved": [{"name": n, "mentions": c} for n, c in unresolved],
    }


def _resolve_lineage(con: duckdb.DuckDBPyConnection) -> None:
    """Point lineage edges at catalog assets: the parent as written, or as a HF model id."""
    con.execute("UPDATE lineage SET parent_id = NULL")
    con.execute(
        "UPDATE lineage SET parent_id = a.asset_id FROM asset a "
        "WHERE a.asset_id = lineage.parent_name"
    )
    con.execute(
        "UPDATE lineage SET parent_id = a.asset_id FROM asset a "
        "WHERE lineage.parent_id IS NULL AND a.asset_id = 'hf:model/' || lineage.parent_name"
    )
