"""A seeded synthetic lake for union search with exact ground truth, true unions and decoys.

Each topic is a relation: a subject column of made-up entity names and a few attribute
columns, every entity with one fixed value per attribute. Per topic:

- *unions*: `rows` entities sampled from the topic's pool with their true attribute
  values (columns in a shuffled order, so alignment has work to do);
- *decoys*: a copy of one union whose attribute values are rotated by one row: every
  column holds exactly the values of that union (same column evidence, to the last
  embedding bit), but no (entity, attribute) pair of the relation survives -- only the
  relationship evidence can tell them apart;
- one *query* table (in `queries/`), sampled like a union; its ground truth is the
  topic's unions.

Topics share nothing but the generator, so tables of other topics are easy negatives.
Same seed, same files.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

from assetscout.errors import InvalidInput

#: (subject header, attribute headers) per topic; words chosen to share nothing across topics.
TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("city", ("country", "river", "mayor")),
    ("film", ("director", "studio", "genre")),
    ("species", ("habitat", "diet", "family")),
    ("drug", ("maker", "target", "form")),
    ("ship", ("port", "captain", "builder")),
    ("mountain", ("range", "climber", "rock")),
)
_SYLLABLES = ("ka", "lo", "mi", "ra", "ten", "vo", "shi", "qua", "dor", "ple", "zan", "fu", "gri", "nel",
              "bax", "tor", "wem", "yul", "pri", "sco")


@dataclass(frozen=True)
class SyntheticLake:
    """Where the files are and what is true about them (file names, relative to their folder)."""

    lake: Path
    queries: Path
    groundtruth: Path  # CSV query_table,data_lake_table of the positive pairs
    truth: dict[str, frozenset[str]]  # query -> its unions
    decoys: dict[str, frozenset[str]]  # query -> its topic's decoys
    decoy_of: dict[str, str]  # decoy -> the union it was made from


def _word(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(n)).capitalize()


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def make_synthetic_union_lake(root: str | Path, *, topics: int = 3, unions: int = 4, decoys: int = 4,
                              entities: int = 60, rows: int = 30, domain: int = 12,
                              seed: int = 0) -> SyntheticLake:
    """Write `root`/lake and `root`/queries (one query per topic) and the ground truth CSV.

    decoys must not exceed unions (each decoy is made from a distinct union).
    """
    if not 1 <= topics <= len(TOPICS):
        raise InvalidInput(f"topics must be an integer in [1, {len(TOPICS)}], got {topics!r}")
    if unions < 1 or not 0 <= decoys <= unions:
        raise InvalidInput(f"unions must be >= 1 and decoys in [0, unions], got {unions!r} and {decoys!r}")
    if not 2 <= rows <= entities:
        raise InvalidInput(f"rows must be in [2, entities], got {rows!r} for {entities!r} entities")
    if domain < 2:
        raise InvalidInput(f"domain must be >= 2, got {domain!r}")
    rng = random.Random(seed)
    base = Path(root)
    lake, queries = base / "lake", base / "queries"
    lake.mkdir(parents=True, exist_ok=True)
    queries.mkdir(parents=True, exist_ok=True)
    truth: dict[str, frozenset[str]] = {}
    decoy_sets: dict[str, frozenset[str]] = {}
    decoy_of: dict[str, str] = {}
    for t in range(topics):
        subject, attrs = TOPICS[t]
        pool = sorted({_word(rng, 3) for _ in range(entities * 2)})[:entities]
        domains = [sorted({f"{_word(rng, 2)} {a}" for _ in range(domain * 2)})[:domain] for a in attrs]
        relation = {e: [rng.choice(d) for d in domains] for e in pool}

        def sample() -> tuple[list[str], list[list[str]]]:
            order = [0, *rng.sample(range(1, len(attrs) + 1), len(attrs))]
            header = [([subject, *attrs])[i] for i in order]
            picked = rng.sample(pool, rows)
            return header, [[([e, *relation[e]])[i] for i in order] for e in picked]

        qname = f"{subject}_query.csv"
        _write(queries / qname, *sample())
        names = []
        for u in range(unions):
            name = f"{subject}_union_{u}.csv"
            header, body = sample()
            _write(lake / name, header, body)
            names.append(name)
            if u < decoys:
                s = header.index(subject)
                rotated = [[row[s] if j == s else body[(i + 1) % len(body)][j] for j, _ in enumerate(row)]
                           for i, row in enumerate(body)]
                dname = f"{subject}_decoy_{u}.csv"
                _write(lake / dname, header, rotated)
                decoy_of[dname] = name
        truth[qname] = frozenset(names)
        decoy_sets[qname] = frozenset(d for d, u in decoy_of.items() if u in names)
    gt = base / "groundtruth.csv"
    _write(gt, ["query_table", "data_lake_table"], [[q, t] for q in sorted(truth) for t in sorted(truth[q])])
    return SyntheticLake(lake, queries, gt, truth, decoy_sets, decoy_of)
