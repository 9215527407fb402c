"""Repeat matching across a region's areas without any personal data crossing between them.

Each area publishes only keyed hashes (HMAC-SHA256 with a regional secret) of its blocking keys,
with the area and the referral date. Another area that computes the same hash from its own new
referral learns "an earlier referral in <area> on <date>" and nothing else.

What it reveals: that some referral in another area shares a blocking key (a sound of the name
with part of a date of birth), and when and where that referral was made. What it does not: no
name, date of birth, contact detail or reference leaves the area, and without the regional
secret a hash cannot be tested against guessed names and dates (a plain hash could be, since
names and dates of birth are few enough to try them all).
"""

from __future__ import annotations

import hashlib
import hmac

from divert.matching.keys import index_keys, lookup_keys
from divert.matching.normalise import PersonRecord


def _hashed(keys: set[str], secret: bytes) -> set[str]:
    return {hmac.new(secret, key.encode(), hashlib.sha256).hexdigest() for key in keys}


def published_hashes(person: PersonRecord, secret: bytes) -> set[str]:
    """What an area publishes to the regional index for one referral."""
    return _hashed(index_keys(person), secret)


def lookup_hashes(person: PersonRecord, secret: bytes) -> set[str]:
    """What an area looks up in the regional index for a new referral."""
    return _hashed(lookup_keys(person), secret)
