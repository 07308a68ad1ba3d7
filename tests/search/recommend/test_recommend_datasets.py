"""Datasets for a model on the graph zoo: family evidence, task share, license notes, and no leak when hidden."""

from __future__ import annotations

import pytest

from assetscout.errors import InvalidInput, NotFound
from assetscout.search.recommend.datasets import DatasetRecommender, _leave_own_out, license_note


@pytest.fixture(scope="module")
def rec(graph_catalog):
    con = graph_catalog[0].connect()
    yield DatasetRecommender(con)
    con.close()


def test_family_and_task_evidence(rec):
    out = rec.recommend("hf:model/org/clean-base")
    top = out.suggestions[0]
    assert top.dataset_id == "hf:dataset/org/open-data" and top.used_by_family == ["hf:model/org/clean-child"]
    assert top.trained_by == 1 and top.evaluated_by == 0
    assert out.related_models == 1 and out.already_used == []
    shares = {s.dataset_id: s.task_share for s in out.suggestions}
    # its text-classification peers that use any dataset: trained-on-nc (nc-data) and clean-child (open-data)
    assert shares["hf:dataset/org/nc-data"] == pytest.approx(1 / 2)
    assert "50% of the text-classification models with known datasets use it" in out.suggestions[1].why


def test_already_used_is_listed_apart(rec):
    out = rec.recommend("hf:model/org/trained-on-nc")
    assert out.already_used == ["hf:dataset/org/nc-data"]
    assert "hf:dataset/org/nc-data" not in {s.dataset_id for s in out.suggestions}


def test_license_notes():
    commercial = {"non_commercial": False}
    assert "may not be used commercially" in license_note({"license": "CC-BY-NC-4.0", "non_commercial": True},
                                                           commercial)
    assert license_note({"license": None, "license_class": "unknown"}, commercial).startswith("license unknown")
    assert "share-alike" in license_note({"license": "CC-BY-SA-4.0", "license_class": "copyleft"}, commercial)
    assert license_note({"license": "MIT", "license_class": "permissive"}, commercial) == "MIT: compatible"


def test_errors(rec):
    with pytest.raises(NotFound, match="no model 'hf:dataset/org/nc-data'"):
        rec.recommend("hf:dataset/org/nc-data")
    with pytest.raises(InvalidInput, match="k must be"):
        rec.recommend("hf:model/org/clean-base", k=10**6)


def test_hidden_use_does_not_leak(rec):
    rows = {r["model"]: r for r in _leave_own_out(rec, min_datasets=1, k=10, progress=False)}
    assert set(rows) == {"hf:model/org/clean-child", "hf:model/org/trained-on-nc"}
    # clean-child's only dataset (open-data) is used by nobody else: hidden, it cannot be suggested
    assert rows["hf:model/org/clean-child"]["method"] == 0.0
    assert rec.uses["hf:model/org/clean-child"]  # restored after the run
