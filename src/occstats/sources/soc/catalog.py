"""Where BLS serves the SOC crosswalks (2000 -> 2010, 2010 -> 2018)."""

from occstats.catalog import FixedFiles

CATALOG = FixedFiles(
    name="soc",
    files=(
        ("2000-to-2010", ("https://www.bls.gov/soc/soc_2000_to_2010_crosswalk.xls",)),
        ("2010-to-2018", ("https://www.bls.gov/soc/2018/soc_2010_to_2018_crosswalk.xlsx",)),
    ),
    description="SOC crosswalks published by BLS",
)
