"""Small server-side SVG charts: a lineage graph, bars per benchmark, a metric-vs-size scatter.

Server-side so the pages need no plotting library and no script; the SVG is built from
escaped text only (names and labels go through `esc`) and colours come from CSS
classes (`s0`..`s4`), so the page's CSP (no inline style) holds. Every chart has a
<title> and text labels, so it reads without colour and with a screen reader.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Sequence


def esc(text: object) -> str:
    return escape(str(text), quote=True)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


@dataclass(frozen=True)
class Node:
    label: str
    href: str | None  # None: named by the metadata but not in the catalog
    relation: str = ""


def lineage_svg(parents: Sequence[Node], center: str, children: Sequence[Node], *, more_children: int = 0) -> str:
    """Parents on the left, the asset in the middle, children on the right; each node a link."""
    rows = max(len(parents), len(children) + (1 if more_children else 0), 1)
    h, w, box_w, box_h, gap = 36 * rows + 20, 760, 220, 26, 36
    cy = h / 2
    parts = [f'<svg class="chart lineage" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
             f'aria-label="lineage of {esc(center)}"><title>lineage of {esc(center)}</title>']

    def column(nodes: Sequence[Node], x: float, edge_x: float, left: bool) -> None:
        n = len(nodes) + (1 if (not left and more_children) else 0)
        for i, node in enumerate(nodes):
            y = (h - 36 * n) / 2 + 36 * i + 5
            ex = x + box_w if left else x
            parts.append(f'<line class="edge" x1="{ex:.0f}" y1="{y + box_h / 2:.0f}" x2="{edge_x:.0f}" y2="{cy:.0f}"/>')
            label = _clip(node.label, 30)
            rel = f" ({node.relation})" if node.relation else ""
            box = (f'<rect class="node{"" if node.href else " placeholder"}" x="{x:.0f}" y="{y:.0f}" width="{box_w}" '
                   f'height="{box_h}" rx="5"/><text x="{x + 8:.0f}" y="{y + 17:.0f}">{esc(label)}</text>'
                   f'<title>{esc(node.label + rel)}{"" if node.href else " (not in the catalog)"}</title>')
            parts.append(f'<a href="{esc(node.href)}">{box}</a>' if node.href else f"<g>{box}</g>")
            if node.relation:
                mx = (ex + edge_x) / 2
                my = (y + box_h / 2 + cy) / 2 - 3
                parts.append(f'<text class="rel" x="{mx:.0f}" y="{my:.0f}" text-anchor="middle">{esc(node.relation)}</text>')
        if not left and more_children:
            y = (h - 36 * n) / 2 + 36 * len(nodes) + 5
            parts.append(f'<text class="muted" x="{x + 8:.0f}" y="{y + 17:.0f}">… and {more_children:,} more</text>')

    cx = (w - box_w) / 2
    column(parents, 10, cx, True)
    column(children, w - box_w - 10, cx + box_w, False)
    parts.append(f'<rect class="node center" x="{cx:.0f}" y="{cy - box_h / 2:.0f}" width="{box_w}" height="{box_h}" '
                 f'rx="5"/><text x="{cx + 8:.0f}" y="{cy + 4:.0f}">{esc(_clip(center, 30))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bars_svg(title: str, labels: Sequence[str], values: Sequence[float | None], *, unit: str = "",
             higher_is_better: bool | None = True, series: Sequence[int] | None = None) -> str:
    """Horizontal bars, one per asset, with the value printed; the best bar is marked."""
    w, row, left, right = 380, 24, 150, 70
    h = 30 + row * len(labels) + 6
    known = [v for v in values if v is not None]
    top = max(known + [0.0])
    low = min(known + [0.0])
    span = (top - low) or 1.0
    best = None
    if known and higher_is_better is not None:
        best = max(known) if higher_is_better else min(known)
    parts = [f'<svg class="chart bars" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
             f'aria-label="{esc(title)}"><title>{esc(title)}</title>'
             f'<text class="chart-title" x="4" y="16">{esc(_clip(title, 58))}</text>']
    for i, (label, value) in enumerate(zip(labels, values)):
        y = 26 + row * i
        s = (series[i] if series else i) % 5
        parts.append(f'<text x="{left - 6}" y="{y + 15}" text-anchor="end">{esc(_clip(label, 22))}</text>')
        if value is None:
            parts.append(f'<text class="muted" x="{left + 4}" y="{y + 15}">not reported</text>')
            continue
        length = (w - left - right) * (value - low) / span
        mark = " ★" if best is not None and value == best and len(known) > 1 else ""
        parts.append(f'<rect class="s{s}" x="{left}" y="{y + 3}" width="{max(length, 1.5):.1f}" height="{row - 8}"/>'
                     f'<text x="{left + length + 4:.1f}" y="{y + 15}">{esc(_fmt(value) + unit + mark)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def scatter_svg(title: str, points: Sequence[tuple[str, float, float, int]], *, x_label: str, y_label: str) -> str:
    """(label, x, y, series) points; x (parameter count) on a log scale."""
    w, h, left, bottom, top, right = 560, 320, 64, 44, 28, 24
    xs = [math.log10(p[1]) for p in points]
    ys = [p[2] for p in points]
    x0, x1 = math.floor(min(xs)), math.ceil(max(xs))
    if x1 == x0:
        x1 = x0 + 1
    y0, y1 = min(ys), max(ys)
    pad = (y1 - y0) * 0.15 or max(abs(y1) * 0.05, 1.0)
    y0, y1 = y0 - pad, y1 + pad

    def px(v: float) -> float:
        return left + (w - left - right) * (math.log10(v) - x0) / (x1 - x0)

    def py(v: float) -> float:
        return h - bottom - (h - top - bottom) * (v - y0) / (y1 - y0)

    parts = [f'<svg class="chart scatter" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
             f'aria-label="{esc(title)}"><title>{esc(title)}</title>'
             f'<text class="chart-title" x="4" y="16">{esc(_clip(title, 80))}</text>',
             f'<line class="axis" x1="{left}" y1="{h - bottom}" x2="{w - right}" y2="{h - bottom}"/>',
             f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{h - bottom}"/>']
    for e in range(x0, x1 + 1):
        x = px(10 ** e)
        parts.append(f'<line class="grid" x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{h - bottom}"/>'
                     f'<text class="tick" x="{x:.1f}" y="{h - bottom + 14}" text-anchor="middle">{_si(10 ** e)}</text>')
    for i in range(5):
        v = y0 + (y1 - y0) * i / 4
        parts.append(f'<text class="tick" x="{left - 6}" y="{py(v) + 4:.1f}" text-anchor="end">{_fmt(v)}</text>')
    parts.append(f'<text class="axis-label" x="{(w + left) / 2:.0f}" y="{h - 8}" text-anchor="middle">'
                 f'{esc(x_label)}</text><text class="axis-label" transform="translate(14 {(h - bottom + top) / 2:.0f}) '
                 f'rotate(-90)" text-anchor="middle">{esc(_clip(y_label, 40))}</text>')
    for label, x, y, s in points:
        cx, cy = px(x), py(y)
        parts.append(f'<circle class="s{s % 5}" cx="{cx:.1f}" cy="{cy:.1f}" r="6"><title>{esc(label)}: {_fmt(y)} '
                     f'at {_si(x)} parameters</title></circle><text x="{cx + 9:.1f}" y="{cy + 4:.1f}">'
                     f'{esc(_clip(label, 24))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _fmt(v: float) -> str:
    from assetscout.search.web.render import fmt_number

    return fmt_number(v)


def _si(v: float) -> str:
    from assetscout.search.web.render import fmt_count

    return fmt_count(v)
