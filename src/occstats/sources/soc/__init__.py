"""The SOC classifications: BLS's crosswalks, and the systems and hybrid codes declared as data."""

from occstats.sources.base import Product
from occstats.sources.soc.catalog import CATALOG
from occstats.sources.soc.parser import SocSource

PRODUCT = Product(
    name="soc",
    description="SOC crosswalks (2000 -> 2010, 2010 -> 2018) and the declared hybrid codes",
    catalog=CATALOG,
    source=SocSource(),
    import_hint="a crosswalk workbook",
)
