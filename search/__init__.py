"""assetscout.search (see DESIGN.md)."""
