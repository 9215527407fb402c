"""The calendar feed's secret link opens only the areas where its owner keeps a diary now."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from divert.extensions import db
from divert.models import Membership, Role
from divert.tenancy import area_scope
from tests.factories import area, make_user
from tests.referrals.builders import session_slot


def test_the_feed_drops_an_area_the_educator_was_removed_from(
    app_ctx: Flask, client: FlaskClient
) -> None:
    educator = make_user(
        "regional.ed@example.org",
        {"warwickshire": Role.EDUCATOR, "staffordshire": Role.EDUCATOR},
        calendar_token="c" * 43,
    )
    for slug in ("warwickshire", "staffordshire"):
        with area_scope(area(slug)):
            session_slot(area(slug), educator)
            db.session.commit()
    assert client.get(f"/calendar/{'c' * 43}.ics").text.count("BEGIN:VEVENT") == 2

    staffordshire = area("staffordshire")
    with area_scope(staffordshire):
        removed = db.session.scalars(
            select(Membership).where(Membership.user_id == educator.id)
        ).one()
        removed.active = False
        db.session.commit()
    assert client.get(f"/calendar/{'c' * 43}.ics").text.count("BEGIN:VEVENT") == 1

    with area_scope(staffordshire):
        removed = db.session.get(Membership, removed.id)
        removed.active, removed.role = True, Role.OFFICER  # still in the area, keeps no diary
        db.session.commit()
    assert client.get(f"/calendar/{'c' * 43}.ics").text.count("BEGIN:VEVENT") == 1
