"""The ingest engine on a tiny JSON-lines format: incremental, idempotent, per-record rejects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import pytest

from assetscout.catalog.ingest import ingest
from assetscout.catalog.readers.base import Reader, read_text
from assetscout.catalog.records import AssetRecord, Evaluation, LineageEdge, ReaderItem, Rejected


class JsonlModels(Reader):
    """Test format: one JSON object per line {id, license?, base?, score?}."""

    name = "test_jsonl"

    def claims(self, path: Path) -> bool:
        return path.suffix == ".jsonl"

    def read(self, path: Path) -> Iterator[ReaderItem]:
        for i, line in enumerate(read_text(path).splitlines(), 1):
            try:
                obj = json.loads(line)
            except ValueError as exc:
                yield Rejected(f"line is not JSON ({exc.msg})", line=i)
                continue
            rec = AssetRecord(asset_id=f"hf:model/{obj['id']}", kind="model", name=obj["id"],
                              license=obj.get("license"), line=i)
            if "base" in obj:
                rec.lineage.append(LineageEdge(f"hf:model/{obj['base']}", "finetune"))
            if "score" in obj:
                rec.evaluations.append(Evaluation("accuracy", obj["score"], dataset="ImageNet"))
            yield rec


def _write(path: Path, rows: list[dict | str]) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


def _count(catalog, sql: str) -> int:
    con = catalog.connect()
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def test_ingest_is_incremental_and_idempotent(tmp_path: Path, catalog) -> None:
    src = _write(tmp_path / "models.jsonl", [
        {"id": "a", "license": "apache 2.0", "score": 0.9},
        {"id": "b", "base": "a", "license": "cc-by-nc-4.0"},
        "{not json",
    ])
    r1 = ingest([src], catalog, readers=[JsonlModels()])
    s = r1.sources["test_jsonl"]
    assert (s.assets_added, s.assets_updated, s.rejected) == (2, 0, 1)
    assert r1.rejected[0].line == 3 and "not JSON" in r1.rejected[0].reason
    assert _count(catalog, "SELECT count(*) FROM asset") == 2
    assert _count(catalog, "SELECT count(*) FROM asset WHERE license_spdx = 'Apache-2.0'") == 1

    # unchanged file: nothing is read again, nothing changes
    r2 = ingest([src], catalog, readers=[JsonlModels()])
    assert r2.sources["test_jsonl"].files_unchanged == 1
    assert r2.sources["test_jsonl"].assets_added == 0

    # one record changed, one removed, one added: exactly that happens
    _write(src, [{"id": "a", "license": "mit", "score": 0.95}, {"id": "c"}])
    r3 = ingest([src], catalog, readers=[JsonlModels()])
    s = r3.sources["test_jsonl"]
    assert (s.assets_added, s.assets_updated, s.assets_removed) == (1, 1, 1)
    assert _count(catalog, "SELECT count(*) FROM asset") == 2
    assert _count(catalog, "SELECT count(*) FROM evaluation") == 1
    assert _count(catalog, "SELECT count(*) FROM evaluation WHERE value = 0.95") == 1
    assert _count(catalog, "SELECT count(*) FROM lineage") == 0
    assert _count(catalog, "SELECT count(*) FROM asset WHERE license_spdx = 'MIT'") == 1


def test_two_files_about_one_asset_merge(tmp_path: Path, catalog) -> None:
    (tmp_path / "x").mkdir()
    _write(tmp_path / "x" / "one.jsonl", [{"id": "m", "license": "mit"}])
    _write(tmp_path / "x" / "two.jsonl", [{"id": "m", "score": 0.5}])
    ingest([tmp_path / "x"], catalog, readers=[JsonlModels()])
    assert _count(catalog, "SELECT count(*) FROM asset") == 1
    assert _count(catalog, "SELECT len(sources) FROM asset") == 1
    assert _count(catalog, "SELECT count(*) FROM record") == 2
    assert _count(catalog, "SELECT count(*) FROM evaluation") == 1


def test_unreadable_file_keeps_previous_facts(tmp_path: Path, catalog) -> None:
    src = _write(tmp_path / "m.jsonl", [{"id": "a", "score": 0.9}])
    ingest([src], catalog, readers=[JsonlModels()])
    src.write_bytes(b"\xff\xfe\x00garbage")
    report = ingest([src], catalog, readers=[JsonlModels()])
    assert any("binary" in r.reason or "UTF-8" in r.reason for r in report.rejected)
    assert _count(catalog, "SELECT count(*) FROM evaluation") == 1
