"""OES/OEWS national cross-industry estimates: one zip a May, 1997 on (`oesm{YY}nat.zip`)."""

from occstats.sources.base import Product
from occstats.sources.oes.catalog import CATALOG
from occstats.sources.oes.checks import CHECKS
from occstats.sources.oes.parser import OesSource

PRODUCT = Product(
    name="oes",
    description="OES/OEWS national cross-industry estimates, one release a year",
    catalog=CATALOG,
    source=OesSource(),
    depends_on=("soc",),
    takes_years=True,
    checks=CHECKS,
    import_hint="an old release BLS no longer serves, e.g. the 1997 file (--year where the file does not say)",
)
