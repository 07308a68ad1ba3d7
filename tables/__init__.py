"""assetscout.tables (see DESIGN.md section 5): reading, profiling and join search over tables.

- `read`: `read_table(path, ReadOptions)` -> `ReadResult` (bounded sample + per-column scans);
  formats in `read_delimited`, `read_parquet`, `read_jsonl`; sniffing in `sniff`.
- `profile`: `profile_read` / `profile_table` -> `TableProfile` (types, counts, keys, subject).
- `minhash`: column signatures as arrays; `join`: `JoinIndex` (LSH Ensemble + exact check).
- `lake`: `ingest_lake(folder, index_dir)` ties them together for a folder of tables.

Nothing heavy is imported here.
"""
