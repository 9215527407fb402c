"""The figures, defined once (DESIGN.md, "Figures") and computed in SQL from the records.

Every page, export and API answer reads its numbers from here. Regional figures pool the
records of every area of the region; this module is the only reader of `regional_scope`, and
what it returns are counts, never a row about a person.
"""
