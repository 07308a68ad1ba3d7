"""PeaTMOSS license labels: a check set for license normalization, not a reader.

PeaTMOSS (MSR 2024) ships hand-labelled metadata for 50 Hugging Face models
(`LLM-Pipeline/*/groundTruth.json`: model id -> {..., "license": "apache-2.0", ...})
and a GitHub -> Hugging Face reuse map with each model's Hub license
(`License-Analysis/analyzeIncompatibilities/mapping.csv`, no header: GitHub repo,
HF model id, HF URL, HF license). The license strings are the messy real thing
('CreativeML OpenRAIL-M', 'CC BY 4.0', a URL), which is what a normalizer must handle.
The files themselves are skipped at ingest (misc.SkipDocsReader).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from assetscout.catalog.readers.base import read_text
from assetscout.errors import RecordError

GROUND_TRUTH_GLOB = "LLM-Pipeline/*/groundTruth.json"
MAPPING_PATH = Path("License-Analysis", "analyzeIncompatibilities", "mapping.csv")


def load_peatmoss_licenses(root: Path) -> list[tuple[str, str]]:
    """(model id, license as written) pairs, each pair once, in file order.

    `root` is the peatmoss_metadata folder (or a folder holding it, e.g. `cards/`).
    Ground-truth labels come first, then the Hub licenses of the mapping. Empty labels
    (the labeller found no license) are left out. Raises RecordError naming the file
    when one is not in the shape described above.
    """
    root = _peatmoss_root(root)
    pairs: dict[tuple[str, str], None] = {}
    for path in sorted(root.glob(GROUND_TRUTH_GLOB)):
        pairs.update(dict.fromkeys(_ground_truth_pairs(path)))
    mapping = root / MAPPING_PATH
    if mapping.is_file():
        pairs.update(dict.fromkeys(_mapping_pairs(mapping)))
    return list(pairs)


def _peatmoss_root(root: Path) -> Path:
    for candidate in (root, root / "peatmoss_metadata", root / "cards" / "peatmoss_metadata"):
        if (candidate / "LLM-Pipeline").is_dir() or (candidate / MAPPING_PATH).is_file():
            return candidate
    return root


def _ground_truth_pairs(path: Path) -> list[tuple[str, str]]:
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise RecordError(f"{path.name} is not valid JSON: {exc.msg}", line=exc.lineno) from None
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise RecordError(f"{path.name} is a JSON {kind}, expected model id -> labels")
    pairs = []
    for model_id, labels in data.items():
        license_ = labels.get("license") if isinstance(labels, dict) else None
        if isinstance(license_, str) and license_.strip():
            pairs.append((model_id.strip(), license_.strip()))
    return pairs


def _mapping_pairs(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for i, row in enumerate(csv.reader(io.StringIO(read_text(path)))):
        if i == 0 and len(row) >= 3 and "://" not in row[2]:
            continue  # a header row, should a copy of the file carry one
        if len(row) >= 4 and row[1].strip() and row[3].strip():
            pairs.append((row[1].strip(), row[3].strip()))
    return pairs
