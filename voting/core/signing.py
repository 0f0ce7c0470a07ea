"""Ed25519 signatures over domain-separated messages (spec §1).

The signed message is ``b"gongzhi/<format>/" + purpose + b"\\x00" + canon(body)``, so a signature
made for one purpose, or for one record format, can never be replayed as another.
"""

import os
from concurrent.futures import ProcessPoolExecutor

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from voting.core.canonical import b64d, b64e, canon

# Purposes by record format; format 2 signs tree heads as C2SP checkpoints instead (checkpoint.py).
PURPOSES = {
    1: ("ballot", "tree-head", "certification"),
    2: ("ballot", "handin", "credential", "extension", "certification"),
}
SEED_BYTES = 32

_P = 2**255 - 19
# The y-coordinates of the eight points of order dividing 8 (as in libsodium's blocklist).
# OpenSSL accepts such a public key, and "signatures" under it verify for many messages
# (all-zero key and signature verify for any), so it could not attribute a ballot to anyone.
SMALL_ORDER_Y = frozenset(
    {
        0,
        1,
        _P - 1,
        0x05FC536D880238B13933C6D305ACDFD5F098EFF289F4C345B027B2C28F95E826,
        0x7A03AC9277FDC74EC6CC392CFA53202A0F67100D760B3CBA4FD84D3D706A17C7,
    }
)

_PREFIXES = {
    (version, purpose): f"gongzhi/{version}/{purpose}".encode("ascii") + b"\x00"
    for version, purposes in PURPOSES.items()
    for purpose in purposes
}


def prefix(purpose: str, version: int = 1) -> bytes:
    """The bytes signed before canon(body); ValueError for a purpose the format does not know."""
    try:
        return _PREFIXES[version, purpose]
    except (KeyError, TypeError):
        raise ValueError(f"unknown signature purpose {purpose!r} in format {version}") from None


def message(purpose: str, body, version: int = 1) -> bytes:
    """The exact bytes an Ed25519 signature covers."""
    return prefix(purpose, version) + canon(body)


def public_key_bytes(public_key_b64: str) -> bytes:
    """Decode a b64 Ed25519 public key; ValueError unless it is usable (see usable_public_key)."""
    return usable_public_key(b64d(public_key_b64))


def usable_public_key(public_key: bytes) -> bytes:
    """``public_key`` itself, or ValueError unless its 32 bytes encode y canonically
    (y < p, RFC 8032 §5.1.3) and y is not that of a small-order point."""
    if len(public_key) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    y = int.from_bytes(public_key, "little") & ~(1 << 255)  # the top bit is the sign of x
    if y >= _P or y in SMALL_ORDER_Y:
        raise ValueError("not a usable Ed25519 public key")
    return public_key


def new_seed() -> bytes:
    """32 random bytes: a credential secret or a signing key seed."""
    return os.urandom(SEED_BYTES)


def private_key_from_seed(seed: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_b64(private_key: Ed25519PrivateKey) -> str:
    """The raw 32-byte public key, b64, as the record stores it."""
    return b64e(private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def generate_keypair() -> tuple[bytes, str]:
    """A fresh (seed, public key b64)."""
    seed = new_seed()
    return seed, public_key_b64(private_key_from_seed(seed))


def sign(private_key: Ed25519PrivateKey, purpose: str, body, version: int = 1) -> str:
    """b64 signature of ``body`` for ``purpose``."""
    return b64e(private_key.sign(message(purpose, body, version)))


def verify(public_key_b64: str, purpose: str, body, signature_b64: str, version: int = 1) -> bool:
    """True only for a valid signature; malformed input of any kind gives False."""
    try:
        return verify_message(public_key_bytes(public_key_b64), message(purpose, body, version), signature_b64)
    except (ValueError, TypeError):
        return False


def verify_message(public_key: bytes, signed: bytes, signature_b64: str) -> bool:
    """Like verify, for a raw public key and a message already built with prefix()."""
    try:
        key = Ed25519PublicKey.from_public_bytes(usable_public_key(public_key))
        key.verify(b64d(signature_b64), signed)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def first_failure(checks: list[tuple[bytes, bytes, str]], workers: int = 1) -> int | None:
    """Index of the first (raw public key, message, signature b64) that does not verify, or None.
    Each key must be usable already (usable_public_key).

    With workers > 1 the checks are verified in chunks by that many processes.
    """
    if workers <= 1 or len(checks) < 2:
        return _first_failure_in(checks)
    chunk_size = -(-len(checks) // (workers * 4))
    starts = range(0, len(checks), chunk_size)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        chunks = (checks[start : start + chunk_size] for start in starts)
        for start, failure in zip(starts, pool.map(_first_failure_in, chunks)):
            if failure is not None:
                return start + failure
    return None


def _first_failure_in(checks: list[tuple[bytes, bytes, str]]) -> int | None:
    # Both verifiers pass only keys they found usable where the record gives them (the roll, the
    # officers, a reissue): checked once there, not again for each signature.
    for index, (public_key, signed, signature_b64) in enumerate(checks):
        try:
            Ed25519PublicKey.from_public_bytes(public_key).verify(b64d(signature_b64), signed)
        except (InvalidSignature, ValueError, TypeError):
            return index
    return None
