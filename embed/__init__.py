"""assetscout.embed (see DESIGN.md)."""
