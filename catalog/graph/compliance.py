"""License compliance across lineage (ModelGo-style): what an asset inherits from its
ancestors and its training data, and where its own license contradicts that.

For each asset we walk its derivation ancestors (finetune, adapter, quantized, merge,
distilled, derived, transitively; not `base`, which links a weight variant to its
architecture name and carries no weights' license) and the datasets it and those
ancestors were trained on (train / pretrain / finetune roles; evaluating on a dataset
makes nothing a derivative of it). Each rule that fires is a finding naming the asset,
the ancestor, both licenses and the rule:

  conflict  non-commercial-ancestor        an ancestor is non-commercial, the asset allows commercial use
            non-commercial-training-data   a training dataset is non-commercial, the asset allows commercial use
            no-derivatives-ancestor        an ancestor forbids derivatives (CC ND)
            share-alike-ancestor           an ancestor is share-alike / copyleft, the asset is not
            use-restrictions-dropped       an ancestor carries RAIL use restrictions, the asset's license has none
            community-license-dropped      an ancestor's vendor license (Llama, Gemma...) binds derivatives, the
                                           asset declares an open license instead
  unknown   own-license-unknown            the asset states no license we recognize
            ancestor-license-unknown       an ancestor's (or training dataset's) license is not recognized
            custom-ancestor-license        an ancestor says "other" / custom: terms not machine-readable
            ancestor-not-in-catalog        an ancestor or training dataset is named but not in the catalog
  notice    use-restrictions-inherited     RAIL / community terms passed on as required
            share-alike-training-data      trained on share-alike data: whether that binds the model is unsettled
            weak-copyleft-ancestor         file-level obligations (LGPL, MPL) travel with the files

The asset's status is `conflict` if any conflict fired, else `unknown` if any unknown
did, else `clean`; "safe for commercial use across lineage" is `clean` with a license
that allows commercial use. The rules are conservative on purpose: an unknown is
never read as permission.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

import duckdb
import pyarrow as pa

from assetscout.errors import CatalogError, InvalidInput, NotFound, check_unicode

STATUSES: tuple[str, ...] = ("clean", "conflict", "unknown")
SEVERITIES: tuple[str, ...] = ("conflict", "unknown", "notice")
NON_DERIVING = {"base"}  # lineage relations that carry no license obligation
TRAINING_ROLES = ("train", "pretrain", "finetune")
MAX_ANCESTOR_DEPTH = 20
_OPEN_CLASSES = {"public-domain", "permissive", "weak-copyleft", "copyleft"}
_COMMERCIAL_CLASSES = _OPEN_CLASSES | {"responsible-ai"}
# vendor licenses whose terms bind derivatives (use policies, naming, user caps)
_COMMUNITY_PREFIXES = ("LicenseRef-Llama", "LicenseRef-Gemma", "LicenseRef-NVIDIA-Open-Model", "LicenseRef-Qodo",
                       "LicenseRef-Health-AI-Developer-Foundations", "LicenseRef-DeepFloyd-IF")

RULES: dict[str, tuple[str, str]] = {  # rule -> (severity, what it means)
    "non-commercial-ancestor": ("conflict", "an ancestor is non-commercial but the asset allows commercial use"),
    "non-commercial-training-data": ("conflict", "trained on non-commercial data but the asset allows commercial use"),
    "no-derivatives-ancestor": ("conflict", "an ancestor's license forbids derivatives"),
    "share-alike-ancestor": ("conflict", "an ancestor is share-alike (copyleft) but the asset's license is not"),
    "use-restrictions-dropped": ("conflict", "an ancestor's RAIL use restrictions are missing from the asset's license"),
    "community-license-dropped": ("conflict", "an ancestor's vendor license binds derivatives, the asset declares "
                                              "another license"),
    "own-license-unknown": ("unknown", "the asset states no license that is recognized"),
    "own-license-custom": ("unknown", "the asset has a custom license ('other'): terms not machine-readable"),
    "ancestor-license-unknown": ("unknown", "an ancestor's or training dataset's license is not recognized"),
    "custom-ancestor-license": ("unknown", "an ancestor has a custom license ('other'): terms not machine-readable"),
    "ancestor-not-in-catalog": ("unknown", "an ancestor or training dataset is not in the catalog: its license "
                                           "cannot be checked"),
    "use-restrictions-inherited": ("notice", "use restrictions of an ancestor are passed on, as required"),
    "share-alike-training-data": ("notice", "trained on share-alike data: whether that binds the model is unsettled"),
    "weak-copyleft-ancestor": ("notice", "file-level copyleft obligations of an ancestor travel with its files"),
}


@dataclass(frozen=True)
class Lic:
    """An asset's license as the rules see it."""

    spdx: str | None
    raw: str | None
    license_class: str
    non_commercial: bool | None

    @property
    def label(self) -> str:
        return self.spdx or (f"{self.raw!r} (not recognized)" if self.raw else "no license")

    @property
    def no_derivatives(self) -> bool:
        return bool(self.spdx) and "-ND-" in f"{self.spdx}-"

    @property
    def community(self) -> bool:
        return bool(self.spdx) and self.spdx.startswith(_COMMUNITY_PREFIXES)

    @property
    def commercial(self) -> bool:
        """A recognized license that allows commercial use."""
        return self.non_commercial is False and (self.license_class in _COMMERCIAL_CLASSES or self.community)


def _vendor(spdx: str | None) -> str:
    """The vendor of a community license: LicenseRef-Llama3.1 -> llama (a Llama 3 derivative under 3.1 keeps the terms)."""
    m = re.match(r"LicenseRef-([A-Za-z]+)", spdx or "")
    return m.group(1).lower() if m else ""


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    asset_id: str
    asset_license: str
    ancestor_id: str | None  # the ancestor or training dataset the rule is about (None: the asset itself)
    ancestor_license: str | None
    via: str  # "lineage", "training data" (of the asset or of an ancestor), or "own license"
    path: str  # how the ancestor is reached: "finetune > quantized", "finetune > trained_on"
    message: str


@dataclass
class LicenseCheck:
    asset_id: str
    name: str
    kind: str
    license: str
    license_class: str
    status: str  # clean, conflict, unknown
    commercial_use_across_lineage: bool
    ancestors_checked: int
    datasets_checked: int
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["rules"] = {f.rule: RULES[f.rule][1] for f in self.findings}
        return out


class LineageLicenses:
    """Every asset's license, derivation parents and training datasets, in memory (one read
    of the catalog), so that the check over 10^5 assets is one pass with no queries inside."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.assets: dict[str, tuple[str, str, Lic]] = {}
        for asset_id, name, kind, spdx, raw, cls, nc in con.execute(
                "SELECT asset_id, name, kind, license_spdx, license_raw, license_class, non_commercial FROM asset"
        ).fetchall():
            self.assets[asset_id] = (name, kind, Lic(spdx, raw, cls, nc))
        self.parents: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for child, parent, relation in con.execute(
                "SELECT DISTINCT child_id, coalesce(parent_id, parent_name), relation FROM lineage "
                "ORDER BY 1, 2, 3").fetchall():
            if relation not in NON_DERIVING and child != parent:
                self.parents[child].append((parent, relation))
        self.training: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for asset_id, dataset, role in con.execute(
                "SELECT DISTINCT asset_id, coalesce(dataset_id, dataset_name), role FROM asset_dataset "
                "WHERE role IN (SELECT unnest(?::VARCHAR[])) ORDER BY 1, 2, 3", [list(TRAINING_ROLES)]).fetchall():
            if asset_id != dataset:
                self.training[asset_id].append((dataset, {"train": "trained_on", "pretrain": "pretrained_on",
                                                          "finetune": "finetuned_on"}[role]))

    def license_of(self, node: str) -> Lic | None:
        """The node's license; None when it is not in the catalog."""
        known = self.assets.get(node)
        return known[2] if known else None

    def ancestors(self, asset_id: str) -> list[tuple[str, str]]:
        """(ancestor, path) breadth-first, each once, cycle-safe, at most MAX_ANCESTOR_DEPTH hops."""
        out: list[tuple[str, str]] = []
        seen = {asset_id}
        frontier = [(asset_id, "")]
        for _ in range(MAX_ANCESTOR_DEPTH):
            nxt = []
            for node, path in frontier:
                for parent, relation in self.parents.get(node, ()):
                    if parent in seen:
                        continue
                    seen.add(parent)
                    step = f"{path} > {relation}" if path else relation
                    out.append((parent, step))
                    nxt.append((parent, step))
            if not nxt:
                break
            frontier = nxt
        return out

    def check(self, asset_id: str) -> LicenseCheck:
        if asset_id not in self.assets:
            raise NotFound(f"no asset {asset_id!r} in the catalog")
        name, kind, own = self.assets[asset_id]
        findings: list[Finding] = []

        def add(rule: str, other: str | None, other_lic: Lic | None, via: str, path: str, message: str) -> None:
            findings.append(Finding(rule, RULES[rule][0], asset_id, own.label, other,
                                    None if other is None else (other_lic.label if other_lic else "not in catalog"),
                                    via, path, message))

        if own.license_class == "unknown" and own.non_commercial is None:
            add("own-license-unknown", None, None, "own license", "",
                f"{asset_id} states {own.label}: its terms, and so what it may inherit, cannot be checked")
        elif own.spdx == "LicenseRef-Other":
            add("own-license-custom", None, None, "own license", "",
                f"{asset_id} has a custom license ({own.raw or 'other'}): what it allows must be read by hand")
        ancestors = self.ancestors(asset_id)
        for ancestor, path in ancestors:
            self._ancestor_rules(add, asset_id, own, ancestor, path)
        datasets: list[tuple[str, str, str]] = []  # (dataset, path, whose)
        for holder, path in [(asset_id, ""), *ancestors]:
            for dataset, relation in self.training.get(holder, ()):
                datasets.append((dataset, f"{path} > {relation}" if path else relation, holder))
        seen_ds: set[str] = set()
        for dataset, path, holder in datasets:
            if dataset in seen_ds:
                continue
            seen_ds.add(dataset)
            self._dataset_rules(add, asset_id, own, dataset, path, holder)
        severities = {f.severity for f in findings}
        status = "conflict" if "conflict" in severities else "unknown" if "unknown" in severities else "clean"
        return LicenseCheck(asset_id, name, kind, own.label, own.license_class, status,
                            status == "clean" and own.commercial, len(ancestors), len(seen_ds), findings)

    def _ancestor_rules(self, add, asset_id: str, own: Lic, ancestor: str, path: str) -> None:
        lic = self.license_of(ancestor)
        if lic is None:
            add("ancestor-not-in-catalog", ancestor, None, "lineage", path,
                f"{ancestor} ({path} of {asset_id}) is not in the catalog: its license cannot be checked")
            return
        if lic.spdx == "LicenseRef-Other":
            add("custom-ancestor-license", ancestor, lic, "lineage", path,
                f"{ancestor} has a custom license ({lic.raw or 'other'}): check its terms for {asset_id} by hand")
            return
        if lic.license_class == "unknown" and lic.non_commercial is None:
            add("ancestor-license-unknown", ancestor, lic, "lineage", path,
                f"{ancestor} states {lic.label}: what {asset_id} inherits from it cannot be checked")
            return
        if lic.non_commercial and own.non_commercial is False:
            add("non-commercial-ancestor", ancestor, lic, "lineage", path,
                f"{asset_id} declares {own.label} (commercial use allowed) but derives from {ancestor}, "
                f"which is {lic.label} (non-commercial)")
        if lic.no_derivatives:
            add("no-derivatives-ancestor", ancestor, lic, "lineage", path,
                f"{ancestor} is {lic.label}, which allows no derivatives; {asset_id} is one ({path})")
        if lic.license_class == "copyleft" and own.license_class in ("public-domain", "permissive", "weak-copyleft"):
            add("share-alike-ancestor", ancestor, lic, "lineage", path,
                f"{ancestor} is {lic.label} (share-alike): derivatives must keep it, but {asset_id} declares "
                f"{own.label}")
        if lic.license_class == "responsible-ai":
            if own.license_class in _OPEN_CLASSES:
                add("use-restrictions-dropped", ancestor, lic, "lineage", path,
                    f"{ancestor} is {lic.label}, whose use restrictions must be passed on to derivatives, but "
                    f"{asset_id} declares {own.label}, which has none")
            elif own.license_class == "responsible-ai" or own.community:
                add("use-restrictions-inherited", ancestor, lic, "lineage", path,
                    f"{asset_id} ({own.label}) keeps use restrictions, as {ancestor} ({lic.label}) requires")
        if lic.community:
            if own.community and _vendor(own.spdx) == _vendor(lic.spdx):
                add("use-restrictions-inherited", ancestor, lic, "lineage", path,
                    f"{asset_id} keeps the terms of {lic.label} from {ancestor} (acceptable-use policy and "
                    "redistribution conditions apply)")
            elif own.license_class != "unknown":
                add("community-license-dropped", ancestor, lic, "lineage", path,
                    f"{ancestor} is under {lic.label}, whose terms bind derivatives, but {asset_id} declares "
                    f"{own.label}")
        if lic.license_class == "weak-copyleft":
            add("weak-copyleft-ancestor", ancestor, lic, "lineage", path,
                f"{ancestor} is {lic.label}: modified files of it stay under that license in {asset_id}")

    def _dataset_rules(self, add, asset_id: str, own: Lic, dataset: str, path: str, holder: str) -> None:
        via = "training data" if holder == asset_id else f"training data of {holder}"
        lic = self.license_of(dataset)
        if lic is None:
            add("ancestor-not-in-catalog", dataset, None, via, path,
                f"{dataset} ({path} of {asset_id}) is not in the catalog: its license cannot be checked")
            return
        if lic.license_class == "unknown" and lic.non_commercial is None:
            add("ancestor-license-unknown", dataset, lic, via, path,
                f"{dataset}, which {asset_id} was trained on ({path}), states {lic.label}")
            return
        if lic.non_commercial and own.non_commercial is False:
            add("non-commercial-training-data", dataset, lic, via, path,
                f"{asset_id} declares {own.label} (commercial use allowed) but was trained on {dataset} ({path}), "
                f"which is {lic.label} (non-commercial)")
        if lic.license_class == "copyleft" and not lic.non_commercial:
            add("share-alike-training-data", dataset, lic, via, path,
                f"{asset_id} was trained on {dataset} ({lic.label}, share-alike)")


def stored_check(con: duckdb.DuckDBPyConnection, asset_id: str) -> LicenseCheck:
    """One asset's check as the last ingest stored it (what the facets and filters see): two
    indexed reads, however large the catalog."""
    if not isinstance(asset_id, str) or not asset_id.strip() or len(asset_id) > 500:
        raise InvalidInput("asset id must be a non-empty string of at most 500 characters")
    check_unicode(asset_id, "asset id")
    row = con.execute(
        "SELECT asset_id, name, kind, coalesce(license_spdx, license_raw), license_class, license_lineage, "
        "commercial_lineage, license_ancestors, license_datasets, license_spdx, license_raw FROM asset "
        "WHERE asset_id = ?", [asset_id]).fetchone()
    if row is None:
        raise NotFound(f"no asset {asset_id!r} in the catalog (give an asset id as search results show them)")
    if row[5] is None:
        raise CatalogError("this catalog has no license check yet: re-run 'assetscout ingest PATH' on any of "
                           "its sources to compute it")
    fields = list(Finding.__dataclass_fields__)
    found = [Finding(**dict(zip(fields, r))) for r in con.execute(
        f"SELECT {', '.join(fields)} FROM license_finding WHERE asset_id = ? "
        "ORDER BY list_position(['conflict', 'unknown', 'notice'], severity), rule, ancestor_id", [asset_id]
    ).fetchall()]
    own = Lic(row[9], row[10], row[4], None)
    return LicenseCheck(row[0], row[1], row[2], own.label, row[4], row[5], bool(row[6]), int(row[7] or 0),
                        int(row[8] or 0), found)


def check_all(con: duckdb.DuckDBPyConnection, asset_ids: Iterable[str] | None = None) -> list[LicenseCheck]:
    graph = LineageLicenses(con)
    return [graph.check(a) for a in (sorted(graph.assets) if asset_ids is None else asset_ids)]


def summarize(checks: list[LicenseCheck]) -> dict[str, Any]:
    """Counts by status, by rule (findings and assets), and by kind."""
    by_rule: Counter[str] = Counter()
    assets_by_rule: Counter[str] = Counter()
    for c in checks:
        by_rule.update(f.rule for f in c.findings)
        assets_by_rule.update({f.rule for f in c.findings})
    return {
        "assets": len(checks),
        "by_status": {s: sum(c.status == s for c in checks) for s in STATUSES},
        "commercial_use_across_lineage": sum(c.commercial_use_across_lineage for c in checks),
        "by_kind": {k: {s: sum(c.status == s for c in checks if c.kind == k) for s in STATUSES}
                    for k in sorted({c.kind for c in checks})},
        "with_ancestors": sum(c.ancestors_checked > 0 for c in checks),
        "with_training_data": sum(c.datasets_checked > 0 for c in checks),
        "findings_by_rule": {r: {"severity": RULES[r][0], "findings": by_rule[r], "assets": assets_by_rule[r],
                                 "meaning": RULES[r][1]} for r in RULES if by_rule[r]},
    }


def refresh_license_lineage(con: duckdb.DuckDBPyConnection) -> None:
    """Store every asset's status (asset.license_lineage, asset.commercial_lineage) and its
    findings (license_finding), for the facets and filters; called by every ingest."""
    checks = check_all(con)
    con.execute("DELETE FROM license_finding")
    if not checks:
        return
    status = pa.table({"asset_id": [c.asset_id for c in checks], "status": [c.status for c in checks],
                       "commercial": [c.commercial_use_across_lineage for c in checks],
                       "ancestors": pa.array([c.ancestors_checked for c in checks], pa.int32()),
                       "datasets": pa.array([c.datasets_checked for c in checks], pa.int32())})
    findings = [f for c in checks for f in c.findings]
    rows = pa.table({name: [getattr(f, name) for f in findings] for name in Finding.__dataclass_fields__})
    con.register("_license_status", status)
    con.register("_license_findings", rows)
    try:
        con.execute("UPDATE asset SET license_lineage = s.status, commercial_lineage = s.commercial, "
                    "license_ancestors = s.ancestors, license_datasets = s.datasets "
                    "FROM _license_status s WHERE asset.asset_id = s.asset_id")
        con.execute("INSERT INTO license_finding SELECT rule, severity, asset_id, asset_license, ancestor_id, "
                    "ancestor_license, via, path, message FROM _license_findings")
    finally:
        con.unregister("_license_status")
        con.unregister("_license_findings")

