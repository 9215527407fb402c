"""Personal data kept only as long as allowed: retention, subject access and erasure.

Removing a person's data keeps every field the figures read (area, dates, age group, gender,
ethnicity, substances, outcomes), so no figure changes.
"""
