"""The asset graph: lineage (what derives from what, what was trained and evaluated on what)
and what it implies for licensing (compliance across lineage).

Models for a dataset and datasets for a model need card vectors, so they live above
the catalog (search/recommend/); everything here is SQL and Python over the catalog.
"""
