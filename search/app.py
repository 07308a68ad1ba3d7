"""The HTTP API: a thin FastAPI layer over SearchEngine, built by `create_app(settings)`.

Every query goes through `Query.build`, so HTTP, the CLI and Python accept and refuse
the same things with the same messages. Errors share one JSON shape, mapped in
`http_errors`. Nothing a client sends names a file on the server: ingest takes
uploaded bytes only, written under the catalog directory (see `http_ingest`).

    uvicorn-less use in tests:  TestClient(create_app(AppSettings(catalog_dir=...)))
    from the CLI:              assetscout serve  ->  serve(catalog_dir, host, port)
"""

import contextlib
import hmac
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, AsyncIterator, Callable, Iterator, Literal

from starlette.requests import Request

from assetscout import __version__
from assetscout.errors import AssetScoutError, CatalogError, InvalidInput
from assetscout.search.query import (
    FILTER_KEYS,
    MAX_K,
    MAX_LITERAL,
    MAX_OFFSET,
    MAX_TEXT_CHARS,
    SORT_HELP,
    Query,
    parse_filter_args,
)

if TYPE_CHECKING:
    from fastapi import FastAPI

    from assetscout.embed.base import Encoder
    from assetscout.search.engine import SearchEngine

MiB = 1024 * 1024
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class AppSettings:
    """What one server serves and the limits it applies.

    catalog_dir: the catalog directory (it may not exist yet: POST /ingest creates it).
    encoder: the query/index encoder; None = the packaged all-MiniLM-L6-v2.
    ingest_token_env: the environment variable holding the ingest token, read at each
    request; unset or empty = ingest disabled. max_json_bytes / max_upload_bytes: body
    limits of JSON endpoints and of POST /ingest. max_upload_files / max_file_bytes:
    files per upload and bytes per file. max_k: largest k served (1..MAX_K).
    cors_origins: origins allowed cross-site; empty = CORS off. cache_mib: memory for
    answers of search / facets / asset / union-by-id requests, kept until the catalog changes (0: none).
    """

    catalog_dir: Path | str
    encoder: "Encoder | None" = None
    ingest_token_env: str = "ASSETSCOUT_INGEST_TOKEN"
    max_json_bytes: int = 1 * MiB
    max_upload_bytes: int = 50 * MiB
    max_upload_files: int = 200
    max_file_bytes: int = 20 * MiB
    max_k: int = MAX_K
    cors_origins: tuple[str, ...] = ()
    cache_mib: int = 64

    def __post_init__(self) -> None:
        if not isinstance(self.catalog_dir, (str, os.PathLike)) or not str(self.catalog_dir):
            raise InvalidInput(f"catalog_dir must be a path, got {self.catalog_dir!r}")
        object.__setattr__(self, "catalog_dir", Path(self.catalog_dir).expanduser().resolve())
        if not isinstance(self.ingest_token_env, str) or not _ENV_NAME.match(self.ingest_token_env):
            raise InvalidInput(f"ingest_token_env must be an environment variable name, got {self.ingest_token_env!r}")
        for name, low, high in (("max_json_bytes", 1024, 1 << 30), ("max_upload_bytes", 1024, 1 << 40),
                                ("max_upload_files", 1, 100_000), ("max_file_bytes", 1, 1 << 40),
                                ("max_k", 1, MAX_K), ("cache_mib", 0, 1 << 20)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise InvalidInput(f"{name} must be an int in {low}..{high}, got {value!r}")
        if isinstance(self.cors_origins, str) or not all(isinstance(o, str) and o for o in self.cors_origins):
            raise InvalidInput(f"cors_origins must be a tuple of origin strings, got {self.cors_origins!r}")
        object.__setattr__(self, "cors_origins", tuple(self.cors_origins))


def _safe_json(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    return str(value)


# query parameters every route takes besides its own: content negotiation (search/web wants_html)
_COMMON_QUERY_PARAMS = frozenset({"format"})
_declared: dict[int, frozenset[str]] = {}


def refuse_unknown_query_params(request: "Request") -> None:
    """A query parameter the route does not take is refused, naming the ones it does.

    Without this a typo ('?limt=5', '?filters=...') is silently ignored and the client
    gets an answer to a question it did not ask. Pages outside the API schema read
    their query strings themselves and are left alone.
    """
    route = request.scope.get("route")
    if route is None or not getattr(route, "include_in_schema", False) or not hasattr(route, "dependant"):
        return
    allowed = _declared.get(id(route))
    if allowed is None:
        names: set[str] = set()
        todo = [route.dependant]
        while todo:  # the route's own parameters and those of its dependencies (query_params of search)
            dependant = todo.pop()
            names.update(f.alias for f in dependant.query_params)
            todo.extend(dependant.dependencies)
        allowed = _declared[id(route)] = frozenset(names) | _COMMON_QUERY_PARAMS
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        takes = ", ".join(sorted(allowed - _COMMON_QUERY_PARAMS)) or "none"
        raise InvalidInput(f"unknown query parameter(s) {', '.join(repr(u) for u in unknown[:5])} on "
                           f"{request.url.path}; it takes: {takes}")


def create_app(settings: AppSettings, *,
               opener: "Callable[[Path, Encoder | None], SearchEngine] | None" = None) -> "FastAPI":
    """The FastAPI app for `settings`. `opener(catalog_dir, encoder)` replaces
    `SearchEngine.open` (tests give a fake engine); the engine opens on first use."""
    from fastapi import Body, Depends, FastAPI
    from fastapi import Path as PathParam
    from fastapi import Query as QueryParam
    from fastapi.responses import JSONResponse
    from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
    from pydantic import BaseModel, ConfigDict, Field

    from assetscout.catalog.records import ASSET_KINDS
    from assetscout.search.http_schema import (
        FILTER_PATTERN,
        KINDS_PATTERN,
        METRIC_PATTERN,
        SHORT_TEXT,
        SORT_PATTERN,
        filters_model,
        items,
        json_int,
        nullable,
    )

    from assetscout.search.http_engine import EngineHolder
    from assetscout.search.http_errors import ApiError, ErrorBody, install_error_handlers
    from assetscout.search.http_graph import add_graph_routes
    from assetscout.search.http_ingest import check_storable, ingest_uploads, uploads_root
    from assetscout.search.http_cache import ResponseCache
    from assetscout.search.http_jobs import IngestJobs
    from assetscout.search.http_limits import BodyLimitMiddleware
    from assetscout.search.http_tables import PREFIX as TABLES_PREFIX
    from assetscout.search.http_tables import add_table_routes
    from assetscout.search.http_uploads import UploadLimits, receive_request_uploads
    from assetscout.search.web import add_web_routes, wants_html

    class ApiJSON(JSONResponse):
        def render(self, content: Any) -> bytes:
            text = json.dumps(content, ensure_ascii=False, allow_nan=False, default=_safe_json, separators=(",", ":"))
            try:
                return text.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate from stored data: JSON's \uXXXX escapes carry it
                return json.dumps(content, ensure_ascii=True, allow_nan=False, default=_safe_json,
                                  separators=(",", ":")).encode("ascii")

    catalog_dir: Path = settings.catalog_dir  # type: ignore[assignment]  # resolved in __post_init__
    holder = EngineHolder(catalog_dir, settings.encoder, opener=opener)
    jobs = IngestJobs()
    answers = ResponseCache(ApiJSON({}).render, settings.cache_mib * MiB)  # read-only answers being served
    upload_limits = UploadLimits(max_files=settings.max_upload_files, max_file_bytes=settings.max_file_bytes)
    filter_help = "; ".join(f"{k} ({h})" for k, (_, h) in FILTER_KEYS.items())
    errors_doc = {400: {"model": ErrorBody, "description": "invalid input (the message says which)"},
                  503: {"model": ErrorBody, "description": "no catalog or search index yet"}}

    @contextlib.asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        yield
        jobs.close()
        holder.close()
        tables.close()

    app = FastAPI(
        lifespan=lifespan, dependencies=[Depends(refuse_unknown_query_params)], title="assetscout", version=__version__,
        description="Search ML assets (model cards, dataset cards, tables) by text, facets and metrics. "
                    "Every error is `{\"error\": {\"status\", \"code\", \"message\"}}`.",
        default_response_class=ApiJSON,
    )
    app.state.settings = settings
    app.state.engines = holder
    app.state.answers = answers
    app.add_middleware(BodyLimitMiddleware, limit_for=lambda method, path: (
        settings.max_upload_bytes if path in ("/ingest", "/tables") or path.startswith(TABLES_PREFIX)
        else settings.max_json_bytes))
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"])
    install_error_handlers(app)

    def build_query(text: Any, kinds: Any, filters: Any, metrics: Any, sort: Any, k: Any, offset: Any,
                    explain: Any, interpret: Any = True, literal: Any = ()) -> Query:
        query = Query.build(text=text, kinds=kinds, filters=filters, metrics=metrics, sort=sort, k=k,
                            offset=offset, explain=explain, interpret=interpret, literal=literal)
        if query.k > settings.max_k:
            raise InvalidInput(f"k must be between 1 and {settings.max_k} on this server, got {query.k}")
        return query

    def query_params(
        q: str = QueryParam("", json_schema_extra={"maxLength": MAX_TEXT_CHARS}, description=f"free text (at most {MAX_TEXT_CHARS} characters); empty lists "
                                            "the matching assets, most downloaded first",
                            examples=["sentence embedding model for retrieval"]),
        kind: list[str] = QueryParam([], json_schema_extra=items(KINDS_PATTERN), description="asset kind(s): model, dataset, table; repeat or "
                                                     "comma-separate"),
        filter_: list[str] = QueryParam([], alias="filter", json_schema_extra=items(FILTER_PATTERN), description=f"KEY=VALUE, repeatable (OR within "
                                        f"a key, AND across keys). Keys: {filter_help}",
                                        examples=[["license=mit"]]),
        metric: list[str] = QueryParam([], json_schema_extra=items(METRIC_PATTERN, 10), description="metric constraint NAME>=VALUE[%][@DATASET][ on HARDWARE], "
                                                       "repeatable, e.g. top1>=85@ImageNet, R@1>=0.5@MSCOCO, "
                                                       "infer_samples_per_sec>=1000 on rtx4090 (operators >=, >, <=, "
                                                       "<, =; bounded metrics: 90, 90% and 0.9 are one threshold)"),
        sort: str = QueryParam("relevance", json_schema_extra={"pattern": SORT_PATTERN}, description=SORT_HELP),
        k: int = QueryParam(10, json_schema_extra={"minimum": 1, "maximum": settings.max_k}, description=f"hits to return, 1..{settings.max_k}"),
        offset: int = QueryParam(0, json_schema_extra={"minimum": 0, "maximum": MAX_OFFSET}, description=f"hits to skip (paging), 0..{MAX_OFFSET}"),
        explain: bool = QueryParam(False, description="return each hit's score components"),
        interpret: bool = QueryParam(True, description="read constraints out of the text ('under 20M parameters', "
                                                       "'mAP above 40 on COCO', 'apache licensed'); the response's "
                                                       "`interpreted` says what was understood"),
        literal: list[str] = QueryParam([], json_schema_extra=items(SHORT_TEXT, MAX_LITERAL), description="phrases of q to keep as text, not interpret (repeatable): "
                                                        "the source_text of an interpreted constraint undoes it"),
    ) -> Query:
        kinds = [part.strip() for item in kind for part in item.split(",") if part.strip()]
        return build_query(q, kinds, parse_filter_args(filter_), metric, sort, k, offset, explain, interpret, literal)

    Filters = filters_model()
    JsonInt = json_int()

    class MetricBody(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)
        metric: str = Field(json_schema_extra={"pattern": SHORT_TEXT}, description="metric name, e.g. top1, accuracy, ndcg_at_10")
        op: str = Field(">=", json_schema_extra={"enum": [">=", ">", "<=", "<", "=", "=="]},
                        description="one of >=, >, <=, <, =")
        value: float
        dataset: str | None = Field(None, json_schema_extra=nullable(SHORT_TEXT), description="the dataset the metric was measured on")
        hardware: str | None = Field(None, json_schema_extra=nullable(SHORT_TEXT), description="the device a speed metric was measured on, e.g. rtx4090, cpu")
        percent: bool = Field(False, description="the value is a percent (bounded metrics)")

    class SearchBody(BaseModel):
        """POST /search: the same query as GET /search, as JSON."""

        model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [{
            "text": "apache-licensed sentence embedding model", "kinds": ["model"],
            "filters": {"license": "apache-2.0", "max_parameters": "100M"}, "metrics": ["ndcg_at_10>=0.5"],
            "k": 10}]})
        text: str = Field("", json_schema_extra={"maxLength": MAX_TEXT_CHARS}, description=f"free text, at most {MAX_TEXT_CHARS} characters")
        kinds: list[Literal[ASSET_KINDS]] | Literal[ASSET_KINDS] = Field(  # type: ignore[valid-type]
            default_factory=list, description="model, dataset, table")
        filters: Filters = Field(default_factory=Filters, description="KEY: VALUE or [VALUES]")  # type: ignore[valid-type]
        metrics: list[Annotated[str, Field(json_schema_extra={"pattern": METRIC_PATTERN})] | MetricBody] = Field(
            default_factory=list, max_length=10,
                                                description="'NAME>=VALUE@DATASET' strings or objects")
        sort: str = Field("relevance", json_schema_extra={"pattern": SORT_PATTERN}, description=SORT_HELP)
        k: JsonInt = Field(10, json_schema_extra={"minimum": 1, "maximum": settings.max_k}, description=f"hits to return, 1..{settings.max_k}")
        offset: JsonInt = Field(0, json_schema_extra={"minimum": 0, "maximum": MAX_OFFSET}, description=f"hits to skip, 0..{MAX_OFFSET}")
        explain: bool = Field(False, description="return each hit's score components")
        facets: bool = Field(True, description="also return facet counts of the matching set")
        interpret: bool = Field(True, description="read constraints out of the text (see GET /search)")
        literal: list[Annotated[str, Field(json_schema_extra={"pattern": SHORT_TEXT})]] = Field(
            default_factory=list, max_length=MAX_LITERAL, description="phrases of text to keep uninterpreted")

    def require_json(request: Request) -> None:
        content_type = request.headers.get("content-type", "")
        media = content_type.split(";", 1)[0].strip().lower()
        if not (media == "application/json" or (media.startswith("application/") and media.endswith("+json"))):
            raise ApiError(415, "unsupported_media_type",
                           f"POST /search takes a JSON body: send Content-Type: application/json "
                           f"(got {content_type[:100]!r})")

    @app.get("/search", tags=["search"], responses=errors_doc,
             summary="Search assets by text, facets and metric constraints")
    def search_get(query: Query = Depends(query_params),
                   facets: bool = QueryParam(True, description="also return facet counts")) -> Any:
        return cached_search(query, facets)

    def cached_search(query: Query, facets: bool) -> Any:
        with holder.reading() as engine:
            if query.explain:  # explain carries this request's timings: computed afresh
                return engine.search(query, with_facets=facets).to_dict()
            return answers.get(("search", holder.generation, repr(query), facets),
                               lambda: engine.search(query, with_facets=facets).to_dict())

    @app.post("/search", tags=["search"], dependencies=[Depends(require_json)],
              responses={**errors_doc, 413: {"model": ErrorBody, "description": "body too large"},
                         415: {"model": ErrorBody, "description": "body is not JSON"}},
              summary="Search with a JSON query")
    def search_post(body: SearchBody = Body(...)) -> Any:
        metrics = [m if isinstance(m, str) else m.model_dump() for m in body.metrics]
        filters = {k: v for k, v in body.filters.model_dump().items() if v is not None}
        query = build_query(body.text, body.kinds, filters, metrics, body.sort, body.k, body.offset,
                            body.explain, body.interpret, body.literal)
        return cached_search(query, body.facets)

    @app.get("/facets", tags=["search"], responses=errors_doc, summary="Facet counts of the matching set")
    def facets_get(query: Query = Depends(query_params),
                   size: int = QueryParam(20, json_schema_extra={"minimum": 1, "maximum": 200}, description="values per facet, 1..200")) -> Any:
        import dataclasses

        with holder.reading() as engine:
            return answers.get(("facets", holder.generation, repr(query), size),
                               lambda: dataclasses.asdict(engine.facets(query, size=size)))

    from assetscout.search.http_graph import ID_SCHEMA

    add_graph_routes(app, holder, errors_doc)  # /assets/<id>/lineage, /license-check...: before /assets/<id>

    @app.get("/assets/{asset_id:path}", tags=["assets"],
             responses={**errors_doc, 404: {"model": ErrorBody, "description": "no such asset"}},
             summary="One asset: metadata, evaluations, lineage, datasets, tables",
             description="JSON for API clients; a browser (Accept: text/html) gets the asset's page.")
    def asset_get(request: Request,
                  asset_id: str = PathParam(description="asset id, e.g. timm:model/resnet50.a1_in1k "
                                                        "(':' and '/' may stay unescaped)",
                                            json_schema_extra=ID_SCHEMA)) -> Any:
        if wants_html(request):
            return pages.asset(asset_id)
        with holder.reading() as engine:
            return answers.get(("asset", holder.generation, asset_id), lambda: engine.asset(asset_id))

    @app.get("/health", tags=["service"], summary="Counts, index state, encoder")
    def health() -> Any:
        base = {"version": __version__, "ingest_enabled": bool(os.environ.get(settings.ingest_token_env))}
        try:
            with holder.reading() as engine:
                return {**engine.health(), **base}
        except CatalogError as exc:
            if (catalog_dir / "manifest.json").is_file():
                raise
            return {"status": "no_catalog", "message": str(exc), "assets": 0, **base}

    bearer = HTTPBearer(auto_error=False, description=f"the token in ${settings.ingest_token_env}")

    def check_token(credentials: HTTPAuthorizationCredentials | None) -> None:
        expected = os.environ.get(settings.ingest_token_env, "")
        if credentials is None:  # 401 first: without credentials the client is not told the server's setup
            raise ApiError(401, "unauthorized", "ingest needs 'Authorization: Bearer <token>'",
                           headers={"WWW-Authenticate": "Bearer"})
        if not expected:
            raise ApiError(403, "forbidden", f"ingest is disabled on this server: set the environment variable "
                                             f"{settings.ingest_token_env} to a secret token on the server to "
                                             "enable it")
        if not hmac.compare_digest(credentials.credentials.encode("utf-8"), expected.encode("utf-8")):
            raise ApiError(401, "unauthorized", "the bearer token is not the ingest token",
                           headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})

    upload_doc = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["files"], "additionalProperties": False, "properties": {"files": {
            "type": "array", "items": {"type": "string", "format": "binary"}, "minItems": 1,
            "maxItems": settings.max_upload_files,
            "description": "cards, JSON, YAML, CSV... Each file's name may carry relative folders "
                           "(e.g. datasets/squad/README.md): readers recognize files by name and folder"}}}}}}}

    job_doc = {"model": ErrorBody, "description": "no such job (jobs are kept in memory until a restart)"}

    @app.post("/ingest", tags=["ingest"], openapi_extra=upload_doc, status_code=202,
              responses={**errors_doc, 401: {"model": ErrorBody, "description": "missing or wrong token"},
                         403: {"model": ErrorBody, "description": "ingest disabled"},
                         413: {"model": ErrorBody, "description": "a file or the body is too large"},
                         415: {"model": ErrorBody, "description": "not multipart/form-data"}},
              summary="Upload files; a background job ingests them and updates the indexes (token-protected)",
              description=f"At most {settings.max_upload_files} files, {settings.max_file_bytes:,} bytes per "
                          f"file, {settings.max_upload_bytes:,} bytes per request. Answers 202 with the job as "
                          "soon as the files are received; GET its status_url (also in the Location header) "
                          "until status is done (the ingest report) or failed (the error). Searches keep "
                          "answering from the previous catalog meanwhile.")
    async def ingest_post(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Any:
        check_token(credentials)
        content_type = request.headers.get("content-type", "")
        if content_type.split(";", 1)[0].strip().lower() != "multipart/form-data":
            raise ApiError(415, "unsupported_media_type", "POST /ingest takes multipart/form-data file uploads "
                                                          f"(field 'files'), got {content_type[:100]!r}")
        root = uploads_root(catalog_dir)
        root.mkdir(parents=True, exist_ok=True)
        incoming = Path(tempfile.mkdtemp(prefix=".incoming-", dir=root))
        try:
            files = await receive_request_uploads(request.receive, content_type, incoming, upload_limits,
                                                  drain_bytes=settings.max_upload_bytes)
            if not files:
                raise InvalidInput("no files uploaded: send one or more files in the multipart field 'files'")
            check_storable(incoming, catalog_dir)
            job = jobs.submit(lambda: ingest_uploads(holder, incoming, files),
                              [{"name": f.name, "size": f.size} for f in files], incoming)
        except BaseException:
            shutil.rmtree(incoming, ignore_errors=True)
            raise
        body = job.to_dict()
        return ApiJSON(body, status_code=202, headers={"Location": body["status_url"]})

    @app.get("/ingest/jobs/{job_id}", tags=["ingest"],
             responses={**errors_doc, 401: {"model": ErrorBody, "description": "missing or wrong token"},
                        403: {"model": ErrorBody, "description": "ingest disabled"}, 404: job_doc},
             summary="Where an ingest job stands: queued, running, done (with its report) or failed (token-protected)")
    def ingest_job(job_id: str = PathParam(description="the id POST /ingest answered", max_length=64),
                   credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Any:
        check_token(credentials)
        return jobs.get(job_id)

    tables = add_table_routes(app, settings, holder)  # POST /tables/union, /tables/join (open on first use)
    pages = add_web_routes(app, settings, holder, tables)  # /, /assets/<id> and /compare for browsers, /tables
    app.state.pages = pages
    return app


def serve(catalog_dir: Path | str, host: str = "127.0.0.1", port: int = 8000, encoder: "Encoder | None" = None,
          *, log_level: str = "info", settings: AppSettings | None = None) -> None:
    """Run the HTTP API with uvicorn until interrupted (the CLI's `assetscout serve`).

    `settings` overrides everything but catalog_dir and encoder when given.
    """
    if not isinstance(host, str) or not host:
        raise InvalidInput(f"host must be a non-empty string, got {host!r}")
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise InvalidInput(f"port must be an int in 0..65535, got {port!r}")
    import dataclasses

    import uvicorn

    if settings is None:
        settings = AppSettings(catalog_dir=catalog_dir, encoder=encoder)
    else:
        settings = dataclasses.replace(settings, catalog_dir=catalog_dir, encoder=encoder)
    uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level, server_header=False)


@contextlib.contextmanager
def serve_in_background(app: Any, host: str = "127.0.0.1", *, log_level: str = "warning",
                        start_timeout_s: float = 30.0) -> Iterator[str]:
    """Run `app` under uvicorn in a daemon thread on a free port; yield its base URL.

    For tests, notebooks and benchmarks that need a real server beside them; the server
    stops when the block ends.
    """
    import socket
    import threading
    import time

    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level=log_level, lifespan="on", server_header=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout_s
    try:
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise AssetScoutError(f"uvicorn did not start on {host}:{port} within {start_timeout_s} s")
            time.sleep(0.02)
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
