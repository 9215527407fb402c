"""Sending the outbox: each message is claimed before it is sent, so it goes once.

Delivery is at least once, never twice at the same time: a run claims a message with a guarded
UPDATE (pending or failed -> sending) and commits before sending, so a second run, even one
running alongside, cannot take it. A run that crashes after claiming leaves the message
'sending'; it is sent again only once CLAIM_TIMEOUT has passed. Failures are retried up to
MAX_ATTEMPTS times and stay visible as 'failed' with the last error.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Protocol

from flask import current_app
from notifications_python_client.notifications import NotificationsAPIClient
from sqlalchemy import and_, or_, select, update

from divert.extensions import db
from divert.models import OutboxMessage, utcnow
from divert.tenancy import system_scope

MAX_ATTEMPTS = 5
CLAIM_TIMEOUT = timedelta(minutes=15)
log = logging.getLogger(__name__)


class Sender(Protocol):
    def __call__(self, message: OutboxMessage) -> None: ...


def log_sender(message: OutboxMessage) -> None:
    """Development: write the message to the log instead of sending it."""
    log.info(
        "outbox %s to %s via %s: %s", message.kind, message.recipient, message.channel, message.body
    )


@dataclass
class SmtpSender:
    host: str
    port: int
    sender: str

    def __call__(self, message: OutboxMessage) -> None:
        if message.channel != "email":
            raise ValueError(f"SMTP cannot send {message.channel} messages")
        email = EmailMessage()
        email["From"], email["To"] = self.sender, message.recipient
        email["Subject"] = message.subject or "divert"
        # The same id on a resend lets the receiving side drop a duplicate.
        email["Message-ID"] = f"<{message.dedupe_key}@divert>"
        email.set_content(message.body)
        with smtplib.SMTP(self.host, self.port, timeout=10) as smtp:
            smtp.send_message(email)


@dataclass
class NotifySender:
    """GOV.UK Notify, through its official client, with one generic template per channel."""

    api_key: str
    email_template: str
    sms_template: str

    def __call__(self, message: OutboxMessage) -> None:
        client = NotificationsAPIClient(self.api_key)
        personalisation = {"subject": message.subject or "", "body": message.body}
        if message.channel == "sms":
            client.send_sms_notification(
                message.recipient,
                self.sms_template,
                personalisation=personalisation,
                reference=message.dedupe_key,
            )
        else:
            client.send_email_notification(
                message.recipient,
                self.email_template,
                personalisation=personalisation,
                reference=message.dedupe_key,
            )


def configured_sender() -> Sender:
    """Notify when an API key is configured, SMTP when a host is, else the log."""
    config = current_app.config
    if config.get("NOTIFY_API_KEY"):
        return NotifySender(
            config["NOTIFY_API_KEY"],
            config["NOTIFY_EMAIL_TEMPLATE_ID"],
            config["NOTIFY_SMS_TEMPLATE_ID"],
        )
    if config.get("SMTP_HOST"):
        return SmtpSender(
            config["SMTP_HOST"],
            int(config.get("SMTP_PORT", 25)),
            config.get("SMTP_SENDER", "divert@localhost"),
        )
    return log_sender


def _claim(message_id: int, now: datetime) -> bool:
    claimable = or_(
        and_(
            OutboxMessage.status.in_(("pending", "failed")), OutboxMessage.attempts < MAX_ATTEMPTS
        ),
        and_(OutboxMessage.status == "sending", OutboxMessage.claimed_at < now - CLAIM_TIMEOUT),
    )
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, claimable)
        .values(status="sending", claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return claimed.rowcount == 1


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0


def send_due(sender: Sender, now: Callable[[], datetime] = utcnow) -> SendReport:
    """Send every message that is due and not taken by another run."""
    report = SendReport()
    with system_scope():
        due = db.session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.send_after <= now(),
                OutboxMessage.status.in_(("pending", "failed", "sending")),
            )
            .order_by(OutboxMessage.send_after, OutboxMessage.id)
        ).all()
        for message_id in due:
            if not _claim(message_id, now()):
                continue
            message = db.session.get(OutboxMessage, message_id)
            try:
                sender(message)
            except Exception as error:  # any sending failure is recorded and retried later
                message.status, message.last_error = "failed", f"{type(error).__name__}: {error}"
                report.failed += 1
            else:
                message.status, message.sent_at, message.last_error = "sent", now(), None
                report.sent += 1
            db.session.commit()
    return report


def failed_messages() -> list[OutboxMessage]:
    """Messages whose last attempt failed, newest first: still retrying or given up."""
    with system_scope():
        return list(
            db.session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.status == "failed")
                .order_by(OutboxMessage.claimed_at.desc(), OutboxMessage.id.desc())
            )
        )
