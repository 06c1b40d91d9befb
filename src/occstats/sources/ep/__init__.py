"""BLS Employment Projections: the occupation workbook (Table 1.x), one projection cycle per file."""

from occstats.sources.base import Product
from occstats.sources.ep.catalog import CATALOG
from occstats.sources.ep.checks import CHECKS
from occstats.sources.ep.parser import EpSource

PRODUCT = Product(
    name="ep",
    description="Employment Projections occupation workbook, one ten-year cycle per file",
    catalog=CATALOG,
    source=EpSource(),
    depends_on=("soc",),
    checks=CHECKS,
    import_hint="past projection cycles (BLS replaces occupation.xlsx every September)",
)
