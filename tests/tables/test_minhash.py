"""MinHash signatures: containment estimates against exact containment on seeded sets."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHash

from assetscout.errors import CatalogError, InvalidInput
from assetscout.tables.minhash import (
    SCHEME,
    ColumnRef,
    SignatureSet,
    compute_signatures,
    estimate_containment,
    load_signatures,
    save_signatures,
    signature_of,
)
from assetscout.tables.values import join_set


def planted_pairs(seed: int, n: int):
    """(query set, candidate set, exact containment) with containment spread over [0, 1]."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        q_size = int(rng.integers(50, 400))
        x_extra = int(rng.integers(0, 4 * q_size))  # |X| / |Q| up to ~5: MinHash sees Jaccard >= ~0.1
        c = float(rng.uniform(0, 1))
        shared = int(round(c * q_size))
        q = {f"s{i}-{j}" for j in range(shared)} | {f"q{i}-{j}" for j in range(q_size - shared)}
        x = {f"s{i}-{j}" for j in range(shared)} | {f"x{i}-{j}" for j in range(x_extra)}
        out.append((q, x, len(q & x) / len(q)))
    return out


def test_estimated_containment_tracks_exact_containment():
    pairs = planted_pairs(0, 200)
    errors = []
    for q, x, exact in pairs:
        hq, nq = signature_of(q)
        hx, nx = signature_of(x)
        est = estimate_containment(hq, nq, hx[None, :], np.array([nx]))[0]
        assert 0.0 <= est <= 1.0
        errors.append(abs(est - exact))
    errors = np.array(errors)
    assert errors.mean() < 0.08 and np.percentile(errors, 90) < 0.18  # 128 permutations


def test_full_containment_of_a_subset():
    x = {f"v{i}" for i in range(1000)}
    q = {f"v{i}" for i in range(0, 1000, 10)}
    hq, nq = signature_of(q)
    hx, nx = signature_of(x)
    assert (nq, nx) == (100, 1000)
    assert estimate_containment(hq, nq, hx[None, :], np.array([nx]))[0] > 0.75


def test_signature_equals_plain_datasketch_minhash():
    values = [f"Value {i}" for i in range(20_000)]  # more than one update_batch chunk
    hv, n = signature_of(values, num_perm=64, seed=3)
    ref = MinHash(num_perm=64, seed=3, scheme=SCHEME)
    for v in {v.lower() for v in values}:
        ref.update(v.encode("utf-8"))
    assert n == 20_000 and np.array_equal(hv, ref.hashvalues) and hv.dtype == np.uint64


def test_values_are_normalized_before_hashing():
    a, na = signature_of(["Paris", " rome ", "NA", None, "", "paris"])
    b, nb = signature_of(["paris", "ROME"])
    assert (na, nb) == (2, 2) and np.array_equal(a, b)
    assert join_set(join_set(["X ", "None", "NONE", "nan"])) == {"x"}  # idempotent


def test_compute_signatures_matches_signature_of_and_skips_nothing():
    cols = [(ColumnRef("t", i, f"c{i}"), [f"v{j}" for j in range(i * 10)]) for i in range(4)]
    sigs = compute_signatures(cols, num_perm=32)
    assert len(sigs) == 4 and sigs.hashvalues.shape == (4, 32)
    assert sigs.sizes.tolist() == [0, 10, 20, 30]
    for i, (_, values) in enumerate(cols):
        assert np.array_equal(sigs.hashvalues[i], signature_of(values, num_perm=32)[0])
    assert np.all(sigs.hashvalues[0] == np.iinfo(np.uint64).max)  # the empty set


def test_save_load_round_trip(tmp_path):
    cols = [(ColumnRef(f"t{i}.csv", i, f"c{i}"), [f"v{j}" for j in range(i + 1)]) for i in range(5)]
    sigs = compute_signatures(cols, complete=[True, False, True, True, True])
    save_signatures(sigs, tmp_path)
    back = load_signatures(tmp_path)
    assert back.columns == sigs.columns and np.array_equal(back.hashvalues, sigs.hashvalues)
    assert back.sizes.tolist() == [1, 2, 3, 4, 5] and back.complete.tolist() == [True, False, True, True, True]
    assert (back.num_perm, back.seed) == (128, 1)
    assert not list(tmp_path.glob(".*tmp*"))
    head = load_signatures(tmp_path, n_columns=2)
    assert len(head) == 2 and head.columns == sigs.columns[:2]
    # never a pickle: the array loads with allow_pickle=False
    assert np.load(tmp_path / "signatures.npy", allow_pickle=False).dtype == np.uint64


def test_load_rejects_foreign_files(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    with pytest.raises(CatalogError):
        load_signatures(tmp_path)
    np.save(tmp_path / "signatures.npy", np.zeros((1, 128), dtype=np.uint64))
    pq.write_table(pa.table({"table": ["t"]}), tmp_path / "signature_columns.parquet")
    with pytest.raises(CatalogError, match="no metadata"):
        load_signatures(tmp_path)


def test_extend_refuses_mixed_parameters():
    a = SignatureSet.empty(num_perm=32)
    with pytest.raises(InvalidInput, match="num_perm"):
        a.extend(SignatureSet.empty(num_perm=64))


@pytest.mark.parametrize("bad", [8, 4096, 12.5, True])
def test_num_perm_is_checked(bad):
    with pytest.raises(InvalidInput, match="num_perm"):
        signature_of(["a"], num_perm=bad)
