"""Product packages: one folder per BLS product (catalog entry, layout, parser, checks).

The registry that lists them is `occstats.products`.
"""
