"""License normalization: a raw license string -> SPDX id, license class, non-commercial flag.

Sources write the same license many ways ("apache 2.0", "Apache License 2.0",
"apache-2.0", a URL to apache.org, "license:apache-2.0"). Practitioners filter on the
*class* (can I ship this commercially?), so that is what we compute, conservatively:
a string we do not recognize is `unknown`, never guessed permissive.

Classes say what obligations come with use: public-domain, permissive, weak-copyleft,
copyleft, responsible-ai (the OpenRAIL family: use restrictions attached), proprietary
(custom or community licenses of one vendor, no-derivatives terms, "other"), unknown.
The non-commercial flag is orthogonal: CC-BY-NC-SA-4.0 is copyleft *and*
non-commercial. "Can I ship this in a product?" is `class in (...) and not non_commercial`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LICENSE_CLASSES: tuple[str, ...] = (
    "public-domain", "permissive", "weak-copyleft", "copyleft", "responsible-ai",
    "proprietary", "unknown",
)


@dataclass(frozen=True)
class License:
    """A normalized license. `spdx` is an SPDX id, or a LicenseRef-style id when SPDX has none."""

    spdx: str | None
    license_class: str
    non_commercial: bool | None  # None: unknown


# canonical id -> (class, non-commercial). Ids follow SPDX where SPDX has one; the
# Hub's names (openrail, llama2, gemma, ...) are kept as LicenseRef-* otherwise.
_KNOWN: dict[str, tuple[str, bool | None]] = {
    "CC0-1.0": ("public-domain", False),
    "Unlicense": ("public-domain", False),
    "PDDL-1.0": ("public-domain", False),
    "WTFPL": ("public-domain", False),
    "Apache-2.0": ("permissive", False),
    "Apache-1.1": ("permissive", False),
    "MIT": ("permissive", False),
    "BSD-2-Clause": ("permissive", False),
    "BSD-3-Clause": ("permissive", False),
    "BSD-3-Clause-Clear": ("permissive", False),
    "LicenseRef-BSD": ("permissive", False),
    "ISC": ("permissive", False),
    "Zlib": ("permissive", False),
    "AFL-3.0": ("permissive", False),
    "BSL-1.0": ("permissive", False),
    "Artistic-2.0": ("permissive", False),
    "ECL-2.0": ("permissive", False),
    "PostgreSQL": ("permissive", False),
    "NCSA": ("permissive", False),
    "OFL-1.1": ("permissive", False),
    "CC-BY-4.0": ("permissive", False),
    "CC-BY-3.0": ("permissive", False),
    "CC-BY-2.5": ("permissive", False),
    "CC-BY-2.0": ("permissive", False),
    "ODC-By-1.0": ("permissive", False),
    "CDLA-Permissive-1.0": ("permissive", False),
    "CDLA-Permissive-2.0": ("permissive", False),
    "C-UDA-1.0": ("permissive", True),
    "LicenseRef-Apple-ASCL": ("permissive", False),
    "LGPL-2.1-only": ("weak-copyleft", False),
    "LGPL-2.0-only": ("weak-copyleft", False),
    "LGPL-3.0-only": ("weak-copyleft", False),
    "LGPL-3.0-or-later": ("weak-copyleft", False),
    "LicenseRef-LGPL-LR": ("weak-copyleft", False),
    "MPL-2.0": ("weak-copyleft", False),
    "EPL-1.0": ("weak-copyleft", False),
    "EPL-2.0": ("weak-copyleft", False),
    "EUPL-1.1": ("weak-copyleft", False),
    "EUPL-1.2": ("weak-copyleft", False),
    "OSL-3.0": ("copyleft", False),
    "CC-BY-SA-4.0": ("copyleft", False),
    "CC-BY-SA-3.0": ("copyleft", False),
    "CC-BY-SA-2.0": ("copyleft", False),
    "ODbL-1.0": ("copyleft", False),
    "CDLA-Sharing-1.0": ("copyleft", False),
    "GFDL-1.3-only": ("copyleft", False),
    "GPL-2.0-only": ("copyleft", False),
    "GPL-3.0-only": ("copyleft", False),
    "GPL-3.0-or-later": ("copyleft", False),
    "LicenseRef-GPL": ("copyleft", False),
    "AGPL-3.0-only": ("copyleft", False),
    "CC-BY-NC-4.0": ("permissive", True),
    "CC-BY-NC-3.0": ("permissive", True),
    "CC-BY-NC-2.0": ("permissive", True),
    "CC-BY-NC-SA-4.0": ("copyleft", True),
    "CC-BY-NC-SA-3.0": ("copyleft", True),
    "CC-BY-NC-SA-2.0": ("copyleft", True),
    "CC-BY-NC-ND-4.0": ("proprietary", True),
    "CC-BY-NC-ND-3.0": ("proprietary", True),
    "CC-BY-ND-4.0": ("proprietary", False),
    "LicenseRef-CC-BY-NC": ("permissive", True),
    "LicenseRef-CC": ("unknown", None),
    "LicenseRef-OpenRAIL": ("responsible-ai", False),
    "LicenseRef-OpenRAIL++": ("responsible-ai", False),
    "LicenseRef-OpenRAIL-M": ("responsible-ai", False),
    "LicenseRef-CreativeML-OpenRAIL-M": ("responsible-ai", False),
    "LicenseRef-BigScience-OpenRAIL-M": ("responsible-ai", False),
    "LicenseRef-BigScience-BLOOM-RAIL-1.0": ("responsible-ai", False),
    "LicenseRef-BigCode-OpenRAIL-M": ("responsible-ai", False),
    "LicenseRef-Llama2": ("proprietary", False),
    "LicenseRef-Llama3": ("proprietary", False),
    "LicenseRef-Llama3.1": ("proprietary", False),
    "LicenseRef-Llama3.2": ("proprietary", False),
    "LicenseRef-Llama3.3": ("proprietary", False),
    "LicenseRef-Llama4": ("proprietary", False),
    "LicenseRef-Gemma": ("proprietary", False),
    "LicenseRef-DeepFloyd-IF": ("proprietary", True),
    "LicenseRef-NVIDIA-Open-Model": ("proprietary", False),
    "LicenseRef-Qodo": ("proprietary", False),
    "LicenseRef-Health-AI-Developer-Foundations": ("proprietary", False),
    "LicenseRef-TFHub-Terms": ("permissive", False),
    "LicenseRef-Other": ("proprietary", None),
    "LicenseRef-Unspecified-NonCommercial": ("proprietary", True),
}

# normalized key (lowercase alphanumerics) -> canonical id
_ALIASES: dict[str, str] = {}


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9+]", "", text.lower())


def _alias(canonical: str, *names: str) -> None:
    if canonical not in _KNOWN:
        raise KeyError(canonical)
    for name in (canonical, *names):
        _ALIASES[_key(name)] = canonical


_alias("CC0-1.0", "cc0", "cc0 1.0", "creative commons zero", "cc-zero", "public domain dedication")
_alias("Unlicense", "the unlicense", "unlicensed")  # "unlicensed" on the Hub means Unlicense
_alias("PDDL-1.0", "pddl", "odc-pddl")
_alias("WTFPL", "wtfpl")
_alias("Apache-2.0", "apache 2.0", "apache 2", "apache-2", "apache", "apache license 2.0",
       "apache license, version 2.0", "apache license version 2.0", "apache2", "apache v2",
       "apache software license 2.0", "apache license 2", "asl 2.0", "al2")
_alias("Apache-1.1", "apache 1.1")
_alias("MIT", "mit license", "the mit license", "expat", "mit-0")
_alias("BSD-2-Clause", "bsd 2-clause", "simplified bsd", "freebsd", "bsd 2 clause")
_alias("BSD-3-Clause", "bsd 3-clause", "new bsd", "modified bsd", "bsd 3 clause", "bsd-3")
_alias("BSD-3-Clause-Clear", "bsd-3-clause-clear")
_alias("LicenseRef-BSD", "bsd", "bsd license")
_alias("ISC", "isc license")
_alias("Zlib", "zlib license")
_alias("AFL-3.0", "afl 3.0", "academic free license 3.0", "afl")
_alias("BSL-1.0", "boost", "bsl", "boost software license")
_alias("Artistic-2.0", "artistic 2.0")
_alias("ECL-2.0", "ecl 2.0")
_alias("PostgreSQL", "postgresql license")
_alias("NCSA", "university of illinois/ncsa open source license")
_alias("OFL-1.1", "ofl", "sil open font license")
_alias("CC-BY-4.0", "cc by 4.0", "cc-by", "cc by", "creative commons attribution 4.0",
       "creative commons attribution 4.0 international", "cc-by 4.0", "ccby40", "attribution 4.0 international")
_alias("CC-BY-3.0", "cc by 3.0", "creative commons attribution 3.0", "cc-by 3.0")
_alias("CC-BY-2.5", "cc by 2.5")
_alias("CC-BY-2.0", "cc by 2.0")
_alias("ODC-By-1.0", "odc-by", "odc by", "open data commons attribution license")
_alias("CDLA-Permissive-1.0", "cdla-permissive")
_alias("CDLA-Permissive-2.0", "cdla permissive 2.0")
_alias("C-UDA-1.0", "c-uda", "computational use of data agreement")
_alias("LicenseRef-Apple-ASCL", "apple-ascl", "apple sample code license")
_alias("LGPL-2.1-only", "lgpl-2.1", "lgpl 2.1")
_alias("LGPL-2.0-only", "lgpl-2.0", "lgpl 2.0")
_alias("LGPL-3.0-only", "lgpl-3.0", "lgpl 3.0", "lgpl", "lgplv3")
_alias("LicenseRef-LGPL-LR", "lgpl-lr")
_alias("MPL-2.0", "mpl 2.0", "mozilla public license 2.0", "mpl")
_alias("EPL-1.0", "epl 1.0", "eclipse public license 1.0")
_alias("EPL-2.0", "epl 2.0", "eclipse public license 2.0")
_alias("EUPL-1.1", "eupl 1.1")
_alias("EUPL-1.2", "eupl 1.2")
_alias("OSL-3.0", "osl 3.0", "open software license 3.0")
_alias("CC-BY-SA-4.0", "cc by-sa 4.0", "cc by sa 4.0", "creative commons attribution share alike 4.0",
       "creative commons attribution-sharealike 4.0 international", "cc-by-sa", "cc by-sa")
_alias("CC-BY-SA-3.0", "cc by-sa 3.0", "cc by sa 3.0", "creative commons attribution-sharealike 3.0")
_alias("CC-BY-SA-2.0", "cc by-sa 2.0")
_alias("ODbL-1.0", "odbl", "open database license", "odc-odbl")
_alias("CDLA-Sharing-1.0", "cdla-sharing")
_alias("GFDL-1.3-only", "gfdl", "gfdl-1.3", "gnu free documentation license")
_alias("GPL-2.0-only", "gpl-2.0", "gpl 2.0", "gplv2", "gpl2", "gnu general public license v2")
_alias("GPL-3.0-only", "gpl-3.0", "gpl 3.0", "gplv3", "gpl3", "gnu general public license v3",
       "gnu general public license v3.0", "gnu gpl v3")
_alias("GPL-3.0-or-later", "gpl-3.0+", "gpl-3.0-or-later")
_alias("LicenseRef-GPL", "gpl", "gnu gpl")
_alias("AGPL-3.0-only", "agpl-3.0", "agpl 3.0", "agpl", "agplv3", "gnu affero general public license v3.0")
_alias("CC-BY-NC-4.0", "cc by-nc 4.0", "cc by nc 4.0", "creative commons attribution non commercial 4.0",
       "creative commons attribution-noncommercial 4.0 international", "cc-by-nc 4.0")
_alias("CC-BY-NC-3.0", "cc by-nc 3.0")
_alias("CC-BY-NC-2.0", "cc by-nc 2.0")
_alias("CC-BY-NC-SA-4.0", "cc by-nc-sa 4.0", "cc by nc sa 4.0",
       "creative commons attribution-noncommercial-sharealike 4.0 international")
_alias("CC-BY-NC-SA-3.0", "cc by-nc-sa 3.0")
_alias("CC-BY-NC-SA-2.0", "cc by-nc-sa 2.0")
_alias("CC-BY-NC-ND-4.0", "cc by-nc-nd 4.0", "creative commons attribution-noncommercial-noderivatives 4.0 international")
_alias("CC-BY-NC-ND-3.0", "cc by-nc-nd 3.0")
_alias("CC-BY-ND-4.0", "cc by-nd 4.0")
_alias("LicenseRef-CC-BY-NC", "cc-by-nc", "cc by-nc", "non-commercial", "noncommercial")
_alias("LicenseRef-CC", "cc", "creative commons")
_alias("LicenseRef-OpenRAIL", "openrail", "open rail")
_alias("LicenseRef-OpenRAIL++", "openrail++", "openrail++-m")
_alias("LicenseRef-OpenRAIL-M", "openrail-m")
_alias("LicenseRef-CreativeML-OpenRAIL-M", "creativeml-openrail-m", "creativeml openrail-m",
       "creativeml openrail m")
_alias("LicenseRef-BigScience-OpenRAIL-M", "bigscience-openrail-m", "bigscience openrail-m")
_alias("LicenseRef-BigScience-BLOOM-RAIL-1.0", "bigscience-bloom-rail-1.0", "bloom rail 1.0", "bigscience rail license v1.0")
_alias("LicenseRef-BigCode-OpenRAIL-M", "bigcode-openrail-m", "bigcode openrail-m")
_alias("LicenseRef-Llama2", "llama2", "llama 2", "llama-2", "llama 2 community license",
       "llama 2 community license agreement")
_alias("LicenseRef-Llama3", "llama3", "llama 3", "llama-3", "llama 3 community license")
_alias("LicenseRef-Llama3.1", "llama3.1", "llama 3.1", "llama-3.1")
_alias("LicenseRef-Llama3.2", "llama3.2", "llama 3.2", "llama-3.2")
_alias("LicenseRef-Llama3.3", "llama3.3", "llama 3.3", "llama-3.3")
_alias("LicenseRef-Llama4", "llama4", "llama 4")
_alias("LicenseRef-Gemma", "gemma", "gemma terms of use")
_alias("LicenseRef-DeepFloyd-IF", "deepfloyd-if-license", "deepfloyd if license")
_alias("LicenseRef-NVIDIA-Open-Model", "nvidia-open-model-license", "nvidia open model license")
_alias("LicenseRef-Qodo", "qodo-model", "qodoai-open-rail-m")
_alias("LicenseRef-Other", "other", "custom", "proprietary")
_alias("LicenseRef-Unspecified-NonCommercial", "unspecified-noncommercial")

for _canonical in _KNOWN:  # every canonical id is also its own spelling
    _ALIASES.setdefault(_key(_canonical), _canonical)
    if _canonical.startswith("LicenseRef-"):
        _ALIASES.setdefault(_key(_canonical[len("LicenseRef-"):]), _canonical)

_UNKNOWN_WORDS = {
    "", "unknown", "none", "n/a", "na", "not specified", "unspecified", "...", "tbd", "null",
    "no license", "[]", "-", "?",
}

# URL patterns -> canonical id. Repository LICENSE links cannot be read offline: they
# name *that* repository's license file, so without a mapping they stay unknown.
_URL_RULES: tuple[tuple[str, str], ...] = (
    (r"apache\.org/licenses/license-2\.0|opensource\.org/licenses/apache-2\.0", "Apache-2.0"),
    (r"opensource\.org/licenses/mit", "MIT"),
    (r"opensource\.org/licenses/bsd-3-clause", "BSD-3-Clause"),
    (r"opensource\.org/licenses/bsd-2-clause", "BSD-2-Clause"),
    (r"opensource\.org/licenses/gpl-3\.0|gnu\.org/licenses/gpl-3\.0", "GPL-3.0-only"),
    (r"opensource\.org/licenses/gpl-2\.0|gnu\.org/licenses/gpl-2\.0", "GPL-2.0-only"),
    (r"opensource\.org/licenses/lgpl-2\.1", "LGPL-2.1-only"),
    (r"opensource\.org/licenses/lgpl-3\.0", "LGPL-3.0-only"),
    (r"opensource\.org/licenses/mpl-2\.0", "MPL-2.0"),
    (r"creativecommons\.org/licenses/by/4\.0", "CC-BY-4.0"),
    (r"creativecommons\.org/licenses/by/3\.0", "CC-BY-3.0"),
    (r"creativecommons\.org/licenses/by-sa/4\.0", "CC-BY-SA-4.0"),
    (r"creativecommons\.org/licenses/by-sa/3\.0", "CC-BY-SA-3.0"),
    (r"creativecommons\.org/licenses/by-nc/4\.0", "CC-BY-NC-4.0"),
    (r"creativecommons\.org/licenses/by-nc-sa/4\.0", "CC-BY-NC-SA-4.0"),
    (r"creativecommons\.org/licenses/by-nc-nd/4\.0", "CC-BY-NC-ND-4.0"),
    (r"creativecommons\.org/publicdomain/zero", "CC0-1.0"),
    (r"opendatacommons\.org/licenses/odbl", "ODbL-1.0"),
    (r"opendatacommons\.org/licenses/by", "ODC-By-1.0"),
    (r"opendatacommons\.org/licenses/pddl", "PDDL-1.0"),
    (r"ai\.google\.dev/gemma/terms", "LicenseRef-Gemma"),
    (r"nvidia\.com/.*nvidia-open-model-license", "LicenseRef-NVIDIA-Open-Model"),
    (r"developers\.google\.com/health-ai-developer-foundations/terms", "LicenseRef-Health-AI-Developer-Foundations"),
    # LICENSE files of repositories whose license is known and stable.
    (r"github(usercontent)?\.com/openvinotoolkit/open_model_zoo/.*license", "Apache-2.0"),
    (r"github(usercontent)?\.com/opencv/(open_model_zoo|openvino_training_extensions|training_toolbox_tensorflow)/.*license", "Apache-2.0"),
    (r"github(usercontent)?\.com/tensorflow/(models|tpu)/.*license", "Apache-2.0"),
    (r"github(usercontent)?\.com/(rwightman|huggingface)/pytorch-image-models/.*license", "Apache-2.0"),
    (r"github(usercontent)?\.com/pytorch/vision/.*license", "BSD-3-Clause"),
    (r"github(usercontent)?\.com/google/automl/.*license", "Apache-2.0"),
    (r"github(usercontent)?\.com/mozilla/deepspeech/.*license", "MPL-2.0"),
    (r"github(usercontent)?\.com/onnx/models/.*license", "Apache-2.0"),
)

_NC_HINT = re.compile(r"non[-_ ]?commercial|\bnc\b|research[-_ ]only|research use only", re.I)


def normalize_license(raw: str | None) -> License:
    """Map a license as written to an SPDX id, a class and a non-commercial flag.

    Unrecognized strings are `unknown` (non_commercial None), unless they say
    non-commercial / research-only in words, which is enough to flag them.
    """
    if raw is None:
        return License(None, "unknown", None)
    text = str(raw).strip().strip("\"'").strip()
    text = re.sub(r"^license\s*:\s*", "", text, flags=re.I)
    if text.lower() in _UNKNOWN_WORDS:
        return License(None, "unknown", None)
    if re.match(r"https?://", text, re.I):
        low = text.lower()
        for pattern, canonical in _URL_RULES:
            if re.search(pattern, low):
                cls, nc = _KNOWN[canonical]
                return License(canonical, cls, nc)
        return License(None, "unknown", True if _NC_HINT.search(text) else None)
    canonical = _ALIASES.get(_key(text))
    if canonical is None:
        canonical = _ALIASES.get(_key(re.sub(r"\b(licen[sc]e|version|agreement|the)\b", "", text, flags=re.I)))
    if canonical is not None:
        cls, nc = _KNOWN[canonical]
        return License(canonical, cls, nc)
    return License(None, "unknown", True if _NC_HINT.search(text) else None)


def known_license_ids() -> list[str]:
    """Every canonical id the normalizer can produce (for docs and facet validation)."""
    return sorted(_KNOWN)
