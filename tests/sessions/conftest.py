"""Warwickshire's scope with its staff, for the domain tests that call the educator's functions
directly (outside any request, as a job or a command would)."""

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
def staff(warwickshire: Area) -> dict[str, User]:
    return {
        "officer": make_user("pc@example.org", {"warwickshire": Role.OFFICER}),
        "educator": make_user("ed@example.org", {"warwickshire": Role.EDUCATOR}),
    }
