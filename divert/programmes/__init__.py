"""Programmes: which one a referral belongs to, and what each one's rules say."""
