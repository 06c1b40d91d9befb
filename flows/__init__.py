"""Prefect flows: thin wiring over occstats' steps (no logic of their own)."""
