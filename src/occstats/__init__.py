"""occstats: BLS occupational statistics as versioned, validated tables."""

__version__ = "0.1.0"
