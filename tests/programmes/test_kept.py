"""An area's programmes are kept in the process (divert.area_cache) and attached to each
transaction without a query; a change to one is seen at once, and a transaction that changes
one sees its own change."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event

from divert import area_cache
from divert.extensions import db
from divert.models import Area
from divert.programmes.rules import area_programmes
from divert.tenancy import area_scope
from tests.factories import area


@contextmanager
def _statements() -> Iterator[list[str]]:
    run: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        run.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield run
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _warwickshire() -> Area:
    """The area, detached: what its programmes are read for, read no more."""
    here = area("warwickshire")
    db.session.expunge(here)
    return here


def _names(here: Area) -> list[str]:
    return [p.name for p in area_programmes(here)]


def test_programmes_are_read_once_then_attached_without_a_query(app_ctx: Flask) -> None:
    area_cache.forget()
    here = _warwickshire()
    with area_scope(here):
        held = area_programmes(here)  # as a referral's programme would be, say
        first = [p.name for p in held]
        db.session.commit()  # the records read are expired, still held by the session
        with _statements() as run:
            assert _names(here) == first
            db.session.rollback()
            db.session.expunge_all()  # a new request's session holds none
            assert _names(here) == first
        assert run == []
        assert [p.name for p in held] == first


def test_a_changed_programme_is_seen_at_once_and_by_its_own_transaction(
    app_ctx: Flask,
) -> None:
    here = _warwickshire()
    with area_scope(here):
        first = _names(here)  # kept in the process
        programme = area_programmes(here)[0]
        programme.name = "DIVERT for adults (renamed)"
        assert _names(here) == ["DIVERT for adults (renamed)", *first[1:]]  # not flushed yet
        db.session.commit()
        db.session.expunge_all()
        assert _names(here) == ["DIVERT for adults (renamed)", *first[1:]]
