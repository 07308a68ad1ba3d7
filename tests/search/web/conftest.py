"""A small real catalog for the page tests: OpenVINO cards, two Hub cards, a hostile card, a UGEN lake.

Built once per session with the packaged all-MiniLM-L6-v2 (the model a user runs):
~30 model cards from ../shared/data, one topic of the UGEN-V1 union benchmark as the
table lake, and `evil@xss-model.md`, a card written to attack the page.
"""

from __future__ import annotations

import os
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SHARED = Path(os.environ.get("ASSETSCOUT_SHARED_DATA", REPO.parent / "shared" / "data"))
OPENVINO = ["ssd_mobilenet_v1_coco", "ssd_mobilenet_v1_fpn_coco", "ssdlite_mobilenet_v2", "efficientdet-d0-tf",
            "efficientdet-d1-tf", "detr-resnet50", "faster_rcnn_resnet50_coco", "mask_rcnn_resnet50_atrous_coco",
            "rfcn-resnet101-coco-tf", "yolof", "resnet-18-pytorch", "resnet-34-pytorch", "resnet-50-pytorch",
            "resnet-50-tf", "mobilenet-v2-1.0-224", "mobilenet-v3-small-1.0-224-tf", "mobilenet-v3-large-1.0-224-tf",
            "efficientnet-v2-s", "resnest-50-pytorch", "inception-resnet-v2-tf"]
HUB_CARDS = ["BAAI@bge-m3"]
LAKE_TOPIC = "Sports"
XSS_CARD = """---
license: mit
pipeline_tag: text-classification
base_model: BAAI/bge-m3
tags: ["<img src=x onerror=alert('tag')>"]
---
# <script>window.__pwned = 'title'</script> evil model

A classifier whose card tries to run script: <script>window.__pwned = 'body'</script>
<img src="x" onerror="window.__pwned = 'img'">
[click me](javascript:window.__pwned='link') and [data](data:text/html,<script>alert(1)</script>)
<a href="javascript:window.__pwned='a'">raw anchor</a> <iframe src="https://example.com"></iframe>
![pixel](https://tracker.example.com/p.png)
<svg onload="window.__pwned='svg'"></svg> [fine link](https://huggingface.co/BAAI/bge-m3)
"""


def build_corpus(root: Path) -> Path:
    """Copy the selection under `root` (the folder layout the readers recognize) and write the hostile card."""
    if not SHARED.is_dir():
        pytest.skip(f"shared data not found at {SHARED}")
    from assetscout.catalog.demo.build import lake_files

    cards = SHARED / "cards"
    for name in OPENVINO:
        src = cards / "openvino_open_model_zoo" / "models" / "public" / name
        if src.is_dir():
            shutil.copytree(src, root / "cards" / "openvino_open_model_zoo" / "models" / "public" / name)
    for name in HUB_CARDS:
        src = cards / "hf_model_cards_misc" / "asgaardlab_popular_cards" / name
        if src.is_dir():
            shutil.copytree(src, root / "cards" / "hf_model_cards_misc" / "asgaardlab_popular_cards" / name)
    for rel, src in lake_files(SHARED / "tables" / "ugen_v1", (LAKE_TOPIC,)):
        dest = root / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
    hostile = root / "cards" / "hostile" / "evil@xss-model.md"
    hostile.parent.mkdir(parents=True)
    hostile.write_text(XSS_CARD, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def web_catalog(tmp_path_factory) -> Path:
    """The catalog directory: ingested, search index and table indexes built with the real model."""
    from assetscout.catalog.ingest import ingest
    from assetscout.catalog.store import open_catalog
    from assetscout.embed.text import SentenceTransformerEncoder
    from assetscout.search.build import build_search_index
    from assetscout.tables.catalog_index import update_table_index

    root = tmp_path_factory.mktemp("web")
    corpus = build_corpus(root / "corpus")
    catalog = open_catalog(root / "catalog")
    ingest([corpus], catalog)
    encoder = SentenceTransformerEncoder()
    build_search_index(catalog, encoder, progress=False)
    update_table_index(catalog, encoder, progress=False)
    return root / "catalog"


@pytest.fixture(scope="session")
def web_server(web_catalog):
    """A real uvicorn serving the catalog (pages and API); yields its base URL."""
    from assetscout.embed.text import SentenceTransformerEncoder
    from assetscout.search.app import AppSettings, create_app, serve_in_background

    settings = AppSettings(catalog_dir=web_catalog, encoder=SentenceTransformerEncoder(), max_file_bytes=256 * 1024)
    with serve_in_background(create_app(settings)) as url:
        yield url


@pytest.fixture(scope="session")
def lake_query(web_catalog) -> Path:
    """The UGEN query table of the lake topic (a real CSV to upload)."""
    found = sorted((SHARED / "tables" / "ugen_v1" / "query").glob(f"{LAKE_TOPIC}_*.csv"))
    if not found:
        pytest.skip("UGEN-V1 query table not found")
    return found[0]


class Doc(HTMLParser):
    """Every element and attribute of a piece of HTML, as a browser's parser sees them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def links(self, cls: str | None = None) -> list[str]:
        return [a["href"] or "" for t, a in self.tags if t == "a" and a.get("href")
                and (cls is None or cls in (a.get("class") or "").split())]


@pytest.fixture(scope="session")
def parse_html():
    """`Doc(html)`: the elements of a page or fragment (for tests in this folder)."""
    return Doc
