"""The web interface: server-rendered pages over the same engine calls as the JSON API.

    /                  search: query box, hits with "why this hit", facet sidebar, metric constraints, sort
    /assets/<id>       an asset's page (browsers; API clients still get JSON from the same URL)
    /compare?ids=...   2-5 assets side by side: shared benchmarks, a plot
    /tables            union and join search with an uploaded table or a catalog table
    /static/...        the stylesheet and the one script (vendored, no build step)

Pages are Jinja2 templates with autoescaping; card markdown goes through markdown-it
with raw HTML off and then the nh3 sanitizer (`markdown.py`). Every page is sent with
a Content-Security-Policy that allows no inline script or style (`render.py`). Nothing
here writes to the catalog: the table upload is searched from a temporary folder and
deleted, as POST /tables/union does.
"""

from assetscout.search.web.routes import add_web_routes, wants_html

__all__ = ["add_web_routes", "wants_html"]
