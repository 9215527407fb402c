"""The matcher's parts, and its precision and recall on a labelled stream."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from divert.matching.evaluate import evaluate
from divert.matching.generator import Stream
from divert.matching.keys import index_keys, lookup_keys
from divert.matching.normalise import PersonRecord, canonical_forename, surname_parts
from divert.matching.regional import lookup_hashes, published_hashes
from divert.matching.score import MatchTier, compare

JOHN = PersonRecord("John", "Smith", date(2001, 3, 14), "CV34", "+447911123456")


def _shares_a_key(a: PersonRecord, b: PersonRecord) -> bool:
    return bool(lookup_keys(a) & index_keys(b))


def test_names_are_normalised() -> None:
    assert canonical_forename("Jon") == canonical_forename("JOHNNY") == "john"
    assert canonical_forename("Zoë") == "zoe"
    assert surname_parts("Smith-Jones") == ["smithjones", "smith", "jones"]
    typed = PersonRecord.from_typed("SMITH, John", "")
    assert (typed.forename, typed.surname) == ("John", "SMITH")


def test_the_same_person_typed_differently() -> None:
    variants = [
        replace(JOHN, forename="Jon", surname="Smyth"),
        PersonRecord.from_typed("SMITH, John", "", date_of_birth=JOHN.date_of_birth),
        replace(JOHN, surname="Smith-Jones"),
        replace(JOHN, forename="Smith", surname="John"),
    ]
    for variant in variants:
        assert _shares_a_key(variant, JOHN), variant
        assert compare(variant, JOHN).tier is not MatchTier.NO_MATCH, variant


def test_day_and_month_swapped_and_one_digit_off() -> None:
    swapped = replace(JOHN, date_of_birth=date(2001, 3, 4), phone=None)
    original = replace(JOHN, date_of_birth=date(2001, 4, 3), phone=None)
    assert _shares_a_key(swapped, original)
    assert compare(swapped, original).levels["date_of_birth"] == "day_month_swapped"
    off = replace(JOHN, date_of_birth=date(2001, 3, 15), phone=None)
    assert _shares_a_key(off, replace(JOHN, phone=None))
    assert compare(off, replace(JOHN, phone=None)).levels["date_of_birth"] == "one_part_differs"


def test_strangers_and_twins() -> None:
    stranger = PersonRecord("John", "Smith", date(1985, 7, 2), "B12")
    assert compare(stranger, JOHN).tier is MatchTier.NO_MATCH
    twin = replace(JOHN, forename="Kimberley", phone=None)
    assert compare(twin, replace(JOHN, phone=None)).tier is MatchTier.POSSIBLE


def test_agreement_adds_weight_and_disagreement_takes_it() -> None:
    base = replace(JOHN, phone=None)
    same_phone = compare(JOHN, JOHN).weight
    assert same_phone > compare(base, base).weight
    assert compare(replace(JOHN, phone="+447000000001"), JOHN).weight < compare(base, JOHN).weight


def test_precision_and_recall_on_a_labelled_stream() -> None:
    result = evaluate(Stream(seed=7).records(4000))
    assert result.repeats > 300
    assert result.match_precision >= 0.99
    assert result.match_recall >= 0.90
    assert result.match_or_possible_recall >= 0.97
    assert result.mean_candidates < 5  # blocking keeps candidate sets small


def test_regional_hashes_carry_no_personal_data() -> None:
    secret = b"regional-secret"
    published = published_hashes(JOHN, secret)
    text = " ".join(published)
    for detail in ("smith", "john", "2001", "SM0", "CV34", "7911"):
        assert detail not in text.lower()
    assert all(len(h) == 64 for h in published)
    assert lookup_hashes(replace(JOHN, forename="Jon"), secret) & published
    assert not (published_hashes(JOHN, b"another-secret") & published)
