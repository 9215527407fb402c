"""The isolation point itself: scoped reads, fail-closed default, refused foreign writes."""

from __future__ import annotations

import inspect

import pytest
from flask import Flask
from sqlalchemy import func, insert, select, update

from divert.area_users.members import pending_invitations
from divert.audit.search import EVERY_AREA, AuditSearchForm, search
from divert.auth.tokens import digest
from divert.extensions import db
from divert.models import ApiToken, AreaInvitation, Contract, Membership, Role, Substance
from divert.tenancy import (
    OutsideAreaError,
    _begin_with_setting,
    api_token_by_secret_hash,
    area_scope,
    invitation_by_secret_hash,
    system_scope,
)
from tests.factories import area, make_invitation, make_token, make_user


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_no_scope_sees_no_tenant_rows(app_ctx: Flask) -> None:
    assert db.session.scalars(select(Contract)).all() == []
    assert _count(Substance) == 0
    with system_scope():
        assert _count(Substance) == 44  # 11 substances in each of the four areas


def test_area_scope_sees_only_its_area(app_ctx: Flask) -> None:
    warwickshire, staffordshire = area("warwickshire"), area("staffordshire")
    with area_scope(warwickshire):
        contracts = db.session.scalars(select(Contract)).all()
        assert {c.area_id for c in contracts} == {warwickshire.id}
        # Asking for another area's rows by id still finds nothing.
        foreign = select(Contract).where(Contract.area_id == staffordshire.id)
        assert db.session.scalars(foreign).all() == []
        assert _count(Substance) == 11


def test_a_statement_executed_again_sees_the_scope_of_each_execution(app_ctx: Flask) -> None:
    """A statement built once and executed in one scope after another (as the figures' are)
    sees each time the areas of that scope, never those of an earlier execution."""
    warwickshire, staffordshire = area("warwickshire"), area("staffordshire")
    areas_seen = select(Substance.area_id).distinct()
    with area_scope(warwickshire):
        assert db.session.scalars(areas_seen).all() == [warwickshire.id]
    with area_scope(staffordshire):
        assert db.session.scalars(areas_seen).all() == [staffordshire.id]
    with area_scope(warwickshire):
        assert db.session.scalars(areas_seen).all() == [warwickshire.id]
    assert db.session.scalars(areas_seen).all() == []
    with system_scope():
        assert len(db.session.scalars(areas_seen).all()) == 4


def test_invitations_and_tokens_of_another_area_are_not_seen(app_ctx: Flask) -> None:
    """Invitations and API tokens are area-owned; the one read across areas of each is by its
    secret's hash. A regional lead's token is no area's: every scope sees it."""
    warwickshire, staffordshire = area("warwickshire"), area("staffordshire")
    invitee = make_user("between.areas@example.org")
    make_invitation(invitee, warwickshire, "warwickshire-link")
    make_invitation(invitee, staffordshire, "staffordshire-link")
    ours = make_user("ours@example.org", {"warwickshire": Role.OFFICER})
    theirs = make_user("theirs@example.org", {"staffordshire": Role.OFFICER})
    lead = make_user("lead@example.org")
    make_token(ours, area=warwickshire)
    their_secret = make_token(theirs, area=staffordshire)
    make_token(lead, region=warwickshire.region)
    tokens_seen = select(ApiToken.user_id, ApiToken.area_id, ApiToken.region_id)

    with area_scope(warwickshire):
        seen = db.session.scalars(select(AreaInvitation.area_id)).all()
        assert seen == [warwickshire.id]
        assert pending_invitations(staffordshire) == []
        assert set(db.session.execute(tokens_seen)) == {
            (ours.id, warwickshire.id, None),
            (lead.id, None, warwickshire.region_id),
        }
        invitation = invitation_by_secret_hash(digest("staffordshire-link"))
        token = api_token_by_secret_hash(digest(their_secret))
        assert (invitation.area_id, token.area_id) == (staffordshire.id, staffordshire.id)
    assert db.session.scalars(select(AreaInvitation)).all() == []
    assert set(db.session.execute(tokens_seen)) == {(lead.id, None, warwickshire.region_id)}
    assert invitation_by_secret_hash(digest("nothing")) is None


def test_bulk_update_is_scoped(app_ctx: Flask) -> None:
    warwickshire = area("warwickshire")
    with area_scope(warwickshire):
        db.session.execute(update(Substance).values(label="changed"))
        db.session.commit()
    with system_scope():
        labels = db.session.execute(select(Substance.area_id, Substance.label)).all()
    assert {a for a, label in labels if label == "changed"} == {warwickshire.id}


def test_new_rows_take_the_area_in_scope(app_ctx: Flask) -> None:
    warwickshire = area("warwickshire")
    with area_scope(warwickshire):
        item = Substance(code="spice2", label="New one")
        db.session.add(item)
        db.session.commit()
        assert item.area_id == warwickshire.id


def test_a_row_for_another_area_is_refused(app_ctx: Flask) -> None:
    warwickshire, staffordshire = area("warwickshire"), area("staffordshire")
    with area_scope(warwickshire):
        db.session.add(Substance(code="x", label="X", area_id=staffordshire.id))
        with pytest.raises(OutsideAreaError):
            db.session.flush()
        db.session.rollback()


def test_a_row_without_area_is_refused_outside_any_scope(app_ctx: Flask) -> None:
    db.session.add(Substance(code="x", label="X"))
    with pytest.raises(OutsideAreaError):
        db.session.flush()
    db.session.rollback()


def _substance_codes(area_id: int) -> set[str]:
    with system_scope():
        return set(db.session.scalars(select(Substance.code).where(Substance.area_id == area_id)))


def test_bulk_insert_of_another_areas_row_is_refused(app_ctx: Flask) -> None:
    warwickshire, staffordshire = area("warwickshire"), area("staffordshire")
    row = {"area_id": staffordshire.id, "code": "probe", "label": "Probe"}
    with area_scope(warwickshire):
        with pytest.raises(OutsideAreaError):
            db.session.execute(insert(Substance), [row])
        with pytest.raises(OutsideAreaError):
            db.session.execute(insert(Substance).values(**row))
        db.session.rollback()
    assert "probe" not in _substance_codes(staffordshire.id)


def test_bulk_insert_without_an_area_is_refused_in_an_area(app_ctx: Flask) -> None:
    with area_scope(area("warwickshire")), pytest.raises(OutsideAreaError):
        db.session.execute(insert(Substance), [{"code": "probe", "label": "Probe"}])
    db.session.rollback()


def test_bulk_insert_outside_any_scope_is_refused(app_ctx: Flask) -> None:
    warwickshire = area("warwickshire")
    with pytest.raises(OutsideAreaError):
        db.session.execute(
            insert(Substance), [{"area_id": warwickshire.id, "code": "probe", "label": "Probe"}]
        )
    db.session.rollback()
    assert "probe" not in _substance_codes(warwickshire.id)


def test_bulk_insert_of_the_areas_own_rows_is_allowed(app_ctx: Flask) -> None:
    warwickshire = area("warwickshire")
    with area_scope(warwickshire):
        db.session.execute(
            insert(Substance), [{"area_id": warwickshire.id, "code": "probe", "label": "Probe"}]
        )
        db.session.commit()
    assert "probe" in _substance_codes(warwickshire.id)


def test_bulk_update_cannot_move_rows_to_another_area(app_ctx: Flask) -> None:
    warwickshire, staffordshire = area("warwickshire"), area("staffordshire")
    with area_scope(warwickshire), pytest.raises(OutsideAreaError):
        db.session.execute(update(Substance).values(area_id=staffordshire.id))
    db.session.rollback()
    assert len(_substance_codes(staffordshire.id)) == 11


def test_a_row_cannot_be_moved_to_another_area(app_ctx: Flask) -> None:
    warwickshire, staffordshire = area("warwickshire"), area("staffordshire")
    with area_scope(warwickshire):
        substance = Substance(code="probe", label="Probe")
        db.session.add(substance)
        db.session.commit()
        substance.area_id = staffordshire.id
        with pytest.raises(OutsideAreaError):
            db.session.flush()
        db.session.rollback()


def test_core_writes_to_an_area_table_are_refused_outside_the_system_scope(app_ctx: Flask) -> None:
    with area_scope(area("warwickshire")), pytest.raises(OutsideAreaError):
        db.session.execute(update(Substance.__table__).values(label="changed"))
    db.session.rollback()


def test_no_view_opens_the_system_scope(app: Flask) -> None:
    """Views read across areas only through tenancy's named functions (administration pages
    through `administration_scope`), never by opening every area themselves."""
    opened = []
    for endpoint, view in app.view_functions.items():
        source = inspect.getsource(inspect.unwrap(view))
        if "system_scope(" in source:
            opened.append(endpoint)
    assert opened == []


def test_a_persons_own_memberships_are_read_across_areas_and_no_one_elses(
    app_ctx: Flask,
) -> None:
    person = make_user(
        "regional.educator@example.org",
        {"warwickshire": Role.EDUCATOR, "staffordshire": Role.MANAGER},
    )
    make_user("colleague@example.org", {"staffordshire": Role.OFFICER})
    db.session.expire_all()
    warwickshire = area("warwickshire")
    with area_scope(warwickshire):
        assert {m.area.slug for m in person.memberships} == {"warwickshire", "staffordshire"}
        listed = db.session.scalars(select(Membership)).all()
        assert {m.area_id for m in listed} == {warwickshire.id}
    assert person.areas() and db.session.scalars(select(Membership)).all() == []


def test_every_areas_audit_trail_needs_the_administration_scope(app: Flask) -> None:
    with app.test_request_context(), area_scope(area("warwickshire")):
        form = AuditSearchForm(formdata=None)
        with pytest.raises(OutsideAreaError):
            search(form, 1, where=EVERY_AREA)


@pytest.mark.parametrize("setting", ["all'; SELECT 1", "1,2); SELECT 1", "alls", "1 OR 1"])
def test_an_areas_setting_is_written_into_the_begin_only_when_ids_or_all(setting: str) -> None:
    # The setting is written into the BEGIN's text (a simple query takes no parameters): anything
    # but area ids and commas, or 'all' alone, is refused before the connection is touched.
    with pytest.raises(OutsideAreaError, match="not an areas setting"):
        _begin_with_setting(None, setting)  # type: ignore[arg-type]
