"""Production hashes passwords with argon2id at RFC 9106's low-memory parameters.

The in-process tests swap in cheap parameters (``tests/hashing.py``); this checks what the
application itself is built with, so the swap cannot hide a weakened production setting.
"""

from argon2 import PasswordHasher, extract_parameters, profiles
from argon2.low_level import Type

from tests.hashing import PRODUCTION_DUMMY_HASH, PRODUCTION_HASHER


def test_production_parameters_are_rfc_9106_low_memory() -> None:
    expected = profiles.RFC_9106_LOW_MEMORY
    assert expected.type is Type.ID
    assert PRODUCTION_HASHER.type is Type.ID
    assert PRODUCTION_HASHER.memory_cost == expected.memory_cost == 65536
    assert PRODUCTION_HASHER.time_cost == expected.time_cost == 3
    assert PRODUCTION_HASHER.parallelism == expected.parallelism == 4


def test_the_timing_equaliser_is_a_production_strength_hash() -> None:
    params = extract_parameters(PRODUCTION_DUMMY_HASH)
    assert (params.type, params.memory_cost, params.time_cost, params.parallelism) == (
        Type.ID,
        65536,
        3,
        4,
    )


def test_a_production_hash_verifies_through_the_cheap_test_hasher() -> None:
    """Verification takes the parameters from the hash: live-server and demo hashes still work."""
    stored = PRODUCTION_HASHER.hash("correct horse battery staple")
    assert PasswordHasher.from_parameters(profiles.CHEAPEST).verify(
        stored, "correct horse battery staple"
    )
