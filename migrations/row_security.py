"""Row-level security for area-owned tables: the database's own check, behind divert.tenancy.

divert.tenancy sets `divert.area_ids` at the start of each transaction (and again whenever the
scope changes inside one) with `set_config(..., true)`, so it lasts until the transaction ends:
the ids of the areas in scope separated by commas, '' for none, or 'all' in the system scope.
A row of an area-owned table is visible, insertable and updatable only when its area is in that
list, or in the system scope. With the setting missing (a connection that never went through
divert.tenancy) nothing is visible: it fails closed, like the application.

A migration that creates an area-owned table calls `protect_area_table(op, "new_table")`; a
test (tests/test_row_security.py) fails when any AreaOwned model's table has no policy.
"""

from __future__ import annotations

from typing import Any

POLICY = "area_isolation"

# STABLE and a single SELECT, so PostgreSQL inlines it into each query's plan.
AREA_VISIBLE_FUNCTION = """
CREATE OR REPLACE FUNCTION divert_area_visible(area integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT current_setting('divert.area_ids', true) = 'all'
        OR area = ANY (string_to_array(
            NULLIF(current_setting('divert.area_ids', true), 'all'), ','
        )::integer[])
$$
"""


def create_area_visible_function(op: Any) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(AREA_VISIBLE_FUNCTION)


def protect_area_table(op: Any, table: str, *, area_optional: bool = False) -> None:
    """Force row-level security on `table` with the area policy (PostgreSQL only; SQLite has
    none). `area_optional`: rows without an area (a sign-in's audit event, an invitation in the
    outbox) belong to no area, so no area is hidden from them; the application still shows
    them only in the system scope."""
    if op.get_bind().dialect.name != "postgresql":
        return
    check = "divert_area_visible(area_id)"
    if area_optional:
        check = f"(area_id IS NULL OR {check})"
    op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
    op.execute(f'CREATE POLICY {POLICY} ON "{table}" USING ({check}) WITH CHECK ({check})')


def unprotect_area_table(op: Any, table: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f'DROP POLICY IF EXISTS {POLICY} ON "{table}"')
    op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')


def drop_area_visible_function(op: Any) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS divert_area_visible(integer)")
