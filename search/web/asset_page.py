"""An asset's page: the sanitized card, its metadata, evaluations, lineage, similar assets."""

from __future__ import annotations

from typing import Any, Callable
from urllib.parse import quote

from assetscout.search.web.markdown import render_card, safe_url
from assetscout.search.web.svg import Node, lineage_svg

MAX_EVALS_SHOWN = 200
MAX_CHILDREN_DRAWN = 12
_META_FIELDS = [  # (key, label) in table order; lists are joined, empty values left out
    ("kind", "Kind"), ("source", "Source zoo"), ("sources", "Also stated by"), ("organization", "Organization"),
    ("tasks", "Tasks"), ("library", "Library"), ("languages", "Languages"), ("modality_keys", "Modality"),
    ("parameters", "Parameters"), ("size_bytes", "Size"), ("format_keys", "Formats"),
    ("precision_keys", "Precision"), ("access", "Access"), ("created", "Created"), ("modified", "Modified"),
    ("downloads", "Downloads"), ("likes", "Likes"), ("referenced_by", "Referenced by"), ("aliases", "Also known as"),
    ("tags", "Tags"),
]


def asset_href(asset_id: str) -> str:
    """The page URL of an asset id (':' and '/' kept readable, everything else escaped)."""
    return "/assets/" + quote(asset_id, safe=":/@")


def asset_view(asset: dict[str, Any], similar: list[Any], preview: Callable[[str], dict[str, Any] | None]) -> dict[str, Any]:
    """Template context of the asset page; `preview(table_id)` reads a table's first rows."""
    from assetscout.search.web.render import fmt_bytes, fmt_count

    card = render_card(asset.get("card_text"))
    meta: list[tuple[str, str]] = []
    for key, label in _META_FIELDS:
        value = asset.get(key)
        if value in (None, "", [], {}) or (key == "sources" and value == [asset.get("source")]):
            continue
        if key == "parameters":
            shown = f"{fmt_count(value)} ({value:,})"
        elif key == "size_bytes":
            shown = fmt_bytes(value)
        elif isinstance(value, list):
            shown = ", ".join(str(v) for v in value[:30]) + (f" … (+{len(value) - 30})" if len(value) > 30 else "")
        elif isinstance(value, bool):
            shown = "yes" if value else "no"
        else:
            shown = str(value)
        meta.append((label, shown))
    extra = asset.get("extra") if isinstance(asset.get("extra"), dict) else {}
    for key, value in list(extra.items())[:25]:
        if isinstance(value, (str, int, float, bool)) and str(value).strip():
            meta.append((key.replace("_", " "), str(value)[:300]))
    lineage = asset.get("lineage") or {}
    parents = _distinct_edges(lineage.get("parents") or [])  # two sources may state one edge
    children = _distinct_edges(lineage.get("children") or [])
    graph = None
    if parents or children:
        graph = lineage_svg(
            [Node(p["asset_id"], asset_href(p["asset_id"]) if p.get("in_catalog") else None, p.get("relation") or "")
             for p in parents[:MAX_CHILDREN_DRAWN]],
            asset.get("name") or asset["asset_id"],
            [Node(c["asset_id"], asset_href(c["asset_id"]), c.get("relation") or "")
             for c in children[:MAX_CHILDREN_DRAWN]],
            more_children=max(0, len(children) - MAX_CHILDREN_DRAWN))
    evaluations = asset.get("evaluations") or []
    tables = asset.get("tables") or []
    previews = []
    if asset.get("kind") == "table" or tables:
        for t in tables[:3]:
            rows = preview(t["table_id"])
            if rows:
                previews.append({**t, **rows})
    links = [u for u in (asset.get("url"),) if isinstance(u, str) and safe_url(u)]
    return {
        "asset": asset, "card": card, "meta": meta, "graph": graph, "parents": parents, "children": children,
        "evaluations": evaluations[:MAX_EVALS_SHOWN], "evaluations_total": len(evaluations),
        "evaluations_capped": len(evaluations) >= 2000, "datasets": asset.get("datasets") or [],
        "tables": tables, "previews": previews, "similar": similar, "links": links,
        "source_file": asset.get("source_uri"), "configurations": (asset.get("configurations") or [])[:60],
    }


def _distinct_edges(edges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for e in edges:
        seen.setdefault((str(e.get("asset_id")), str(e.get("relation") or "")), e)
    return list(seen.values())
