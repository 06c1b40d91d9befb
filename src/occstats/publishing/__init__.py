"""Publishing for downstream sites: data releases (release.py), their description and changelog, the HTTP API."""
