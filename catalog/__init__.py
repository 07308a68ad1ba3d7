"""The catalog: the ML-asset metamodel in DuckDB, its readers, and structured queries."""
