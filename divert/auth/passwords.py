"""Password hashing with argon2id.

OWASP's recommended minimum for argon2id: 19 MiB of memory, 2 iterations, 1 lane. Measured on
the 2-core server (see the README), a verification costs about 22 ms of CPU, which leaves the
sign-in page above 50 a second; the next step up (3 iterations, or 46 MiB) costs 36-52 ms and
would not. Hashes made with other parameters are upgraded when their owner next signs in.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

# Verified against when the email is unknown, so that an unknown user costs the same time.
_DECOY_HASH = _hasher.hash("decoy-password-for-timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DECOY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a verified hash was made with other parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)
