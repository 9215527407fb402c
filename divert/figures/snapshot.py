"""Figures kept per process for as long as the database has not changed: keyed on PostgreSQL's
snapshot, so a kept answer is never stale.

Why the snapshot is a sound key. `pg_current_snapshot()` is `xmin:xmax:xip-list`: every
transaction below xmax that is not in the in-progress list has finished, none from xmax on has
started. Two snapshots with the same text therefore make exactly the same transactions' work
visible, and between the moments they were taken nothing committed: a transaction that wrote
has an id, and it either was in the list (and would still be, being unfinished) or started
after (and would have moved xmax). So the committed data read under one snapshot text is the
same whenever that text comes up again, and figures worked out from it (with every other input
in the key: the area, the role's view, the request's query, today's date) are the same too.

Under READ COMMITTED each statement takes a fresh snapshot, so the figures are worked out over
several statements, each seeing at least what the first one, the key's, saw (perhaps more: a
commit in between). That is still a sound answer for the key: a later request whose snapshot
has the same text took it before any such commit (the commit would have changed the text), so
whatever it is shown is at least as new as what it could see, never older. A commit that
happened while it ran is shown or not, as it would be without the cache.

Skipped, so worked out afresh: when the request's own transaction has written (it has a
transaction id, and its own changes are visible to it but to no snapshot text); on SQLite,
which has no snapshot identity to key on; and when the cache is switched off.

Each worker process keeps its own few answers, least recently used first out: no sharing, no
invalidation to get wrong, and a commit anywhere simply makes every older key unreachable.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import Text, cast, func, select

from divert.extensions import db

Answer = TypeVar("Answer")


def snapshot_text() -> str | None:
    """The current statement's snapshot, as text, on PostgreSQL when this transaction has not
    written; None when figures must be worked out afresh (SQLite, or own changes pending)."""
    if db.engine.dialect.name != "postgresql":
        return None
    text, own_transaction = db.session.execute(
        select(
            cast(func.pg_current_snapshot(), Text),
            func.pg_current_xact_id_if_assigned(),
        )
    ).one()
    return None if own_transaction is not None else text


class SnapshotCache:
    """Answers by key (the snapshot text and every other input of the answer), at most `size`
    of them, the least recently used dropped first. Keep only what belongs to no one person:
    rendered figures, never a layout, a CSRF token or a record attached to a session."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._answers: OrderedDict[Hashable, Any] = OrderedDict()

    def get_or_make(
        self,
        inputs: Hashable,
        make: Callable[[], Answer],
        *,
        keep: Callable[[Answer], bool] = lambda _answer: True,
        enabled: bool = True,
    ) -> Answer:
        """The answer kept for `inputs` at the current snapshot, else `make()`'s, kept if
        `keep` says so."""
        snapshot = snapshot_text() if enabled else None
        if snapshot is None:
            return make()
        key = (db.engine.url.render_as_string(hide_password=True), snapshot, inputs)
        if key in self._answers:
            self._answers.move_to_end(key)
            return self._answers[key]  # type: ignore[no-any-return]
        answer = make()
        if not keep(answer):
            return answer
        self._answers[key] = answer
        if len(self._answers) > self.size:
            self._answers.popitem(last=False)
        return answer

    def clear(self) -> None:
        self._answers.clear()
