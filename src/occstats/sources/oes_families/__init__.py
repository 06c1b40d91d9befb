"""OES Excel families beyond the national file: industry, state, metropolitan/nonmetropolitan, all-data.

One product per family (oes-industry, oes-state, oes-metro, oes-all), each with its own catalog entry and
its own `dataset` value, all read by one parser (parser.py) from one layout (layout.py): the release x
family is the unit a refresh replaces, and the national rows (dataset 'oes_national') are never touched.
"""

from occstats.sources.base import Product
from occstats.sources.oes_families.catalog import CATALOGS
from occstats.sources.oes_families.layout import FAMILIES
from occstats.sources.oes_families.parser import FamilySource


def _product(name: str) -> Product:
    family = FAMILIES[name]
    return Product(
        name=family.product,
        description=family.description,
        catalog=CATALOGS[name],
        source=FamilySource(family),
        depends_on=("soc",),
        takes_years=True,
        # oes_wages' checks are declared once, by the oes product; products.checks() applies them to every family
        import_hint=f"a {family.zip_stem.format(yy='YY')}.zip BLS no longer serves (--year if its name does not say)",
    )


PRODUCTS: tuple[Product, ...] = tuple(_product(name) for name in FAMILIES)
