"""BLS Employment Projections: the National Employment Matrix, one workbook per industry and cycle."""

from occstats.sources.base import Product
from occstats.sources.ep_matrix.catalog import CATALOG
from occstats.sources.ep_matrix.checks import CHECKS
from occstats.sources.ep_matrix.parser import EpMatrixSource

PRODUCT = Product(
    name="ep-matrix",
    description="National Employment Matrix: employment by industry for every occupation, one workbook per industry",
    catalog=CATALOG,
    source=EpMatrixSource(),
    depends_on=("soc",),
    checks=CHECKS,
    import_hint="a directory of past cycles' industry workbooks (ind_*.xlsx; BLS replaces them every September)",
)
