"""assetscout.index (see DESIGN.md)."""
