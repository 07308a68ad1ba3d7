"""Bad input becomes one rejected record with a reason; everything else is ingested.

Each case sits in a folder next to good cards, with the real readers, through the real
ingest: truncated or garbled YAML, non-UTF-8 bytes, a 50 MB card, JSON of the wrong
shape, empty files, a directory symlink loop, and a file that vanishes mid-ingest.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from assetscout.catalog.ingest import IngestReport, ingest

GOOD_CARD = """---
license: apache-2.0
task_categories:
- text-classification
language:
- en
pretty_name: Good Dataset {n}
---
# Good dataset {n}

A small, well-formed dataset card number {n}.
"""


def _lake(tmp_path: Path) -> Path:
    """`data/hf_dataset_cards_x/cards/*.md` (dataset-card layout) + a canonical dataset folder."""
    cards = tmp_path / "data" / "hf_dataset_cards_x" / "cards"
    cards.mkdir(parents=True)
    for n in range(3):
        (cards / f"org_good{n}.md").write_text(GOOD_CARD.format(n=n), encoding="utf-8")
    canon = tmp_path / "data" / "hf_datasets_canonical_x" / "datasets"
    (canon / "okset").mkdir(parents=True)
    (canon / "okset" / "dataset_infos.json").write_text(json.dumps({
        "default": {"description": "ok", "license": "mit",
                    "features": {"text": {"dtype": "string", "_type": "Value"}},
                    "splits": {"train": {"name": "train", "num_examples": 3}}}}))
    return tmp_path / "data"


def _assets(catalog) -> set[str]:
    con = catalog.connect()
    try:
        return {r[0] for r in con.execute("SELECT asset_id FROM asset").fetchall()}
    finally:
        con.close()


GOOD = {"hf:dataset/org/good0", "hf:dataset/org/good1", "hf:dataset/org/good2", "hf:dataset/okset"}


def _only_reject(report: IngestReport, name: str) -> str:
    hits = [r for r in report.rejected if Path(r.file).name == name]
    assert len(hits) == 1, [(r.file, r.reason) for r in report.rejected]
    return hits[0].reason


def _check(tmp_path: Path, catalog, bad_name: str, bad_bytes: bytes) -> tuple[str, IngestReport]:
    root = _lake(tmp_path)
    (root / "hf_dataset_cards_x" / "cards" / bad_name).write_bytes(bad_bytes)
    report = ingest([root], catalog)
    assert GOOD <= _assets(catalog)
    return _only_reject(report, bad_name), report


def test_truncated_yaml(tmp_path, catalog) -> None:
    reason, _ = _check(tmp_path, catalog, "org_trunc.md", b"---\nlicense: mit\ntags:\n- a\n- b\n")
    assert "never closed" in reason


def test_garbled_yaml_names_the_line(tmp_path, catalog) -> None:
    bad = b"---\nlicense: mit\ntags: [a, b\npretty_name: x\n---\n# body\n"
    root = _lake(tmp_path)
    (root / "hf_dataset_cards_x" / "cards" / "org_garbled.md").write_bytes(bad)
    report = ingest([root], catalog)
    hit = [r for r in report.rejected if r.file.endswith("org_garbled.md")]
    assert len(hit) == 1 and "YAML" in hit[0].reason and hit[0].line is not None
    assert GOOD <= _assets(catalog)


def test_non_utf8_bytes(tmp_path, catalog) -> None:
    reason, _ = _check(tmp_path, catalog, "org_latin1.md",
                       "---\nlicense: mit\n---\nCaf\u00e9 cr\u00e8me\n".encode("latin-1"))
    assert "UTF-8" in reason


def test_fifty_megabyte_card(tmp_path, catalog) -> None:
    big = b"---\nlicense: mit\n---\n" + b"lorem ipsum " * (50 * 1024 * 1024 // 12)
    reason, _ = _check(tmp_path, catalog, "org_huge.md", big)
    assert "MB" in reason and "limit" in reason


def test_empty_file(tmp_path, catalog) -> None:
    reason, _ = _check(tmp_path, catalog, "org_empty.md", b"")
    assert "empty" in reason


def test_json_of_the_wrong_shape(tmp_path, catalog) -> None:
    root = _lake(tmp_path)
    wrong = root / "hf_datasets_canonical_x" / "datasets" / "listy"
    wrong.mkdir()
    (wrong / "dataset_infos.json").write_text(json.dumps([1, 2, 3]))
    empty = root / "hf_datasets_canonical_x" / "datasets" / "blank"
    empty.mkdir()
    (empty / "dataset_infos.json").write_text("")
    report = ingest([root], catalog)
    reasons = {Path(r.file).parent.name: r.reason for r in report.rejected}
    assert "listy" in reasons and "blank" in reasons
    assert "empty" in reasons["blank"]
    assert GOOD <= _assets(catalog)


def test_directory_symlink_loop(tmp_path, catalog) -> None:
    root = _lake(tmp_path)
    os.symlink(root, root / "hf_dataset_cards_x" / "cards" / "loop")
    report = ingest([root], catalog)
    loops = [r for r in report.rejected if "loop" in r.reason]
    assert len(loops) == 1 and loops[0].file.endswith("loop")
    assert GOOD <= _assets(catalog)


def test_file_vanishing_mid_ingest(tmp_path, catalog) -> None:
    root = _lake(tmp_path)
    victim = root / "hf_dataset_cards_x" / "cards" / "org_good1.md"

    def progress(i: int, total: int, path: str) -> None:
        if path.endswith("org_good0.md") and victim.exists():
            victim.unlink()  # gone between the walk and its turn to be read

    report = ingest([root], catalog, progress=progress)
    gone = [r for r in report.rejected if r.file.endswith("org_good1.md")]
    assert len(gone) == 1 and "disappeared" in gone[0].reason
    assert GOOD - {"hf:dataset/org/good1"} <= _assets(catalog)
