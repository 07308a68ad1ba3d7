"""POST /tables/union and POST /tables/join: union and join search over the catalog's tables.

Each takes either a JSON body naming a table of the catalog

    {"table_id": "table:lake/datalake/t.csv", "k": 10}                             union
    {"table_id": "table:lake/datalake/t.csv", "column": "Country", "k": 10,
     "min_containment": 0.8}                                                       join

or a multipart/form-data upload: one table file (CSV/TSV/Parquet/JSON lines, any field
name) and the same settings as form fields (k, column, min_containment). An upload is
written under `<catalog>/uploads/` (never where the client says), searched, deleted.
Limits: max_file_bytes per file, max_upload_bytes per body, max_json_bytes per JSON body.
A table_id is only ever an id: no request names a file on the server.

The indexes open on the first table request, not at startup, and are reopened when an
ingest has replaced them (their manifest changed), so a server answers across ingests.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, AsyncIterator, Iterator

from starlette.requests import Request

from assetscout.errors import CatalogError, InvalidInput
from assetscout.search.http_engine import ReadWriteLock
from assetscout.search.http_errors import ApiError, ErrorBody, validation_message
from assetscout.search.http_ingest import uploads_root
from assetscout.search.http_limits import BodyReader
from assetscout.search.http_uploads import UploadLimits, receive_request_uploads
from assetscout.tables.catalog_search import CatalogTables, NoTables, QueryTable
from assetscout.tables.read import MAX_QUERY_COLUMNS

if TYPE_CHECKING:
    from fastapi import FastAPI

    from assetscout.search.app import AppSettings
    from assetscout.search.http_engine import EngineHolder

PREFIX = "/tables/"


class TablesHolder:
    """The open `CatalogTables` a server shares, reopened when its manifest changes on disk."""

    def __init__(self, catalog_dir: Path) -> None:
        from assetscout.tables.catalog_index import tables_dir
        from assetscout.tables.union_store import MANIFEST

        self.catalog_dir = catalog_dir
        self._manifest = tables_dir(catalog_dir) / MANIFEST
        self._tables: CatalogTables | None = None
        self._stamp: tuple[int, int, int] | None = None
        self._rw = ReadWriteLock()
        self._open_lock = threading.Lock()
        self.generation = 0

    def _current_stamp(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self._manifest)
        except OSError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    @contextlib.contextmanager
    def reading(self) -> Iterator[CatalogTables]:
        """The current indexes, (re)opened first when they changed; NoTables when there are none."""
        stamp = self._current_stamp()
        if self._tables is None or stamp != self._stamp:
            with self._open_lock, self._rw.write():  # waits for the requests still on the old ones
                stamp = self._current_stamp()
                if self._tables is None or stamp != self._stamp:
                    if self._tables is not None:
                        self._tables.close()
                    self._tables, self._stamp = None, None
                    self._tables, self._stamp = CatalogTables.open(self.catalog_dir), stamp
                    self.generation += 1  # answers cached for the indexes before are stale
        with self._rw.read():
            tables = self._tables
            if tables is None:  # closed by another request's failed reopen
                raise NoTables(f"the catalog at {self.catalog_dir} has no table index")
            yield tables

    def check(self) -> None:
        """Open the indexes now: NoTables / CatalogError when there are none (before taking an upload)."""
        with self.reading():
            pass

    def close(self) -> None:
        with self._rw.write():
            if self._tables is not None:
                self._tables.close()
            self._tables, self._stamp = None, None


def _unavailable(exc: Exception) -> ApiError:
    return ApiError(503, "unavailable", str(exc))


def _media(request: Request) -> tuple[str, str]:
    content_type = request.headers.get("content-type", "")
    return content_type.split(";", 1)[0].strip().lower(), content_type


async def _json_body(request: Request, limit: int) -> Any:
    """The JSON body, refused past `limit` bytes (the route's body limit is the upload one)."""
    body = BodyReader(request.receive)
    raw = bytearray()
    async for chunk in body.chunks():
        raw += chunk
        if len(raw) > limit:
            with contextlib.suppress(Exception):
                await body.drain(limit)
            raise ApiError(413, "payload_too_large", f"a JSON body is at most {limit:,} bytes on {request.url.path}",
                           headers={"Connection": "close"})
    try:
        return json.loads(bytes(raw) or b"null")
    except ValueError as exc:
        raise InvalidInput(f"request body is not valid JSON ({exc})") from None


@contextlib.asynccontextmanager
async def received_table(request: Request, settings: AppSettings,
                         fields: dict[str, str]) -> AsyncIterator[tuple[Path | None, str | None]]:
    """Receive a multipart body's one table file under `<catalog>/uploads/` with the server's
    limits; yield (its path, its name) — (None, None) when no file came — and delete it after.
    The form's other fields land in `fields`. Used by POST /tables/union|join and the tables page."""
    root = uploads_root(settings.catalog_dir)  # type: ignore[arg-type]  # resolved by AppSettings
    root.mkdir(parents=True, exist_ok=True)
    incoming = Path(tempfile.mkdtemp(prefix=".tables-", dir=root))
    try:
        files = await receive_request_uploads(
            request.receive, request.headers.get("content-type", ""), incoming,
            UploadLimits(max_files=1, max_file_bytes=settings.max_file_bytes),
            drain_bytes=settings.max_upload_bytes, fields=fields)
        yield (incoming.joinpath(*files[0].name.split("/")), files[0].name) if files else (None, None)
    finally:
        shutil.rmtree(incoming, ignore_errors=True)


def add_table_routes(app: FastAPI, settings: AppSettings, engines: EngineHolder) -> TablesHolder:
    """Register POST /tables/union and /tables/join on `app`; returns the holder to close at shutdown."""
    from pydantic import BaseModel, ConfigDict, Field, ValidationError
    from starlette.concurrency import run_in_threadpool

    catalog_dir: Path = settings.catalog_dir  # type: ignore[assignment]  # resolved by AppSettings
    holder = TablesHolder(catalog_dir)

    class UnionBody(BaseModel):
        model_config = ConfigDict(extra="forbid")
        table_id: str | None = Field(None, description="a table id of the catalog; leave out when uploading a file",
                                     json_schema_extra={"minLength": 1, "maxLength": 1000},
                                     examples=["table:ugen_v1/datalake/Sports_3PVJUPJQ.csv"])
        k: int = Field(10, description=f"tables to return, 1..{settings.max_k}",
                       json_schema_extra={"minimum": 1, "maximum": settings.max_k})

    class JoinBody(UnionBody):
        column: str = Field(description="the query table's column to join on (its name)", examples=["Sports"],
                            json_schema_extra={"minLength": 1, "pattern": r"\S"})
        min_containment: float | None = Field(None, description="share of the column's distinct values a match "
                                                                "must contain, in [0.5, 1]; default 0.5",
                                              json_schema_extra={"anyOf": [
                                                  {"type": "number", "minimum": 0.5, "maximum": 1}, {"type": "null"}]})

    def validate(model: type[UnionBody], data: Any, where: str) -> UnionBody:
        try:
            body = model.model_validate(data)
        except ValidationError as exc:
            errors = [{**e, "loc": (where, *e.get("loc", ()))} for e in exc.errors()]
            raise InvalidInput(validation_message(errors)) from None
        if not 1 <= body.k <= settings.max_k:
            raise InvalidInput(f"k must be between 1 and {settings.max_k} on this server, got {body.k}")
        return body

    def search(body: UnionBody, upload: Path | None, name: str | None) -> dict[str, Any]:
        try:
            with holder.reading() as tables:
                query = QueryTable(None, str(upload), name or "upload") if upload else tables.table(body.table_id or "")

                def answer() -> dict[str, Any]:
                    if isinstance(body, JoinBody):
                        out = tables.join_table(query, body.column, k=body.k,
                                                min_containment=body.min_containment).to_dict()
                    else:
                        out = tables.union_table(query, engines.encoder(), k=body.k).to_dict()
                    out["coverage"] = tables.left_out()  # the catalog's tables this search could not consider
                    return out

                # a catalog table's answer holds until the table indexes change (an upload's is computed each time)
                out = answer() if upload else app.state.answers.get(
                    ("tables", holder.generation, repr(body)), answer)
        except NoTables as exc:
            raise _unavailable(exc) from None
        if upload is not None:
            out["query"]["path"] = None  # the server's temporary file means nothing to the client
        return out

    async def handle(request: Request, model: type[UnionBody]) -> Any:
        media, content_type = _media(request)
        if media == "application/json" or (media.startswith("application/") and media.endswith("+json")):
            body = validate(model, await _json_body(request, settings.max_json_bytes), "body")
            if not body.table_id:
                raise InvalidInput("give table_id (a table id of the catalog) in the JSON body, or upload a table "
                                   "file as multipart/form-data")
            return await run_in_threadpool(search, body, None, None)
        if media != "multipart/form-data":
            raise ApiError(415, "unsupported_media_type",
                           f"POST {request.url.path} takes a JSON body (Content-Type: application/json) or a table "
                           f"file as multipart/form-data, got {content_type[:100]!r}")
        try:
            await run_in_threadpool(holder.check)  # no upload is taken for a catalog without tables
        except (NoTables, CatalogError) as exc:
            with contextlib.suppress(Exception):
                await BodyReader(request.receive).drain(settings.max_upload_bytes)
            raise _unavailable(exc) from None
        fields: dict[str, str] = {}
        async with received_table(request, settings, fields) as (upload, name):
            body = validate(model, fields, "form")
            if upload and body.table_id:
                raise InvalidInput("send either a table file or table_id, not both")
            if not upload and not body.table_id:
                raise InvalidInput("no table file uploaded: send one table file (CSV, TSV, Parquet, JSON lines) "
                                   "as multipart/form-data, or a JSON body with table_id")
            return await run_in_threadpool(search, body, upload, name)

    def body_doc(model: type[UnionBody]) -> dict[str, Any]:
        """JSON (table_id required there) or multipart (a file and the other fields, as the model types them)."""
        schema = model.model_json_schema()
        def form_field(prop: dict[str, Any]) -> dict[str, Any]:  # a form leaves a field out, it cannot send null
            options = [o for o in prop.get("anyOf", []) if o.get("type") != "null"]
            if len(options) == 1:
                prop = {**{k: v for k, v in prop.items() if k not in ("anyOf", "default")}, **options[0]}
            return prop

        fields = {name: form_field(prop) for name, prop in schema.get("properties", {}).items() if name != "table_id"}
        required = [name for name, f in model.model_fields.items() if f.is_required() and name != "table_id"]
        json_schema = {**schema, "required": sorted({*schema.get("required", []), "table_id"})}
        return {"requestBody": {"required": True, "content": {
            "application/json": {"schema": json_schema},
            "multipart/form-data": {"schema": {"type": "object", "required": ["file", *required],
                                               "additionalProperties": False, "properties": {
                "file": {"type": "string", "format": "binary",
                         "description": "one table file (CSV, TSV, Parquet, JSON lines; union: at most "
                                        f"{MAX_QUERY_COLUMNS} columns)"}, **fields}}}}}}

    errors = {400: {"model": ErrorBody, "description": "invalid input (the message says which)"},
              404: {"model": ErrorBody, "description": "no such table in the catalog"},
              413: {"model": ErrorBody, "description": "upload or body too large"},
              415: {"model": ErrorBody, "description": "neither JSON nor multipart/form-data"},
              503: {"model": ErrorBody, "description": "no catalog, or a catalog without tables"}}

    @app.post("/tables/union", tags=["tables"], openapi_extra=body_doc(UnionBody), responses=errors,
              summary="Tables unionable with a table of the catalog or an uploaded one",
              description="Ranked tables with score, column alignment (query column -> candidate column) and "
                          "score components.")
    async def union_post(request: Request) -> Any:
        return await handle(request, UnionBody)

    @app.post("/tables/join", tags=["tables"], openapi_extra=body_doc(JoinBody), responses=errors,
              summary="Columns joinable with a column of a catalog table or an uploaded one",
              description="Ranked (table, column) with exact containment and overlap counts.")
    async def join_post(request: Request) -> Any:
        return await handle(request, JoinBody)

    return holder
