"""Has this person been referred before? In this area by the matcher, and in the region's
other areas through the hashed regional index (which tells only the area and the date).

Candidates come from the indexed blocking keys (never a scan of all people); a manager's
"different person" decision on a pair is respected from then on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import delete, insert, or_, select
from sqlalchemy.orm import joinedload

from divert import area_cache
from divert.extensions import db
from divert.matching.keys import index_keys, lookup_keys
from divert.matching.normalise import PersonRecord
from divert.matching.regional import lookup_hashes, published_hashes
from divert.matching.score import Comparison, MatchTier, compare
from divert.models import (
    Area,
    InitialContact,
    MatchReview,
    Person,
    PersonBlockingKey,
    Referral,
    ReferralStatus,
    RegionalKeyHash,
    utcnow,
)
from divert.tenancy import regional_earlier_referrals


@dataclass(frozen=True)
class Candidate:
    referral: Referral
    comparison: Comparison


@dataclass(frozen=True)
class CustodyCandidate:
    """An earlier custody contact (CARS) of someone this record may be."""

    contact: InitialContact
    comparison: Comparison

    @property
    def same_person(self) -> bool:
        return self.comparison.tier is MatchTier.MATCH


@dataclass
class RepeatCheck:
    matches: list[Candidate] = field(default_factory=list)
    possibles: list[Candidate] = field(default_factory=list)
    elsewhere: list[tuple[str, date]] = field(default_factory=list)
    # Seen by the arrest referral service in custody or at court: not an earlier referral (the
    # figures' repeats), but shown and confirmed like one, and the same person record.
    custody: list[CustodyCandidate] = field(default_factory=list)

    @property
    def earlier(self) -> list[Referral]:
        return [c.referral for c in self.matches + self.possibles]


def record_of(person: Person) -> PersonRecord:
    return PersonRecord(
        forename=person.forename or "",
        surname=person.surname or "",
        date_of_birth=person.date_of_birth,
        postcode_district=person.postcode_district,
        phone=person.phone,
        email=person.email,
    )


def _regional_matching(area: Area) -> bool:
    """Whether the area's region matches across its areas (its region read from the cache)."""
    return area_cache.region_of(area).regional_matching


def _regional_secret() -> bytes:
    return current_app.config["REGIONAL_MATCH_SECRET"].encode()


def _ruled_different(person_ids: set[int]) -> set[int]:
    """People a manager has said are not the person of these records."""
    if not person_ids:
        return set()
    decided = db.session.execute(
        select(MatchReview.person_id, MatchReview.candidate_person_id).where(
            MatchReview.decision == "different",
            or_(
                MatchReview.person_id.in_(person_ids),
                MatchReview.candidate_person_id.in_(person_ids),
            ),
        )
    ).all()
    return {b if a in person_ids else a for a, b in decided}


def candidate_people(record: PersonRecord) -> set[int]:
    """Ids of the people in the area sharing a blocking key with the record (by index)."""
    return set(
        db.session.scalars(
            select(PersonBlockingKey.person_id).where(
                PersonBlockingKey.key.in_(lookup_keys(record))
            )
        )
    )


def check(area: Area, record: PersonRecord, on: date) -> RepeatCheck:
    """Earlier referrals within the look-back window, by tier, and hits elsewhere in the region.

    A possible match with someone a manager has ruled a different person from the one this
    record matches is not raised again.
    """
    since = on - timedelta(days=area.repeat_lookback_days)
    person_ids = candidate_people(record)
    referrals = (
        db.session.scalars(
            select(Referral)
            .options(joinedload(Referral.person))
            .where(
                Referral.person_id.in_(person_ids),
                Referral.received_on >= since,
                Referral.status != ReferralStatus.VOIDED,
            )
            .order_by(Referral.received_on.desc(), Referral.id.desc())
        ).all()
        if person_ids
        else []
    )
    result = RepeatCheck()
    for referral in referrals:
        comparison = compare(record, record_of(referral.person))
        if comparison.tier is MatchTier.MATCH:
            result.matches.append(Candidate(referral, comparison))
        elif comparison.tier is MatchTier.POSSIBLE:
            result.possibles.append(Candidate(referral, comparison))
    ruled_out = _ruled_different({c.referral.person_id for c in result.matches})
    result.possibles = [c for c in result.possibles if c.referral.person_id not in ruled_out]
    result.elsewhere = elsewhere(area, record, since)
    result.custody = _custody_contacts(record, person_ids, since)
    return result


def _custody_contacts(
    record: PersonRecord, person_ids: set[int], since: date
) -> list[CustodyCandidate]:
    """Earlier custody contacts of the candidate people since `since`, newest first."""
    if not person_ids:
        return []
    contacts = db.session.scalars(
        select(InitialContact)
        .options(joinedload(InitialContact.person), joinedload(InitialContact.location))
        .where(
            InitialContact.person_id.in_(person_ids),
            InitialContact.seen_at >= datetime.combine(since, time(), tzinfo=UTC),
        )
        .order_by(InitialContact.seen_at.desc(), InitialContact.id.desc())
    )
    found = [CustodyCandidate(c, compare(record, record_of(c.person))) for c in contacts]
    return [c for c in found if c.comparison.tier is not MatchTier.NO_MATCH]


def elsewhere(area: Area, record: PersonRecord, since: date) -> list[tuple[str, date]]:
    """Earlier referrals in the region's other areas: their area's name and date, nothing else."""
    if not _regional_matching(area):
        return []
    return regional_earlier_referrals(area, lookup_hashes(record, _regional_secret()), since)


def index_person(person: Person, *, new_person: bool = False) -> None:
    """Make the person findable in their area by their blocking keys (a referral or a custody
    contact: both are matched against the same people), in one statement; a person seen before
    keeps the keys they have."""
    keys = index_keys(record_of(person))
    if not new_person:
        keys -= set(
            db.session.scalars(
                select(PersonBlockingKey.key).where(PersonBlockingKey.person_id == person.id)
            )
        )
    if keys:
        db.session.execute(
            insert(PersonBlockingKey),
            [
                {"area_id": person.area_id, "person_id": person.id, "key": key}
                for key in sorted(keys)
            ],
        )


def matching_person(record: PersonRecord) -> Person | None:
    """The area's person this record surely is (a match, not a possible one), if any: the one
    with the highest weight. Used where the same person is recorded again without an officer
    to confirm it (a custody contact)."""
    person_ids = candidate_people(record)
    if not person_ids:
        return None
    people = db.session.scalars(select(Person).where(Person.id.in_(person_ids)))
    scored = [(compare(record, record_of(person)), person) for person in people]
    matches = [(c.weight, p.id, p) for c, p in scored if c.tier is MatchTier.MATCH]
    return max(matches)[2] if matches else None


def index(person: Person, referral_on: date, *, new_person: bool) -> None:
    """Make the person of a referral received on `referral_on` findable: blocking keys here,
    hashes in the region, each set in one statement."""
    area = person.area
    index_person(person, new_person=new_person)
    if not _regional_matching(area):
        return
    hashes = published_hashes(record_of(person), _regional_secret())
    if hashes:
        db.session.execute(
            insert(RegionalKeyHash),
            [
                {
                    "region_id": area.region_id,
                    "area_id": area.id,
                    "key_hash": key_hash,
                    "referral_on": referral_on,
                }
                for key_hash in sorted(hashes)
            ],
        )


def unindex(person: Person) -> None:
    """Take a person out of the regional index before their name and date of birth go.

    The index holds only keyed hashes with the area and date, so the person's own are found by
    hashing their details again; their local blocking keys go with the person's data.
    """
    area = person.area
    if not _regional_matching(area):
        return
    hashes = published_hashes(record_of(person), _regional_secret())
    dates = {referral.received_on for referral in person.referrals}
    db.session.execute(
        delete(RegionalKeyHash).where(
            RegionalKeyHash.area_id == area.id,
            RegionalKeyHash.key_hash.in_(hashes),
            RegionalKeyHash.referral_on.in_(dates),
        )
    )


def queue_reviews(referral: Referral, possibles: list[Candidate]) -> None:
    """Possible repeats go to the area's managers to decide."""
    for candidate in possibles:
        db.session.add(
            MatchReview(
                area_id=referral.area_id,
                referral_id=referral.id,
                candidate_referral_id=candidate.referral.id,
                person_id=referral.person_id,
                candidate_person_id=candidate.referral.person_id,
                weight=candidate.comparison.weight,
            )
        )


def refused_by_policy(area: Area, earlier: list[Referral]) -> Referral | None:
    """The earlier referral that the area's policy says rules out another diversion, if any."""
    if area.repeat_policy != "refuse_if_not_engaged":
        return None
    return next((r for r in earlier if r.status is ReferralStatus.NOT_ENGAGED), None)


def pending_reviews() -> list[MatchReview]:
    return list(
        db.session.scalars(
            select(MatchReview)
            .options(
                joinedload(MatchReview.referral).joinedload(Referral.person),
                joinedload(MatchReview.candidate_referral).joinedload(Referral.person),
            )
            .where(MatchReview.decision.is_(None))
            .order_by(MatchReview.created_at, MatchReview.id)
        )
    )


def decide(review: MatchReview, same_person: bool, user_id: int) -> None:
    """Record a manager's decision; "same" makes the referral a repeat of the earlier one."""
    review.decision = "same" if same_person else "different"
    review.decided_by_id, review.decided_at = user_id, utcnow()
    if same_person:
        review.referral.is_repeat = True
        review.referral.repeat_of_id = review.candidate_referral_id
