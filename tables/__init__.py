"""assetscout.tables (see DESIGN.md)."""
