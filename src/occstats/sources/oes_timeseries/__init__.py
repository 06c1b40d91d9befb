"""The OEWS time-series database: every area, industry and occupation of the current May release.

`download.bls.gov/pub/time.series/oe/`: one data file (`oe.data.0.Current`, ~6 million figures) and its
code lists. Parsed columnar (pyarrow), into the same oes_estimates / oes_wages tables as the national
workbooks, under dataset 'oes_timeseries', plus the oes_areas / oes_industries reference tables.
"""

from occstats.sources.base import Product
from occstats.sources.oes_timeseries.catalog import CATALOG
from occstats.sources.oes_timeseries.parser import TimeSeriesSource

PRODUCT = Product(
    name="oes_timeseries",
    description="OEWS time-series database: every area, industry and occupation of the current May release",
    catalog=CATALOG,
    source=TimeSeriesSource(),
    depends_on=("soc",),
    import_hint="oe.data.0.Current with its code lists (oe.area, oe.industry, ...) in the same folder",
)
