"""The one JSON error shape of the HTTP API, and the one place exceptions become it.

Every 4xx/5xx answer is

    {"error": {"status": 400, "code": "invalid_input", "message": "k must be between 1 and 1000, got 0"}}

whatever raised it: an assetscout error, FastAPI's request validation, an
HTTPException (routing 404/405 included), the body-size middleware, or a bug (500,
logged here with a reference; the client gets the reference, never a traceback).
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any, Literal, Mapping, Sequence

from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from assetscout.errors import AssetScoutError, CatalogError, InvalidInput, NotFound, RecordError

log = logging.getLogger("assetscout.http")

ErrorCode = Literal["invalid_input", "not_found", "unauthorized", "forbidden", "method_not_allowed",
                    "payload_too_large", "unsupported_media_type", "unavailable", "internal"]

_CODE_OF_STATUS: dict[int, str] = {
    400: "invalid_input", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    413: "payload_too_large", 415: "unsupported_media_type", 422: "invalid_input", 503: "unavailable",
}


class ErrorDetail(BaseModel):
    status: int
    code: ErrorCode
    message: str


class ErrorBody(BaseModel):
    """The shape of every error response (documented in OpenAPI)."""

    error: ErrorDetail


class ApiError(StarletteHTTPException):
    """An HTTP error raised by the app itself, with its code and headers.

    A subclass of HTTPException so that FastAPI lets it through untouched when it
    is raised while the body is being read (the body-size limit).
    """

    def __init__(self, status: int, code: ErrorCode, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(status_code=status, detail=message, headers=dict(headers) if headers else None)
        self.code = code
        self.message = message


def error_response(status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"status": status, "code": code, "message": message}},
                        status_code=status, headers=dict(headers) if headers else None)


def status_of(exc: AssetScoutError) -> tuple[int, str]:
    """HTTP status and code of an assetscout error (NotFound before InvalidInput: both are lookups)."""
    if isinstance(exc, NotFound):
        return 404, "not_found"
    if isinstance(exc, (InvalidInput, RecordError)):
        return 400, "invalid_input"
    if isinstance(exc, CatalogError):
        return 503, "unavailable"  # no catalog yet, another writer, other format: the server's state
    return 500, "internal"


def validation_message(errors: Sequence[Mapping[str, Any]]) -> str:
    """FastAPI/pydantic validation errors in words: 'body.k: Input should be a valid integer'."""
    parts: list[str] = []
    for err in list(errors)[:5]:
        loc = [str(x) for x in err.get("loc", ())]
        if err.get("type") == "json_invalid":
            ctx = err.get("ctx") or {}
            pos = loc[1] if len(loc) > 1 else "?"
            parts.append(f"request body is not valid JSON ({ctx.get('error', 'decode error')} at position {pos})")
            continue
        where = ".".join(loc) if loc else "request"
        if loc and loc[0] == "query":
            where = f"query parameter {'.'.join(loc[1:])!r}"
        elif loc and loc[0] == "path":
            where = f"path parameter {'.'.join(loc[1:])!r}"
        elif loc and loc[0] == "body" and err.get("type") == "missing" and len(loc) == 1:
            parts.append("request body is missing: send a JSON object")
            continue
        parts.append(f"{where}: {err.get('msg', 'invalid value')}")
    if len(errors) > 5:
        parts.append(f"... and {len(errors) - 5} more")
    return "; ".join(parts) or "invalid request"


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app takes on this path (the router's 405 names only the first
    route's: GET /search and POST /search are two routes)."""
    from starlette.routing import Match

    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        if match != Match.NONE and getattr(route, "methods", None):
            methods |= set(route.methods)
    return sorted(methods)


def install_error_handlers(app: Any) -> None:
    """Register the handlers on a FastAPI app: the single mapping of exceptions to errors.

    Call it after adding the app's other middleware, so that the catch-all wraps them.
    """
    from fastapi.exceptions import RequestValidationError

    def for_browser(request: Request, status: int, message: str) -> Any:
        """The error as a page when a browser asked for one (same status and message)."""
        from assetscout.search.web.routes import error_page, wants_html

        return error_page(status, message) if wants_html(request) else None

    async def on_assetscout(request: Request, exc: AssetScoutError) -> Any:
        status, code = status_of(exc)
        if status >= 500:
            log.error("assetscout error on %s %s: %s", request.method, request.url.path, exc)
        message = str(exc) or type(exc).__name__
        return for_browser(request, status, message) or error_response(status, code, message)

    async def on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(400, "invalid_input", validation_message(exc.errors()))

    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc, ApiError):
            return error_response(exc.status_code, exc.code, exc.message, exc.headers)
        status = exc.status_code
        code = _CODE_OF_STATUS.get(status, "internal" if status >= 500 else "invalid_input")
        message = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail, default=str)
        if status == 404 and message == "Not Found":
            message = f"no endpoint {request.url.path!r}; see /docs for the API"
        elif status == 405:
            allowed = allowed_methods(request)
            message = f"method {request.method} is not allowed on {request.url.path!r}; use {', '.join(allowed)}"
            return error_response(status, code, message, {**(exc.headers or {}), "Allow": ", ".join(allowed)})
        elif status == 413:
            message = "request body is too large"
        if status == 404 and not isinstance(exc, ApiError):
            page = for_browser(request, 404, f"there is no page {request.url.path!r} here")
            if page is not None:
                return page
        return error_response(status, code, message, exc.headers)

    app.add_exception_handler(AssetScoutError, on_assetscout)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_middleware(UnexpectedErrorMiddleware)  # added last: outermost of the app's middleware


class UnexpectedErrorMiddleware:
    """A bug becomes a 500 in the error shape, logged with a reference the client sees.

    A middleware rather than an `Exception` handler: Starlette re-raises after such a
    handler and uvicorn then drops the keep-alive connection under the client.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started:
                raise  # half a response is out: nothing sensible to add
            ref = uuid.uuid4().hex[:12]
            log.error("unexpected error %s on %s %s", ref, scope.get("method"), scope.get("path"), exc_info=exc)
            response = error_response(500, "internal",
                                      f"internal server error (reference {ref}; details are in the server log)")
            await response(scope, receive, send)
