"""The asset graph over HTTP: lineage, license check across lineage, models for a dataset,
datasets for a model, comparison. Each is a GET (in the OpenAPI docs, tag "graph") that
answers what the CLI answers with --json.

Registered before `GET /assets/{id}` (whose id may contain '/'), so that
`/assets/<id>/lineage` and `/assets/<id>/license-check` reach these routes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from assetscout.catalog.graph.lineage import MAX_DEPTH, MAX_NODES

if TYPE_CHECKING:
    from fastapi import FastAPI

    from assetscout.search.http_engine import EngineHolder

ID_HELP = "asset id, e.g. hf:model/BAAI/bge-m3 (':' and '/' may stay unescaped)"


def add_graph_routes(app: "FastAPI", holder: "EngineHolder", errors_doc: dict[int, Any]) -> None:
    from fastapi import Path as PathParam
    from fastapi import Query as QueryParam

    from assetscout.search.http_errors import ErrorBody

    not_found = {**errors_doc, 404: {"model": ErrorBody, "description": "no such asset"}}

    @app.get("/assets/{asset_id:path}/lineage", tags=["graph"], responses=not_found,
             summary="What an asset was made from and what was made from it",
             description="Nodes (placeholders for parents and datasets named but not in the catalog: "
                         "in_catalog false), edges from the derived asset to what it derives from, with the "
                         "relation and the sources that state it; cycles and self-loops found in the metadata. "
                         "The walk stops at `limit` nodes (truncated: true).")
    def lineage_get(
        asset_id: str = PathParam(description=ID_HELP),
        direction: Literal["up", "down", "both"] = QueryParam(
            "both", description="up: ancestors and datasets used; down: descendants and users; both"),
        depth: int = QueryParam(3, ge=1, le=MAX_DEPTH, description="hops to follow"),
        relation: list[str] = QueryParam([], description="keep only these relations (repeatable): finetune, "
                                                         "adapter, quantized, merge, distilled, derived, base, "
                                                         "trained_on, pretrained_on, finetuned_on, evaluated_on"),
        limit: int = QueryParam(500, ge=1, le=MAX_NODES, description="most nodes to return"),
    ) -> Any:
        with holder.reading() as engine:
            return engine.lineage(asset_id, direction=direction, depth=depth, relations=relation or None,
                                  limit=limit)

    @app.get("/assets/{asset_id:path}/license-check", tags=["graph"], responses=not_found,
             summary="License compliance across lineage",
             description="What the asset inherits from its ancestors and training data: status clean / "
                         "conflict / unknown, whether commercial use is safe across lineage, and each finding "
                         "(rule, severity, the ancestor, both licenses, the path to it).")
    def license_check_get(asset_id: str = PathParam(description=ID_HELP)) -> Any:
        with holder.reading() as engine:
            return engine.license_check(asset_id)
