"""Encodings of the election record (spec §1): canonical JSON, base64url, SHA-256, timestamps."""

import base64
import binascii
import hashlib
import json
import re
from collections import Counter
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from json.encoder import c_make_encoder, encode_basestring

MAX_INT = 2**53
SHANGHAI = timezone(timedelta(hours=8))

# Records are trees parsed from JSON, so the cycle check would only cost time.
_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, check_circular=False
)
# JSONEncoder.encode builds a C encoder on every call; a verifier canonicalises two objects per
# ballot, so one built once halves the cost. Same arguments as JSONEncoder.iterencode passes it.
_C_ENCODE = c_make_encoder and c_make_encoder(
    None, _ENCODER.default, encode_basestring, None, ":", ",", True, False, True
)
_B64_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_B64_VALUE = {digit: value for value, digit in enumerate(_B64_DIGITS)}
# base64url to standard base64, with the standard-only "+", "/" and "=" made into a character
# strict a2b_base64 refuses, so that only the url-safe alphabet gets through.
_URL_TO_STANDARD_B64 = bytes.maketrans(b"-_+/=", b"+/***")
_PADDING = (b"", None, b"==", b"=")  # by length % 4; a length of 1 mod 4 is never base64
# The bits of the last character that a padded group leaves unused, by length % 4.
_STRAY_BITS = (0, None, 0b1111, 0b11)
# Exactly the texts b64d accepts: whole groups of four, then two or three characters whose last
# leaves no stray bits (of a 2-character tail the low four bits, of a 3-character tail the low two).
_B64URL_CHARACTERS = re.compile(r"[A-Za-z0-9_-]*")
_RFC3339 = re.compile(
    r"(?P<hour>\d{4}-\d{2}-\d{2}[Tt]\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})(?:\.(?P<fraction>\d+))?"
    r"(?P<offset>[Zz]|[+-]\d{2}:(?P<offset_minutes>\d{2}))",
    re.ASCII,
)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


def canon(value) -> bytes:
    """Canonical JSON: sorted keys, no whitespace, UTF-8 without \\u escapes.

    Raises ValueError for strings that are not valid Unicode (lone surrogates).
    """
    if _C_ENCODE is None:  # a Python built without the _json accelerator
        return _ENCODER.encode(value).encode("utf-8")
    return "".join(_C_ENCODE(value, 0)).encode("utf-8")


def H(data: bytes) -> bytes:
    """SHA-256."""
    return hashlib.sha256(data).digest()


def b64e(data: bytes) -> str:
    """base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64d(text: str) -> bytes:
    """Strict inverse of b64e: no padding, no other characters, no stray bits.

    Stray bits matter: a lenient decoder accepts several spellings of the same bytes, and then a
    record could be altered without breaking any hash or signature.
    """
    if type(text) is not str or len(text) % 4 == 1:
        raise ValueError("not unpadded base64url")
    remainder = len(text) % 4
    try:
        data = binascii.a2b_base64(
            text.encode("ascii").translate(_URL_TO_STANDARD_B64) + _PADDING[remainder],
            strict_mode=True,
        )
    except ValueError:  # non-ASCII text, or a character outside the alphabet
        raise ValueError("not unpadded base64url") from None
    if remainder and _B64_VALUE[text[-1]] & _STRAY_BITS[remainder]:
        raise ValueError("not the canonical base64url spelling")
    return data


def is_b64(text) -> bool:
    """Whether b64d(text) would decode, without decoding it: for a field only checked, never used."""
    if type(text) is not str or _B64URL_CHARACTERS.fullmatch(text) is None:
        return False
    remainder = len(text) % 4
    return remainder != 1 and not (remainder and _B64_VALUE[text[-1]] & _STRAY_BITS[remainder])


def b64h(value) -> str:
    """b64(H(canon(value))), the hash the record uses for the election, roll and tally."""
    return b64e(H(canon(value)))


def parse_time(text: str) -> datetime:
    """Parse an RFC 3339 timestamp that carries an offset into an aware datetime.

    Aware datetimes compare as instants. Python resolves microseconds, so a timestamp with
    non-zero digits beyond them is refused rather than silently rounded; so is a leap second.
    """
    _rfc3339_match(text)
    # The pattern fixes the syntax; fromisoformat checks the calendar and clock ranges.
    return datetime.fromisoformat(text.upper())


def instant(text: str) -> int:
    """parse_time(text) as microseconds since the epoch, the same ValueError where it fails.

    An int compares, and crosses to and from a worker process, far more cheaply than an aware
    datetime. The start of the timestamp's hour in its offset is parsed once (a log's entries
    share a few hundred hours); minutes, seconds and fraction are added to it.
    """
    match = _rfc3339_match(text)
    hour, minute, second, fraction, offset = match.group("hour", "minute", "second", "fraction", "offset")
    if minute <= "59" and second <= "59":  # else fromisoformat names the fault below
        try:
            start = _hour_start(hour, offset)
        except ValueError:  # a day or hour out of range: fromisoformat names it for the whole text
            pass
        else:
            micro = int(fraction[:6].ljust(6, "0")) if fraction else 0
            return start + (int(minute) * 60 + int(second)) * 1_000_000 + micro
    return instant_of(parse_time(text))


def instant_of(moment: datetime) -> int:
    """An aware datetime as microseconds since the epoch."""
    return (moment - _EPOCH) // _MICROSECOND


def moment_of(instant_: int) -> datetime:
    """The aware datetime (UTC) of microseconds since the epoch."""
    return _EPOCH + instant_ * _MICROSECOND


@lru_cache(maxsize=4096)
def _hour_start(hour: str, offset: str) -> int:
    return instant_of(datetime.fromisoformat(f"{hour}:00:00{offset}".upper()))


def _rfc3339_match(text: str) -> re.Match:
    """The pattern's match of a timestamp, or ValueError for what parse_time refuses before the calendar."""
    match = _RFC3339.fullmatch(text) if type(text) is str else None
    if match is None:
        raise ValueError("not an RFC 3339 timestamp with an offset")
    fraction, offset_minutes = match.group("fraction", "offset_minutes")
    if fraction and fraction[6:].strip("0"):
        raise ValueError("timestamp is finer than a microsecond")
    if offset_minutes and int(offset_minutes) > 59:
        raise ValueError("timestamp offset out of range")
    return match


def format_time(moment: datetime) -> str:
    """RFC 3339 in Beijing time, e.g. ``2026-12-01T08:00:00+08:00``."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: give an aware one")
    return moment.astimezone(SHANGHAI).isoformat()


def is_int(value) -> bool:
    """A JSON integer within ±2^53; ``bool`` does not count although Python makes it an int."""
    return type(value) is int and -MAX_INT <= value <= MAX_INT


def check_json(value, path: str = "") -> None:
    """Raise ValueError naming the path of a float, an integer beyond ±2^53, or a non-JSON type."""
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if type(item) is dict:
            stack.extend((child, f"{where}.{key}") for key, child in item.items())
        elif type(item) is list:
            stack.extend((child, f"{where}[{index}]") for index, child in enumerate(item))
        elif type(item) is float:
            raise ValueError(f"{where or 'value'} is a floating-point number")
        elif type(item) is int and not is_int(item):
            raise ValueError(f"{where or 'value'} is an integer beyond ±2^53")
        elif item is not None and type(item) not in (str, bool, int):
            raise ValueError(f"{where or 'value'} is not a JSON value")


def parse_json(data: bytes | str):
    """json.loads that refuses what a record may not hold: floats, NaN/Infinity, duplicate keys."""
    return json.loads(
        data,
        parse_float=_refuse_float,
        parse_constant=_refuse_float,
        object_pairs_hook=_object_without_duplicates,
    )


def _refuse_float(text: str):
    raise ValueError(f"floating-point number {text} in a record")


def _object_without_duplicates(pairs: list) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        duplicate, _ = Counter(key for key, _ in pairs).most_common(1)[0]
        raise ValueError(f"duplicate key {duplicate!r}")
    return result
