"""The page routes, registered on the API's FastAPI app by `add_web_routes`.

Pages call the same engine and table-index holders as the JSON endpoints, inside the
same read locks, so an ingest swaps both at once. An error on a page (a malformed
constraint, a missing asset, a bad upload) is the API's error — same status, same
message — shown on the page it happened on; nothing here writes to the catalog.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from assetscout.errors import AssetScoutError, CatalogError, InvalidInput, NotFound
from assetscout.search.web.render import STATIC, page

if TYPE_CHECKING:
    from fastapi import FastAPI

    from assetscout.search.app import AppSettings
    from assetscout.search.http_engine import EngineHolder
    from assetscout.search.http_tables import TablesHolder


def wants_html(request: Request) -> bool:
    """A browser asking for a page (Accept names text/html), not an API client (JSON, */*)."""
    accept = request.headers.get("accept", "").lower()
    return "text/html" in accept and request.query_params.get("format") != "json"


def error_page(status: int, message: str, *, title: str | None = None) -> HTMLResponse:
    titles = {400: "That request could not be understood", 404: "Not found", 413: "Upload too large",
              503: "Not ready yet"}
    return page("error.html", {"status": status, "title": title or titles.get(status, "Something went wrong"),
                               "message": message, "nav": ""}, status=status)


def _status(exc: Exception) -> int:
    from assetscout.search.http_errors import ApiError, status_of

    if isinstance(exc, ApiError):
        return exc.status_code
    if isinstance(exc, AssetScoutError):
        return status_of(exc)[0]
    return 500


def _message(exc: Exception) -> str:
    from assetscout.search.http_errors import ApiError

    return exc.message if isinstance(exc, ApiError) else (str(exc) or type(exc).__name__)


class WebPages:
    """The handlers (kept on an object so app.py's content-negotiated /assets route can call one)."""

    def __init__(self, settings: AppSettings, engines: EngineHolder, tables: TablesHolder) -> None:
        self.settings = settings
        self.engines = engines
        self.tables = tables

    # ------------------------------------------------------------------ search
    def search(self, request: Request) -> Response:
        from assetscout.search.web.search_page import SearchView, build_query, search_view
        from assetscout.search.web.state import SearchState

        try:
            state = SearchState.from_params(request.query_params.multi_items())
        except InvalidInput as exc:
            return page("search.html", {"view": SearchView(SearchState(), None, error=str(exc)), "nav": "search"},
                        status=400)
        try:
            query = build_query(state)
            with self.engines.reading() as engine:
                result = engine.search(query, with_facets=True)
        except AssetScoutError as exc:  # the API's error, on the page
            status = _status(exc)
            if status == 503:
                return error_page(503, _message(exc) + " — build one with `assetscout ingest` and "
                                                       "`assetscout index`, or run `assetscout demo`.")
            return page("search.html", {"view": SearchView(state, None, error=_message(exc)), "nav": "search"},
                        status=status)
        return page("search.html", {"view": search_view(state, result), "nav": "search"})

    # ------------------------------------------------------------------ asset
    def asset(self, asset_id: str) -> Response:
        from assetscout.search.web.asset_page import asset_view

        try:
            with self.engines.reading() as engine:
                asset = engine.asset(asset_id)
                similar = engine.similar(asset_id, 8)
                graph = _graph_views(engine, asset)
        except (NotFound, InvalidInput, CatalogError) as exc:
            return error_page(_status(exc), _message(exc))
        return page("asset.html", {**asset_view(asset, similar, self._preview), **graph, "nav": "search"})

    def _preview(self, table_id: str) -> dict[str, Any] | None:
        from assetscout.search.web.tables_page import preview_rows

        try:
            with self.tables.reading() as tables:
                path = tables.path_of(table_id)
        except (AssetScoutError, OSError):
            return None
        return preview_rows(path)

    # ------------------------------------------------------------------ compare
    def compare(self, request: Request) -> Response:
        from assetscout.search.compare import parse_ids
        from assetscout.search.web.compare_page import compare_view

        try:
            ids = parse_ids(request.query_params.getlist("ids"))
            with self.engines.reading() as engine:
                assets = [engine.asset(i) for i in ids]
                evaluations = engine.evaluation_rows(ids)
        except (NotFound, InvalidInput, CatalogError) as exc:
            return error_page(_status(exc), _message(exc), title="Cannot compare these")
        return page("compare.html", {"view": compare_view(assets, evaluations), "nav": "search"})

    # ------------------------------------------------------------------ tables
    def _table_ids(self) -> tuple[list[str], str | None]:
        try:
            with self.tables.reading() as tables:
                return sorted(tables.tables), None
        except (AssetScoutError, OSError) as exc:
            return [], _message(exc)

    def tables_get(self, request: Request) -> Response:
        from assetscout.search.web.tables_page import tables_view

        choices, unavailable = self._table_ids()
        table_id = request.query_params.get("table_id", "").strip()
        context: dict[str, Any] = {"choices": choices, "unavailable": unavailable, "selected": table_id,
                                   "result": None, "error": None, "nav": "tables",
                                   "max_file_bytes": self.settings.max_file_bytes}
        if table_id and not unavailable:
            try:
                with self.tables.reading() as tables:
                    context["result"] = tables_view(tables, self.engines.encoder(), tables.table(table_id))
            except AssetScoutError as exc:
                context["error"] = _message(exc)
                return page("tables.html", context, status=_status(exc))
        return page("tables.html", context, status=503 if unavailable and table_id else 200)

    async def tables_post(self, request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        from assetscout.search.http_errors import ApiError
        from assetscout.search.http_limits import BodyReader
        from assetscout.search.http_tables import received_table
        from assetscout.search.web.tables_page import tables_view
        from assetscout.tables.catalog_search import QueryTable

        choices, unavailable = await run_in_threadpool(self._table_ids)
        context: dict[str, Any] = {"choices": choices, "unavailable": unavailable, "selected": "", "result": None,
                                   "error": None, "nav": "tables", "max_file_bytes": self.settings.max_file_bytes}
        content_type = request.headers.get("content-type", "")
        if unavailable:
            await BodyReader(request.receive).drain(self.settings.max_upload_bytes)
            context["error"] = unavailable
            return page("tables.html", context, status=503)
        if content_type.split(";", 1)[0].strip().lower() != "multipart/form-data":
            context["error"] = "the upload form sends multipart/form-data; this request sent " + repr(content_type[:80])
            return page("tables.html", context, status=415)
        try:
            async with received_table(request, self.settings, {}) as (upload, name):
                if upload is None or name is None:
                    raise InvalidInput("no table file uploaded: choose a CSV, TSV, Parquet or JSON-lines file")
                query = QueryTable(None, str(upload), name)

                def run() -> dict[str, Any]:
                    with self.tables.reading() as tables:
                        out = tables_view(tables, self.engines.encoder(), query)
                    out["union"]["query"]["path"] = None
                    return out

                context["result"] = await run_in_threadpool(run)
                context["uploaded"] = name
        except (AssetScoutError, ApiError) as exc:  # the API's error, on the page
            context["error"] = _message(exc)
            return page("tables.html", context, status=_status(exc))
        return page("tables.html", context)


def add_web_routes(app: FastAPI, settings: AppSettings, engines: EngineHolder, tables: TablesHolder) -> WebPages:
    """Register /, /tables and /static on `app` (the asset page is app.py's /assets route, the compare page
    http_graph's /compare: both answer API clients with JSON)."""
    from starlette.staticfiles import StaticFiles

    pages = WebPages(settings, engines, tables)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.add_api_route("/", pages.search, methods=["GET"], include_in_schema=False, response_class=HTMLResponse)
    app.add_api_route("/tables", pages.tables_get, methods=["GET"], include_in_schema=False,
                      response_class=HTMLResponse)
    app.add_api_route("/tables", pages.tables_post, methods=["POST"], include_in_schema=False,
                      response_class=HTMLResponse)
    return pages


def _graph_views(engine: Any, asset: dict[str, Any]) -> dict[str, Any]:
    """The asset graph beside an asset page: its license check across lineage (stored at ingest)
    and, for a model, datasets to try next; each links to its JSON view."""
    out: dict[str, Any] = {"license_check": None, "dataset_suggestions": []}
    try:
        out["license_check"] = engine.license_check(asset["asset_id"])
    except CatalogError:
        pass  # a catalog from before the check: the page shows no section
    if asset.get("kind") == "model":
        out["dataset_suggestions"] = engine.recommend_datasets(asset["asset_id"], k=5)["suggestions"]
    return out

