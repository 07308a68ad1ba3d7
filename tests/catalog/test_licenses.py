"""License normalization: spellings -> SPDX id, class, non-commercial flag."""

from __future__ import annotations

import pytest

from assetscout.catalog.licenses import LICENSE_CLASSES, known_license_ids, normalize_license


@pytest.mark.parametrize("raw", [
    "apache 2.0", "Apache License 2.0", "apache-2.0", "Apache-2.0", "Apache License, Version 2.0",
    "license:apache-2.0", '"apache-2.0"', "http://www.apache.org/licenses/LICENSE-2.0",
])
def test_apache_spellings(raw: str) -> None:
    lic = normalize_license(raw)
    assert (lic.spdx, lic.license_class, lic.non_commercial) == ("Apache-2.0", "permissive", False)


@pytest.mark.parametrize("raw, spdx, cls, nc", [
    ("mit", "MIT", "permissive", False),
    ("MIT License", "MIT", "permissive", False),
    ("cc0-1.0", "CC0-1.0", "public-domain", False),
    ("cc-by-nc-4.0", "CC-BY-NC-4.0", "permissive", True),
    ("cc-by-nc-sa-4.0", "CC-BY-NC-SA-4.0", "copyleft", True),
    ("CC BY 4.0", "CC-BY-4.0", "permissive", False),
    ("gpl-3.0", "GPL-3.0-only", "copyleft", False),
    ("lgpl-lr", "LicenseRef-LGPL-LR", "weak-copyleft", False),
    ("openrail", "LicenseRef-OpenRAIL", "responsible-ai", False),
    ("openrail++", "LicenseRef-OpenRAIL++", "responsible-ai", False),
    ("creativeml-openrail-m", "LicenseRef-CreativeML-OpenRAIL-M", "responsible-ai", False),
    ("CreativeML OpenRAIL-M", "LicenseRef-CreativeML-OpenRAIL-M", "responsible-ai", False),
    ("bigscience-bloom-rail-1.0", "LicenseRef-BigScience-BLOOM-RAIL-1.0", "responsible-ai", False),
    ("llama2", "LicenseRef-Llama2", "proprietary", False),
    ("llama3", "LicenseRef-Llama3", "proprietary", False),
    ("gemma", "LicenseRef-Gemma", "proprietary", False),
    ("deepfloyd-if-license", "LicenseRef-DeepFloyd-IF", "proprietary", True),
    ("other", "LicenseRef-Other", "proprietary", None),
    ("unspecified-noncommercial", "LicenseRef-Unspecified-NonCommercial", "proprietary", True),
    ("https://ai.google.dev/gemma/terms", "LicenseRef-Gemma", "proprietary", False),
])
def test_known_licenses(raw: str, spdx: str, cls: str, nc: bool | None) -> None:
    lic = normalize_license(raw)
    assert (lic.spdx, lic.license_class, lic.non_commercial) == (spdx, cls, nc)


@pytest.mark.parametrize("raw", [None, "", "unknown", "not specified", "...", "[]", "my very own license"])
def test_unknown_is_never_guessed(raw) -> None:
    lic = normalize_license(raw)
    assert lic.spdx is None and lic.license_class == "unknown" and lic.non_commercial is None


def test_noncommercial_words_flag_an_unknown_license() -> None:
    lic = normalize_license("Research-only license, non-commercial use")
    assert lic.license_class == "unknown" and lic.non_commercial is True


def test_repository_license_url_is_unknown_unless_known_repo() -> None:
    assert normalize_license("https://huggingface.co/foo/bar/blob/main/LICENSE").license_class == "unknown"
    assert normalize_license(
        "https://raw.githubusercontent.com/pytorch/vision/master/LICENSE").spdx == "BSD-3-Clause"


def test_every_canonical_id_has_a_valid_class() -> None:
    for spdx in known_license_ids():
        lic = normalize_license(spdx)
        assert lic.spdx == spdx, spdx
        assert lic.license_class in LICENSE_CLASSES


def test_against_peatmoss_hand_labelled_licenses(shared_data) -> None:
    """Every license string PeaTMOSS's labellers and the Hub wrote maps to a known id,
    except strings that name no license."""
    from assetscout.catalog.readers.peatmoss import load_peatmoss_licenses

    pairs = load_peatmoss_licenses(shared_data / "cards" / "peatmoss_metadata")
    assert len(pairs) > 1000
    not_a_license = {"unknown", "cc", "https://tfhub.dev/google/LaBSE/1"}
    unresolved = sorted({raw for _, raw in pairs
                         if normalize_license(raw).spdx is None and raw not in not_a_license})
    assert unresolved == []
    share_known = sum(1 for _, raw in pairs if normalize_license(raw).spdx) / len(pairs)
    assert share_known > 0.99
