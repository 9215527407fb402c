"""The figures' statements, built once for each set of arguments and executed again.

A figures page runs some two dozen statements, and building one as SQLAlchemy constructs (a
column, a comparison, a FILTER at a time) costs more of the application's CPU than running it.
Statements are immutable values: the one built for a period, a programme's code or a list of
contracts' spans serves every later view that asks the same. divert.tenancy then adds its
criteria once to each statement for each scope, and SQLAlchemy works out its cache key once.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import ParamSpec, TypeVar, cast

Arguments = ParamSpec("Arguments")
Built = TypeVar("Built")

# For each builder: a few periods (this year, this quarter, a month...) by programme in use.
STATEMENTS_KEPT = 64


def built_once(builder: Callable[Arguments, Built]) -> Callable[Arguments, Built]:
    """`builder` (whose arguments are hashable values) remembering the statements it built, the
    least recently used dropped first."""
    return cast(Callable[Arguments, Built], lru_cache(maxsize=STATEMENTS_KEPT)(builder))
