"""spreadgraph: a knowledge graph of how healthcare innovations spread."""

__version__ = "0.1.0"
