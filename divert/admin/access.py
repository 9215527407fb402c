"""What every administration page shares: only global admins, working across every area."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort
from flask_login import current_user

from divert.extensions import login_manager
from divert.permissions import Permission, can
from divert.tenancy import administration_scope


class AdminOnly:
    """Mixed into every Flask-Admin view: the same permission table as the rest of the service.

    Anyone else gets 404 (the pages' existence is not revealed) or is sent to sign in.
    """

    required_permission = Permission.ADMINISTER

    def is_accessible(self) -> bool:
        return can(self.required_permission)

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        abort(404)

    def _run_view(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        # Administration spans every area; the scope is opened only once access is granted.
        with administration_scope():
            return super()._run_view(fn, *args, **kwargs)  # type: ignore[misc]
