"""Templates, formatting filters and the security headers every page carries.

Autoescaping is on for every template, so a card title such as `<img onerror=...>` is
text on the page; the one place raw HTML enters a template is the card body, which
`markdown.render_card` sanitized. The Content-Security-Policy allows scripts, styles,
images and fonts from this origin only and no inline script or style attribute: even
markup that got past the sanitizer could not run or restyle the page.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from starlette.responses import HTMLResponse

from assetscout import __version__

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Vary": "Accept",
}


@lru_cache(maxsize=1)
def environment() -> Any:
    """The Jinja2 environment (built once: template compilation is the slow part)."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(count=fmt_count, number=fmt_number, params=fmt_params, pct=fmt_pct, bytes=fmt_bytes)
    from assetscout.search.web.asset_page import asset_href

    env.globals.update(asset_href=asset_href, version=__version__)
    return env


def page(template: str, context: Mapping[str, Any], *, status: int = 200) -> HTMLResponse:
    """Render `template` with `context` into a response with the security headers."""
    html = environment().get_template(template).render(**context)
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def fmt_count(n: Any) -> str:
    """1234 -> '1.2k', 3400000 -> '3.4M' (downloads, likes)."""
    if n is None:
        return "–"
    n = float(n)
    for unit, scale in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(n) >= scale:
            return f"{n / scale:.1f}".rstrip("0").rstrip(".") + unit
    return f"{n:.0f}"


def fmt_params(n: Any) -> str:
    """A parameter count: 86_600_000 -> '86.6M params'."""
    return "–" if n is None else f"{fmt_count(n)} params"


def fmt_number(x: Any, digits: int = 4) -> str:
    """A metric value with `digits` significant digits, no float noise ('85.23', '0.4312')."""
    if x is None:
        return "–"
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return str(x)
    if isinstance(x, float) and not math.isfinite(x):
        return "–"
    if x == 0:
        return "0"
    magnitude = int(math.floor(math.log10(abs(x))))
    decimals = max(0, digits - 1 - magnitude)
    text = f"{x:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def fmt_pct(x: Any) -> str:
    """A share in [0, 1] as a percent: 0.8 -> '80%'."""
    return "–" if x is None else f"{100 * float(x):.0f}%"


def fmt_bytes(n: Any) -> str:
    if n is None:
        return "–"
    n = float(n)
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n:.0f} B"
