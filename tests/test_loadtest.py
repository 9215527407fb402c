"""The load and fault test of `make loadtest`, short: 10 users for 10 s under gunicorn, then a
PostgreSQL restart under load (see loadtest/run.py for what each check means)."""

from __future__ import annotations

import pytest

from loadtest.run import Settings, run


@pytest.mark.postgresql_only
def test_short_load_and_fault_run() -> None:
    report = run(Settings(users=10, duration=10, fault_duration=10, restart_after=4, referrals=200))
    assert report.passed, report.failed
    assert report.steady is not None and report.steady.server_errors == 0
    assert report.acknowledged > 0
    assert report.outage is not None and report.outage.clean_503s > 0
