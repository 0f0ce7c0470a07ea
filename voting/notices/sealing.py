"""The notices passphrase: the voters' secrets, and the notices PDF made from them, are sealed
to the group member who opened the vote, so the operator's DATA_KEY and the database together
open neither.

scrypt (random 16-byte salt; the cost is stored with each batch, so it can rise later) turns the
passphrase into a 32-byte key; AES-256-GCM seals under it with a fresh 96-bit nonce, binding the
vote's id and what is sealed as associated data, so one sealed value cannot pass for another.
The server keeps the salt, the cost and an HMAC of a fixed label under the key: it tells a wrong
passphrase at once, without opening anything. Python and `cryptography` only: no Flask, no
database.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import unicodedata

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from voting.core.canonical import b64d, b64e

MIN_PASSPHRASE_LENGTH = 10
# With r = 8: 128 MiB and most of a second per guess, OWASP's floor for scrypt.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
SALT_BYTES, KEY_BYTES, NONCE_BYTES = 16, 32, 12
SECRETS, PDF = "secrets", "pdf"  # what a sealed value holds


def new_kdf(n: int) -> str:
    """The derivation to store with a new batch: scrypt of cost n with a fresh salt."""
    return json.dumps({"kdf": "scrypt", "n": n, "r": SCRYPT_R, "p": SCRYPT_P, "salt": b64e(os.urandom(SALT_BYTES))})


def derive_key(passphrase: str, kdf_json: str) -> bytes:
    kdf = json.loads(kdf_json)
    # NFC: the same characters typed through another input method give the same key.
    return Scrypt(salt=b64d(kdf["salt"]), length=KEY_BYTES, n=kdf["n"], r=kdf["r"], p=kdf["p"]).derive(
        unicodedata.normalize("NFC", passphrase).encode()
    )


def key_check(key: bytes) -> str:
    return b64e(hmac.digest(key, b"gongzhi/notices/check", hashlib.sha256))


def is_key(key: bytes, check: str) -> bool:
    return hmac.compare_digest(key_check(key), check)


def _context(election_id: str, what: str) -> bytes:
    return f"gongzhi/notices/{what}/{election_id}".encode()


def seal(key: bytes, election_id: str, what: str, plain: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plain, _context(election_id, what))


def unseal(key: bytes, election_id: str, what: str, sealed: bytes) -> bytes:
    """Raises cryptography.exceptions.InvalidTag for any other key, vote or kind of value."""
    return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], _context(election_id, what))


def seal_secrets(key: bytes, election_id: str, secrets: dict[str, bytes]) -> bytes:
    return seal(
        key, election_id, SECRETS, json.dumps({code: b64e(secret) for code, secret in secrets.items()}).encode()
    )


def unseal_secrets(key: bytes, election_id: str, sealed: bytes) -> dict[str, bytes]:
    return {code: b64d(text) for code, text in json.loads(unseal(key, election_id, SECRETS, sealed)).items()}
