"""The not-engaged rule at its boundaries, and the outbox's once-only sending."""

from __future__ import annotations

import socket
import time as clock
from datetime import date, timedelta

import pytest
from aiosmtpd.controller import Controller
from flask import current_app
from sqlalchemy import select

from divert.extensions import db
from divert.models import (
    Area,
    BookingStatus,
    ContactAttempt,
    OutboxMessage,
    ReferralStatus,
    User,
    utcnow,
)
from divert.notifications import sending
from divert.notifications.sending import SmtpSender, send_due
from divert.referrals import lifecycle
from divert.sessions.rules import apply_not_engaged
from divert.tenancy import system_scope
from tests.referrals.builders import referral, session_slot

TODAY = date(2026, 11, 23)


def _miss(made, here: Area, staff: dict[str, User]) -> None:
    started = utcnow() - timedelta(hours=2)
    booking = lifecycle.book(
        made, session_slot(here, staff["educator"], starts_at=started), staff["educator"]
    )
    lifecycle.record_attendance(booking, BookingStatus.DID_NOT_ATTEND, staff["educator"])


def test_one_miss_below_the_limit_keeps_the_case_open(warwickshire, staff) -> None:
    made = referral(warwickshire, staff["officer"])
    _miss(made, warwickshire, staff)
    assert (made.status, made.missed_appointments) == (ReferralStatus.DID_NOT_ATTEND, 1)
    assert apply_not_engaged(warwickshire, TODAY) == []


def test_the_miss_that_reaches_the_limit_returns_the_case(warwickshire, staff) -> None:
    made = referral(warwickshire, staff["officer"])
    _miss(made, warwickshire, staff)
    _miss(made, warwickshire, staff)
    assert made.status is ReferralStatus.NOT_ENGAGED
    notice = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "outcome_notice")
    ).one()
    assert notice.recipient == "pc@example.org" and made.reference in notice.subject


@pytest.mark.parametrize(("days_ago", "closed"), [(27, False), (28, False), (29, True)])
def test_no_contact_limit_boundaries(warwickshire, staff, days_ago: int, closed: bool) -> None:
    made = referral(warwickshire, staff["officer"], received_on=TODAY - timedelta(days=days_ago))
    db.session.commit()
    closures = apply_not_engaged(warwickshire, TODAY)
    assert [c.reference for c in closures] == ([made.reference] if closed else [])
    assert (made.status is ReferralStatus.NOT_ENGAGED) is closed


def test_contact_or_a_booking_stops_the_no_contact_rule(warwickshire, staff) -> None:
    old = TODAY - timedelta(days=40)
    reached = referral(warwickshire, staff["officer"], received_on=old)
    unanswered = referral(warwickshire, staff["officer"], received_on=old)
    booked = referral(warwickshire, staff["officer"], received_on=old)
    db.session.add_all(
        [
            ContactAttempt(
                referral_id=reached.id,
                user_id=staff["educator"].id,
                method="phone",
                outcome="reached",
            ),
            ContactAttempt(
                referral_id=unanswered.id,
                user_id=staff["educator"].id,
                method="phone",
                outcome="no_answer",
            ),
        ]
    )
    lifecycle.book(booked, session_slot(warwickshire, staff["educator"]), staff["educator"])
    db.session.commit()
    assert [c.reference for c in apply_not_engaged(warwickshire, TODAY)] == [unanswered.reference]


def test_booking_queues_a_confirmation_and_a_reminder(warwickshire, staff) -> None:
    made = referral(warwickshire, staff["officer"], phone="+447911123456")
    slot = session_slot(warwickshire, staff["educator"])
    lifecycle.book(made, slot, staff["educator"])
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.kind for m in messages] == ["appointment_confirmation", "appointment_reminder"]
    assert messages[1].send_after == slot.starts_at - timedelta(hours=24)
    assert all(m.channel == "sms" and m.recipient == "+447911123456" for m in messages)
    no_consent = referral(warwickshire, staff["officer"], consent_to_contact=False)
    lifecycle.book(no_consent, session_slot(warwickshire, staff["educator"]), staff["educator"])
    assert len(db.session.scalars(select(OutboxMessage)).all()) == len(messages)


class Recorder:
    def __init__(self, fail_first: int = 0) -> None:
        self.sent: list[str] = []
        self.fail_first = fail_first

    def __call__(self, message: OutboxMessage) -> None:
        if self.fail_first:
            self.fail_first -= 1
            raise ConnectionError("provider unavailable")
        self.sent.append(message.dedupe_key)


def _queued(warwickshire: Area, staff: dict[str, User]) -> None:
    made = referral(warwickshire, staff["officer"])
    lifecycle.change_status(made, ReferralStatus.INELIGIBLE, staff["educator"])
    db.session.commit()


def test_rebooking_withdraws_the_old_reminder(warwickshire, staff) -> None:
    made = referral(warwickshire, staff["officer"])
    lifecycle.book(made, session_slot(warwickshire, staff["educator"]), staff["educator"])
    lifecycle.book(made, session_slot(warwickshire, staff["educator"]), staff["educator"])
    reminders = db.session.scalars(
        select(OutboxMessage.status)
        .where(OutboxMessage.kind == "appointment_reminder")
        .order_by(OutboxMessage.id)
    ).all()
    assert reminders == ["cancelled", "pending"]


def test_two_runs_send_once(warwickshire, staff) -> None:
    _queued(warwickshire, staff)
    recorder = Recorder()
    assert send_due(recorder).sent == 1
    assert send_due(recorder).sent == 0
    assert len(recorder.sent) == 1


def test_a_crash_after_claiming_is_resent_once_after_the_timeout(warwickshire, staff) -> None:
    _queued(warwickshire, staff)
    with system_scope():
        message_id = db.session.scalar(select(OutboxMessage.id))
        assert sending._claim(message_id, utcnow())  # the run that then crashed
    recorder = Recorder()
    assert send_due(recorder).sent == 0  # still claimed by the crashed run
    later = utcnow() + sending.CLAIM_TIMEOUT + timedelta(minutes=1)
    assert send_due(recorder, now=lambda: later).sent == 1
    assert send_due(recorder, now=lambda: later).sent == 0
    assert len(recorder.sent) == 1


def test_failures_are_retried_then_kept_visible(warwickshire, staff) -> None:
    _queued(warwickshire, staff)
    recorder = Recorder(fail_first=sending.MAX_ATTEMPTS)
    for _ in range(sending.MAX_ATTEMPTS + 2):
        send_due(recorder)
    with system_scope():
        message = db.session.scalars(select(OutboxMessage)).one()
        assert (message.status, message.attempts) == ("failed", sending.MAX_ATTEMPTS)
        assert "provider unavailable" in message.last_error
    assert recorder.sent == []
    listed = current_app.test_cli_runner().invoke(args=["outbox", "failed"]).output
    attempts = sending.MAX_ATTEMPTS
    assert (
        f"#{message.id} {message.kind} by {message.channel}, {attempts} attempt(s), "
        "gave up: ConnectionError: provider unavailable"
    ) in listed
    assert "1 failed message(s)" in listed


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_smtp_sending_through_a_real_local_server(warwickshire, staff) -> None:
    _queued(warwickshire, staff)
    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        report = send_due(SmtpSender("127.0.0.1", port, "divert@example.org"))
        deadline = clock.monotonic() + 5
        while not inbox.messages and clock.monotonic() < deadline:
            clock.sleep(0.05)
    finally:
        controller.stop()
    assert report.sent == 1
    assert len(inbox.messages) == 1
    assert b"To: pc@example.org" in inbox.messages[0]
    assert b"returned to you" in inbox.messages[0]
