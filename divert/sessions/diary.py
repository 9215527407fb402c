"""The diary: an educator's (or, for managers, any educator's) sessions, publishing new ones,
and the secret calendar feed."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from icalendar import Calendar, Event
from sqlalchemy import select
from werkzeug.wrappers import Response

from divert import audit
from divert.clock import LOCAL, utcnow
from divert.extensions import db
from divert.formfields import choice_id, options
from divert.models import DiarySession, Role, SessionKind, User, Venue
from divert.params import query_date, query_int
from divert.permissions import Permission, can, public, requires, role_can
from divert.programmes import rules as programme_rules
from divert.referrals.slots import describe
from divert.sessions import queries
from divert.sessions.blueprint import bp
from divert.sessions.forms import SessionForm
from divert.tenancy import current_area, own_sessions_everywhere

KIND_LABELS = {
    SessionKind.INITIAL: "Initial one-to-one",
    SessionKind.FOLLOW_UP: "Follow-up session",
    SessionKind.GROUP: "Group session",
    SessionKind.ASSESSMENT: "Young person's assessment",
}


def _diary_educator() -> queries.Whose:
    """Whose diary: one's own, or (for managers) any educator's of the area, or the sessions of
    educators who have left it."""
    if can(Permission.MANAGE_ALL_DIARIES):
        return queries.parse_whose(request.args.get("educator"))
    return current_user.id


# Whose calendar feed lists an area: its active educators and managers (those keeping a diary).
DIARY_ROLES = frozenset(role for role in Role if role_can(role, Permission.MANAGE_DIARY))


@bp.route("/<area_slug>/diary")
@requires(Permission.MANAGE_DIARY)
def diary() -> str:
    day = query_date("day") or date.today()
    week = request.args.get("view") == "week"
    start = day - timedelta(days=day.weekday()) if week else day
    days = 7 if week else 1
    programme_id = query_int("programme")
    return render_template(
        "sessions/diary.html",
        sessions=queries.diary(_diary_educator(), start, days, current_area.id, programme_id),
        programmes=programme_rules.referral_programmes(current_area),
        programme_id=programme_id,
        start=start,
        days=days,
        week=week,
        previous=start - timedelta(days=days),
        following=start + timedelta(days=days),
        educators=queries.area_educators(current_area.id)
        if can(Permission.MANAGE_ALL_DIARIES)
        else [],
        educator_id=_diary_educator(),
        unassigned=queries.UNASSIGNED,
        describe=describe,
        local=LOCAL,
        kind_labels=KIND_LABELS,
    )


def _session_choices(form: SessionForm) -> None:
    programmes = programme_rules.referral_programmes(current_area)
    form.programme.choices = options([(str(p.id), p.name) for p in programmes])
    if not form.programme.data and programmes:
        form.programme.data = str(programmes[0].id)
    venues = db.session.scalars(select(Venue).where(Venue.active).order_by(Venue.position))
    form.venue.choices = options(
        [("remote", "Remote (phone or video)")] + [(str(v.id), v.label) for v in venues]
    )
    if can(Permission.MANAGE_ALL_DIARIES):
        form.educator.choices = options(
            [(str(u.id), u.name) for u in queries.area_educators(current_area.id)]
        )
    else:  # an educator publishes into their own diary, whatever the form says
        form.educator.choices = options([(str(current_user.id), current_user.name)])
        form.educator.data = str(current_user.id)
    if not form.educator.data:
        form.educator.data = str(current_user.id)


@bp.route("/<area_slug>/diary/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_DIARY)
def new_session() -> str | Response:
    form = SessionForm()
    _session_choices(form)
    if form.validate_on_submit():
        start_time = form.start_time()
        remote = form.venue.data == "remote"
        created = []
        for day in form.dates():
            starts = datetime.combine(day, start_time, tzinfo=LOCAL)
            created.append(
                DiarySession(
                    educator_id=int(form.educator.data),
                    programme_id=int(form.programme.data),
                    kind=SessionKind(form.kind.data),
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=form.minutes.data),
                    capacity=form.capacity.data,
                    remote=remote,
                    venue_id=None if remote else choice_id(form.venue.data) or None,
                )
            )
        db.session.add_all(created)
        audit.record("sessions_published", count=len(created))
        db.session.commit()
        flash(f"Published {len(created)} session{'s' if len(created) != 1 else ''}.", "success")
        return redirect(url_for(".diary", day=form.first_date.data.isoformat(), view="week"))
    return render_template("sessions/new_session.html", form=form)


@bp.route("/<area_slug>/diary/calendar-link", methods=["POST"])
@requires(Permission.MANAGE_DIARY)
def regenerate_calendar_link() -> Response:
    had_a_link = current_user.calendar_token is not None
    current_user.calendar_token = secrets.token_urlsafe(32)
    audit.record("calendar_link_regenerated", record_type="user", record_id=current_user.id)
    db.session.commit()
    if had_a_link:
        flash("Your calendar link has changed. The old link no longer works.", "success")
    else:
        flash("Your calendar link is ready. Add it to your calendar app.", "success")
    return redirect(url_for(".diary") + "#calendar")


@bp.route("/calendar/<token>.ics")
@public
def calendar_feed(token: str) -> Response:
    """A person's sessions, for their calendar app. The secret link is the key, and it opens
    only the areas where its owner keeps a diary today: removed from an area, gone from it."""
    user = (
        db.session.scalar(select(User).where(User.calendar_token == token))
        if len(token) >= 32
        else None
    )
    if user is None or not user.active:
        abort(404)
    calendar = Calendar()
    calendar.add("prodid", "-//divert//diary//EN")
    calendar.add("version", "2.0")
    # The calendar's name: NAME is RFC 7986's; X-WR-CALNAME is what most calendar apps read.
    calendar.add("name", f"divert sessions – {user.name}")
    calendar.add("x-wr-calname", f"divert sessions – {user.name}")
    calendar.add("x-wr-timezone", str(LOCAL))
    generated = utcnow()  # every event's DTSTAMP (RFC 5545 3.8.7.2): when this feed was made
    since = datetime.now(LOCAL) - timedelta(days=30)
    for session in own_sessions_everywhere(user, since, DIARY_ROLES):
        event = Event()
        event.add("uid", f"session-{session.id}@divert")
        event.add("dtstamp", generated)
        booked = f"{session.booked_count} of {session.capacity} booked"
        kind = f"{session.programme.name}: {KIND_LABELS[session.kind]}"
        event.add("summary", f"{kind} ({booked})")
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        event.add(
            "location",
            "Remote" if session.remote else (session.venue.label if session.venue else ""),
        )
        calendar.add_component(event)
    return Response(calendar.to_ical(), mimetype="text/calendar")
