"""A manager's pages for the officers and educators of their area."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from divert.area_users import members
from divert.area_users.forms import AcceptInvitationForm, InviteForm, MembershipForm
from divert.extensions import db
from divert.models import Membership, Role
from divert.permissions import Permission, requires
from divert.tenancy import current_area

bp = Blueprint("area_users", __name__)


@bp.route("/<area_slug>/users")
@requires(Permission.MANAGE_AREA_USERS)
def list_users() -> str:
    return render_template(
        "area_users/list.html",
        memberships=members.area_members(current_area),
        invitations=members.pending_invitations(current_area),
        managed=members.MANAGED_ROLES,
    )


@bp.route("/<area_slug>/users/invite", methods=["GET", "POST"])
@requires(Permission.MANAGE_AREA_USERS)
def invite_user() -> str | Response:
    form = InviteForm()
    if form.validate_on_submit():
        email = form.email.data or ""
        members.invite(
            current_area,
            current_user,
            name=(form.name.data or "").strip(),
            email=email,
            role=Role(form.role.data),
            collar_number=(form.collar_number.data or "").strip(),
        )
        db.session.commit()
        # The same words whoever the address belongs to: see members.invite.
        flash(f"We have sent {email} an invitation.", "success")
        return redirect(url_for("area_users.list_users"))
    return render_template("area_users/invite.html", form=form)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@requires(Permission.SIGNED_IN)
def invitation(token: str) -> str | Response:
    """Where an existing account's invitation lands: its holder, signed in, accepts it."""
    invited = members.invitation_for(current_user, token)
    if invited is None:
        return render_template("area_users/invitation_expired.html"), 404
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        # Read before the commit: the invitation is its area's, and this page has no area in
        # scope to read it again in.
        area = invited.area
        members.accept(invited)
        db.session.commit()
        flash(f"You can now use divert in {area.name}.", "success")
        return redirect(url_for("home.area_home", area_slug=area.slug))
    return render_template("area_users/accept.html", form=form, invitation=invited)


def _membership_or_404(user_id: int) -> Membership:
    membership = members.managed_membership(current_area, user_id)
    if membership is None:
        abort(404)
    return membership


@bp.route("/<area_slug>/users/<id:user_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_AREA_USERS)
def edit_user(user_id: int) -> str | Response:
    membership = _membership_or_404(user_id)
    form = MembershipForm(
        data={
            "role": membership.role.value,
            "status": "active" if membership.active else "deactivated",
        }
    )
    if form.validate_on_submit():
        changed = members.change(
            membership, role=Role(form.role.data), active=form.status.data == "active"
        )
        db.session.commit()
        flash(
            f"{membership.user.name}: {', '.join(changed)}." if changed else "Nothing changed.",
            "success",
        )
        return redirect(url_for("area_users.list_users"))
    return render_template("area_users/edit.html", form=form, membership=membership)


@bp.route("/<area_slug>/users/<id:user_id>/invitation", methods=["POST"])
@requires(Permission.MANAGE_AREA_USERS)
def resend_invitation(user_id: int) -> Response:
    membership = _membership_or_404(user_id)
    if members.reinvite(membership, current_user):
        db.session.commit()
        flash(f"We have sent {membership.user.email} a new invitation.", "success")
    else:
        flash(f"{membership.user.name} has already set a password.", "info")
    return redirect(url_for("area_users.edit_user", user_id=user_id))
