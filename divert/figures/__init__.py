"""The figures, defined once (DESIGN.md, "Figures") and computed in SQL from the records.

`counts` and `money` count; `report` presents, once, the rows (label, value, share, suppressed)
that every page, export, board report and API answer lays out; `suppression` is the one
small-number rule and `rounding` the one way of rounding. Regional figures pool the records of
every area of the region; this package is the only reader of `regional_scope`, and what it
returns are counts, never a row about a person.
"""
