"""Where BLS serves the Employment Projections occupation workbook: one URL, replaced every September.

The cycle a fetched file holds is read from the file; past cycles come in with `occstats import ep`.
"""

from occstats.catalog import FixedFiles

CATALOG = FixedFiles(
    name="ep",
    files=(("current", ("https://www.bls.gov/emp/ind-occ-matrix/occupation.xlsx",)),),
    description="Employment Projections occupation workbook (Table 1.x), current cycle",
)
