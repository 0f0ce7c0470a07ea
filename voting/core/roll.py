"""The private roll (spec election-record-v2 §4): random voter ids and salted commitments to units.

A voter's entry names no unit; the owner, holding the salt printed on their notice, recomputes
the commitment from their own unit labels and so finds and checks their entry. Without the salt
nobody can link an entry to units.
"""

import secrets

from voting.core.canonical import H, b64e, canon

# Lower-case base32 without i, l, o and u (Crockford's choice): nothing to misread on paper.
VOTER_ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
VOTER_ID_LENGTH = 10  # 50 random bits: a clash among an estate's voters is vanishingly rare
SALT_BYTES = 16
UNITS_PREFIX = b"gongzhi/2/units\x00"


def new_voter_ids(count: int) -> list[str]:
    """``count`` distinct random voter ids, drawn afresh for each vote, saying nothing of roll order."""
    drawn: set[str] = set()
    while len(drawn) < count:  # a clash is only drawn again
        drawn.add("".join(secrets.choice(VOTER_ID_ALPHABET) for _ in range(VOTER_ID_LENGTH)))
    return list(drawn)


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


def units_commitment(salt: bytes, units: list[str]) -> str:
    """b64(H("gongzhi/2/units" ‖ 0x00 ‖ salt ‖ canon(units sorted by code point)))."""
    return b64e(H(UNITS_PREFIX + salt + canon(sorted(units))))
