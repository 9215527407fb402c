"""The load and fault test (`make loadtest`): the service under load, then PostgreSQL restarted
under load, on loopback only.

    python -m loadtest.run [--users 50] [--duration 60] [--fault-duration 30] [--restart-after 10]

A throwaway PostgreSQL cluster is migrated, its areas synced and the demo region built; gunicorn
serves it with several workers on 127.0.0.1. Locust (headless) then runs officers submitting
referrals, educators on their caseload and diary, managers and commissioners on the dashboard:

1. the steady run: no server error, no failure, every acknowledged referral stored exactly once
   and nothing half-written;
2. the fault run: the same load while PostgreSQL is stopped (`pg_ctl stop -m fast`) and
   started again OUTAGE_SECONDS later; requests during the outage get the service's 503 page
   (never a 500), the service recovers by itself (gunicorn is not restarted), and nothing is
   half-written.

The figures are printed; the exit status is 1 when any check fails. Gunicorn and the cluster
are always stopped.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from divert.demo.accounts import DEMO_PASSWORD, account_email
from divert.models import Role
from loadtest import checks
from loadtest.figures import PROBE, Figures, Outage, RunLog
from tests.support.pg_cluster import Cluster, free_port, running_cluster

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
USERS = ["Officer", "Educator", "Manager", "Commissioner"]
# Each run's referrals carry a crime reference starting with its marker.
MARKERS = {"steady": "LOADS", "fault": "LOADF"}
# Where each run starts taking names from loadtest.people, so the runs never share one.
NAMES_FROM = {"steady": 0, "fault": 8000}
# After PostgreSQL is back, the seconds within which requests must succeed again.
RECOVERY_GRACE = 5.0
# How long PostgreSQL stays down in the fault run: a bare restart can be over in half a second,
# between two of the prober's requests on a loaded machine, and then no outage is seen at all.
OUTAGE_SECONDS = 2.0
# The longest the fault run waits for its load to start (locust starting, users signing in).
LOAD_START_TIMEOUT = 120.0
# The longest gunicorn's workers may take to answer: each imports the application, which on a
# busy shared machine has taken over ten seconds.
BOOT_TIMEOUT = 120.0


@dataclass(frozen=True)
class Settings:
    users: int = 50
    spawn_rate: int = 10
    duration: int = 60
    fault_duration: int = 30
    restart_after: int = 10
    referrals: int = 3000
    workers: int = 4
    keep_logs: bool = False


@dataclass
class Report:
    """The figures of both runs and every check, passed or not."""

    checks: list[tuple[str, bool, str]] = field(default_factory=list)
    steady: Figures | None = None
    fault: Figures | None = None
    outage: Outage | None = None
    acknowledged: int = 0

    def check(self, name: str, passed: bool, detail: object = "") -> None:
        self.checks.append((name, passed, str(detail)))

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(passed for _, passed, _ in self.checks)

    @property
    def failed(self) -> list[str]:
        return [f"{name}: {detail}" for name, passed, detail in self.checks if not passed]


def _run_logged(command: list[str], env: dict[str, str], log: Path, code: Path) -> None:
    with log.open("a") as output:
        subprocess.run(command, cwd=code, env=env, stdout=output, stderr=output, check=True)


def prepare(env: dict[str, str], referrals: int, work: Path, code: Path = ROOT) -> None:
    """Migrate, sync the areas, build the demo region and its accounts: as an operator would.
    `code`: the checkout whose application is served (another one to compare versions)."""
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for command in (
        ["db", "upgrade"],
        ["tenants", "sync"],
        ["demo", "build", "--referrals", str(referrals)],
    ):
        _run_logged([*flask, *command], env, work / "prepare.log", code)


def _wait_until_healthy(base_url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


@contextmanager
def gunicorn(
    env: dict[str, str], workers: int, work: Path, app: str = "wsgi:app", code: Path = ROOT
) -> Iterator[str]:
    """gunicorn serving `app` of the checkout `code` on a free loopback port; yields its URL."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers)]
    with (work / "gunicorn.log").open("a") as log:
        server = subprocess.Popen(
            [*command, "--bind", f"127.0.0.1:{port}", app],
            cwd=code,
            env=env,
            stdout=log,
            stderr=log,
        )
    try:
        base_url = f"http://127.0.0.1:{port}"
        _wait_until_healthy(base_url, BOOT_TIMEOUT)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@contextmanager
def _locust(
    url: str, base_url: str, settings: Settings, run: str, work: Path, *, probe: bool
) -> Iterator[None]:
    """A headless locust run of `run` (steady or fault) for the block's duration and until it
    ends; its requests are logged to work/<run>.jsonl."""
    duration = settings.duration if run == "steady" else settings.fault_duration
    config = work / f"{run}.json"
    config.write_text(
        json.dumps(
            {
                "accounts": {
                    role.value: [
                        {"email": account_email(role, area), "area": area}
                        for area in checks.area_slugs(url)
                    ]
                    for role in (Role.OFFICER, Role.EDUCATOR, Role.MANAGER, Role.COMMISSIONER)
                },
                "password": DEMO_PASSWORD,
                "log": str(work / f"{run}.jsonl"),
                "marker_prefix": MARKERS[run],
                "names_from": NAMES_FROM[run],
            }
        )
    )
    (work / f"{run}.jsonl").touch()
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless"]
    command += ["-u", str(settings.users), "-r", str(settings.spawn_rate), "-t", f"{duration}s"]
    # Users finish the task in hand at the end, so that every referral sent is answered.
    command += ["--host", base_url, "--stop-timeout", "30", "--only-summary"]
    command += [*USERS, "Prober"] if probe else USERS
    with (work / f"{run}.locust.log").open("a") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, "LOADTEST_CONFIG": str(config)},
            stdout=log,
            stderr=log,
        )
    try:
        yield
        # Locust's own exit status is 1 whenever a request failed, as the fault run's must:
        # the figures are read from the log instead.
        process.wait(timeout=duration + 60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _check_database(report: Report, url: str, log: RunLog, prefix: str, label: str) -> None:
    missing = checks.not_stored_once(url, prefix, log.acknowledged)
    report.check(
        f"{label}: every acknowledged referral stored exactly once",
        bool(log.acknowledged) and not missing,
        f"{len(log.acknowledged)} acknowledged; {missing[:5]}",
    )
    for rule, broken in checks.half_written(url, prefix).items():
        report.check(f"{label}: no {rule}", not broken, broken[:5])


def _steady_run(report: Report, url: str, base_url: str, settings: Settings, work: Path) -> None:
    with _locust(url, base_url, settings, "steady", work, probe=False):
        pass  # nothing to do meanwhile: the users run for the duration
    log = RunLog.read(work / "steady.jsonl")
    report.steady = figures = Figures.of(log)
    report.acknowledged = len(log.acknowledged)
    report.check("steady: requests were made", figures.requests > 0, figures.requests)
    report.check("steady: no server errors", figures.server_errors == 0, figures.server_errors)
    report.check("steady: no failed requests", figures.failures == 0, figures.failures)
    unacknowledged = set(checks.stored_markers(url, MARKERS["steady"])) - set(log.acknowledged)
    report.check(
        "steady: every referral stored was acknowledged",
        not unacknowledged,
        sorted(unacknowledged)[:5],
    )
    _check_database(report, url, log, MARKERS["steady"], "steady")


def _load_began(log: Path) -> float:
    """When the run's first request was sent, once the prober has been answered: locust takes
    seconds to start on a loaded machine, and its users to sign in, so the restart is timed
    from the load itself, and the prober is reading when it comes. Now, if that never happens
    (the checks then fail)."""
    deadline = time.monotonic() + LOAD_START_TIMEOUT
    while time.monotonic() < deadline:
        requests = RunLog.read(log).requests
        if any(r.ok and r.name == PROBE for r in requests):
            return min(r.at for r in requests)
        time.sleep(0.1)
    return time.time()


def _fault_run(
    report: Report, cluster: Cluster, base_url: str, settings: Settings, work: Path
) -> None:
    with _locust(cluster.url, base_url, settings, "fault", work, probe=True):
        load_began = _load_began(work / "fault.jsonl")
        time.sleep(max(0.0, load_began + settings.restart_after - time.time()))
        began = time.time()
        cluster.restart(down_for=OUTAGE_SECONDS)
        ended = time.time()
    log = RunLog.read(work / "fault.jsonl")
    report.fault = figures = Figures.of(log)
    report.outage = outage = Outage.of(log, began, ended, RECOVERY_GRACE)
    report.check(
        "fault: no server errors (500s, no answer)",
        figures.server_errors == 0,
        figures.server_errors,
    )
    report.check(
        "fault: the outage was seen (clean 503s)", outage.clean_503s > 0, outage.clean_503s
    )
    report.check(
        "fault: every failure was the service's 503 page",
        outage.failures == outage.clean_503s,
        f"{outage.failures} failures",
    )
    report.check(
        f"fault: no failure later than {RECOVERY_GRACE:.0f} s after PostgreSQL was back",
        outage.failed_late == 0,
        outage.failed_late,
    )
    report.check(
        "fault: requests succeeded after the restart",
        outage.succeeded_after_restart > 0,
        outage.succeeded_after_restart,
    )
    _check_database(report, cluster.url, log, MARKERS["fault"], "fault")


def run(settings: Settings) -> Report:
    """Both runs on a new cluster and a new gunicorn; stopped whatever happens. The logs are
    kept (and their ends shown) when a check fails."""
    report = Report()
    work = Path(tempfile.mkdtemp(prefix="divert-load-"))
    with running_cluster("divert_load") as cluster:
        env = {
            **os.environ,
            # As in production: the app's role owns no table, so row-level security binds it.
            "DATABASE_URL": cluster.app_url,
            "MIGRATION_DATABASE_URL": cluster.owner_url,
            "SECRET_KEY": secrets.token_hex(32),
            # Every simulated user signs in from 127.0.0.1: lift the per-address sign-in limit.
            "SIGN_IN_RATE_LIMIT": "100000 per minute",
        }
        try:
            prepare(env, settings.referrals, work)
            with gunicorn(env, settings.workers, work) as base_url:
                _steady_run(report, cluster.url, base_url, settings, work)
                _fault_run(report, cluster, base_url, settings, work)
        finally:
            if not report.passed:
                _show_logs(work)
            if report.passed and not settings.keep_logs:
                shutil.rmtree(work)
            else:
                print(f"Logs kept in {work}", file=sys.stderr)
    return report


def _show_logs(work: Path) -> None:
    for log in sorted(work.glob("*.log")):
        lines = log.read_text(errors="replace").splitlines()[-15:]
        print(f"--- last lines of {log}", *lines, sep="\n", file=sys.stderr)


def _print_figures(title: str, figures: Figures) -> None:
    print(f"\n{title}")
    print(f"  requests        {figures.requests:>8,}")
    print(f"  failures        {figures.failures:>8,}")
    print(f"  server errors   {figures.server_errors:>8,}")
    print(f"  p50 / p95       {figures.overall.p50_ms:>8.0f} ms / {figures.overall.p95_ms:.0f} ms")
    for group, timing in figures.groups.items():
        print(
            f"    {group:<22}{timing.count:>7,} requests, "
            f"p50 {timing.p50_ms:.0f} ms, p95 {timing.p95_ms:.0f} ms"
        )


def print_report(report: Report, settings: Settings) -> None:
    if report.steady:
        _print_figures(
            f"Steady run: {settings.users} users for {settings.duration} s", report.steady
        )
        print(f"  referrals acknowledged {report.acknowledged:,}")
    if report.fault and report.outage:
        outage = report.outage
        _print_figures(
            f"Fault run: {settings.users} users for {settings.fault_duration} s, PostgreSQL "
            f"stopped for {OUTAGE_SECONDS:.0f} s after {settings.restart_after} s of load",
            report.fault,
        )
        recovered = (
            "no request failed"
            if outage.recovered_after is None
            else f"{outage.recovered_after:.1f} s after the restart began"
        )
        print(f"  stopping and starting PostgreSQL took {outage.restart_seconds:.1f} s")
        print(
            f"  clean 503s during the outage {outage.clean_503s:,} of {outage.failures:,} failures"
        )
        print(f"  last failure ended {recovered}")
        print(f"  requests succeeded after the restart {outage.succeeded_after_restart:,}")
    print("\nChecks")
    for name, passed, detail in report.checks:
        print(f"  {'PASS' if passed else 'FAIL'}  {name}" + ("" if passed else f": {detail}"))


def main(argv: list[str] | None = None) -> int:
    defaults = Settings()
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--users", type=int, default=defaults.users)
    parser.add_argument("--spawn-rate", type=int, default=defaults.spawn_rate)
    parser.add_argument("--duration", type=int, default=defaults.duration, help="seconds")
    parser.add_argument("--fault-duration", type=int, default=defaults.fault_duration)
    parser.add_argument("--restart-after", type=int, default=defaults.restart_after)
    parser.add_argument("--referrals", type=int, default=defaults.referrals, help="demo referrals")
    parser.add_argument("--workers", type=int, default=defaults.workers, help="gunicorn workers")
    parser.add_argument("--keep-logs", action="store_true", help="even when every check passes")
    settings = Settings(**{name: value for name, value in vars(parser.parse_args(argv)).items()})
    report = run(settings)
    print_report(report, settings)
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
