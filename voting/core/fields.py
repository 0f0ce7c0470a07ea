"""Field checks shared by the verifiers of both record formats.

Each raises RecordInvalid naming where in the record the fault is. Format 2 names the check too
(spec v2 §9): its verifier runs each group of checks inside ``checking(check_id)``.
"""

import json
from contextlib import contextmanager
from datetime import datetime
from json.encoder import encode_basestring

from voting.core import canonical, signing
from voting.core.canonical import H, b64d, b64e, canon, check_json, is_int, parse_time


class RecordInvalid(Exception):
    """The record fails verification; the message is the first fault found.

    ``check`` is the id of the failing check in format 2 (spec v2 §9), None in format 1.
    """

    def __init__(self, fault: str, check: str | None = None):
        super().__init__(fault)
        self.fault = fault
        self.check = check

    def __str__(self) -> str:
        return f"[{self.check}] {self.fault}" if self.check else self.fault


@contextmanager
def checking(check: str):
    """Name the check of any fault raised inside that does not name one yet."""
    try:
        yield
    except RecordInvalid as fault:
        if fault.check is None:
            fault.check = "D1" if isinstance(fault, NotUnicode) else check
        raise


def closed_object(value, where: str, required: frozenset, optional: frozenset = frozenset()) -> dict:
    """``value`` must be an object with exactly the required keys, some optional ones and ext."""
    if type(value) is not dict:
        raise RecordInvalid(f"{where} is not an object")
    if value.keys() != required and not (optional and value.keys() == required | optional):
        missing = required - value.keys()
        if missing:
            raise RecordInvalid(f"{where}: missing key {min(missing)!r}")
        unexpected = value.keys() - required - optional - {"ext"}
        if unexpected:
            raise RecordInvalid(f"{where}: unexpected key {min(unexpected)!r}")
        if "ext" in value:
            try:
                check_json(value["ext"], f"{where}: ext")
            except ValueError as error:
                raise RecordInvalid(str(error)) from None
    return value


def text(obj: dict, key: str, where: str) -> str:
    if type(obj[key]) is not str:
        raise RecordInvalid(f"{where}: {key} is not a string")
    return obj[key]


def identifier(obj: dict, key: str, where: str) -> str:
    if not text(obj, key, where):
        raise RecordInvalid(f"{where}: {key} is empty")
    return obj[key]


def integer(obj: dict, key: str, where: str, minimum: int) -> int:
    value = obj[key]
    if type(value) is float:
        raise RecordInvalid(f"{where}: {key} is a floating-point number")
    if not is_int(value):
        raise RecordInvalid(f"{where}: {key} is not an integer within ±2^53")
    if value < minimum:
        raise RecordInvalid(f"{where}: {key} is less than {minimum}")
    return value


def timestamp(obj: dict, key: str, where: str) -> datetime:
    try:
        return parse_time(obj[key])
    except ValueError as error:
        raise RecordInvalid(f"{where}: {key}: {error}") from None


def instant(obj: dict, key: str, where: str) -> int:
    """A timestamp as microseconds since the epoch (canonical.instant)."""
    try:
        return canonical.instant(obj[key])
    except ValueError as error:
        raise RecordInvalid(f"{where}: {key}: {error}") from None


def binary(obj: dict, key: str, where: str, size: int | None = None) -> bytes:
    try:
        data = b64d(obj[key])
    except ValueError:
        raise RecordInvalid(f"{where}: {key} is not unpadded base64url") from None
    if size is not None and len(data) != size:
        raise RecordInvalid(f"{where}: {key} is not {size} bytes")
    return data


def usable_key(obj: dict, key: str, where: str) -> bytes:
    """The raw key of a b64 Ed25519 public key."""
    try:
        return signing.public_key_bytes(obj[key])
    except ValueError:
        raise RecordInvalid(f"{where}: {key} is not an Ed25519 public key") from None


def signed(key: bytes, purpose: str, body, signature, where: str, version: int = 1) -> bool:
    return signing.verify_message(key, signing.prefix(purpose, version) + canon_of(body, where), signature)


class NotUnicode(RecordInvalid):
    """Text that cannot be encoded (a lone surrogate): format 2 names it check D1 wherever found."""


def not_unicode(where: str) -> RecordInvalid:
    return NotUnicode(f"{where}: text that is not valid Unicode")


def canon_of(value, where: str) -> bytes:
    try:
        return canon(value)
    except ValueError:
        raise not_unicode(where) from None


def canon_hash(value, where: str) -> str:
    """b64h, with a fault instead of an exception for text that cannot be encoded."""
    return b64e(H(canon_of(value, where)))


def show(value) -> str:
    """A value from the record as JSON, for fault messages."""
    return json.dumps(value, ensure_ascii=False)


CANDIDATE_KEYS = frozenset({"candidate_id", "name"})
OPTION_KEYS = frozenset({"option_id", "title"})


def check_candidates(candidates, where: str) -> frozenset:
    """The ids of a committee motion's candidates: objects with a unique id and a name."""
    if type(candidates) is not list:
        raise RecordInvalid(f"{where}: candidates is not a list")
    candidate_ids = set()
    for index, candidate in enumerate(candidates):
        candidate_where = f"{where} candidate {index}"
        closed_object(candidate, candidate_where, CANDIDATE_KEYS)
        candidate_id = identifier(candidate, "candidate_id", candidate_where)
        if candidate_id in candidate_ids:
            raise RecordInvalid(f"{candidate_where}: duplicate candidate_id {show(candidate_id)}")
        text(candidate, "name", candidate_where)
        candidate_ids.add(candidate_id)
    return frozenset(candidate_ids)


def check_options(options, where: str) -> frozenset:
    """The ids of a choice motion's options: at least two objects with a unique id and a title."""
    if type(options) is not list:
        raise RecordInvalid(f"{where}: options is not a list")
    if len(options) < 2:
        raise RecordInvalid(f"{where}: a choice needs at least two options, not {len(options)}")
    option_ids = set()
    for index, option in enumerate(options):
        option_where = f"{where} option {index}"
        closed_object(option, option_where, OPTION_KEYS)
        option_id = identifier(option, "option_id", option_where)
        if option_id in option_ids:
            raise RecordInvalid(f"{option_where}: duplicate option_id {show(option_id)}")
        text(option, "title", option_where)
        option_ids.add(option_id)
    return frozenset(option_ids)


def option_choice_fault(choice, option_ids: frozenset) -> str | None:
    """What is wrong with a choice motion's choice: not a list of at most one of its options."""
    if type(choice) is not list:
        return "is not a list of options"
    for option_id in choice:
        if type(option_id) is not str or option_id not in option_ids:
            return f"names unknown option {show(option_id)}"
    if len(choice) > 1:
        return "names more than one option"
    return None


def committee_choice_fault(choice, candidate_ids: frozenset, seats: int) -> str | None:
    """What is wrong with a committee choice: not a list of distinct candidates within the seats."""
    if type(choice) is not list:
        return "is not a list of candidates"
    for candidate_id in choice:
        if type(candidate_id) is not str or candidate_id not in candidate_ids:
            return f"names unknown candidate {show(candidate_id)}"
    if len(set(choice)) != len(choice):
        return "names a candidate twice"
    if len(choice) > seats:
        return f"names more candidates than the {seats} seats"
    return None


def check_tally(published, recount: dict) -> None:
    """The published tally, its ext left out (what a verifier does not recount), equals the recount."""
    try:
        check_json(published, "tally")
    except ValueError as error:
        raise RecordInvalid(str(error)) from None
    # ext carries additions a verifier does not recount (spec preamble).
    if canon_of(without_ext(published), "tally") != canon(recount):
        raise RecordInvalid("published tally differs from the recount")


def without_ext(value):
    if type(value) is dict:
        return {key: without_ext(item) for key, item in value.items() if key != "ext"}
    if type(value) is list:
        return [without_ext(item) for item in value]
    return value


SIGNATURE_KEYS = frozenset({"signer", "signature"})


def signatures_json(signatures) -> str | None:
    """The canonical JSON of a list of {"signer", "signature"} pairs of strings, without its
    brackets, written out as the encoder would write it; None for any other list.

    A verifier canonicalises every entry to hash it; writing out the usual part by hand takes a
    third of the time the encoder needs for a dict made for it.
    """
    if type(signatures) is not list:
        return None
    written = []
    for signature in signatures:
        # Two keys, both of them strings: exactly {"signer", "signature"} (cheaper than comparing key views).
        if (
            type(signature) is not dict
            or len(signature) != 2
            or type(signature.get("signature")) is not str
            or type(signature.get("signer")) is not str
        ):
            return None
        written.append(
            '{"signature":%s,"signer":%s}'
            % (encode_basestring(signature["signature"]), encode_basestring(signature["signer"]))
        )
    return ",".join(written)


SIGNED_KEYS = frozenset({"body", "signature"})
CERTIFICATION_BODY_KEYS = frozenset(
    {"election_hash", "tree_root", "tree_size", "tally_hash", "certified_at", "officer_id"}
)


def check_certifications(
    certifications, election_hash: str, tree_size: int, tree_root: str, tally, officers: dict, version: int
) -> None:
    """Each certification signs this tree head and the published tally, by a street-office
    officer (``officers``: officer_id -> an object with ``role`` and raw ``public_key``)."""
    if type(certifications) is not list:
        raise RecordInvalid("certifications is not a list")
    tally_hash = canon_hash(tally, "tally")
    for index, certification in enumerate(certifications):
        where = f"certification {index}"
        closed_object(certification, where, SIGNED_KEYS)
        body = closed_object(certification["body"], f"{where} body", CERTIFICATION_BODY_KEYS)
        if body["election_hash"] != election_hash:
            raise RecordInvalid(f"{where}: election_hash does not match the election")
        if body["tree_root"] != tree_root or integer(body, "tree_size", where, minimum=0) != tree_size:
            raise RecordInvalid(f"{where}: certifies another tree head")
        if body["tally_hash"] != tally_hash:
            raise RecordInvalid(f"{where}: tally_hash does not match the published tally")
        timestamp(body, "certified_at", where)
        officer_id = identifier(body, "officer_id", where)
        officer = officers.get(officer_id)
        if officer is None or officer.role != "street_office":
            raise RecordInvalid(f"{where}: {show(officer_id)} is not a street office officer")
        if not signed(officer.public_key, "certification", body, certification["signature"], where, version):
            raise RecordInvalid(f"{where}: bad signature")
