"""Where BLS serves the OES Excel families beyond the national file: one zip a May each, as data.

The same calendar and URL rules as the national zips (sources/oes/catalog.py); only the zip stem and
the first year differ. The mirror holds the industry zips 2008-2019 only: a refresh reports the other
years and families unavailable, release by release, like the national 2006.
"""

from __future__ import annotations

from occstats.sources.oes.catalog import YearlyZips
from occstats.sources.oes_families.layout import FAMILIES, Family


def catalog_for(family: Family) -> YearlyZips:
    return YearlyZips(
        name=family.product,
        first_year=family.first_year,
        stem_patterns=((family.first_year, None, family.zip_stem),),
    )


CATALOGS: dict[str, YearlyZips] = {name: catalog_for(f) for name, f in FAMILIES.items()}
