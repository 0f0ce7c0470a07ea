"""Encodings of the election record (spec §1): canonical JSON, base64url, SHA-256, timestamps."""

import base64
import binascii
import hashlib
import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from json.encoder import c_make_encoder, encode_basestring

MAX_INT = 2**53
SHANGHAI = timezone(timedelta(hours=8))

# Records are trees parsed from JSON, so the cycle check would only cost time.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, check_circular=False)
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
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_BEIJING = datetime(1970, 1, 1, 8, tzinfo=SHANGHAI)
_MICROSECOND = timedelta(microseconds=1)
# The instants a date and time in Beijing time (+08:00) can name: years 1 to 9999 (spec v2 E2).
BEIJING_EARLIEST = (datetime(1, 1, 1, tzinfo=SHANGHAI) - _EPOCH) // _MICROSECOND
BEIJING_LATEST = (datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=SHANGHAI) - _EPOCH) // _MICROSECOND


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


def beijing_time(instant_: int) -> str:
    """format_time of an instant (microseconds since the epoch), reckoned in +08:00 throughout so
    that every instant from BEIJING_EARLIEST to BEIJING_LATEST can be written, the first hours of
    year 1 included (no detour through UTC, where they fall in year 0)."""
    return (_EPOCH_BEIJING + instant_ * _MICROSECOND).isoformat()


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


MAX_DEPTH = 64  # levels of objects and lists a JSON text may nest, the outermost value being level 1
_UTF8_BOM = b"\xef\xbb\xbf"
# The escape of a surrogate code unit (\ud800–\udfff), where its backslash is not itself escaped.
# JSON decodes a high one (\ud800–\udbff) right before a low one (\udc00–\udfff) to one
# character; any other leaves a lone surrogate in the string. A UTF-8 text holds no other kind.
# (A literal first, so that the search skips through a large text at memory speed.)
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD]([89a-fA-F])[0-9a-fA-F]{2}")
_LOW_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][c-fC-F][0-9a-fA-F]{2}")
# A JSON text's bytes kept to what its nesting depends on: the quotes that delimit strings and
# the brackets, curly ones made square (a valid text's brackets match already).
_KEEP_BRACKETS = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKETS = bytes(set(range(256)) - set(b'"[]{}'))


class NotRecordJSON(ValueError):
    """Bytes that are not a JSON text a record (or a receipt) may be: spec v2 §1."""


def parse_json(data: bytes | str):
    """The JSON text a record or a receipt may be (spec v2 §1), parsed; ValueError where it is not.

    Bytes must be UTF-8 (a leading byte-order mark is skipped): not UTF-16 or UTF-32, and not the
    UTF-8-style bytes of a surrogate code point. No float, NaN or Infinity, no duplicate key, no
    string holding a lone surrogate (written as an escape), and at most MAX_DEPTH levels of
    objects and lists, so that nothing read can make writing canonical JSON recurse too deep.
    """
    if type(data) is str:
        text = data
        try:
            raw = data.encode("utf-8")
        except UnicodeEncodeError:
            raise NotRecordJSON("text holding a lone surrogate") from None
    else:
        raw = data[len(_UTF8_BOM) :] if data.startswith(_UTF8_BOM) else data
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise NotRecordJSON(f"not UTF-8 (byte {error.start + len(data) - len(raw)} of the file)") from None
    try:
        value = json.loads(
            text,
            parse_float=_refuse_float,
            parse_constant=_refuse_float,
            object_pairs_hook=_object_without_duplicates,
        )
    except RecursionError:
        raise NotRecordJSON(f"objects and lists nested deeper than {MAX_DEPTH} levels") from None
    if _depth(raw) > MAX_DEPTH:
        raise NotRecordJSON(f"objects and lists nested deeper than {MAX_DEPTH} levels")
    if _lone_surrogate_escape(raw):
        raise NotRecordJSON("a string holds a lone surrogate, which no UTF-8 text can")
    return value


def _depth(raw: bytes) -> int:
    """How many levels of objects and lists a valid JSON text nests, the outermost value being
    level 1: peeled one level a pass from the text's brackets outside strings (no more than
    MAX_DEPTH + 1 passes). Byte-wise: no byte of a multi-byte UTF-8 character is ASCII."""
    # Escaped backslashes, then escaped quotes, go; every quote left opens or closes a string.
    if b"\\" in raw:
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    brackets = raw.translate(_KEEP_BRACKETS, _NOT_BRACKETS)
    # Two quotes side by side delimit an empty string, or close a string and open the next with
    # no bracket between: dropping them changes no bracket's place inside or outside a string.
    brackets = brackets.replace(b'""', b"")
    if b'"' in brackets:  # strings holding brackets
        brackets = b"".join(brackets.split(b'"')[::2])
    depth = 0
    while brackets and depth <= MAX_DEPTH:
        brackets = brackets.replace(b"[]", b"")
        depth += 1
    return depth


def _lone_surrogate_escape(raw: bytes) -> bool:
    """Whether a valid JSON text writes a lone surrogate: a high-surrogate escape not right before
    a low one, or a low one not right after a high one."""
    position = 0
    while True:
        match = _SURROGATE_ESCAPE.search(raw, position)
        if match is None:
            return False
        start = before = match.start()
        while before and raw[before - 1] == 0x5C:  # backslashes before it
            before -= 1
        if (start - before) % 2:  # "\\ud800": an escaped backslash, then text
            position = start + 1
        elif match.group(1) in b"cdefCDEF":  # a low surrogate with no high one before it
            return True
        elif _LOW_SURROGATE_ESCAPE.match(raw, match.end()) is None:
            return True
        else:
            position = match.end() + 6  # past the pair


def _refuse_float(text: str):
    raise ValueError(f"floating-point number {text} in a record")


def _object_without_duplicates(pairs: list) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        duplicate, _ = Counter(key for key, _ in pairs).most_common(1)[0]
        raise ValueError(f"duplicate key {duplicate!r}")
    return result
