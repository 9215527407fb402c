"""API tokens: made with a high-entropy secret shown once, kept as its SHA-256, revocable,
optionally expiring; and reading the `Authorization: Bearer` header of an API request.

Tokens are area-owned: a request's token is found by its secret through divert.tenancy's
`api_token_by_secret_hash` (no area is in scope yet), the token pages list those of the area
(or region) they are for (`of_place`)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Request, g
from sqlalchemy import Select, select

from divert.extensions import db
from divert.models import ApiToken, Area, Region, User, utcnow
from divert.tenancy import api_token_by_secret_hash

PREFIX = "divert_"


@dataclass(frozen=True)
class TokenInUse:
    """The token a request came with, as plain values read when it was found: what it opens,
    the rate limit and the audit trail need no reading of the record again (after a commit, in
    whatever scope the request is then in)."""

    id: int
    area_id: int | None
    region_id: int | None

API_PATH = "/api/"


def is_api_request(request: Request) -> bool:
    return request.path.startswith(API_PATH)


def digest(secret: str) -> str:
    """SHA-256 is enough: the secret has 256 random bits, so there is nothing to brute-force."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown to the user once, never stored


def create_token(
    user: User,
    *,
    name: str,
    area: Area | None = None,
    region: Region | None = None,
    lifetime: timedelta | None = None,
) -> NewToken:
    """A token for `user` in one area (or one region), made by `user` (nobody makes a token
    that acts as someone else); the caller commits."""
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        area_id=area.id if area else None,
        region_id=region.id if region else None,
        name=name,
        secret_hash=digest(secret),
        hint=secret[: len(PREFIX) + 6],
        created_by_id=user.id,
        expires_at=utcnow() + lifetime if lifetime else None,
    )
    db.session.add(token)
    db.session.flush()
    return NewToken(token, secret)


def of_place(place: Area | Region, holder: User | None = None) -> Select[tuple[ApiToken]]:
    """The tokens made for this area or region (only `holder`'s when given), to list or to
    pick one from."""
    if isinstance(place, Area):
        query = select(ApiToken).where(ApiToken.area_id == place.id)
    else:
        query = select(ApiToken).where(ApiToken.region_id == place.id)
    return query if holder is None else query.where(ApiToken.user_id == holder.id)


def revoke(token: ApiToken, by: User) -> None:
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by_id = utcnow(), by.id


def _bearer_secret(request: Request) -> str | None:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    secret = secret.strip()
    return secret if scheme.lower() == "bearer" and secret.startswith(PREFIX) else None


def user_from_request(request: Request, now: datetime | None = None) -> User | None:
    """Flask-Login's request loader: the holder of a live bearer token, on API paths only.

    The token is kept in `g.api_token`, as a TokenInUse, for tenancy (which areas it opens), the
    rate limit and the audit trail.
    """
    if not is_api_request(request):
        return None
    secret = _bearer_secret(request)
    if secret is None:
        return None
    token = api_token_by_secret_hash(digest(secret))
    if token is None or not token.usable(now or utcnow()) or not token.user.active:
        return None
    g.api_token = TokenInUse(token.id, token.area_id, token.region_id)
    return token.user
