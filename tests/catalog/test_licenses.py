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
