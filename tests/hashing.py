"""Cheap argon2 for the in-process tests.

The production parameters (argon2-cffi's defaults, RFC 9106's low-memory profile: 64 MiB,
3 passes, 4 lanes) cost about a second a hash on a busy two-core machine, and the suite hashes
and verifies passwords thousands of times (demo users, logins, new users, password links,
schemathesis' cases). The in-process app therefore hashes with argon2's cheapest parameters;
verification reads the parameters from each stored hash, so hashes made either way verify.
``tests/api/test_password_hashing.py`` checks what production uses, and the live servers
(``tests/live.py``: hardening and browser tests) run the unpatched application.
"""

from argon2 import PasswordHasher, profiles

from api.auth import security

PRODUCTION_HASHER = security._hasher
PRODUCTION_DUMMY_HASH = security._DUMMY_HASH


def cheap_password_hashing() -> None:
    cheap = PasswordHasher.from_parameters(profiles.CHEAPEST)
    security._hasher = cheap
    security._DUMMY_HASH = cheap.hash("lsphub-timing-equaliser")
