"""assetscout.eval (see DESIGN.md)."""
