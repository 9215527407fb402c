"""Warwickshire's scope with a custody worker and an officer, for the CARS tests that call the
use cases directly (no request), and helpers that record through them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from divert.custody import use_cases
from divert.custody.use_cases import ContactDetails
from divert.extensions import db
from divert.models import Area, CustodyLocation, InitialContact, Role, User, utcnow
from tests.factories import make_user
from tests.referrals.builders import outside_requests_in


@pytest.fixture
def warwickshire(app_ctx: Flask) -> Iterator[Area]:
    yield from outside_requests_in("warwickshire")


@pytest.fixture
def worker(warwickshire: Area) -> User:
    return make_user("cars@example.org", {"warwickshire": Role.CUSTODY_WORKER})


@pytest.fixture
def officer(warwickshire: Area) -> User:
    return make_user("pc@example.org", {"warwickshire": Role.OFFICER})


def location_id(code: str = "leamington") -> int:
    return db.session.scalars(select(CustodyLocation.id).where(CustodyLocation.code == code)).one()


def details(**changes: object) -> ContactDetails:
    """Jordan Ellis, seen in Leamington's custody suite an hour ago, tested positive."""
    made = ContactDetails(
        forename="Jordan",
        surname="Ellis",
        date_of_birth=datetime(1990, 3, 14).date(),
        location_id=location_id(),
        seen_at=utcnow().replace(microsecond=0) - timedelta(hours=1),
        test_result="positive_cocaine",
    )
    return replace(made, **changes)


def contact(area: Area, worker: User, **changes: object) -> InitialContact:
    return use_cases.record_contact(area, worker, details(**changes))
