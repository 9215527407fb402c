"""API tokens in the web pages: people make and revoke their own, for the area they are in
(or, for a regional lead, the region); an area's managers also see and revoke those of the
area's other members, but never make one for anyone else: a token acts as its holder, so it is
always its holder's own. A token's secret is shown once, on the page that made it."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user
from sqlalchemy import Select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from divert import audit
from divert.auth import tokens
from divert.auth.forms import ApiTokenForm
from divert.extensions import db
from divert.models import ApiToken, utcnow
from divert.permissions import Permission, can, requires

bp = Blueprint("api_tokens", __name__)

LIFETIMES = {"30": timedelta(days=30), "90": timedelta(days=90), "365": timedelta(days=365)}


def _in_area() -> bool:
    return g.get("area") is not None


def _manages_others() -> bool:
    return _in_area() and can(Permission.MANAGE_AREA_USERS)


def _endpoints() -> dict[str, str]:
    """The same pages serve areas and regions; links go to the right one."""
    kind = "area" if _in_area() else "region"
    return {
        "list": f"api_tokens.list_{kind}_tokens",
        "new": f"api_tokens.new_{kind}_token",
        "revoke": f"api_tokens.revoke_{kind}_token",
    }


def _tokens_here() -> Select[tuple[ApiToken]]:
    """Tokens of this area (or region) the user may see: their own, or all for a manager."""
    place = g.area if _in_area() else g.region
    return tokens.of_place(place, holder=None if _manages_others() else current_user)


def _listing() -> str:
    listed = db.session.scalars(
        _tokens_here().options(joinedload(ApiToken.user)).order_by(ApiToken.id.desc())
    ).all()
    return render_template(
        "auth/api_tokens.html",
        tokens=listed,
        now=utcnow(),
        endpoints=_endpoints(),
        manages_others=_manages_others(),
    )


def _new() -> str | Response:
    form = ApiTokenForm()
    if form.validate_on_submit():
        made = tokens.create_token(
            current_user,
            name=(form.name.data or "").strip(),
            area=g.get("area"),
            region=None if _in_area() else g.region,
            lifetime=LIFETIMES.get(form.expires.data or ""),
        )
        page = make_response(
            audit.record_with_answer(
                "api_token_created",
                partial(
                    render_template,
                    "auth/api_token_created.html",
                    made=made,
                    endpoints=_endpoints(),
                ),
                record_type="api_token",
                record_id=made.token.id,
            )
        )
        page.headers["Cache-Control"] = "no-store"  # the secret must not stay in any cache
        return page
    return render_template("auth/api_token_new.html", form=form, endpoints=_endpoints())


def _revoke(token_id: int) -> Response:
    token = db.session.scalar(_tokens_here().where(ApiToken.id == token_id))
    if token is None:
        abort(404)
    tokens.revoke(token, current_user)
    audit.record("api_token_revoked", record_type="api_token", record_id=token.id)
    db.session.commit()
    flash(f"The token “{token.name}” has been revoked. It no longer works.", "success")
    return redirect(url_for(_endpoints()["list"]))


def _token_pages(prefix: str, whose: str, permission: Permission) -> None:
    """The list, new and revoke pages of `whose` tokens (an area's, a region's) under `prefix`,
    each endpoint named for whose they are (list_area_tokens, new_region_token ...)."""
    bp.add_url_rule(f"{prefix}/api-tokens", f"list_{whose}_tokens", requires(permission)(_listing))
    bp.add_url_rule(
        f"{prefix}/api-tokens/new",
        f"new_{whose}_token",
        requires(permission)(_new),
        methods=["GET", "POST"],
    )
    bp.add_url_rule(
        f"{prefix}/api-tokens/<id:token_id>/revoke",
        f"revoke_{whose}_token",
        requires(permission)(_revoke),
        methods=["POST"],
    )


_token_pages("/<area_slug>", "area", Permission.MANAGE_API_TOKENS)
_token_pages("/region/<region_slug>", "region", Permission.VIEW_REGION)
