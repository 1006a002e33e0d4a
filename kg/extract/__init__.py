"""Extraction of organizations and links from one cleaned article (a pure function)."""
