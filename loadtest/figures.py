"""What a locust run's log says: request counts, failures by kind, p50/p95, the outage."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.common import percentile

# The prober's request (fault run only).
PROBE = "/[area]/ (probe)"
# Request names (see loadtest/locustfile.py) by the part of the service they exercise.
GROUPS = {
    "referral submissions": ("/[area]/referrals/new [POST]",),
    "educator pages": ("/[area]/caseload", "/[area]/cases/[id]", "/[area]/diary"),
    "dashboards": ("/[area]/dashboard",),
    "sign-ins": ("/sign-in [POST]",),  # slow by design (argon2), all at the start of a run
}


@dataclass(frozen=True)
class Request:
    name: str
    at: float  # seconds since the epoch, when it was sent
    ms: float
    status: int  # 0: no answer at all
    ok: bool
    service_page: bool  # the service's own "unavailable" page, not a traceback

    @property
    def ended(self) -> float:
        return self.at + self.ms / 1000

    @property
    def clean_503(self) -> bool:
        return self.status == 503 and self.service_page

    @property
    def server_error(self) -> bool:
        """Any answer of 500 and over that is not the clean 503, or none at all."""
        return (self.status >= 500 or self.status == 0) and not self.clean_503


@dataclass
class RunLog:
    """One run's requests, the markers of its referral attempts, and the references the
    service acknowledged (marker -> reference)."""

    requests: list[Request] = field(default_factory=list)
    attempts: list[str] = field(default_factory=list)
    acknowledged: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> RunLog:
        log = cls()
        for line in path.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            if entry["kind"] == "request":
                log.requests.append(
                    Request(
                        entry["name"],
                        entry["at"],
                        entry["ms"],
                        entry["status"],
                        entry["ok"],
                        entry["service_page"],
                    )
                )
            elif entry["kind"] == "attempt":
                log.attempts.append(entry["marker"])
            else:
                log.acknowledged[entry["marker"]] = entry["reference"]
        return log


@dataclass(frozen=True)
class Timing:
    count: int
    p50_ms: float
    p95_ms: float

    @classmethod
    def of(cls, requests: list[Request]) -> Timing:
        times = [r.ms for r in requests] or [0.0]
        return cls(len(requests), percentile(times, 0.5), percentile(times, 0.95))


@dataclass(frozen=True)
class Figures:
    requests: int
    failures: int
    server_errors: int
    clean_503s: int
    overall: Timing
    groups: dict[str, Timing]

    @classmethod
    def of(cls, log: RunLog) -> Figures:
        requests = log.requests
        return cls(
            requests=len(requests),
            failures=sum(not r.ok for r in requests),
            server_errors=sum(r.server_error for r in requests),
            clean_503s=sum(r.clean_503 for r in requests),
            overall=Timing.of(requests),
            groups={
                group: Timing.of([r for r in requests if r.name in names])
                for group, names in GROUPS.items()
            },
        )


@dataclass(frozen=True)
class Outage:
    """What clients saw around a database restart that began and ended at the given times."""

    restart_seconds: float
    failures: int
    clean_503s: int
    # From the start of the restart to the end of the last failed request; None if none failed.
    recovered_after: float | None
    succeeded_after_restart: int
    failed_late: int  # failures that began well after PostgreSQL was back

    @classmethod
    def of(cls, log: RunLog, began: float, ended: float, grace: float) -> Outage:
        failed = [r for r in log.requests if not r.ok]
        last_failure = max((r.ended for r in failed), default=None)
        return cls(
            restart_seconds=ended - began,
            failures=len(failed),
            clean_503s=sum(r.clean_503 for r in failed),
            recovered_after=None if last_failure is None else last_failure - began,
            succeeded_after_restart=sum(r.ok and r.at > ended for r in log.requests),
            failed_late=sum(r.at > ended + grace for r in failed),
        )
