"""Names as people type them on a phone, reduced to comparable forms."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

# Common English diminutives and spellings -> one canonical forename.
NICKNAMES: dict[str, str] = {
    alias: canonical
    for canonical, aliases in {
        "john": "jon jonny johnny jack jackie jock",
        "jonathan": "jonty",
        "william": "will willy willie bill billy liam wil",
        "robert": "rob robbie bob bobby bert robin",
        "richard": "rich richie rick ricky dick",
        "james": "jim jimmy jamie jimbo",
        "michael": "mike mikey mick micky mickey",
        "thomas": "tom tommy",
        "daniel": "dan danny",
        "david": "dave davey davy",
        "christopher": "chris kit christy",
        "matthew": "matt matty",
        "anthony": "tony ant",
        "joseph": "joe joey",
        "benjamin": "ben benny benji",
        "samuel": "sam sammy",
        "alexander": "alex alec sandy xander",
        "andrew": "andy drew",
        "nicholas": "nick nicky",
        "edward": "ed eddie ted teddy ned",
        "charles": "charlie chas chuck",
        "henry": "harry hal hank",
        "stephen": "steve stevie steven",
        "joshua": "josh",
        "nathan": "nate nat",
        "patrick": "pat paddy",
        "peter": "pete",
        "timothy": "tim timmy",
        "kenneth": "ken kenny",
        "lawrence": "larry laurie",
        "frederick": "fred freddie freddy",
        "zachary": "zach zack",
        "mohammed": "mohammad muhammad mohamed muhammed mohamad mo mohd",
        "elizabeth": "liz lizzie lizzy beth betty bess eliza libby",
        "katherine": "kate katie kathy kat catherine kathryn katharine cath cathy",
        "margaret": "maggie meg peggy marge",
        "jennifer": "jen jenny",
        "rebecca": "becky becca",
        "victoria": "vicky vickie tori",
        "samantha": "sam sammy",
        "jessica": "jess jessie",
        "alexandra": "alex lexi sandra",
        "abigail": "abby abi",
        "charlotte": "charlie lottie",
        "deborah": "debbie deb",
        "susan": "sue susie",
        "patricia": "pat patty trish",
        "natalie": "nat",
        "amanda": "mandy",
        "christine": "chris chrissie",
        "emily": "em emmy",
        "eleanor": "ellie nell nora",
        "isabella": "bella izzy isabel",
    }.items()
    for alias in aliases.split()
}


def plain(text: str) -> str:
    """Lower case, accents off, letters and spaces only."""
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z\- ]+", " ", letters.casefold()).strip()


def canonical_forename(forename: str) -> str:
    first = plain(forename).replace("-", " ").split()
    name = first[0] if first else ""
    return NICKNAMES.get(name, name)


def surname_parts(surname: str) -> list[str]:
    """The whole surname without punctuation, and each part of a double-barrelled one."""
    cleaned = plain(surname)
    parts = [p for p in re.split(r"[\s\-]+", cleaned) if p]
    whole = "".join(parts)
    return [whole, *parts] if len(parts) > 1 else ([whole] if whole else [])


def split_typed_name(typed: str) -> tuple[str, str]:
    """'SMITH, John' -> ('John', 'SMITH'); 'John Smith' -> ('John', 'Smith')."""
    if "," in typed:
        surname, _, forename = typed.partition(",")
        return forename.strip(), surname.strip()
    words = typed.split()
    return (words[0], " ".join(words[1:])) if len(words) > 1 else (typed, "")


@dataclass(frozen=True)
class PersonRecord:
    forename: str
    surname: str
    date_of_birth: date | None = None
    postcode_district: str | None = None
    phone: str | None = None
    email: str | None = None

    @classmethod
    def from_typed(cls, forename: str, surname: str, **fields: object) -> PersonRecord:
        """Accept 'SMITH, John' typed into the forename box as well as the two boxes."""
        if "," in forename and not surname:
            forename, surname = split_typed_name(forename)
        return cls(forename=forename, surname=surname, **fields)  # type: ignore[arg-type]


class DescribesPerson:
    """For the details a person is recorded with (a referral's, a custody contact's): the
    person as the matcher compares them, blanks counted as not given."""

    forename: str
    surname: str
    date_of_birth: date
    postcode_district: str | None
    phone: str | None
    email: str | None = None  # a custody contact has none

    def person(self) -> PersonRecord:
        return PersonRecord.from_typed(
            self.forename,
            self.surname,
            date_of_birth=self.date_of_birth,
            postcode_district=self.postcode_district or None,
            phone=self.phone or None,
            email=self.email or None,
        )
