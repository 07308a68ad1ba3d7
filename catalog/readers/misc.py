"""Files that sit among asset metadata but are not asset metadata: skipped, with a reason.

A data folder carries its own provenance (MANIFEST.md, README.md at the folder root),
licenses, code, the card specs themselves, evaluation ground truth and binary sample
data. Claiming them first, by name and a parent folder or two, keeps the generic card
reader from turning a spec or a manifest into a bogus asset, and tells the user why
each file was passed over.

Real cards are named README.md too (a HF dataset folder, an OpenVINO model folder), so
a README.md is claimed only where it documents a data folder, never a single asset.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

from assetscout.catalog.readers.base import Reader
from assetscout.catalog.records import ReaderItem, Skipped

_DATA_ROOT_CHILDREN = ("cards", "tables", "retrieval")
_LICENSE_NAMES = ("license", "licence", "copying", "notice")
_LICENSE_SUFFIXES = ("", "txt", "md", "rst")
_VCS_FILES = frozenset({".gitattributes", ".gitignore", ".gitmodules", ".ds_store"})
_CODE_SUFFIXES = frozenset({".py", ".ipynb", ".pyc", ".sh"})
_IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".ico", ".svg", ".dcm"}
)
_AUDIO_VIDEO_SUFFIXES = frozenset({".mp3", ".wav", ".flac", ".ogg", ".m4a", ".mp4", ".avi"})
_ARCHIVE_SUFFIXES = frozenset({".zip", ".tar", ".tgz", ".bz2", ".xz", ".7z", ".rar"})
_SPEC_FOLDER = "hub_docs_spec"
_DIRTY_LISTS_FOLDER = "hacktoberfest_challenges"
_PEATMOSS_FILES = {
    "groundTruth.json": (
        "hand-labelled ground truth used to check license normalization, not asset metadata"
    ),
    "metaSchema.json": "PeaTMOSS metadata-extraction schema, not asset metadata",
    "2k_filtered_models.json": "PeaTMOSS list of model ids and download counts, not asset metadata",
    "filtered_models.json": "PeaTMOSS list of model ids and download counts, not asset metadata",
}
_PEATMOSS_FOLDERS = frozenset({"Accurate_Pipeline", "Cheap_Pipeline"})


def _manifest(path: Path) -> str | None:
    if path.name.lower() == "manifest.md":
        return "provenance manifest of a data folder, not asset metadata"
    return None


def _folder_readme(path: Path) -> str | None:
    """README.md of a data folder (next to a MANIFEST.md, at the data root, timm results)."""
    if path.name.lower() != "readme.md":
        return None
    folder = path.parent
    if (folder / "MANIFEST.md").exists() or any(
        (folder / child).is_dir() for child in _DATA_ROOT_CHILDREN
    ):
        return "README of a data folder, not asset metadata"
    if (folder / "results-imagenet.csv").exists():
        return "README describing the timm result tables, not asset metadata"
    return None


def _license_or_vcs(path: Path) -> str | None:
    name = path.name.lower()
    if name in _VCS_FILES:
        return "version-control file, not asset metadata"
    stem, _, suffix = name.partition(".")
    is_license = stem in _LICENSE_NAMES or stem.startswith(("license-", "license_"))
    if is_license and suffix in _LICENSE_SUFFIXES:  # not tfhub's tags/license.yaml vocabulary
        return "license text of a data folder, not asset metadata"
    return None


def _code(path: Path) -> str | None:
    if path.suffix.lower() in _CODE_SUFFIXES:
        return "source code or notebook, not asset metadata"
    return None


def _card_spec(path: Path) -> str | None:
    """The Hub's card specs and its lists of repos with missing metadata."""
    if path.parent.name == _DIRTY_LISTS_FOLDER:
        return (
            "list of Hub ids with missing or 'other' metadata (a cleanup challenge),"
            " not asset metadata"
        )
    if path.parent.name == _SPEC_FOLDER:
        return "Hugging Face card metadata specification, not asset metadata"
    return None


def _peatmoss(path: Path) -> str | None:
    if path.parent.name in _PEATMOSS_FOLDERS and path.name in _PEATMOSS_FILES:
        return _PEATMOSS_FILES[path.name]
    if path.name == "mapping.csv" and path.parent.name == "analyzeIncompatibilities":
        return (
            "GitHub-to-Hugging-Face license map used to check license normalization,"
            " not asset metadata"
        )
    return None


def _binary_sample(path: Path) -> str | None:
    """Images, audio, archives; Parquet and extension-less blobs only in a Croissant data/."""
    name = path.name.lower()
    suffix = path.suffix.lower()
    if suffix in _IMAGE_SUFFIXES:
        return "image file (sample data), not asset metadata"
    if suffix in _AUDIO_VIDEO_SUFFIXES:
        return "audio or video file (sample data), not asset metadata"
    if suffix in _ARCHIVE_SUFFIXES or name.endswith(".tar.gz"):
        return "archive (sample data), not asset metadata"
    if _in_croissant_data(path) and (suffix == ".parquet" or suffix[1:].isdigit()):
        return "sample data file of a Croissant dataset (its metadata.json describes it)"
    return None


def _in_croissant_data(path: Path) -> bool:
    """In the data/ folder of a Croissant example (a metadata.json or recipes one level up)."""
    for folder in (path.parent, path.parent.parent):
        if folder.name == "data":
            top = folder.parent
            return (top / "metadata.json").exists() or top.name == "recipes"
    return False


_RULES: tuple[Callable[[Path], str | None], ...] = (
    _manifest,
    _folder_readme,
    _license_or_vcs,
    _code,
    _card_spec,
    _peatmoss,
    _binary_sample,
)


def skip_reason(path: Path) -> str | None:
    """Why `path` is documentation, provenance or sample data; None if it may be metadata."""
    for rule in _RULES:
        reason = rule(path)
        if reason:
            return reason
    return None


class SkipDocsReader(Reader):
    """Claims documentation, provenance, specs, ground truth and binary sample data; skips them."""

    name = "skip_docs"

    def claims(self, path: Path) -> bool:
        return skip_reason(path) is not None

    def read(self, path: Path) -> Iterator[ReaderItem]:
        yield Skipped(skip_reason(path) or "not asset metadata")


READERS: list[Reader] = [SkipDocsReader()]
