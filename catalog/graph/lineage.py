"""The lineage graph: subgraphs around one asset, cycles in bad metadata, graph statistics.

Edges point from the asset that was made to what it was made from, with the relation
named and every reader that stated it:

    child model  --finetune / adapter / quantized / merge / distilled / base-->  parent model
    dataset      --derived-->                                                   source dataset
    model        --trained_on / pretrained_on / finetuned_on / evaluated_on-->  dataset

`base` is what timm and OpenCLIP state between a weight variant (resnet50.a1_in1k) and
its architecture (resnet50). A parent or dataset named but not in the catalog is a
placeholder node (in_catalog false), named as the source wrote it.

Traversal is breadth-first with a visited set and a node budget, so a cycle or a huge
family (ImageNet has thousands of evaluated models) never runs away; cycles and
self-loops found among the edges are reported with the answer.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Literal

import duckdb

from assetscout.errors import InvalidInput, NotFound, check_unicode

Direction = Literal["up", "down", "both"]
DIRECTIONS: tuple[str, ...] = ("up", "down", "both")
MAX_DEPTH = 20
MAX_NODES = 5000

# asset_dataset.role -> edge relation
DATASET_RELATIONS = {"train": "trained_on", "pretrain": "pretrained_on", "finetune": "finetuned_on",
                     "eval": "evaluated_on"}
DATASET_EDGE_RELATIONS = ("trained_on", "pretrained_on", "finetuned_on", "evaluated_on")

# every edge as (src, dst, relation, source): derivation rows, dataset roles, evaluations
_EDGES_SQL = """
    SELECT child_id AS src, coalesce(parent_id, parent_name) AS dst, relation, source FROM lineage
    UNION ALL
    SELECT asset_id, coalesce(dataset_id, dataset_name),
           CASE role WHEN 'train' THEN 'trained_on' WHEN 'pretrain' THEN 'pretrained_on'
                     WHEN 'finetune' THEN 'finetuned_on' WHEN 'eval' THEN 'evaluated_on' ELSE role END, source
    FROM asset_dataset
    UNION ALL
    SELECT DISTINCT asset_id, coalesce(dataset_id, dataset_name), 'evaluated_on', source FROM evaluation
    WHERE coalesce(dataset_id, dataset_name) IS NOT NULL
"""


@dataclass
class Node:
    id: str
    name: str
    kind: str | None  # None: a placeholder (named by a source, not in the catalog)
    in_catalog: bool
    depth: int  # hops from the asset asked about (following the edges' direction for up, against it for down)
    license: str | None = None  # SPDX id, or the license as written
    license_class: str | None = None


@dataclass
class Edge:
    src: str  # the derived asset (child, or the model that used the dataset)
    dst: str  # what it derives from (parent, source dataset, dataset trained/evaluated on)
    relation: str
    sources: list[str]  # readers that stated it


@dataclass
class Subgraph:
    root: str
    direction: str
    depth: int
    relations: list[str] | None
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    cycles: list[list[str]] = field(default_factory=list)  # each cycle's nodes, in edge order
    self_loops: list[dict[str, str]] = field(default_factory=list)  # edges from an asset to itself
    truncated: bool = False  # the node budget stopped the walk before `depth`
    limit: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check(direction: str, depth: int, limit: int, relations: Iterable[str] | None) -> list[str] | None:
    if direction not in DIRECTIONS:
        raise InvalidInput(f"direction must be one of {', '.join(DIRECTIONS)}, got {direction!r}")
    for name, value, high in (("depth", depth, MAX_DEPTH), ("limit", limit, MAX_NODES)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
            raise InvalidInput(f"{name} must be an integer in 1..{high}, got {value!r}")
    if relations is None:
        return None
    wanted = sorted({r.strip() for r in relations if r and r.strip()})
    return wanted or None


def known_relations(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every relation the catalog's edges carry (lineage relations and the dataset relations)."""
    rows = con.execute("SELECT DISTINCT relation FROM lineage").fetchall()
    return sorted({r[0] for r in rows} | set(DATASET_EDGE_RELATIONS))


def resolve_node(con: duckdb.DuckDBPyConnection, name: str) -> str:
    """The node id for `name`: an asset id, a placeholder parent's name, or a bare HF repo id."""
    if not isinstance(name, str) or not name.strip() or len(name) > 500:
        raise InvalidInput("asset id must be a non-empty string of at most 500 characters")
    check_unicode(name, "asset id")
    name = name.strip()
    for candidate in (name, f"hf:model/{name}", f"hf:dataset/{name}"):
        if con.execute(
            "SELECT 1 FROM asset WHERE asset_id = ? UNION ALL SELECT 1 FROM lineage WHERE parent_name = ? "
            "UNION ALL SELECT 1 FROM asset_dataset WHERE dataset_name = ? LIMIT 1",
            [candidate, candidate, candidate],
        ).fetchone():
            return candidate
    raise NotFound(f"no asset {name!r} in the catalog, and no source names it as a parent or dataset "
                   "(give an asset id such as hf:model/bert-base-uncased, as search results show them)")


def subgraph(con: duckdb.DuckDBPyConnection, asset_id: str, *, direction: str = "both", depth: int = 3,
             relations: Iterable[str] | None = None, limit: int = 500) -> Subgraph:
    """The edges within `depth` hops of `asset_id`: ancestors (up), descendants (down) or both.

    At most `limit` nodes: the walk stops adding nodes there and says `truncated`
    (edges among the nodes already found are kept). `relations` keeps only those edge
    relations (None: all).
    """
    wanted = _check(direction, depth, limit, relations)
    root = resolve_node(con, asset_id)
    graph = Subgraph(root=root, direction=direction, depth=depth, relations=wanted, limit=limit)
    seen: dict[str, int] = {root: 0}
    stated: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    ways = ("up", "down") if direction == "both" else (direction,)
    for way in ways:
        frontier = [root]
        for level in range(1, depth + 1):
            if not frontier:
                break
            rows = _edges_at(con, frontier, way, wanted)
            nxt: list[str] = []
            for src, dst, relation, source in rows:
                other = dst if way == "up" else src
                if other not in seen:
                    if len(seen) >= limit:
                        graph.truncated = True
                        continue
                    seen[other] = level
                    nxt.append(other)
                stated[(src, dst, relation)].add(source)
            frontier = nxt
    # edges among the nodes found that the walk did not take (a child that is also a grandchild, a cycle's back edge)
    inner = _edges_among(con, list(seen), wanted)
    for src, dst, relation, source in inner:
        stated[(src, dst, relation)].add(source)
    graph.nodes = _nodes(con, seen)
    graph.edges = [Edge(s, d, r, sorted(srcs)) for (s, d, r), srcs in sorted(stated.items())]
    graph.self_loops = [{"asset_id": e.src, "relation": e.relation} for e in graph.edges if e.src == e.dst]
    graph.cycles = find_cycles((e.src, e.dst) for e in graph.edges if e.src != e.dst)
    return graph


def _relation_filter(wanted: list[str] | None) -> tuple[str, list[Any]]:
    if wanted is None:
        return "", []
    return " AND relation IN (SELECT unnest(?::VARCHAR[]))", [wanted]


def _edges_at(con: duckdb.DuckDBPyConnection, frontier: list[str], way: str,
              wanted: list[str] | None) -> list[tuple[str, str, str, str]]:
    column = "src" if way == "up" else "dst"
    extra, params = _relation_filter(wanted)
    return con.execute(
        f"SELECT src, dst, relation, source FROM ({_EDGES_SQL}) WHERE {column} IN (SELECT unnest(?::VARCHAR[])){extra} "
        "ORDER BY src, dst, relation", [frontier, *params]).fetchall()


def _edges_among(con: duckdb.DuckDBPyConnection, ids: list[str],
                 wanted: list[str] | None) -> list[tuple[str, str, str, str]]:
    extra, params = _relation_filter(wanted)
    return con.execute(
        f"SELECT src, dst, relation, source FROM ({_EDGES_SQL}) WHERE src IN (SELECT unnest(?::VARCHAR[])) "
        f"AND dst IN (SELECT unnest(?::VARCHAR[])){extra}", [ids, ids, *params]).fetchall()


def _nodes(con: duckdb.DuckDBPyConnection, seen: dict[str, int]) -> list[Node]:
    rows = con.execute(
        "SELECT asset_id, name, kind, coalesce(license_spdx, license_raw), license_class FROM asset "
        "WHERE asset_id IN (SELECT unnest(?::VARCHAR[]))", [list(seen)]).fetchall()
    known = {r[0]: r for r in rows}
    nodes = []
    for node_id, depth in seen.items():
        r = known.get(node_id)
        if r is None:
            nodes.append(Node(node_id, node_id.split("/", 1)[-1] if ":" in node_id else node_id, None, False, depth))
        else:
            nodes.append(Node(node_id, r[1], r[2], True, depth, r[3], r[4]))
    return sorted(nodes, key=lambda n: (n.depth, n.id))


def find_cycles(edges: Iterable[tuple[str, str]]) -> list[list[str]]:
    """The cycles of a directed graph: one per strongly connected component of two or
    more nodes, given as that component's nodes sorted (iterative Tarjan: no recursion limit)."""
    succ: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        succ[a].append(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for start in list(succ):
        if start in index:
            continue
        work = [(start, iter(succ.get(start, ())))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(succ.get(child, ()))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return sorted(out)


# ---------------------------------------------------------------------------- statistics

def graph_stats(con: duckdb.DuckDBPyConnection, *, top: int = 5) -> dict[str, Any]:
    """Edges by relation, placeholders, self-loops, cycles and the largest family trees.

    A family tree is a connected component of the derivation edges (lineage table:
    finetune, adapter, quantized, merge, derived, base...), named by its root: the
    member with no parent of its own that has the most descendants.
    """
    by_relation = {r: int(n) for r, n in con.execute(
        f"SELECT relation, count(*) FROM (SELECT DISTINCT src, dst, relation FROM ({_EDGES_SQL})) "
        "GROUP BY relation ORDER BY 2 DESC, 1").fetchall()}
    rows = con.execute("SELECT DISTINCT child_id, coalesce(parent_id, parent_name), relation FROM lineage").fetchall()
    placeholders = con.execute(
        "SELECT count(DISTINCT parent_name) FROM lineage WHERE parent_id IS NULL").fetchone()[0]
    dataset_placeholders = con.execute(
        "SELECT count(DISTINCT dataset_name) FROM asset_dataset WHERE dataset_id IS NULL").fetchone()[0]
    self_loops = sorted({(c, r) for c, p, r in rows if c == p})
    edges = [(c, p) for c, p, _ in rows if c != p]
    cycles = find_cycles(edges)
    parents: dict[str, set[str]] = defaultdict(set)
    children: dict[str, set[str]] = defaultdict(set)
    for c, p in edges:
        parents[c].add(p)
        children[p].add(c)
    families = sorted(_components(edges), key=lambda m: (-len(m), min(m)))
    kind = dict(con.execute("SELECT asset_id, kind FROM asset WHERE asset_id IN (SELECT child_id FROM lineage)"
                            ).fetchall())

    def tree(members: set[str]) -> dict[str, Any]:
        roots = [m for m in members if not parents.get(m)] or sorted(members)
        root = max(roots, key=lambda m: (_descendant_count(m, children), m))
        relations = Counter(r for c, p, r in rows if c in members and c != p)
        return {"root": root, "size": len(members), "depth": _height(root, children),
                "relations": dict(relations.most_common())}

    def of_kind(members: set[str], wanted: str) -> bool:  # the kind most of its derived members have
        kinds = Counter(kind.get(m) for m in members if m in kind)
        return bool(kinds) and kinds.most_common(1)[0][0] == wanted
    return {
        "edges": sum(by_relation.values()),
        "edges_by_relation": by_relation,
        "derivation_edges": len(edges),
        "placeholder_parents": int(placeholders),
        "placeholder_datasets": int(dataset_placeholders),
        "self_loops": len(self_loops),
        "self_loop_examples": [c for c, _ in self_loops[:5]],
        "cycles": len(cycles),
        "cycle_examples": cycles[:5],
        "families": len(families),
        "largest_families": [tree(m) for m in families[:top]],
        "largest_model_families": [tree(m) for m in [m for m in families if of_kind(m, "model")][:top]],
    }


def _components(edges: list[tuple[str, str]]) -> list[set[str]]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    groups: dict[str, set[str]] = defaultdict(set)
    for x in list(parent):
        groups[find(x)].add(x)
    return list(groups.values())


def _walk(root: str, children: dict[str, set[str]]) -> dict[str, int]:
    seen = {root: 0}
    frontier = [root]
    while frontier:
        nxt = []
        for node in frontier:
            for child in children.get(node, ()):
                if child not in seen:
                    seen[child] = seen[node] + 1
                    nxt.append(child)
        frontier = nxt
    return seen


def _descendant_count(root: str, children: dict[str, set[str]]) -> int:
    return len(_walk(root, children)) - 1


def _height(root: str, children: dict[str, set[str]]) -> int:
    return max(_walk(root, children).values())
