"""What must hold in the database after a run: every acknowledged referral stored exactly once,
and nothing half-written. Read straight in SQL, past the application and its area filter.

Load-test referrals carry their marker as crime reference (see loadtest/locustfile.py).
"""

from __future__ import annotations

import psycopg

# Each query lists what breaks the rule (empty: it holds). %(load)s is the markers' LIKE pattern.
# Enum columns hold the member's name (BOOKED), event statuses the value (submitted).
HALF_WRITTEN = {
    "load referral without its 'submitted' event": """
        SELECT r.reference FROM referral r WHERE r.crime_reference LIKE %(load)s
        AND NOT EXISTS (SELECT 1 FROM referral_event e
                        WHERE e.referral_id = r.id AND e.to_status = 'submitted')""",
    "load referral without its submission token": """
        SELECT r.reference FROM referral r WHERE r.crime_reference LIKE %(load)s
        AND NOT EXISTS (SELECT 1 FROM submission_token t WHERE t.referral_id = r.id)""",
    "load referral without what was found": """
        SELECT r.reference FROM referral r WHERE r.crime_reference LIKE %(load)s
        AND NOT EXISTS (SELECT 1 FROM referral_substance_found s WHERE s.referral_id = r.id)""",
    "load referral without its audit event": """
        SELECT r.reference FROM referral r WHERE r.crime_reference LIKE %(load)s
        AND NOT EXISTS (SELECT 1 FROM audit_event a WHERE a.action = 'referral_submitted'
                        AND a.record_type = 'referral' AND a.record_id = r.id)""",
    "load referral whose person has no blocking keys": """
        SELECT r.reference FROM referral r WHERE r.crime_reference LIKE %(load)s
        AND NOT EXISTS (SELECT 1 FROM person_blocking_key k WHERE k.person_id = r.person_id)""",
    "booked load referral without its booking, or the reverse": """
        SELECT r.reference FROM referral r WHERE r.crime_reference LIKE %(load)s
        AND (r.status = 'BOOKED') <> EXISTS (SELECT 1 FROM booking b
                                            WHERE b.referral_id = r.id AND b.status = 'BOOKED')""",
    "session whose places taken disagree with its bookings": """
        SELECT s.id::text FROM diary_session s
        WHERE s.id IN (SELECT b.session_id FROM booking b JOIN referral r ON r.id = b.referral_id
                       WHERE r.crime_reference LIKE %(load)s)
        AND s.booked_count <> (SELECT count(*) FROM booking b WHERE b.session_id = s.id
                               AND b.status NOT IN ('CANCELLED', 'RESCHEDULED'))""",
    # a person is recorded by a referral or by a custody contact (CARS), never on their own
    "person without any referral or custody contact": """
        SELECT p.id::text FROM person p
        WHERE NOT EXISTS (SELECT 1 FROM referral r WHERE r.person_id = p.id)
        AND NOT EXISTS (SELECT 1 FROM initial_contact c WHERE c.person_id = p.id)""",
    "submission token used twice": """
        SELECT t.token FROM submission_token t GROUP BY t.token HAVING count(*) > 1""",
    "reference given to two referrals": """
        SELECT r.reference FROM referral r GROUP BY r.area_id, r.reference HAVING count(*) > 1""",
    "marker stored more than once": """
        SELECT r.crime_reference FROM referral r WHERE r.crime_reference LIKE %(load)s
        GROUP BY r.crime_reference HAVING count(*) > 1""",
}


def _connect(url: str) -> psycopg.Connection:
    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))


def area_slugs(url: str) -> list[str]:
    with _connect(url) as connection:
        return [row[0] for row in connection.execute("SELECT slug FROM area ORDER BY slug")]


def stored_markers(url: str, prefix: str) -> dict[str, list[str]]:
    """marker -> the references of the referrals stored with it."""
    with _connect(url) as connection:
        rows = connection.execute(
            "SELECT crime_reference, reference FROM referral WHERE crime_reference LIKE %s",
            (f"{prefix}-%",),
        ).fetchall()
    stored: dict[str, list[str]] = {}
    for marker, reference in rows:
        stored.setdefault(marker, []).append(reference)
    return stored


def not_stored_once(url: str, prefix: str, acknowledged: dict[str, str]) -> list[str]:
    """Acknowledged referrals that are not stored exactly once, under the reference given."""
    stored = stored_markers(url, prefix)
    return [
        f"{marker} ({reference}): stored as {stored.get(marker, [])}"
        for marker, reference in sorted(acknowledged.items())
        if stored.get(marker) != [reference]
    ]


def half_written(url: str, prefix: str) -> dict[str, list[str]]:
    """Each rule of HALF_WRITTEN with what breaks it."""
    with _connect(url) as connection:
        return {
            rule: [row[0] for row in connection.execute(query, {"load": f"{prefix}-%"})]
            for rule, query in HALF_WRITTEN.items()
        }
