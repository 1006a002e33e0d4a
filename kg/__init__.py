"""Lianjian KG: a knowledge graph of Party-building cooperation from Chinese news articles."""

__version__ = "0.1.0"
