"""The one clock: what time it is, and the service's local time zone.

Everything stored is UTC; everything a person reads or types (appointments, diary days, dates
of a period) is in the local zone of the region's areas.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Europe/London")


def utcnow() -> datetime:
    """Timezone-aware now; stored as UTC."""
    return datetime.now(UTC)


def local_today() -> date:
    """Today's date where the service's people are."""
    return datetime.now(LOCAL).date()
