"""A labelled stream of referrals: known true identities, with the errors officers make.

About `repeat_share` of the records are people seen before, typed again with realistic
mistakes: typos, nicknames, forename and surname swapped, "SURNAME, Forename", day and month
transposed, a digit off in the date, a surname hyphenated or not, details missing. Strangers
often share a surname, and some share a date of birth, so that precision is really tested.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, replace
from datetime import date, timedelta

from faker import Faker

from divert.matching.normalise import NICKNAMES, PersonRecord

NICKNAMES_OF: dict[str, list[str]] = {}
for _alias, _canonical in NICKNAMES.items():
    NICKNAMES_OF.setdefault(_canonical, []).append(_alias)


@dataclass(frozen=True)
class Labelled:
    identity: int
    record: PersonRecord


class Stream:
    def __init__(self, seed: int = 1) -> None:
        self.rng = random.Random(seed)  # nosec B311
        self.faker = Faker("en_GB")
        self.faker.seed_instance(seed)
        common = ["Smith", "Jones", "Khan", "Patel", "Williams", "Taylor", "Brown", "Ali"]
        self.surnames = common * 20 + [self.faker.last_name() for _ in range(600)]
        self.forenames = [n.capitalize() for n in NICKNAMES.values()] * 3 + [
            self.faker.first_name() for _ in range(400)
        ]

    def _new_person(self) -> PersonRecord:
        rng = self.rng
        born = date(1970, 1, 1) + timedelta(days=rng.randint(0, 365 * 40))
        forename, surname = rng.choice(self.forenames), rng.choice(self.surnames)
        return PersonRecord(
            forename=forename,
            surname=surname,
            date_of_birth=born,
            postcode_district=rng.choice(["B", "CV", "WV", "ST", "WR", "DY"])
            + str(rng.randint(1, 40)),
            phone=f"+4479{rng.randint(0, 99_999_999):08d}" if rng.random() < 0.8 else None,
            email=f"{forename}.{surname}{rng.randint(1, 99)}@example.com".lower()
            if rng.random() < 0.4
            else None,
        )

    def _sibling(self, person: PersonRecord) -> PersonRecord:
        """A twin: same surname, date of birth and postcode, a different forename."""
        other = self.rng.choice([f for f in self.forenames if f.lower() != person.forename.lower()])
        return replace(person, forename=other, phone=None, email=None)

    def _typo(self, text: str) -> str:
        if len(text) < 3:
            return text
        rng, i = self.rng, self.rng.randrange(1, len(text) - 1)
        kind = rng.choice(["insert", "delete", "substitute", "transpose"])
        letter = rng.choice(string.ascii_lowercase)
        if kind == "insert":
            return text[:i] + letter + text[i:]
        if kind == "delete":
            return text[:i] + text[i + 1 :]
        if kind == "substitute":
            return text[:i] + letter + text[i + 1 :]
        return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]

    def _digit_off(self, born: date) -> date:
        for _ in range(10):
            part = self.rng.choice(["day", "month", "year"])
            try:
                if part == "day":
                    return born.replace(day=born.day + self.rng.choice([-1, 1]))
                if part == "month":
                    return born.replace(month=born.month + self.rng.choice([-1, 1]))
                return born.replace(year=born.year + self.rng.choice([-1, 1]))
            except ValueError:
                continue
        return born

    def _mistype(self, person: PersonRecord) -> PersonRecord:
        """Zero to two errors of the kinds officers make."""
        rng = self.rng
        for _ in range(rng.choice([0, 1, 1, 2])):
            error = rng.choice(
                [
                    "typo_fore",
                    "typo_sur",
                    "nickname",
                    "swap_names",
                    "comma",
                    "swap_day_month",
                    "digit_off",
                    "hyphen",
                    "missing",
                    "new_phone",
                ]
            )
            if error == "typo_fore":
                person = replace(person, forename=self._typo(person.forename))
            elif error == "typo_sur":
                person = replace(person, surname=self._typo(person.surname))
            elif error == "nickname":
                aliases = NICKNAMES_OF.get(person.forename.lower())
                if aliases:
                    person = replace(person, forename=rng.choice(aliases).capitalize())
            elif error == "swap_names":
                person = replace(person, forename=person.surname, surname=person.forename)
            elif error == "comma":
                person = PersonRecord.from_typed(
                    f"{person.surname.upper()}, {person.forename}",
                    "",
                    date_of_birth=person.date_of_birth,
                    postcode_district=person.postcode_district,
                    phone=person.phone,
                    email=person.email,
                )
            elif (
                error == "swap_day_month"
                and person.date_of_birth
                and person.date_of_birth.day <= 12
            ):
                born = person.date_of_birth
                person = replace(person, date_of_birth=born.replace(day=born.month, month=born.day))
            elif error == "digit_off" and person.date_of_birth:
                person = replace(person, date_of_birth=self._digit_off(person.date_of_birth))
            elif error == "hyphen":
                extra = rng.choice(self.surnames)
                parts = person.surname.split("-")
                person = replace(
                    person,
                    surname="-".join(parts[:1]) if len(parts) > 1 else f"{person.surname}-{extra}",
                )
            elif error == "missing":
                field = rng.choice(["phone", "email", "postcode_district", "date_of_birth"])
                if field != "date_of_birth" or rng.random() < 0.3:
                    person = replace(person, **{field: None})
            elif error == "new_phone":
                person = replace(person, phone=f"+4479{rng.randint(0, 99_999_999):08d}")
        return person

    def records(self, size: int, repeat_share: float = 0.10) -> list[Labelled]:
        seen: list[PersonRecord] = []
        stream: list[Labelled] = []
        for _ in range(size):
            if seen and self.rng.random() < repeat_share:
                identity = self.rng.randrange(len(seen))
                record = self._mistype(seen[identity])
            else:
                base = (
                    self._sibling(self.rng.choice(seen))
                    if seen and self.rng.random() < 0.02
                    else self._new_person()
                )
                seen.append(base)
                identity, record = len(seen) - 1, base
            stream.append(Labelled(identity, record))
        return stream
