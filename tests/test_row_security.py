"""PostgreSQL's row-level security, the second line behind divert.tenancy: SQL that never passes
through the ORM hooks still sees and writes only the areas in scope."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from divert.extensions import db
from divert.models import AreaOwned
from divert.tenancy import area_scope, system_scope
from tests.factories import area, make_invitation, make_token, make_user

pytestmark = pytest.mark.postgresql_only


def _area_tables() -> set[str]:
    return {
        mapper.local_table.name
        for mapper in db.Model.registry.mappers
        if issubclass(mapper.class_, AreaOwned)
    }


def test_every_area_owned_table_has_a_forced_policy(app_ctx: Flask) -> None:
    """A new area-owned table needs `protect_area_table` in its migration (row_security.py)."""
    protected = set(
        db.session.scalars(
            text(
                "SELECT c.relname FROM pg_class c JOIN pg_policies p ON p.tablename = c.relname "
                "WHERE c.relrowsecurity AND c.relforcerowsecurity "
                "AND p.policyname = 'area_isolation'"
            )
        )
    )
    assert _area_tables() - protected == set()


def test_the_application_cannot_bypass_the_policies(app_ctx: Flask) -> None:
    role = db.session.execute(
        text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    ).one()
    assert tuple(role) == (False, False)
    owned = db.session.scalars(
        text("SELECT tablename FROM pg_tables WHERE tableowner = current_user")
    ).all()
    assert owned == []


def _areas_seen(table: str) -> set[int]:
    return set(db.session.scalars(text(f"SELECT DISTINCT area_id FROM {table}")))


def test_raw_sql_in_an_area_scope_sees_only_that_area(app_ctx: Flask) -> None:
    warwickshire = area("warwickshire")
    with area_scope(warwickshire):
        assert _areas_seen("substance") == {warwickshire.id}
        assert _areas_seen("contract") == {warwickshire.id}
    db.session.commit()


def test_raw_sql_sees_invitations_and_tokens_of_the_areas_in_scope(app_ctx: Flask) -> None:
    """A regional lead's token has no area: the policy lets it through in any scope
    (migrations/versions/0018_invitation_token_rls.py says why)."""
    warwickshire, staffordshire = area("warwickshire"), area("staffordshire")
    invitee = make_user("between.areas@example.org")
    make_invitation(invitee, warwickshire, "warwickshire-link")
    make_invitation(invitee, staffordshire, "staffordshire-link")
    make_token(invitee, area=warwickshire)
    make_token(invitee, area=staffordshire)
    make_token(invitee, region=warwickshire.region)
    with area_scope(warwickshire):
        assert _areas_seen("area_invitation") == {warwickshire.id}
        assert _areas_seen("api_token") == {warwickshire.id, None}
    assert _areas_seen("area_invitation") == set()
    assert _areas_seen("api_token") == {None}
    db.session.commit()


def test_raw_sql_outside_any_scope_sees_nothing(app_ctx: Flask) -> None:
    assert _areas_seen("substance") == set()
    with system_scope():
        assert len(_areas_seen("substance")) == 4


def test_the_scope_changing_inside_a_transaction_is_followed(app_ctx: Flask) -> None:
    warwickshire, staffordshire = area("warwickshire"), area("staffordshire")
    with area_scope(warwickshire):
        assert _areas_seen("substance") == {warwickshire.id}
    with area_scope(staffordshire):
        assert _areas_seen("substance") == {staffordshire.id}
    db.session.rollback()


INSERT_SUBSTANCE = text(
    "INSERT INTO substance (area_id, code, label, active, position) "
    "VALUES (:area_id, 'probe', 'Probe', true, 0)"
)


def test_raw_insert_of_another_areas_row_is_refused_by_the_database(app_ctx: Flask) -> None:
    warwickshire, staffordshire = area("warwickshire"), area("staffordshire")
    with area_scope(warwickshire), pytest.raises(ProgrammingError, match="row-level security"):
        db.session.execute(INSERT_SUBSTANCE, {"area_id": staffordshire.id})
    db.session.rollback()


def test_raw_insert_of_the_areas_own_row_is_allowed(app_ctx: Flask) -> None:
    warwickshire = area("warwickshire")
    with area_scope(warwickshire):
        db.session.execute(INSERT_SUBSTANCE, {"area_id": warwickshire.id})
        db.session.commit()


def test_raw_update_neither_reaches_nor_moves_rows_to_another_area(app_ctx: Flask) -> None:
    warwickshire, staffordshire = area("warwickshire"), area("staffordshire")
    with area_scope(warwickshire):
        changed = db.session.execute(
            text("UPDATE substance SET label = 'changed' WHERE area_id = :area_id"),
            {"area_id": staffordshire.id},
        )
        assert changed.rowcount == 0
        with pytest.raises(ProgrammingError, match="row-level security"):
            db.session.execute(
                text("UPDATE substance SET area_id = :area_id"), {"area_id": staffordshire.id}
            )
    db.session.rollback()


def test_a_transaction_is_opened_with_its_areas_already_set(app_ctx: Flask) -> None:
    # The BEGIN and the setting go together (divert.tenancy): the first statement sees the area.
    warwickshire = area("warwickshire")
    db.session.rollback()
    with area_scope(warwickshire):
        setting = db.session.scalar(text("SELECT current_setting('divert.area_ids', true)"))
        assert setting == str(warwickshire.id)
        assert _areas_seen("substance") == {warwickshire.id}
    db.session.rollback()


def test_an_autocommit_connection_is_left_without_a_transaction(app_ctx: Flask) -> None:
    with db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        with area_scope(area("warwickshire")):
            assert connection.scalar(text("SELECT 1")) == 1
        assert connection.connection.dbapi_connection.info.transaction_status.name == "IDLE"
