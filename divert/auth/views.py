"""Sign in, sign out, choose an area, change, reset or first set a password."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from divert import audit
from divert.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    SetPasswordForm,
    SignInForm,
)
from divert.auth.links import send_link, usable_link
from divert.auth.passwords import hash_password, needs_rehash, verify_password
from divert.auth.sessions import (
    active_sessions,
    current_session,
    end_session,
    end_sessions,
    start_session,
)
from divert.extensions import db, limiter
from divert.models import AccountLinkPurpose, User, utcnow
from divert.permissions import Permission, public, requires

bp = Blueprint("auth", __name__)

SIGN_IN_FAILED = "Enter a correct email address and password"


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host, never a scheme-relative URL."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def landing_url(user: User) -> str:
    """One area or one region and nothing else: straight into it. More, or admin: choose."""
    areas, leads = user.areas(), user.regional_leads
    if not user.is_admin and len(areas) + len(leads) == 1:
        if areas:
            return url_for("home.area_home", area_slug=areas[0].slug)
        return url_for("dashboard.region_dashboard", region_slug=leads[0].region.slug)
    return url_for("auth.choose_area")


def _find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def _check_credentials(user: User | None, password: str) -> str | None:
    """None when the password opens the account, else why not. The reason is for the audit
    trail only: the user is told the same words whatever it is, so nobody learns which accounts
    exist or are locked."""
    correct = verify_password(user.password_hash if user else None, password)
    if user is None:
        return "unknown_email"
    now = utcnow()
    if user.locked_until is not None and user.locked_until > now:
        return "locked"
    if not user.active:
        return "inactive"
    if correct:
        user.failed_sign_ins = 0
        if needs_rehash(user.password_hash or ""):  # the password is at hand only now
            user.password_hash = hash_password(password)
        return None
    user.failed_sign_ins += 1
    if user.failed_sign_ins >= current_app.config["LOCKOUT_AFTER_FAILURES"]:
        user.locked_until = now + timedelta(minutes=current_app.config["LOCKOUT_MINUTES"])
        user.failed_sign_ins = 0
        return "wrong_password_now_locked"
    return "wrong_password"


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


def _account_limit() -> str:
    return current_app.config["SIGN_IN_ACCOUNT_RATE_LIMIT"]


def _account_key() -> str:
    """The account a sign-in or reset is for: with the client's address, the second key of the
    limit, so guessing one person's password from many addresses is held back too."""
    return "account:" + (request.form.get("email") or "").strip().lower()[:254]


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
@limiter.limit(_account_limit, methods=["POST"], key_func=_account_key)
def sign_in() -> str | Response:
    if current_user.is_authenticated:
        return redirect(landing_url(current_user))
    form = SignInForm()
    if form.validate_on_submit():
        user = _find_user(form.email.data or "")
        refusal = _check_credentials(user, form.password.data or "")
        if refusal is None and user is not None:
            start_session(user)
            user.last_sign_in_at = utcnow()
            audit.record("sign_in", user=user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")) or landing_url(user))
        audit.record(
            "sign_in_failed", user=user, reason=refusal, email=(form.email.data or "")[:254]
        )
        db.session.commit()
        form.email.errors.append(SIGN_IN_FAILED)
    return render_template("auth/sign_in.html", form=form)


@bp.route("/sign-out", methods=["POST"])
@requires(Permission.SIGNED_IN)
def sign_out() -> Response:
    audit.record("sign_out")
    end_session()
    db.session.commit()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/choose-area")
@requires(Permission.SIGNED_IN)
def choose_area() -> str:
    return render_template(
        "auth/choose_area.html",
        areas=current_user.areas(),
        regions=[lead.region for lead in current_user.regional_leads],
    )


@bp.route("/account")
@requires(Permission.SIGNED_IN)
def account() -> str:
    """The signed-in person's sessions, and the way to end every other one."""
    return render_template(
        "auth/account.html", sessions=active_sessions(current_user), this_session=current_session()
    )


@bp.route("/account/sign-out-other-sessions", methods=["POST"])
@requires(Permission.SIGNED_IN)
def sign_out_other_sessions() -> Response:
    end_sessions(current_user, keep=current_session())
    audit.record("other_sessions_ended", record_type="user", record_id=current_user.id)
    db.session.commit()
    flash("You have been signed out everywhere else.", "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/password", methods=["GET", "POST"])
@requires(Permission.SIGNED_IN)
def change_password() -> str | Response:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data or ""):
            form.current_password.errors.append("Your current password is not correct")
        else:
            current_user.password_hash = hash_password(form.new_password.data or "")
            # Whoever else holds a session (a copied cookie, a forgotten computer) is out now;
            # this browser goes on in a new session, so even a copy of its cookie is dead.
            end_sessions(current_user)
            start_session(current_user._get_current_object())
            audit.record("password_changed", record_type="user", record_id=current_user.id)
            db.session.commit()
            flash("Your password has been changed.", "success")
            return redirect(landing_url(current_user))
    return render_template("auth/password.html", form=form, title="Change your password")


RESET_SENT = (
    "If that address has a divert account, we have sent it a link to reset the password. "
    "The link works once, for 1 hour."
)


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
@limiter.limit(_account_limit, methods=["POST"], key_func=_account_key)
def forgot_password() -> str | Response:
    """The same answer whether or not the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = _find_user(form.email.data or "")
        if user is not None and user.active:
            send_link(user, AccountLinkPurpose.RESET)  # an account's message: no area's
            audit.record(
                "password_reset_requested", user=user, record_type="user", record_id=user.id
            )
            db.session.commit()
        flash(RESET_SENT, "success")
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
def set_password(token: str) -> str | Response:
    """Where an invitation or reset link lands: choose a password, then sign in."""
    link = usable_link(token)
    if link is None:
        return render_template("auth/link_expired.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        user = link.user
        user.password_hash = hash_password(form.new_password.data or "")
        user.failed_sign_ins, user.locked_until = 0, None
        link.used_at = utcnow()
        end_sessions(user)  # a reset is often because someone else got in
        audit.record(
            "password_set",
            user=user,
            record_type="user",
            record_id=user.id,
            through=link.purpose.value,
        )
        db.session.commit()
        flash("Your password has been set. Sign in with it now.", "success")
        return redirect(url_for("auth.sign_in"))
    title = "Choose your password" if link.purpose.value == "invite" else "Choose a new password"
    return render_template("auth/password.html", form=form, title=title)
