"""assetscout: a discovery engine for ML assets (models, datasets, tables).

Nothing heavy is imported here: the package must import in milliseconds so that the
CLI starts fast and `import assetscout` never pulls torch or faiss.
"""

__version__ = "0.1.0"
