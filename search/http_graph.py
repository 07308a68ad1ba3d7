"""The asset graph over HTTP: lineage, license check across lineage, models for a dataset,
datasets for a model, comparison. Each is a GET (in the OpenAPI docs, tag "graph") that
answers what the CLI answers with --json.

Registered before `GET /assets/{id}` (whose id may contain '/'), so that
`/assets/<id>/lineage` and `/assets/<id>/license-check` reach these routes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from starlette.requests import Request

from assetscout.catalog.graph.lineage import MAX_DEPTH, MAX_NODES
from assetscout.search.http_schema import WS

if TYPE_CHECKING:
    from fastapi import FastAPI

    from assetscout.search.http_engine import EngineHolder

ID_HELP = "asset id, e.g. hf:model/BAAI/bge-m3 (':' and '/' may stay unescaped)"
# documented, not enforced by FastAPI: the engine refuses with its own message
ID_PATTERN = rf"^[^{WS}\x00-\x1f](?:[^\x00-\x1f]{{0,498}}[^{WS}\x00-\x1f])?$"  # 1..500, no blank edges
ID_SCHEMA = {"minLength": 1, "maxLength": 500, "pattern": ID_PATTERN}
COMPARE_ID_PATTERN = rf"^[^,{WS}\x00-\x1f](?:[^,\x00-\x1f]{{0,498}}[^,{WS}\x00-\x1f])?$"  # a comma splits ids


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
        asset_id: str = PathParam(description=ID_HELP, json_schema_extra=ID_SCHEMA),
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
    def license_check_get(asset_id: str = PathParam(description=ID_HELP, json_schema_extra=ID_SCHEMA)) -> Any:
        with holder.reading() as engine:
            return engine.license_check(asset_id)

    @app.get("/recommend/models", tags=["graph"], responses=not_found,
             summary="Models for a dataset: from evaluations on it, on similar benchmarks, and lineage",
             description="Give `dataset` (a dataset of the catalog) or `describe` (your data in words). Models "
                         "evaluated on the dataset come first by their result there; the others by their "
                         "similarity-weighted percentile on the most similar benchmarks, with their parents' "
                         "evidence pooled in. Each suggestion says why. The first call builds the benchmark "
                         "vectors (seconds); later calls take milliseconds.")
    def recommend_models_get(
        dataset: str | None = QueryParam(None, max_length=500, description="dataset asset id or benchmark name",
                                         examples=["hf:dataset/imagenet-1k"]),
        describe: str | None = QueryParam(None, max_length=4000, description="the dataset in words"),
        task: str | None = QueryParam(None, max_length=200, description="the task, e.g. text-classification"),
        filter_: list[str] = QueryParam([], alias="filter", description="KEY=VALUE constraints on the models, as "
                                        "GET /search takes them, e.g. max_parameters=100M, license_class=permissive"),
        k: int = QueryParam(10, ge=1, le=200, description="number of models"),
    ) -> Any:
        from assetscout.search.query import parse_filter_args

        filters = parse_filter_args(filter_)
        with holder.reading() as engine:
            return engine.recommend_models(dataset=dataset, describe=describe, task=task, filters=filters, k=k)

    @app.get("/recommend/datasets", tags=["graph"], responses=not_found,
             summary="Datasets to evaluate or fine-tune a model on",
             description="Datasets used (evaluated or trained on) by the model's lineage family and its nearest "
                         "models by card vector, weighted by closeness, plus the share of same-task models using "
                         "them; datasets it already uses are listed apart. Each suggestion says who used it and "
                         "what its license means for the model.")
    def recommend_datasets_get(
        model: str = QueryParam(..., json_schema_extra={"pattern": ID_PATTERN}, description="a model's asset id",
                                examples=["hf:model/intfloat/multilingual-e5-base"]),
        k: int = QueryParam(10, ge=1, le=200, description="number of datasets"),
    ) -> Any:
        with holder.reading() as engine:
            return engine.recommend_datasets(model, k=k)

    @app.get("/compare", tags=["graph"], responses=not_found,
             summary="2-5 assets side by side: shared benchmarks, parameters, licenses",
             description="Benchmarks the assets share (metric, dataset, each asset's value with the metric and "
                         "source as written, direction, the best), then those one of them reports; null = not "
                         "reported. A browser (Accept: text/html) gets the compare page with charts.")
    def compare_get(request: Request,
                    ids: list[str] = QueryParam(..., description="2 to 5 asset ids: repeat ids= or comma-separate",
                                                json_schema_extra={"minItems": 2, "maxItems": 5, "uniqueItems": True,
                                                                   "items": {"type": "string",
                                                                             "pattern": COMPARE_ID_PATTERN}},
                                                examples=[["timm:model/resnet50.a1_in1k", "timm:model/resnet18.a1_in1k"]]),
                    ) -> Any:
        from assetscout.search.web import wants_html

        if wants_html(request):
            return request.app.state.pages.compare(request)
        with holder.reading() as engine:
            return engine.compare(ids)

