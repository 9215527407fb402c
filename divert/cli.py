"""Command-line jobs: tenants sync, demo build, daily case rules, outbox, matching, retention."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from divert.api.idempotency import forget_old_keys
from divert.areas.config import AreaConfigError
from divert.areas.sync import sync_tenants
from divert.courses.services import apply_deadlines
from divert.demo.accounts import DEMO_PASSWORD, create_demo_accounts
from divert.demo.builder import build_demo
from divert.demo.outcomes import build_outcomes
from divert.extensions import db
from divert.matching.evaluate import evaluate, report
from divert.matching.generator import Stream
from divert.models import Area, ForceBatch, IdempotencyKey, utcnow
from divert.notifications.sending import (
    MAX_ATTEMPTS,
    configured_sender,
    failed_messages,
    send_due,
)
from divert.privacy.retention import apply_retention
from divert.sessions.rules import apply_not_engaged
from divert.tenancy import area_scope

tenants_cli = AppGroup("tenants", help="Areas as configured in tenants/*.toml.")


@tenants_cli.command("sync")
@click.option("--directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
def sync_command(directory: Path | None) -> None:
    """Create or update regions, areas, contracts and reference lists from the TOML files."""
    try:
        changes = sync_tenants(directory or Path(current_app.config["TENANTS_DIR"]))
    except AreaConfigError as error:
        raise click.ClickException(str(error)) from error
    for change in changes:
        click.echo(change)
    click.echo(f"{len(changes)} change(s)" if changes else "Already in line: no changes")


demo_cli = AppGroup("demo", help="The demo region.")


@demo_cli.command("build")
@click.option("--referrals", default=3000, show_default=True, help="How many referrals.")
@click.option("--seed", default=2024, show_default=True, help="Random seed (same seed, same data).")
def demo_build_command(referrals: int, seed: int) -> None:
    """Create the demo accounts and 18 months of referrals, sessions and attendance."""
    started = time.perf_counter()
    accounts = create_demo_accounts()
    try:
        per_area = build_demo(referrals, seed)
        build_outcomes(seed, date.today())
    except RuntimeError as error:
        raise click.ClickException(str(error)) from error
    for slug, count in sorted(per_area.items()):
        click.echo(f"{slug}: {count} referrals")
    click.echo(f"Built {referrals} referrals in {time.perf_counter() - started:.1f} s")
    click.echo(f"\nDemo accounts (password: {DEMO_PASSWORD}):")
    for account in accounts:
        click.echo(f"  {account.email:45} {account.description}")


# The daily jobs' --today: run as of another day than today.
AS_OF = click.option(
    "--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Run as of this date."
)


def _each_area(today: datetime | None) -> Iterator[tuple[Area, date]]:
    """Every area by name, the caller's work on each done inside that area's scope, with the
    day the job runs as of (--today, or today)."""
    as_of = today.date() if today else date.today()
    for area in db.session.scalars(select(Area).order_by(Area.name)).all():
        with area_scope(area):
            yield area, as_of


cases_cli = AppGroup("cases", help="Daily jobs on open cases.")


@cases_cli.command("apply-not-engaged")
@AS_OF
def apply_not_engaged_command(today: datetime | None) -> None:
    """Close as not engaged the cases past an area's missed-appointment or no-contact limit."""
    total = 0
    for area, as_of in _each_area(today):
        closures = apply_not_engaged(area, as_of)
        for closure in closures:
            click.echo(f"{area.slug}: {closure.reference} not engaged ({closure.reason})")
        total += len(closures)
    click.echo(f"{total} case(s) closed as not engaged")


@cases_cli.command("apply-deadlines")
@AS_OF
def apply_deadlines_command(today: datetime | None) -> None:
    """Close as not completed (returned to the police) the cases past their programme's
    deadline, such as a conditional caution's."""
    total = 0
    for area, as_of in _each_area(today):
        closures = apply_deadlines(as_of)
        db.session.commit()
        for reference, note in closures:
            click.echo(f"{area.slug}: {reference} not completed ({note})")
        total += len(closures)
    click.echo(f"{total} case(s) closed as not completed by their deadline")


outbox_cli = AppGroup("outbox", help="Messages waiting to be sent.")


@outbox_cli.command("send")
def outbox_send_command() -> None:
    """Send every due message once, through Notify, SMTP or the log (see README)."""
    report = send_due(configured_sender())
    click.echo(f"{report.sent} sent, {report.failed} failed (will be retried)")


@outbox_cli.command("failed")
def outbox_failed_command() -> None:
    """List messages whose sending failed: retried up to the limit, then kept here to act on."""
    failed = failed_messages()
    for message in failed:
        state = "gave up" if message.attempts >= MAX_ATTEMPTS else "will retry"
        click.echo(
            f"#{message.id} {message.kind} by {message.channel}, {message.attempts} attempt(s), "
            f"{state}: {message.last_error}"
        )
    click.echo(f"{len(failed)} failed message(s)")


matching_cli = AppGroup("matching", help="The repeat-referral matcher.")


@matching_cli.command("evaluate")
@click.option("--size", default=20_000, show_default=True, help="Referrals in the stream.")
@click.option("--seed", default=1, show_default=True)
def matching_evaluate_command(size: int, seed: int) -> None:
    """Precision and recall per tier on a generated, labelled stream of referrals."""
    click.echo(report(evaluate(Stream(seed).records(size))))


api_cli = AppGroup("api", help="The JSON API's housekeeping.")


@api_cli.command("forget-keys")
def api_forget_keys_command() -> None:
    """Delete Idempotency-Keys older than 30 days: retries come within minutes."""
    now = utcnow()
    click.echo(
        f"{forget_old_keys(IdempotencyKey, now)} idempotency key(s) older than 30 days deleted"
    )
    click.echo(f"{forget_old_keys(ForceBatch, now)} force batch key(s) older than 30 days deleted")


retention_cli = AppGroup("retention", help="Removing personal data past each area's period.")


@retention_cli.command("apply")
@AS_OF
def retention_apply_command(today: datetime | None) -> None:
    """Remove the personal data of cases closed longer ago than the area's retention period."""
    for area, as_of in _each_area(today):
        run = apply_retention(area, as_of)
        click.echo(
            f"{run.area}: personal data of {run.people} people removed "
            f"(cases closed before {run.cutoff:%-d %B %Y})"
        )


def init_app(app: Flask) -> None:
    for group in (
        tenants_cli,
        demo_cli,
        cases_cli,
        outbox_cli,
        matching_cli,
        retention_cli,
        api_cli,
    ):
        app.cli.add_command(group)
