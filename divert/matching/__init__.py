"""Finding the same person across referrals despite typing errors: pure functions, no Flask.

normalise -> blocking keys (what to look up) -> score (how alike two records are) -> tier.
"""
