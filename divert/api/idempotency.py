"""Idempotency-Keys: a records system retrying a creation (a referral, a custody contact, an
assessment) gets what the first request made, and the same key with another body is refused."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from flask import request
from flask_login import current_user
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from divert.api.problems import ApiError
from divert.extensions import db
from divert.models import ForceBatch, IdempotencyKey
from divert.tenancy import system_scope

# A body, its status and its headers: flask-smorest dumps the body with the operation's schema.
Answer = tuple[dict[str, Any], int, dict[str, str]]
# A client retries within minutes; a month covers any outage a records system could ride out.
KEEP_KEYS = timedelta(days=30)


def body_hash(body: Any) -> str:
    """The same JSON, however it was spaced or ordered, hashes the same."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def earlier_key(key: str) -> IdempotencyKey | None:
    """The caller's key of that name in this area, if they sent it before."""
    return db.session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.user_id == current_user.id, IdempotencyKey.key == key
        )
    )


def replay(
    earlier: IdempotencyKey, request_hash: str, what: str, answer: Callable[[], dict[str, Any]]
) -> Answer:
    """The first request's answer again, or 422 when the key came with another body."""
    if earlier.request_hash != request_hash:
        raise ApiError(
            422,
            f"This Idempotency-Key was already used for a different {what}",
            code="idempotency_key_reused",
            field="Idempotency-Key",
        )
    return answer(), 201, {"Idempotent-Replayed": "true"}


class _Made(Protocol):
    id: int


Made = TypeVar("Made", bound=_Made)


def made_once(
    key: str,
    what: str,
    column: str,
    make: Callable[[], Made],
    answer: Callable[[Made], dict[str, Any]],
    load: Callable[[int | None], Made],
    headers: Callable[[Made], dict[str, str]] = lambda _: {},
) -> Answer:
    """A create operation under an Idempotency-Key: `make` the record and keep the key beside it
    (its id in the key's `column`), or answer a retry with the record the key made the first
    time (`load`ed by that id) — also when the same key was sent twice at once."""
    request_hash = body_hash(request.get_json())
    earlier = earlier_key(key)
    if earlier is None:
        made = make()
        earlier = commit_with_key(
            IdempotencyKey(
                user_id=current_user.id, key=key, request_hash=request_hash, **{column: made.id}
            )
        )
        if earlier is None:
            return answer(made), 201, headers(made)
    first = earlier
    return replay(first, request_hash, what, lambda: answer(load(getattr(first, column))))


def commit_with_key(row: IdempotencyKey) -> IdempotencyKey | None:
    """Commit what the request made with its key; None, or the key that won when the same key
    was sent twice at once (what this request made is then rolled back)."""
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        earlier = earlier_key(row.key)
        if earlier is None:
            raise
        return earlier
    return None


def forget_old_keys(kind: type[IdempotencyKey] | type[ForceBatch], now: datetime) -> int:
    """Delete the keys of this kind (a referral's or a custody record's, or a force's batch of
    results) older than KEEP_KEYS, every area's; returns how many went."""
    with system_scope():
        forgotten = db.session.execute(delete(kind).where(kind.created_at < now - KEEP_KEYS))
        db.session.commit()
    return forgotten.rowcount
