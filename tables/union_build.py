"""Building a union index from a lake folder: one read of every table, then two encodings.

`build_union_index(lake, index_dir, encoder)` runs `lake.ingest_lake` (profiles, value
signatures for join search) with a hook that keeps, per table, what union search needs
(`union_evidence.table_evidence`): column texts, and for the subject column and each
other column the MinHash of their value pairs and a pair text. The texts are then
encoded in batches (through an `EmbeddingCache` when one is given). Memory: the texts,
one signature per pair and the vectors; never a table's rows beyond the one being read.

The index is built in a sibling staging folder and renamed into place at the end; an
interrupted build leaves the previous index as it was.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assetscout.catalog.store import check_replaceable_dir, swap_dir
from assetscout.tables.union_evidence import EvidenceOptions, table_evidence
from assetscout.tables.union_store import (
    FORMAT,
    FORMAT_VERSION,
    LAKE_DIR,
    MANIFEST,
    ColumnRows,
    PairRows,
    UnionFiles,
    write_union_files,
)

if TYPE_CHECKING:
    from assetscout.embed.base import Encoder
    from assetscout.embed.cache import EmbeddingCache
    from assetscout.tables.lake import LakeReport, Progress
    from assetscout.tables.profile import ProfileOptions, TableProfile
    from assetscout.tables.read import ReadOptions, ReadResult

PAIR_SEED = 1  # MinHash seed of the pair signatures (pairs are only compared with pairs)


@dataclass
class UnionBuildReport:
    """What one build did: the lake ingest's report plus the union index's own counts."""

    lake: LakeReport
    tables_indexed: int = 0  # tables with at least one usable column
    columns: int = 0
    pairs: int = 0
    tables_without_subject: int = 0
    encode_seconds: float = 0.0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class EvidenceCollector:
    """The ingest hook: turns each table into column and pair rows (no values kept).

    Also used on its own by `catalog_index`, which appends a few tables to an index.
    """

    def __init__(self, options: EvidenceOptions, num_perm: int) -> None:
        self.options = options
        self.num_perm = num_perm
        self.columns = ColumnRows([], [], [], [], [], [])
        self.pairs = PairRows([], [], [], [], [])
        self.pair_signatures: list[np.ndarray] = []
        self.tables = 0
        self.without_subject = 0

    def __call__(self, table_id: str, result: ReadResult, profile: TableProfile) -> None:
        from assetscout.tables.minhash import signature_of

        ev = table_evidence(table_id, result, profile, self.options)
        if not ev.columns:
            return
        self.tables += 1
        self.without_subject += ev.subject is None
        c = self.columns
        for i, col in enumerate(ev.columns):
            c.table.append(table_id)
            c.ordinal.append(col.ordinal)
            c.name.append(col.name)
            c.type.append(col.type)
            c.is_subject.append(i == ev.subject)
            c.text.append(col.text)
        if ev.subject is None:
            return
        s_ordinal = ev.columns[ev.subject].ordinal
        for pair in ev.pairs:
            hv, size = signature_of(pair.tokens, num_perm=self.num_perm, seed=PAIR_SEED, normalized=True)
            self.pairs.table.append(table_id)
            self.pairs.subject_ordinal.append(s_ordinal)
            self.pairs.other_ordinal.append(ev.columns[pair.other].ordinal)
            self.pairs.size.append(size)
            self.pairs.text.append(pair.text)
            self.pair_signatures.append(hv)


def encode_texts(encoder: Encoder, texts: list[str], *, cache: EmbeddingCache | None = None,
                 batch_size: int = 64) -> np.ndarray:
    """Unit vectors of `texts` ([0, dim] for none), through `cache` when given."""
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    if cache is None:
        return encoder.encode(texts, batch_size=batch_size)
    from assetscout.embed.cache import encode_cached

    return encode_cached(encoder, texts, cache, batch_size=batch_size)




def build_union_index(lake: str | os.PathLike[str], index_dir: str | os.PathLike[str], encoder: Encoder, *,
                      evidence: EvidenceOptions | None = None, read_options: ReadOptions | None = None,
                      profile_options: ProfileOptions | None = None, cache: EmbeddingCache | None = None,
                      batch_size: int = 64, num_perm: int = 128,
                      progress: bool | Progress = True) -> UnionBuildReport:
    """Read every table under `lake` and write a union index to `index_dir` (replaced at the end).

    progress: True for progress lines on stderr, a callback (i, total, path), or False.
    cache: an embedding cache for `encoder` (saved at the end); unchanged texts are then
    not encoded again. num_perm: MinHash size of value and pair signatures.
    """
    from assetscout.tables.lake import ingest_lake

    from assetscout.embed.base import check_batch_size
    from assetscout.tables.minhash import check_num_perm

    started = time.monotonic()
    check_batch_size(batch_size)
    check_num_perm(num_perm)
    opts = evidence or EvidenceOptions()
    target = Path(index_dir).expanduser()
    check_replaceable_dir(target, MANIFEST, FORMAT, "a union index")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        collector = EvidenceCollector(opts, num_perm)
        lake_report = ingest_lake(lake, staging / LAKE_DIR, progress=progress, read_options=read_options,
                                  profile_options=profile_options, num_perm=num_perm, on_table=collector)
        report = UnionBuildReport(lake=lake_report, tables_indexed=collector.tables,
                                  columns=len(collector.columns.table), pairs=len(collector.pairs.table),
                                  tables_without_subject=collector.without_subject)
        if progress is True:
            print(f"union: encoding {report.columns} column texts and {report.pairs} pair texts",
                  file=sys.stderr, flush=True)
        t0 = time.monotonic()
        col_vec = encode_texts(encoder, collector.columns.text, cache=cache, batch_size=batch_size)
        pair_vec = encode_texts(encoder, collector.pairs.text, cache=cache, batch_size=batch_size)
        if cache is not None:
            cache.save()
        report.encode_seconds = round(time.monotonic() - t0, 3)
        sigs = (np.vstack(collector.pair_signatures).astype(np.uint64) if collector.pair_signatures
                else np.zeros((0, num_perm), dtype=np.uint64))
        report.seconds = round(time.monotonic() - started, 3)
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "lake": str(Path(lake).expanduser().resolve()),
            "encoder": encoder.describe(), "evidence": asdict(opts),
            "pairs": {"num_perm": num_perm, "seed": PAIR_SEED},
            "counts": {"tables": report.tables_indexed, "columns": report.columns, "pairs": report.pairs,
                       "tables_read": lake_report.tables_read, "rejected": len(lake_report.rejected)},
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "seconds": report.seconds,
        }
        write_union_files(staging, UnionFiles(manifest, collector.columns, col_vec, collector.pairs, sigs, pair_vec))
        swap_dir(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return report
