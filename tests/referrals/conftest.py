"""Warwickshire's scope with an officer and an educator, for the domain tests that call the
referral functions directly (outside any request, as a job or a command would)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from divert.models import Area, Role, User
from tests.factories import make_user
from tests.referrals.builders import outside_requests_in


@pytest.fixture
def warwickshire(app_ctx: Flask) -> Iterator[Area]:
    yield from outside_requests_in("warwickshire")


@pytest.fixture
def officer(warwickshire: Area) -> User:
    return make_user("pc@example.org", {"warwickshire": Role.OFFICER})


@pytest.fixture
def educator(warwickshire: Area) -> User:
    return make_user("ed@example.org", {"warwickshire": Role.EDUCATOR})
