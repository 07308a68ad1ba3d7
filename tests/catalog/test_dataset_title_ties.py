"""A title several datasets of one source share resolves to none of them (hand check of the license rules:
MTEB "StackExchangeClustering" had resolved to the first of four flax stackexchange_* cards by id)."""

from __future__ import annotations

from assetscout.catalog.ingest import ingest


def _card(folder, repo: str, meta: list[str]) -> None:
    (folder / f"{repo.replace('/', '@', 1)}.md").write_text("---\n" + "\n".join(meta) + "\n---\nbody\n", encoding="utf-8")


def test_shared_title_is_ambiguous_but_a_unique_title_resolves(tmp_path, catalog):
    folder = tmp_path / "cards"
    folder.mkdir()
    for sub in ("math", "physics"):
        _card(folder, f"flax/stackexchange_{sub}", ["license: cc-by-nc-sa-4.0", "pretty_name: stackexchange",
                                                    "task_categories:", "- question-answering"])
    _card(folder, "org/unique", ["license: mit", "pretty_name: Quite Unique Corpus", "task_categories:",
                                 "- question-answering"])
    _card(folder, "org/model", ["license: apache-2.0", "datasets:", "- StackExchange", "- Quite Unique Corpus"])
    ingest([folder], catalog)
    con = catalog.connect()
    try:
        links = dict(con.execute("SELECT dataset_name, dataset_id FROM asset_dataset "
                                 "WHERE asset_id = 'hf:model/org/model'").fetchall())
        status = con.execute("SELECT license_lineage FROM asset WHERE asset_id = 'hf:model/org/model'").fetchone()[0]
    finally:
        con.close()
    assert links == {"StackExchange": None, "Quite Unique Corpus": "hf:dataset/org/unique"}
    assert status == "unknown"  # the ambiguous training dataset cannot be checked: no false conflict
