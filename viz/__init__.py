"""Map templates and assets for kg viz, installed as package data."""
