"""Personal data (个人信息保护法): encryption at rest, keyed matching hashes and masking.

Both keys derive from DATA_KEY, so one secret protects ID numbers and phones; losing it
makes them unreadable (the roll's weights and names remain).
"""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


def _derive(data_key: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"gongzhi/" + purpose).derive(data_key.encode())


class PersonalData:
    def __init__(self, data_key: str):
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(data_key, b"encrypt")))
        self._match_key = _derive(data_key, b"match")

    def encrypt(self, text: str) -> bytes:
        return self._fernet.encrypt(text.encode())

    def decrypt(self, token: bytes) -> str:
        return self._fernet.decrypt(token).decode()

    def match_hash(self, id_number: str) -> str:
        """Equal for equal ID numbers (case-folded), useless without the key."""
        return hmac.new(self._match_key, id_number.upper().encode(), hashlib.sha256).hexdigest()


def personal_data() -> PersonalData:
    return PersonalData(current_app.config["DATA_KEY"])


def last4_hash(protect, last4: str) -> str:
    return protect.match_hash("last4:" + last4)


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: the family name shows, the rest does not."""
    return name[:1] + "*" * (len(name) - 1) if name else ""


def mask_id_number(id_number: str) -> str:
    """Only the last four characters, as owners are asked to confirm them."""
    return "*" * (len(id_number) - 4) + id_number[-4:]
