"""HELM reader: one asset per model_metadata.yaml entry, broken entries rejected alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from assetscout.catalog.readers.helm import (
    HELMManifestReader,
    HELMReader,
    readable_tag,
    tasks_from_tags,
)
from assetscout.catalog.records import AssetRecord, Rejected, Skipped
from assetscout.errors import RecordError

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
HELM_FILE = DATA / "cards" / "helm_model_metadata" / "model_metadata.yaml"

GOOD = """\
# HELM models
models:
  - name: acme/lm-7b
    display_name: Acme LM (7B)
    description: Acme LM is a 7B model ([paper](https://example.org)). It writes text.
    creator_organization_name: Acme
    access: open
    num_parameters: 7000000000
    release_date: 2023-07-18
    tags: [TEXT_MODEL_TAG, FULL_FUNCTIONALITY_TEXT_MODEL_TAG]

  - just a string
  - display_name: No Name
    access: open
  - name: acme/bad-size
    num_parameters: seven
    tags: [TEXT_MODEL_TAG]
  - name: acme/vlm # a comment
    display_name: Acme VLM
    description: Sees and reads.
    creator_organization_name: Acme
    access: limited
    release: 2024-10-21
    tags: [VISION_LANGUAGE_MODEL_TAG, DEPRECATED_MODEL_TAG]
  - name: acme/lm-7b
    display_name: Acme LM again
    tags: [TEXT_MODEL_TAG]
  - name: acme/old
    access: closed
    tags: [UNSUPPORTED_MODEL_TAG]
  - name: acme/tags-not-list
    tags: {a: 1}
"""


def _write(tmp_path: Path, text: str, name: str = "model_metadata.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_tag_helpers() -> None:
    assert readable_tag("TEXT_MODEL_TAG") == "text-model"
    assert readable_tag("FULL_FUNCTIONALITY_VLM_TAG") == "full-functionality-vlm"
    assert tasks_from_tags(["TEXT_MODEL_TAG", "VISION_LANGUAGE_MODEL_TAG"]) == [
        "text-generation", "image-text-to-text",
    ]
    assert tasks_from_tags(["TEXT_TO_IMAGE_MODEL_TAG"]) == ["text-to-image"]
    assert tasks_from_tags(["DEPRECATED_MODEL_TAG"]) == ["text-generation"]


def test_entries_read_and_broken_ones_rejected_with_line(tmp_path: Path) -> None:
    items = list(HELMReader().read(_write(tmp_path, GOOD)))
    bad = [i for i in items if isinstance(i, Rejected)]
    assert [(r.line, r.reason.split(" ", 3)[2]) for r in bad] == [
        (12, "2"), (13, "3"), (15, "4"), (25, "6"), (31, "8"),
    ]
    assert "is a str, expected a mapping" in bad[0].reason
    assert "has no 'name'" in bad[1].reason
    assert "num_parameters 'seven' is not a number" in bad[2].reason
    assert "repeats the entry at line 3" in bad[3].reason
    assert "'tags' is not a list" in bad[4].reason

    recs = {i.asset_id: i for i in items if isinstance(i, AssetRecord)}
    assert list(recs) == ["helm:model/acme/lm-7b", "helm:model/acme/vlm", "helm:model/acme/old"]
    lm = recs["helm:model/acme/lm-7b"]
    assert lm.title == "Acme LM (7B)" and lm.organization == "Acme" and lm.access == "open"
    assert lm.parameters == 7_000_000_000 and lm.created == "2023-07-18" and lm.line == 3
    assert lm.tags == ["text-model", "full-functionality-text-model"]
    assert lm.tasks == ["text-generation"] and lm.priority == 20 and lm.kind == "model"
    assert lm.card_text.startswith("Acme LM is a 7B model ([paper]")
    assert lm.summary == "Acme LM is a 7B model (paper). It writes text."
    vlm = recs["helm:model/acme/vlm"]
    assert vlm.created == "2024-10-21"  # HELM's 'release' spelling
    assert vlm.tasks == ["image-text-to-text"] and vlm.parameters is None
    assert recs["helm:model/acme/old"].access == "closed"


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("models:\n  - name: a\n    tags: [X\n", "not valid YAML", 4),
        ("- name: a\n", "not a YAML mapping", 1),
        ("other: 1\n", "no top-level 'models' list", 1),
        ("# c\nmodels: 3\n", "'models' is not a list", 2),
    ],
)
def test_whole_file_problems_raise(tmp_path: Path, text: str, message: str, line: int) -> None:
    with pytest.raises(RecordError, match=message) as err:
        list(HELMReader().read(_write(tmp_path, text)))
    assert err.value.line == line


def test_empty_model_list_is_skipped(tmp_path: Path) -> None:
    items = list(HELMReader().read(_write(tmp_path, "models: [] # no private models\n")))
    assert len(items) == 1 and isinstance(items[0], Skipped)


def test_claims(tmp_path: Path) -> None:
    reader = HELMReader()
    assert reader.claims(_write(tmp_path, GOOD))
    assert reader.claims(_write(tmp_path, GOOD, "my_models.yml"))  # HELM-shaped content
    assert not reader.claims(_write(tmp_path, "models:\n  - name: x\n", "other.yaml"))
    assert not reader.claims(_write(tmp_path, "Models:\n  - Name: resnet\n", "model-index.yml"))
    assert not reader.claims(_write(tmp_path, GOOD, "model_metadata.md"))
    manifest = _write(tmp_path, "# Stanford HELM model catalog\n", "MANIFEST.md")
    assert HELMManifestReader().claims(manifest)
    assert not HELMManifestReader().claims(_write(tmp_path, "# HELM\n", "README.md"))


# ---------------------------------------------------------------- the real file


@pytest.fixture(scope="module")
def real_items() -> list:
    if not HELM_FILE.is_file():
        pytest.skip(f"shared data not found at {HELM_FILE}")
    return list(HELMReader().read(HELM_FILE))


def test_real_file_counts(real_items: list) -> None:
    recs = [i for i in real_items if isinstance(i, AssetRecord)]
    bad = [i for i in real_items if isinstance(i, Rejected)]
    assert len(recs) == 631  # 632 entries, one listed twice
    assert len(bad) == 1 and "inceptionai/jais-family-6p7b-chat" in bad[0].reason
    assert bad[0].line == 4516
    access = {a: sum(r.access == a for r in recs) for a in ("open", "limited", "closed")}
    assert access == {"open": 368, "limited": 257, "closed": 6}
    assert 380 <= sum(r.parameters is not None for r in recs) <= 390
    assert sum("vision-language-model" in r.tags for r in recs) == 137


def test_real_file_known_models(real_items: list) -> None:
    recs = {i.asset_id: i for i in real_items if isinstance(i, AssetRecord)}
    llama = recs["helm:model/meta/llama-2-7b"]
    assert llama.title == "Llama 2 (7B)" and llama.organization == "Meta"
    assert llama.access == "open" and llama.parameters == 7_000_000_000
    assert llama.created == "2023-07-18" and llama.line == 2141
    claude = recs["helm:model/anthropic/claude-2.0"]
    assert claude.access == "limited" and claude.parameters is None
    assert "ablation-model" in claude.tags and claude.tasks == ["text-generation"]
    assert recs["helm:model/deepmind/gopher"].access == "closed"  # '# NOT SUPPORTED' comment
    granite = recs["helm:model/ibm-granite/granite-3.0-2b-instruct"]
    assert granite.created == "2024-10-21" and granite.organization == "IBM"
    assert recs["helm:model/adobe/giga-gan"].tasks == ["text-to-image"]


def test_unreadable_value_rejects_only_its_entry(tmp_path: Path) -> None:
    text = "models:\n  - name: a/bad-date\n    release_date: 2023-13-45\n  - name: a/ok\n"
    items = list(HELMReader().read(_write(tmp_path, text)))
    assert isinstance(items[0], Rejected) and items[0].line == 2
    assert "entry 1 has a value YAML cannot read" in items[0].reason
    assert isinstance(items[1], AssetRecord) and items[1].asset_id == "helm:model/a/ok"
