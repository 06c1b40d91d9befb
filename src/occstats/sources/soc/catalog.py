"""Where BLS serves the SOC crosswalks (2000 -> 2010, 2010 -> 2018) and the OES hybrid structures."""

from occstats.catalog import FixedFiles

CATALOG = FixedFiles(
    name="soc",
    files=(
        ("2000-to-2010", ("https://www.bls.gov/soc/soc_2000_to_2010_crosswalk.xls",)),
        ("2010-to-2018", ("https://www.bls.gov/soc/2018/soc_2010_to_2018_crosswalk.xlsx",)),
        ("2010-hybrid", ("https://www.bls.gov/oes/may_2010_occs.xls",)),
        ("2019-hybrid", ("https://www.bls.gov/oes/oes_2019_hybrid_structure.xlsx",)),
    ),
    description="SOC crosswalks and OES hybrid structures published by BLS",
)
