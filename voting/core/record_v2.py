"""Build and verify an election record of format ``gongzhi-record/2`` (docs/spec/election-record-v2.md).

``verify`` runs the checks of spec §9 in their order and raises RecordInvalid naming the first
that fails, with its check id. ``check_receipt`` answers an owner holding a receipt (§10).
"""

import base64
import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from json.encoder import encode_basestring

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from voting.core import checkpoint, chunks, fields, merkle, rules, signing
from voting.core.canonical import (
    BEIJING_EARLIEST,
    BEIJING_LATEST,
    MAX_INT,
    H,
    b64d,
    b64e,
    b64h,
    beijing_time,
    canon,
    instant,
    is_b64,
)
from voting.core.fields import RecordInvalid, checking, show

FORMAT = "gongzhi-record/2"
RECEIPT_FORMAT = "gongzhi-receipt/2"
VERSION = 2
MIN_NONCE_BYTES = 16
_MIN_NONCE_CHARACTERS = 22  # the shortest base64url of MIN_NONCE_BYTES
_SHA256_CHARACTERS = 43  # base64url of 32 bytes
ESTATE = "estate"

RECORD_KEYS = frozenset({"format", "election", "roll", "log", "checkpoints", "tree_head", "tally", "certifications"})
ELECTION_KEYS = frozenset(
    {
        "election_id",
        "community",
        "title",
        "opens_at",
        "closes_at",
        "revote",
        "rules",
        "scopes",
        "motions",
        "officers",
        "election_public_key",
        "roll_hash",
    }
)
COMMUNITY_KEYS = frozenset({"code", "name"})
RULES_KEYS = frozenset(rules.NATIONAL_RULES) | frozenset(rules.ROLL_RULES)
_DAY = 86_400_000_000  # microseconds
SCOPE_KEYS = frozenset({"scope_id", "title"})
MOTION_KEYS = frozenset({"motion_id", "kind", "title", "item", "scope", "documents"})
MOTION_KIND_KEYS = {
    "question": frozenset(),
    "committee": frozenset({"seats", "candidates"}),
    "choice": frozenset({"options"}),
}
DOCUMENT_KEYS = frozenset({"title", "sha256"})
OFFICER_KEYS = frozenset({"officer_id", "role", "public_key", "account", "person"})
OFFICER_ROLES = ("clerk", "preparation_group", "street_office", "witness")
ROLL_KEYS = frozenset({"voters", "totals"})
VOTER_KEYS = frozenset({"voter_id", "weights", "public_key", "units_commitment"})
WEIGHT_KEYS = frozenset({"area", "heads"})
ENTRY_KEYS = frozenset({"seq", "logged_at", "kind", "body", "signatures"})
ONLINE_KEYS = frozenset({"election_hash", "voter_id", "channel", "nonce", "choices"})
PAPER_KEYS = ONLINE_KEYS | {"invalid", "paper_scan_sha256", "proxy_sha256", "handin"}
HANDIN_KEYS = frozenset({"election_hash", "desk_receipt", "voter_id", "identity_checked"})
CREDENTIAL_KEYS = frozenset({"election_hash", "voter_id", "action", "public_key", "reason"})
NOTICES_KEYS = frozenset({"election_hash", "count", "downloaded_by"})
EXTENSION_KEYS = frozenset({"election_hash", "closes_at", "previous_closes_at", "reason"})
ENTRY_KINDS = ("ballot", "handin", "credential", "notices", "extension")
INVALID_REASONS = ("several_marks", "too_many_candidates", "unsigned", "unreadable", "other")
CREDENTIAL_ACTIONS = ("revoke", "reissue")
CREDENTIAL_REASONS = ("lost", "damaged", "not_received", "compromised", "owner_changed", "other")
CREDENTIAL_SIGNERS = ("preparation_group", "street_office")
# Two persons of these roles sign an extension, at least one of them for the street office.
EXTENSION_SIGNERS = ("preparation_group", "street_office")
WITNESS_ROLES = ("street_office", "witness")
SIGNATURE_KEYS = fields.SIGNATURE_KEYS
CHECKPOINT_KEYS = frozenset({"size", "root", "signature", "cosignatures"})
COSIGNATURE_KEYS = frozenset({"witness", "time", "signature"})
SIGNED_KEYS = fields.SIGNED_KEYS
RECEIPT_KEYS = frozenset(
    {"format", "election_id", "election_hash", "seq", "entry_hash", "logged_at", "checkpoint", "inclusion_proof"}
)
RECEIPT_CHECKPOINT_KEYS = frozenset({"size", "root", "signature"})


# --- building -------------------------------------------------------------------------------


def election_hash(election: dict) -> str:
    return b64h(election)


def roll_hash(roll: dict) -> str:
    return b64h(roll)


def entry(seq: int, logged_at: str, kind: str, body: dict, signatures: list) -> dict:
    return {"seq": seq, "logged_at": logged_at, "kind": kind, "body": body, "signatures": signatures}


def entry_leaf_hash(log_entry: dict) -> bytes:
    return merkle.leaf_hash(canon(log_entry))


def sign_body(private_key: Ed25519PrivateKey, signer: str, purpose: str, body: dict) -> dict:
    """One signature of a log entry's body, as the entry lists it."""
    return {"signer": signer, "signature": signing.sign(private_key, purpose, body, VERSION)}


def certification_body(tree_head: dict, tally: dict, election_hash_: str, officer_id: str, certified_at: str) -> dict:
    return {
        "election_hash": election_hash_,
        "tree_size": tree_head["size"],
        "tree_root": tree_head["root"],
        "tally_hash": b64h(tally),
        "certified_at": certified_at,
        "officer_id": officer_id,
    }


def sign_certification(private_key: Ed25519PrivateKey, body: dict) -> dict:
    return {"body": body, "signature": signing.sign(private_key, "certification", body, VERSION)}


def build(
    election: dict,
    roll: dict,
    log: list,
    checkpoints: list,
    tree_head: dict,
    tally: dict,
    certifications: list | tuple = (),
) -> dict:
    return {
        "format": FORMAT,
        "election": election,
        "roll": roll,
        "log": list(log),
        "checkpoints": list(checkpoints),
        "tree_head": tree_head,
        "tally": tally,
        "certifications": list(certifications),
    }


# --- verifying ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Motion:
    kind: str
    scope: str
    seats: int  # for a choice 1: an owner names at most one option
    candidate_ids: frozenset  # a committee's candidates, a choice's options
    key_json: str  # the motion_id as canonical JSON
    # For a question, each choice's canonical '"motion_id":"choice"', written once per motion.
    answers_json: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class _Officer:
    role: str
    public_key: bytes
    person: str


@dataclass(frozen=True)
class _Election:
    hash: str
    opens_at: int  # microseconds since the epoch (canonical.instant)
    closes_at: int
    max_extension: int  # microseconds: how far past closes_at an extension may move the close
    revote: str
    public_key: bytes
    scopes: tuple
    motions: dict  # motion_id -> _Motion
    officers: dict  # officer_id -> _Officer


@dataclass
class _Ballot:
    """What the receipt check tells an owner of a ballot in the log."""

    seq: int
    voter_id: str
    channel: str
    cast_at: int  # microseconds since the epoch (canonical.instant)
    handin: dict | None = None  # for paper: the hand-in body and its seq
    signers: tuple = ()


@dataclass
class VerifiedRecord:
    """A record that passed every check, with what receipts are checked against."""

    tally: dict
    leaf_hashes: list
    ballots: dict = field(default_factory=dict)  # seq -> _Ballot
    counted: dict = field(default_factory=dict)  # voter_id -> seq of the counted ballot
    tree: merkle.Tree | None = field(default=None, repr=False, compare=False)  # of leaf_hashes, built once

    def prefix_root(self, size: int) -> bytes:
        """The root of the log's first ``size`` entries (0 ≤ size ≤ the log's length)."""
        if self.tree is None:
            self.tree = merkle.Tree(self.leaf_hashes)
        return self.tree.root(size)


def verify(record, workers: int = 1) -> dict:
    """Check a format-2 record (spec §9) and return the recounted tally."""
    return verify_record(record, workers).tally


def verify_record(record, workers: int = 1) -> VerifiedRecord:
    with _cyclic_gc_paused():
        return _verify_record(record, workers)


@contextmanager
def _cyclic_gc_paused():
    """The checks make no reference cycles to collect, while a full collection, which their
    allocations set off, walks every object of the record: a second on 100,000 ballots, and in a
    forked worker it would copy every page it touched."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _verify_record(record, workers: int) -> VerifiedRecord:
    with checking("D2"):
        if type(record) is not dict:
            raise RecordInvalid("record is not an object")
        if record.get("format") != FORMAT:
            raise RecordInvalid(f"format is {show(record.get('format'))}, not {FORMAT}")
        fields.closed_object(record, "record", RECORD_KEYS)
    election = _check_election(record["election"])
    log = record["log"]
    log_to_check = log if type(log) is list else []
    roll_keys = _roll_keys(record["roll"])
    context = _log_context(election, record["roll"], roll_keys, log_to_check)
    with chunks.checked_chunks(context, _check_chunk, len(log_to_check), workers, CHUNK_ENTRIES) as checked:
        # While the chunks are checked, check the roll: no chunk is looked at before it passed.
        keys_in_use, voters_json = _check_roll(record["roll"], election, roll_keys)
        with checking("R6"):
            if record["election"]["roll_hash"] != _roll_hash(record["roll"], voters_json):
                raise RecordInvalid("election: roll_hash does not match the roll")
        with checking("L1"):
            if type(log) is not list:
                raise RecordInvalid("log is not a list")
        walk = _LogWalk(context, keys_in_use, rules.Tally(record["election"]))
        walk.merge(chunk for _start, chunk in checked)
    tree = merkle.Tree(walk.leaf_hashes)
    tree_head = _check_tree_heads(record["checkpoints"], record["tree_head"], election, walk, tree)
    counted = walk.counting.ballots()  # voter_id -> seq
    recount = walk.tally.result(record["roll"])
    with checking("C1"):
        fields.check_tally(record["tally"], recount)
    with checking("C2"):
        fields.check_certifications(
            record["certifications"],
            election.hash,
            tree_head["size"],
            tree_head["root"],
            record["tally"],
            election.officers,
            VERSION,
        )
    return VerifiedRecord(recount, walk.leaf_hashes, walk.ballots, counted, tree)


# --- election (E1–E7) -------------------------------------------------------------------------


def _check_rules(value) -> None:
    """E2: the estate's rules profile in force when the vote opened (spec v2 §3 `rules`)."""
    where = "election rules"
    election_rules = fields.closed_object(value, where, RULES_KEYS)
    if election_rules["invalid_ballot"] not in rules.INVALID_RULES:
        raise RecordInvalid(
            f'{where}: invalid_ballot is {show(election_rules["invalid_ballot"])}, not "took_part" or "not_counted"'
        )
    for key in ("notice_days", "roll_publication_days"):
        if fields.integer(election_rules, key, where, rules.MIN_PERIOD_DAYS) > rules.MAX_PERIOD_DAYS:
            raise RecordInvalid(f"{where}: {key} is more than {rules.MAX_PERIOD_DAYS}")
    if fields.integer(election_rules, "max_extension_days", where, 0) > rules.MAX_EXTENSION_DAYS:
        raise RecordInvalid(f"{where}: max_extension_days is more than {rules.MAX_EXTENSION_DAYS}")
    low = fields.integer(election_rules, "committee_min_members", where, rules.MIN_COMMITTEE)
    high = fields.integer(election_rules, "committee_max_members", where, low)
    if not (rules.odd_within(low, None, rules.MAX_COMMITTEE) and rules.odd_within(high, None, rules.MAX_COMMITTEE)):
        raise RecordInvalid(f"{where}: the committee's sizes are not odd numbers from 5 to 11")
    bounds = [
        None if election_rules[key] is None else fields.integer(election_rules, key, where, 1)
        for key in ("group_min_members", "group_max_members")
    ]
    if any(bound is not None and bound % 2 == 0 for bound in bounds) or (None not in bounds and bounds[0] > bounds[1]):
        raise RecordInvalid(f"{where}: the preparation group's sizes are not odd, or its minimum is above its maximum")
    if fields.integer(election_rules, "group_min_owner_percent", where, 50) > 100:
        raise RecordInvalid(f"{where}: group_min_owner_percent is more than 100")
    for key, allowed in (("parking_area", rules.PARKING_AREA_RULES), ("buyers", rules.BUYERS_RULES)):
        if election_rules[key] not in allowed:
            raise RecordInvalid(f"{where}: {key} is {show(election_rules[key])}, not {' or '.join(map(show, allowed))}")


def _check_election(election) -> _Election:
    with checking("E1"):
        fields.closed_object(election, "election", ELECTION_KEYS)
        fields.identifier(election, "election_id", "election")
        community = fields.closed_object(election["community"], "election community", COMMUNITY_KEYS)
        fields.identifier(community, "code", "election community")
        fields.identifier(community, "name", "election community")
        fields.text(election, "title", "election")
    with checking("E2"):
        opens_at = _beijing_instant(election, "opens_at")
        closes_at = _beijing_instant(election, "closes_at")
        if not opens_at < closes_at:
            raise RecordInvalid("election: opens_at is not before closes_at")
        if election["revote"] not in ("first", "last"):
            raise RecordInvalid('election: revote is not "first" or "last"')
        _check_rules(election["rules"])
        extension_days = election["rules"]["max_extension_days"]
    scopes = _check_scopes(election["scopes"])
    motions = _check_motions(election["motions"], scopes)
    officers = _check_officers(election["officers"])
    with checking("E7"):
        public_key = fields.usable_key(election, "election_public_key", "election")
        # The operator holds the vote's key: an officer holding it too would let the operator
        # cosign, certify or countersign as that officer.
        if any(officer.public_key == public_key for officer in officers.values()):
            raise RecordInvalid("election: election_public_key is an officer's key too")
    with checking("D1"):
        election_hash_ = fields.canon_hash(election, "election")
    return _Election(
        hash=election_hash_,
        opens_at=opens_at,
        closes_at=closes_at,
        max_extension=extension_days * _DAY,
        revote=election["revote"],
        public_key=public_key,
        scopes=scopes,
        motions=motions,
        officers=officers,
    )


def _beijing_instant(election: dict, key: str) -> int:
    """A timestamp of the election whose instant Beijing time (+08:00) can write, in years 1–9999:
    every cast time lies between opens_at and closes_at, and a receipt's finding writes it so."""
    moment = fields.instant(election, key, "election")
    if not BEIJING_EARLIEST <= moment <= BEIJING_LATEST:
        raise RecordInvalid(f"election: {key} is outside years 1–9999 in Beijing time (+08:00)")
    return moment


def _check_scopes(scopes) -> tuple:
    with checking("E3"):
        if type(scopes) is not list or not scopes:
            raise RecordInvalid("election: scopes is not a non-empty list")
        seen = []
        for index, scope in enumerate(scopes):
            where = f"election scope {index}"
            fields.closed_object(scope, where, SCOPE_KEYS)
            scope_id = fields.identifier(scope, "scope_id", where)
            fields.text(scope, "title", where)
            if index == 0 and scope_id != ESTATE:
                raise RecordInvalid(f'{where}: the first scope is not "{ESTATE}"')
            if scope_id in seen:
                raise RecordInvalid(f"{where}: duplicate scope_id {show(scope_id)}")
            seen.append(scope_id)
        return tuple(seen)


def _check_motions(motions, scopes: tuple) -> dict:
    if type(motions) is not list:
        raise RecordInvalid("election: motions is not a list", "E4")
    checked = {}
    for index, motion in enumerate(motions):
        where = f"election motion {index}"
        with checking("E4"):
            if type(motion) is not dict:
                raise RecordInvalid(f"{where} is not an object")
            missing = MOTION_KEYS - motion.keys()
            if missing:
                raise RecordInvalid(f"{where}: missing key {min(missing)!r}")
            motion_id = fields.identifier(motion, "motion_id", where)
            if motion_id in checked:
                raise RecordInvalid(f"{where}: duplicate motion_id {show(motion_id)}")
            fields.text(motion, "title", where)
            item = fields.integer(motion, "item", where, minimum=1)
            if item > 9:
                raise RecordInvalid(f"{where}: item is {item}, not an item 1–9 of art. 278")
            if motion["scope"] not in scopes:
                raise RecordInvalid(f"{where}: scope {show(motion['scope'])} is not declared")
            _check_documents(motion["documents"], where)
        with checking("E5"):
            kind = motion["kind"]
            if type(kind) is not str or kind not in MOTION_KIND_KEYS:
                raise RecordInvalid(f"{where}: unknown kind {show(kind)}")
            fields.closed_object(motion, where, MOTION_KEYS | MOTION_KIND_KEYS[kind])
            seats, candidate_ids = 0, frozenset()
            if kind == "committee":
                if item != 3:
                    raise RecordInvalid(f"{where}: a committee election is item 3, not {item}")
                seats = fields.integer(motion, "seats", where, minimum=1)
                candidate_ids = fields.check_candidates(motion["candidates"], where)
            elif kind == "choice":
                seats, candidate_ids = 1, fields.check_options(motion["options"], where)
        key_json = encode_basestring(motion_id)
        answers_json = {choice: f'{key_json}:"{choice}"' for choice in _QUESTION_CHOICES} if kind == "question" else {}
        checked[motion_id] = _Motion(kind, motion["scope"], seats, candidate_ids, key_json, answers_json)
    return checked


def _check_documents(documents, where: str) -> None:
    if type(documents) is not list:
        raise RecordInvalid(f"{where}: documents is not a list")
    for index, document in enumerate(documents):
        document_where = f"{where} document {index}"
        fields.closed_object(document, document_where, DOCUMENT_KEYS)
        fields.text(document, "title", document_where)
        fields.binary(document, "sha256", document_where, size=32)


def _check_officers(officers) -> dict:
    with checking("E6"):
        if type(officers) is not list:
            raise RecordInvalid("election: officers is not a list")
        checked = {}
        keys = set()
        clerk_accounts = set()
        for index, officer in enumerate(officers):
            where = f"election officer {index}"
            fields.closed_object(officer, where, OFFICER_KEYS)
            officer_id = fields.identifier(officer, "officer_id", where)
            if "+" in officer_id or any(character.isspace() for character in officer_id):
                raise RecordInvalid(
                    f"{where}: officer_id {show(officer_id)} has a space or a plus sign,"
                    " which a signed-note key name cannot hold"
                )
            if officer_id in checked:
                raise RecordInvalid(f"{where}: duplicate officer_id {show(officer_id)}")
            role = officer["role"]
            if role not in OFFICER_ROLES:
                raise RecordInvalid(f"{where}: role {show(role)} is not one of {', '.join(OFFICER_ROLES)}")
            key = fields.usable_key(officer, "public_key", where)
            if key in keys:
                raise RecordInvalid(f"{where}: public_key is another officer's too")
            keys.add(key)
            account = fields.text(officer, "account", where)
            if role == "clerk":
                if account in clerk_accounts:
                    raise RecordInvalid(f"{where}: account {show(account)} holds a second clerk key")
                clerk_accounts.add(account)
            person = fields.identifier(officer, "person", where)
            checked[officer_id] = _Officer(role, key, person)
        return checked


# --- roll (R1–R6) -------------------------------------------------------------------------------


def _roll_keys(roll) -> list:
    """Each voter's raw key where it is usable, else None, by the voter's place in the roll:
    decoded once, for the roll's check (which names the fault of any other) and the ballots'."""
    try:
        return [_usable_key_or_none(voter["public_key"]) for voter in roll["voters"]]
    except (TypeError, KeyError):
        return []  # _check_roll names the fault, and decodes the keys before it itself


def _usable_key_or_none(public_key) -> bytes | None:
    try:
        return signing.public_key_bytes(public_key)
    except ValueError:
        return None


def _check_roll(roll, election: _Election, roll_keys: list) -> tuple[set, list | None]:
    """Check R1–R5. Returns every public key the election and the roll hold (a reissued key must
    be none of them), and the voters' canonical JSON, written out as they are checked where every
    voter is usual (None otherwise). ``roll_keys`` are _roll_keys(roll)."""
    with checking("R1"):
        fields.closed_object(roll, "roll", ROLL_KEYS)
        if type(roll["voters"]) is not list:
            raise RecordInvalid("roll: voters is not a list")
    previous_id = None
    # A voter's key is no officer's and not the vote's own: a signature must name one signer.
    taken_keys = {officer.public_key for officer in election.officers.values()} | {election.public_key}
    seen_keys = set()
    sums = {scope: [0, 0] for scope in election.scopes}
    declared = frozenset(election.scopes)
    scope_keys = {scope: encode_basestring(scope) for scope in election.scopes}  # as canonical JSON
    voters_json = []
    check = "R1"  # the check under way, named on a fault: cheaper than a context per voter
    try:
        # The usual voter is checked inline, spared the calls that name a fault and its place.
        for index, voter in enumerate(roll["voters"]):
            check = "R1"
            if type(voter) is not dict or voter.keys() != VOTER_KEYS:
                fields.closed_object(voter, f"roll voter {index}", VOTER_KEYS)
            voter_id = voter["voter_id"]
            if type(voter_id) is not str or not voter_id:
                fields.identifier(voter, "voter_id", f"roll voter {index}")
            if previous_id is not None and voter_id <= previous_id:
                problem = (
                    f"duplicate voter_id {show(voter_id)}"
                    if voter_id == previous_id
                    else "voters are not sorted by voter_id"
                )
                raise RecordInvalid(f"roll voter {index}: {problem}")
            previous_id = voter_id
            check = "R2"
            weights = voter["weights"]
            usual = type(weights) is dict and ESTATE in weights and weights.keys() <= declared
            if usual:  # each {"area": a whole number ≥ 0, "heads": 1}
                for weight in weights.values():
                    if (
                        type(weight) is not dict
                        or weight.keys() != WEIGHT_KEYS
                        or type(weight["area"]) is not int
                        or not 0 <= weight["area"] <= MAX_INT
                        or type(weight["heads"]) is not int
                        or weight["heads"] != 1
                    ):
                        usual = False
                        break
            if not usual:
                _check_weights(weights, f"roll voter {index}", election.scopes)
                voters_json = None  # weights with ext: the roll is written out from scratch
            check = "R3"
            if voter["public_key"] is not None:
                key = (roll_keys[index] if roll_keys else None) or fields.usable_key(
                    voter, "public_key", f"roll voter {index}"
                )
                if key in seen_keys or key in taken_keys:
                    raise RecordInvalid(f"roll voter {index}: public_key is not unique")
                seen_keys.add(key)
            check = "R4"
            commitment = voter["units_commitment"]
            if type(commitment) is not str or len(commitment) != _SHA256_CHARACTERS or not is_b64(commitment):
                fields.binary(voter, "units_commitment", f"roll voter {index}", size=32)
            if voters_json is not None and voter.keys() == VOTER_KEYS:
                # Its keys, commitment and weights are checked: only voter_id may need escaping.
                public_key = voter["public_key"]
                voters_json.append(
                    _VOTER_JSON
                    % (
                        "null" if public_key is None else f'"{public_key}"',
                        commitment,
                        encode_basestring(voter_id),
                        ",".join(
                            [_WEIGHT_JSON % (scope_keys[scope], weights[scope]["area"]) for scope in sorted(weights)]
                        ),
                    )
                )
            else:
                voters_json = None
            for scope, weight in weights.items():
                sums[scope][0] += weight["area"]
                sums[scope][1] += weight["heads"]
    except RecordInvalid as fault:
        fault.check = fault.check or ("D1" if isinstance(fault, fields.NotUnicode) else check)
        raise
    with checking("R5"):
        totals = roll["totals"]
        _check_scope_keys(totals, "roll totals", election.scopes, require_all=True)
        for scope in election.scopes:
            weight = _weight(totals[scope], f"roll totals {scope}")
            if weight != tuple(sums[scope]):
                raise RecordInvalid(
                    f"roll: totals of {show(scope)} are {weight[0]} area and {weight[1]} heads, "
                    f"the voters sum to {sums[scope][0]} and {sums[scope][1]}"
                )
            if weight[1] == 0:
                raise RecordInvalid(f"roll: no voter has a weight in scope {show(scope)}")
    return seen_keys | taken_keys, voters_json


_VOTER_JSON = '{"public_key":%s,"units_commitment":"%s","voter_id":%s,"weights":{%s}}'
_WEIGHT_JSON = '%s:{"area":%d,"heads":1}'


def _roll_hash(roll, voters_json: list | None) -> str:
    """fields.canon_hash(roll), from the voters' JSON _check_roll wrote where it could."""
    if voters_json is None or roll.keys() != ROLL_KEYS:
        return fields.canon_hash(roll, "roll")
    try:
        voters = ",".join(voters_json).encode("utf-8")
    except ValueError:  # a voter_id that is not valid Unicode
        raise fields.not_unicode("roll") from None
    return b64e(H(b'{"totals":' + fields.canon_of(roll["totals"], "roll") + b',"voters":[' + voters + b"]}"))


def _check_weights(weights, where: str, scopes: tuple) -> None:
    _check_scope_keys(weights, f"{where} weights", scopes, require_all=False)
    for scope, weight in weights.items():
        _voter_weight(weight, f"{where} weight {scope}")


def _check_scope_keys(value, where: str, scopes: tuple, require_all: bool) -> None:
    if type(value) is not dict:
        raise RecordInvalid(f"{where} is not an object")
    missing = (set(scopes) if require_all else {ESTATE}) - value.keys()
    if missing:
        raise RecordInvalid(f"{where}: missing scope {show(min(missing))}")
    unknown = value.keys() - set(scopes)
    if unknown:
        raise RecordInvalid(f"{where}: undeclared scope {show(min(unknown))}")


def _weight(weight, where: str) -> tuple[int, int]:
    fields.closed_object(weight, where, WEIGHT_KEYS)
    return (fields.integer(weight, "area", where, minimum=0), fields.integer(weight, "heads", where, minimum=0))


def _voter_weight(weight, where: str) -> tuple[int, int]:
    """A voter is one person (法释〔2009〕7号 art. 9): one head wherever it has a weight."""
    area, heads = _weight(weight, where)
    if heads != 1:
        raise RecordInvalid(f"{where}: heads is {heads}, not 1: a voter is one person")
    return area, heads


# --- log (L1–L16) -------------------------------------------------------------------------------


# The log is checked in two parts (spec §9 order kept): what each entry shows on its own,
# signatures included, in chunks that worker processes may take; then, in one pass in log order,
# what needs the entries before it (nonces, the re-vote rule, hand-ins, keys seen, time order
# across chunks). A fault of either kind is reported where a reading from the top meets it first.

# What an entry's signatures sign before its canonical body: its kind is their purpose.
_SIGNED_PREFIX = {kind: signing.prefix(kind, VERSION) for kind in ENTRY_KINDS if kind in signing.PURPOSES[VERSION]}

# The most entries a chunk holds: enough that passing results costs little beside the signatures,
# few enough that a fault near the top stops the others early.
CHUNK_ENTRIES = 2000


@dataclass(frozen=True)
class _LogContext:
    """What checking a chunk needs, sent once to each worker."""

    election: _Election
    voters: dict  # voter_id -> the roll's voter object as given (checked meanwhile)
    voter_keys: dict  # voter_id -> the roll's raw key of the voter (None where none or not usable)
    key_changes: dict  # voter_id -> [(seq, raw key or None)] of the log's credential entries (as voter_keys)
    close_changes: list  # [(seq, instant)] of the log's extension entries
    scoped: frozenset  # motions whose scope is narrower than the estate
    log: list

    def close_at(self, index: int) -> int:
        """The close in effect at entry ``index`` (§5.5): election.closes_at, replaced by each
        extension entry earlier in the log."""
        close = self.election.closes_at
        for seq, extended in self.close_changes:
            if seq >= index:
                break
            close = extended
        return close

    def key_at(self, voter_id: str, index: int) -> bytes | None:
        """The voter's raw credential key in effect at entry ``index`` (§5.3). A key that is not
        usable is None: in a record, only where the roll fails R3 or the credential entry L14,
        reported first."""
        key = self.voter_keys.get(voter_id)
        for seq, changed in self.key_changes.get(voter_id, ()):
            if seq >= index:
                break
            key = changed
        return key


@dataclass
class _Chunk:
    start: int
    leaf_hashes: list = field(default_factory=list)
    times: list = field(default_factory=list)
    summaries: list = field(default_factory=list)  # per entry, what the checks across entries need
    first_time: int | None = None  # logged_at of the first entry, once read
    fault: RecordInvalid | None = None
    fault_index: int | None = None
    bad_signature: int | None = None


def _log_context(election: _Election, roll, roll_keys: list, log: list) -> _LogContext:
    """The context from a roll (its _roll_keys) and a log not checked yet; what is too malformed
    to read is left out, and the checks of the roll (done first) or of that entry name its fault."""
    try:
        voters = {voter["voter_id"]: voter for voter in roll["voters"]}
        voter_keys = dict(zip(voters, roll_keys)) if len(voters) == len(roll_keys) else {}
    except (TypeError, KeyError):
        voters, voter_keys = {}, {}  # _check_roll names the fault before any chunk is looked at
    key_changes, close_changes = {}, []
    for seq, log_entry in enumerate(log):
        try:
            if log_entry["kind"] == "credential":
                body = log_entry["body"]
                key = None if body["action"] == "revoke" else _usable_key_or_none(body["public_key"])
                key_changes.setdefault(body["voter_id"], []).append((seq, key))
            elif log_entry["kind"] == "extension":
                close_changes.append((seq, instant(log_entry["body"]["closes_at"])))
        except (TypeError, KeyError, ValueError):
            continue  # a malformed entry: its own checks name the fault, before any it affects
    scoped = frozenset(motion_id for motion_id, motion in election.motions.items() if motion.scope != ESTATE)
    return _LogContext(election, voters, voter_keys, key_changes, close_changes, scoped, log)


def _check_chunk(context: _LogContext, start: int, stop: int) -> _Chunk:
    """Entries start..stop-1, each as far as it goes on its own, up to the first fault; then
    their signatures, verified together in one tight loop."""
    chunk = _Chunk(start)
    entry_checks = _EntryChecks(context, chunk)
    signature_checks, signed_entries = [], []
    for index in range(start, stop):
        try:
            signers, body_bytes, kind = entry_checks.run(index, context.log[index])
        except RecordInvalid as fault:
            if fault.check is None:
                fault.check = "D1" if isinstance(fault, fields.NotUnicode) else entry_checks.check
            chunk.fault, chunk.fault_index = fault, index
            break
        if signers:
            signed = _SIGNED_PREFIX[kind] + body_bytes
            for key, signature in signers:
                signature_checks.append((key, signed, signature))
                signed_entries.append(index)
    failure = signing.first_failure(signature_checks)
    if failure is not None:
        chunk.bad_signature = signed_entries[failure]
    return chunk


class _EntryChecks:
    """The checks of one entry that need no other entry, in the order of spec §9."""

    def __init__(self, context: _LogContext, chunk: _Chunk):
        self.context = context
        self.election = context.election
        self.voters = context.voters
        self.chunk = chunk
        self.check = "L1"

    def run(self, index: int, log_entry) -> tuple[list, bytes, str]:
        """The checks of one entry; its (raw key, signature) pairs, canonical body and kind."""
        return self._usual_online_ballot(index, log_entry) or self._any_entry(index, log_entry)

    def _usual_online_ballot(self, index: int, log_entry) -> tuple[list, bytes, str] | None:
        """An online ballot as nearly all are — well formed, plain choices, one signature by its
        voter, every check of its own passed — checked with the fewest calls, its canonical bytes
        written out; None for any other entry, which _any_entry then takes from the top and, where
        it fails, names the fault."""
        if type(log_entry) is not dict or log_entry.keys() != ENTRY_KEYS or log_entry["kind"] != "ballot":
            return None
        election, chunk = self.election, self.chunk
        body, seq, signatures = log_entry["body"], log_entry["seq"], log_entry["signatures"]
        if (
            type(seq) is not int
            or seq != index
            or type(body) is not dict
            or body.keys() != ONLINE_KEYS
            or body["channel"] != "online"
            or body["election_hash"] != election.hash
            or type(signatures) is not list
            or len(signatures) != 1
        ):
            return None
        voter_id, nonce, choices, signature = body["voter_id"], body["nonce"], body["choices"], signatures[0]
        if (
            type(voter_id) is not str
            or voter_id not in self.voters
            or type(nonce) is not str
            or len(nonce) < _MIN_NONCE_CHARACTERS
            or not is_b64(nonce)
            or type(signature) is not dict
            or signature.keys() != SIGNATURE_KEYS
            or signature["signer"] != voter_id
            or type(signature["signature"]) is not str
        ):
            return None
        try:
            logged_at = instant(log_entry["logged_at"])
        except ValueError:
            return None
        if (chunk.times and logged_at < chunk.times[-1]) or not election.opens_at <= logged_at <= self.context.close_at(
            index
        ):
            return None
        choices_json = _plain_choices_json(choices, election.motions)
        if choices_json is None:
            return None
        scoped = self.context.scoped
        if scoped and not scoped.isdisjoint(choices):
            scopes = self.voters[voter_id]["weights"]
            if any(motion_id in scoped and election.motions[motion_id].scope not in scopes for motion_id in choices):
                return None
        key = self.context.key_at(voter_id, index)
        if key is None:
            return None
        voter_json = encode_basestring(voter_id)
        try:
            body_bytes = (
                '{"channel":"online","choices":{%s},"election_hash":"%s","nonce":"%s","voter_id":%s}'
                % (choices_json, election.hash, nonce, voter_json)
            ).encode("utf-8")
            after_body = (
                ',"kind":"ballot","logged_at":"%s","seq":%d,"signatures":[{"signature":%s,"signer":%s}]}'
                % (log_entry["logged_at"], seq, encode_basestring(signature["signature"]), voter_json)
            ).encode("utf-8")
        except ValueError:  # text that is not valid Unicode
            return None
        if not chunk.times:
            chunk.first_time = logged_at
        chunk.times.append(logged_at)
        chunk.leaf_hashes.append(merkle.leaf_hash_of(b'{"body":', body_bytes, after_body))
        chunk.summaries.append(("ballot", voter_id, nonce, "online", None, (voter_id,)))
        return [(key, signature["signature"])], body_bytes, "ballot"

    def _any_entry(self, index: int, log_entry) -> tuple[list, bytes, str]:
        election, chunk = self.election, self.chunk
        where = f"entry {index}"
        self.check = "L1"
        fields.closed_object(log_entry, where, ENTRY_KEYS)
        if type(log_entry["seq"]) is not int or log_entry["seq"] != index:
            raise RecordInvalid(f"{where}: seq is {show(log_entry['seq'])}")
        self.check = "L2"
        logged_at = fields.instant(log_entry, "logged_at", where)
        if chunk.times:
            if logged_at < chunk.times[-1]:
                raise RecordInvalid(f"{where}: logged before entry {index - 1}")
        else:
            chunk.first_time = logged_at  # its order after the chunk before is checked in the merge
        kind = log_entry["kind"]
        body = log_entry["body"]
        self.check = "L3"
        if kind not in ENTRY_KINDS:
            raise RecordInvalid(f"{where}: unknown kind {show(kind)}")
        body_keys = (
            ONLINE_KEYS
            if kind == "ballot" and type(body) is dict and body.get("channel") == "online"
            else _body_keys(kind, body, where)
        )
        if type(body) is not dict or body.keys() != body_keys:  # the usual body is spared a call
            fields.closed_object(body, f"{where} body", body_keys)
        if body["election_hash"] != election.hash:
            raise RecordInvalid(f"{where}: body is for another election (election_hash differs)")
        self.check = "L4"
        closes_at = self.context.close_at(index)
        if kind == "handin" or (kind == "ballot" and body["channel"] == "online"):
            if not election.opens_at <= logged_at <= closes_at:
                raise RecordInvalid(f"{where}: logged outside the voting period")
        elif kind in ("credential", "notices", "extension") and logged_at > closes_at:
            raise RecordInvalid(f"{where}: logged after the close")
        body_bytes = fields.canon_of(body, where)
        signers = getattr(self, f"_{kind}")(index, where, body, log_entry["signatures"])
        # "body" sorts first among an entry's keys, so canon(entry) is built around canon(body).
        chunk.leaf_hashes.append(merkle.leaf_hash_of(b'{"body":', body_bytes, _canon_after_body(log_entry, where)))
        chunk.times.append(logged_at)
        return signers, body_bytes, kind

    # Each kind's checks leave a summary for the checks across entries, then return the
    # (raw key, signature) pairs its signers must have made.

    def _ballot(self, index, where, body, signatures) -> list:
        election = self.election
        voter_id = body["voter_id"]
        channel = body["channel"]
        self.check = "L5"
        if type(voter_id) is not str or voter_id not in self.voters:
            raise RecordInvalid(f"{where}: voter {show(voter_id)} is not on the roll")
        if len(fields.binary(body, "nonce", where)) < MIN_NONCE_BYTES:
            raise RecordInvalid(f"{where}: nonce is shorter than {MIN_NONCE_BYTES} bytes")
        if channel == "paper":
            fields.binary(body, "paper_scan_sha256", f"{where} ballot", size=32)
            if body["proxy_sha256"] is not None:
                fields.binary(body, "proxy_sha256", f"{where} ballot", size=32)
        self.check = "L6"
        choices = body["choices"]
        _check_choices(choices, where, election.motions)
        invalid = body.get("invalid", _NO_MARKS)
        if type(invalid) is not dict:
            raise RecordInvalid(f"{where}: invalid is not an object")
        for motion_id, reason in invalid.items():
            if motion_id not in election.motions:
                raise RecordInvalid(f"{where}: invalid mark on unknown motion {show(motion_id)}")
            if reason not in INVALID_REASONS:
                raise RecordInvalid(f"{where}: invalid mark on motion {show(motion_id)} has reason {show(reason)}")
            if motion_id in choices:
                raise RecordInvalid(f"{where}: motion {show(motion_id)} has a choice and an invalid mark")
        self.check = "L7"
        scoped = self.context.scoped
        if scoped and not (scoped.isdisjoint(choices) and scoped.isdisjoint(invalid)):
            scopes = self.voters[voter_id]["weights"]
            for motion_id in (*choices, *invalid):
                if motion_id in scoped and election.motions[motion_id].scope not in scopes:
                    raise RecordInvalid(
                        f"{where}: voter {show(voter_id)} is outside the scope of motion {show(motion_id)}"
                    )
        # L8–L11 look back along the log: the merge runs them, before this entry's L12.
        summaries = self.chunk.summaries
        summary = ("ballot", voter_id, body["nonce"], channel, body.get("handin"))
        summaries.append(summary)
        self.check = "L12"
        names = _signer_names(signatures, where)
        if channel == "online":
            if len(names) != 1 or names[0] != voter_id:
                raise RecordInvalid(f"{where}: online ballot needs exactly one signature, by its voter")
            key = self.context.key_at(voter_id, index)
            if key is None:
                raise RecordInvalid(f"{where}: voter {show(voter_id)} has no credential key in effect")
            summaries[-1] = summary + (tuple(names),)
            return [(key, signatures[0]["signature"])]
        keys = self._officer_keys(names, ("clerk",), 2, where, "paper ballot needs two clerks")
        summaries[-1] = summary + (tuple(names),)
        return list(zip(keys, (signature["signature"] for signature in signatures)))

    def _handin(self, index, where, body, signatures) -> list:
        self.check = "L13"
        voter_id = body["voter_id"]
        if voter_id is not None and (type(voter_id) is not str or voter_id not in self.voters):
            raise RecordInvalid(f"{where}: voter {show(voter_id)} is not on the roll")
        if type(body["identity_checked"]) is not bool:
            raise RecordInvalid(f"{where}: identity_checked is not true or false")
        if body["identity_checked"] and voter_id is None:
            raise RecordInvalid(f"{where}: identity checked, but of no voter")
        receipt = fields.identifier(body, "desk_receipt", f"{where} handin")
        self.chunk.summaries.append(("handin", receipt, voter_id, body["identity_checked"]))  # unused before: the merge
        self.check = "L12"
        keys = self._officer_keys(
            _signer_names(signatures, where), ("clerk",), 1, where, "hand-in needs one clerk's signature"
        )
        return list(zip(keys, (signature["signature"] for signature in signatures)))

    def _credential(self, index, where, body, signatures) -> list:
        self.check = "L14"
        voter_id = body["voter_id"]
        if type(voter_id) is not str or voter_id not in self.voters:
            raise RecordInvalid(f"{where}: voter {show(voter_id)} is not on the roll")
        if body["action"] not in CREDENTIAL_ACTIONS:
            raise RecordInvalid(f"{where}: action is {show(body['action'])}, not revoke or reissue")
        if body["reason"] not in CREDENTIAL_REASONS:
            raise RecordInvalid(f"{where}: reason {show(body['reason'])} is not one of {', '.join(CREDENTIAL_REASONS)}")
        key = None
        if body["action"] == "revoke":
            if body["public_key"] is not None:
                raise RecordInvalid(f"{where}: a revocation carries no public_key")
        else:
            key = fields.usable_key(body, "public_key", f"{where} credential")
        self.chunk.summaries.append(("credential", key))  # never seen before: the merge
        self.check = "L12"
        keys = self._officer_keys(
            _signer_names(signatures, where),
            CREDENTIAL_SIGNERS,
            2,
            where,
            "credential act needs two preparation-group or street-office officers",
        )
        return list(zip(keys, (signature["signature"] for signature in signatures)))

    def _notices(self, index, where, body, signatures) -> list:
        self.check = "L15"
        fields.integer(body, "count", f"{where} notices", minimum=0)
        fields.text(body, "downloaded_by", f"{where} notices")
        self.chunk.summaries.append(("notices",))
        self.check = "L12"
        if _signer_names(signatures, where):
            raise RecordInvalid(f"{where}: a notices entry carries no signatures")
        return []

    def _extension(self, index, where, body, signatures) -> list:
        self.check = "L16"
        election, previous = self.election, self.context.close_at(index)
        if fields.instant(body, "previous_closes_at", f"{where} extension") != previous:
            raise RecordInvalid(f"{where}: previous_closes_at is not the close in effect")
        closes_at = fields.instant(body, "closes_at", f"{where} extension")
        if not BEIJING_EARLIEST <= closes_at <= BEIJING_LATEST:
            raise RecordInvalid(f"{where}: closes_at is outside years 1–9999 in Beijing time (+08:00)")
        if closes_at <= previous:
            raise RecordInvalid(f"{where}: closes_at is not after the close in effect")
        if closes_at > election.closes_at + election.max_extension:
            raise RecordInvalid(
                f"{where}: closes_at is beyond the rules' max_extension_days after the election's close"
            )
        fields.identifier(body, "reason", f"{where} extension")
        self.chunk.summaries.append(("extension",))
        self.check = "L12"
        names = _signer_names(signatures, where)
        keys = self._officer_keys(
            names,
            EXTENSION_SIGNERS,
            2,
            where,
            "extension needs two preparation-group or street-office officers",
        )
        if all(election.officers[name].role != "street_office" for name in names):
            raise RecordInvalid(f"{where}: extension needs a street-office officer's signature")
        return list(zip(keys, (signature["signature"] for signature in signatures)))

    def _officer_keys(self, names: list, roles: tuple, count: int, where: str, need: str) -> list:
        """The keys of ``count`` officers of these roles, of as many different persons."""
        officers = [self.election.officers.get(name) for name in names]
        if (
            len(officers) != count
            or any(officer is None or officer.role not in roles for officer in officers)
            or len({officer.person for officer in officers}) != count
        ):
            people = "two different people" if count == 2 else "its signer"
            raise RecordInvalid(f"{where}: {need} ({people})")
        return [officer.public_key for officer in officers]


class _LogWalk:
    """The log, checked: the chunks' results merged in log order with the checks across entries.

    Its leaf hashes, times and ballots are what the tree heads and receipts are checked against;
    the ballots are counted as they pass (while workers still check the chunks after them).
    """

    def __init__(self, context: _LogContext, keys_in_use: set, tally: rules.Tally):
        election = self.election = context.election
        self.tally = tally  # of the ballots counted so far
        self._voters, self._log = context.voters, context.log
        self.close_at = context.close_at
        self.leaf_hashes: list[bytes] = []
        self.times: list[int] = []  # instants
        self.ballots: dict[int, _Ballot] = {}
        self.counting = rules.CountedBallots(election.revote)  # of seqs
        self._keep_first = election.revote == "first"
        self._seen_keys = set(keys_in_use)
        self._nonces: set = set()
        self._voted: set = set()
        self._first_online: dict[str, int] = {}  # voter_id -> seq of their first online ballot
        self._handins: dict[int, tuple] = {}  # seq -> (desk receipt, voter_id, identity checked, time), while unnamed
        self._used_handins: set = set()
        self._desk_receipts: set = set()

    def merge(self, chunks) -> None:
        # Bound methods kept on self would make a reference cycle, and all a chunk holds would
        # then wait for the cyclic collector, which the checks pause.
        walk_entry = {
            "ballot": self._ballot,
            "handin": self._handin,
            "credential": self._credential,
            "notices": self._notices,
            "extension": self._notices,  # nothing across entries: the context knows every close
        }
        for chunk in chunks:
            if chunk.first_time is not None and self.times and chunk.first_time < self.times[-1]:
                raise RecordInvalid(f"entry {chunk.start}: logged before entry {chunk.start - 1}", "L2")
            start, bad_signature = chunk.start, chunk.bad_signature
            # The entries that passed their own checks each have a time.
            for offset, (summary, logged_at) in enumerate(zip(chunk.summaries, chunk.times)):
                walk_entry[summary[0]](start + offset, summary, logged_at)
                if start + offset == bad_signature:
                    raise RecordInvalid(f"entry {bad_signature}: bad signature", "L12")
            if chunk.fault is not None:
                if len(chunk.summaries) > len(chunk.times):  # a fault of L12 or after: the checks across entries first
                    summary = chunk.summaries[-1]
                    walk_entry[summary[0]](chunk.fault_index, summary, None)
                raise chunk.fault
            self.times.extend(chunk.times)
            self.leaf_hashes.extend(chunk.leaf_hashes)

    # Each kind's checks across entries, then — where the entry passed its own (``logged_at`` is
    # its time, not None) — what it means for the entries after it. A fault names the entry
    # then, not before: most pass.

    def _ballot(self, index: int, summary: tuple, logged_at: int | None) -> None:
        _kind, voter_id, nonce, channel, handin_seq = summary[:5]
        voter_nonce = (voter_id, nonce)
        if voter_nonce in self._nonces:
            raise RecordInvalid(f"entry {index}: nonce already used by voter {show(voter_id)}", "L8")
        if self._keep_first and voter_id in self._voted:
            raise RecordInvalid(
                f'entry {index}: second ballot of voter {show(voter_id)} although revote is "first"', "L9"
            )
        if channel == "paper":
            where = f"entry {index}"
            handin = self._handins.get(handin_seq) if type(handin_seq) is int else None
            if handin is None:
                used = type(handin_seq) is int and handin_seq in self._used_handins
                problem = "was named by an earlier ballot" if used else "is not an earlier hand-in"
                raise RecordInvalid(f"{where}: handin {show(handin_seq)} {problem}", "L10")
            if handin[1] not in (None, voter_id):
                raise RecordInvalid(f"{where}: handin {handin_seq} was for another voter", "L10")
            online_seq = self._first_online.get(voter_id)
            if online_seq is not None and online_seq < handin_seq and handin[2] is not True:
                raise RecordInvalid(
                    f"{where}: paper ballot of voter {show(voter_id)}, handed in after their online "
                    f"ballot (entry {online_seq}), without an identity check at the hand-in",
                    "L11",
                )
        if logged_at is None:
            return
        self._nonces.add(voter_nonce)
        self._voted.add(voter_id)
        if channel == "online":
            self._first_online.setdefault(voter_id, index)
            cast_at, handin_named = logged_at, None
        else:
            receipt, handin_voter, identity_checked, cast_at = self._handins.pop(handin_seq)
            self._used_handins.add(handin_seq)
            handin_named = {
                "desk_receipt": receipt,
                "voter_id": handin_voter,
                "identity_checked": identity_checked,
                "seq": handin_seq,
            }
        self.ballots[index] = _Ballot(index, voter_id, channel, cast_at, handin_named, summary[5])
        counts, displaced = self.counting.add(voter_id, cast_at, index)
        if counts:
            weights = self._voters[voter_id]["weights"]
            if displaced is not None:
                self.tally.remove(weights, self._log[displaced]["body"])
            self.tally.add(weights, self._log[index]["body"])

    def _handin(self, index: int, summary: tuple, logged_at: int | None) -> None:
        _kind, receipt, voter_id, identity_checked = summary
        if receipt in self._desk_receipts:
            raise RecordInvalid(f"entry {index}: desk_receipt {show(receipt)} was used before", "L13")
        if logged_at is not None:
            self._desk_receipts.add(receipt)
            self._handins[index] = (receipt, voter_id, identity_checked, logged_at)

    def _credential(self, index: int, summary: tuple, logged_at: int | None) -> None:
        key = summary[1]
        if key is not None and key in self._seen_keys:
            raise RecordInvalid(f"entry {index}: the reissued key was used before", "L14")
        if logged_at is not None and key is not None:
            self._seen_keys.add(key)

    def _notices(self, index: int, summary: tuple, logged_at: int | None) -> None:
        pass


def _canon_after_body(log_entry: dict, where: str) -> bytes:
    """canon(entry) after its body: b',"kind":…}', written out for the usual entry (its kind,
    time and seq are checked by now)."""
    signatures = fields.signatures_json(log_entry["signatures"]) if log_entry.keys() == ENTRY_KEYS else None
    if signatures is not None:
        text = ',"kind":"%s","logged_at":%s,"seq":%d,"signatures":[%s]}' % (
            log_entry["kind"],
            encode_basestring(log_entry["logged_at"]),
            log_entry["seq"],
            signatures,
        )
        try:
            return text.encode("utf-8")
        except ValueError:  # a signature that is not valid Unicode
            raise fields.not_unicode(where) from None
    rest = {key: value for key, value in log_entry.items() if key != "body"}
    return b"," + fields.canon_of(rest, where)[1:]


_NO_MARKS: dict = {}  # an online ballot's invalid marks: none (never written to)
_QUESTION_CHOICES = frozenset(rules.CHOICES)


def _body_keys(kind: str, body, where: str) -> frozenset:
    if kind == "ballot":
        channel = body.get("channel") if type(body) is dict else None
        if channel not in ("online", "paper"):
            raise RecordInvalid(f"{where}: unknown channel {show(channel)}")
        return ONLINE_KEYS if channel == "online" else PAPER_KEYS
    return {"handin": HANDIN_KEYS, "credential": CREDENTIAL_KEYS, "notices": NOTICES_KEYS, "extension": EXTENSION_KEYS}[
        kind
    ]


def _signer_names(signatures, where: str) -> list:
    if type(signatures) is not list:
        raise RecordInvalid(f"{where}: signatures is not a list")
    names = [
        signature.get("signer")
        if type(signature) is dict and len(signature) == 2 and type(signature.get("signature")) is str
        else None
        for signature in signatures
    ]
    if all(type(name) is str and name for name in names):
        return names  # the usual list: pairs of strings with exactly those two keys, checked at once
    names = []
    for index, signature in enumerate(signatures):
        signature_where = f"{where} signature {index}"
        fields.closed_object(signature, signature_where, SIGNATURE_KEYS)
        names.append(fields.identifier(signature, "signer", signature_where))
        fields.text(signature, "signature", signature_where)
    return names


def _plain_choices_json(choices, motions: dict) -> str | None:
    """The canonical JSON of usual choices, without its braces: each for a known motion, yes, no
    or abstain, or distinct candidates within the seats (a choice's options within its one);
    None for any other."""
    if type(choices) is not dict:
        return None
    written = []
    for motion_id in sorted(choices):
        motion, choice = motions.get(motion_id), choices[motion_id]
        if motion is None:
            return None
        if motion.kind == "question":
            answer = motion.answers_json.get(choice) if type(choice) is str else None
            if answer is None:
                return None
            written.append(answer)
            continue
        try:
            if (
                type(choice) is not list
                or len(choice) > motion.seats
                or not motion.candidate_ids.issuperset(choice)
                or len(set(choice)) != len(choice)
            ):
                return None
        except TypeError:  # a candidate that is a list or an object
            return None
        written.append("%s:[%s]" % (motion.key_json, ",".join(map(encode_basestring, choice))))
    return ",".join(written)


def _check_choices(choices, where: str, motions: dict) -> None:
    if type(choices) is not dict:
        raise RecordInvalid(f"{where}: choices is not an object")
    for motion_id, choice in choices.items():
        motion = motions.get(motion_id)
        if motion is None:
            raise RecordInvalid(f"{where}: choice for unknown motion {show(motion_id)}")
        # The common cases, spared a call: yes, no or abstain; distinct candidates within the
        # seats, or at most one option of a choice (its seats are 1).
        if motion.kind == "question":
            if type(choice) is str and choice in _QUESTION_CHOICES:
                continue
        elif (
            type(choice) is list
            and len(choice) <= motion.seats
            and all(type(candidate_id) is str for candidate_id in choice)
            and motion.candidate_ids.issuperset(choice)
            and len(set(choice)) == len(choice)
        ):
            continue
        fault = _choice_fault(choice, motion)
        if fault:
            raise RecordInvalid(f"{where}: choice for motion {show(motion_id)} {fault}")


def _choice_fault(choice, motion: _Motion) -> str | None:
    if motion.kind == "question":
        return None if type(choice) is str and choice in rules.CHOICES else "is not yes, no or abstain"
    if motion.kind == "choice":
        return fields.option_choice_fault(choice, motion.candidate_ids)
    return fields.committee_choice_fault(choice, motion.candidate_ids, motion.seats)


def _check_tree_heads(checkpoints, tree_head, election: _Election, walk: _LogWalk, tree: merkle.Tree) -> dict:
    size = len(walk.leaf_hashes)
    with checking("T1"):
        if type(checkpoints) is not list:
            raise RecordInvalid("checkpoints is not a list")
    heads = [(f"checkpoint {index}", head) for index, head in enumerate(checkpoints)]
    heads.append(("tree head", tree_head))
    previous = -1
    for where, head in heads:
        with checking("T1"):
            fields.closed_object(head, where, CHECKPOINT_KEYS)
            head_size = fields.integer(head, "size", where, minimum=0)
            if where == "tree head":
                if head_size != size:
                    raise RecordInvalid(f"tree head: size is {head_size}, the log holds {size} entries")
            elif head_size <= previous:
                raise RecordInvalid(f"{where}: size {head_size} does not follow {previous}")
            elif head_size > size:
                raise RecordInvalid(f"{where}: size {head_size} is beyond the log's {size} entries")
            root = fields.binary(head, "root", where, size=32)
            if type(head["cosignatures"]) is not list:
                raise RecordInvalid(f"{where}: cosignatures is not a list")
            previous = head_size
        with checking("T2"):
            if root != tree.root(head_size):
                raise RecordInvalid(f"{where}: root is not that of the log's first {head_size} entries")
        text = checkpoint.text(election.hash, head_size, root)
        with checking("T3"):
            if not signing.verify_message(election.public_key, text, head["signature"]):
                raise RecordInvalid(f"{where}: bad signature")
        _check_cosignatures(
            head["cosignatures"], where, text, election, walk.times[head_size - 1] if head_size else None
        )
    _check_witnessed_close([head for _where, head in heads], election, walk)
    return tree_head


def _check_witnessed_close(heads: list, election: _Election, walk: "_LogWalk") -> None:
    """T5: after the first head a witness cosigned at or after the close in effect at its size,
    only paper ballots join the log — so no hand-in, staff act (an extension included) or online
    ballot can be slipped in, back-dated, once the close was witnessed."""
    with checking("T5"):
        witnessed = [
            head["size"]
            for head in heads
            if any(
                cosignature["time"] * 1_000_000 >= walk.close_at(head["size"]) for cosignature in head["cosignatures"]
            )
        ]
        if not witnessed:
            raise RecordInvalid("the close is not witnessed: no checkpoint is cosigned at or after closes_at")
        size = min(witnessed)
        for seq in range(size, len(walk.leaf_hashes)):
            ballot = walk.ballots.get(seq)
            if ballot is None or ballot.channel != "paper":
                raise RecordInvalid(
                    f"entry {seq}: only paper ballots may follow the close witnessed at"
                    f" {size} entries, and this is not one"
                )


def _check_cosignatures(
    cosignatures: list, where: str, text: bytes, election: _Election, last_time: int | None
) -> None:
    witnesses = set()
    for index, cosignature in enumerate(cosignatures):
        cosignature_where = f"{where} cosignature {index}"
        with checking("T4"):
            fields.closed_object(cosignature, cosignature_where, COSIGNATURE_KEYS)
            witness = fields.identifier(cosignature, "witness", cosignature_where)
            officer = election.officers.get(witness)
            if officer is None or officer.role not in WITNESS_ROLES:
                raise RecordInvalid(f"{cosignature_where}: {show(witness)} is not a witness or street-office officer")
            if witness in witnesses:
                raise RecordInvalid(f"{cosignature_where}: {show(witness)} cosigned twice")
            witnesses.add(witness)
            time = fields.integer(cosignature, "time", cosignature_where, minimum=0)
            if last_time is not None and time < last_time // 1_000_000:  # whole seconds, rounded down
                raise RecordInvalid(f"{cosignature_where}: time is before the last entry it covers")
            message = checkpoint.cosignature_message(text, time)
            if not signing.verify_message(officer.public_key, message, cosignature["signature"]):
                raise RecordInvalid(f"{cosignature_where}: bad signature")


# --- tally and certifications (C1, C2) ------------------------------------------------------------


# --- receipts (spec §10) ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptFinding:
    """What a receipt shows against a verified record."""

    seq: int
    voter_id: str
    status: str  # "counted" or "replaced"
    replaced_by: dict | None  # the counted ballot, where another one counts

    def as_json(self) -> dict:
        return {
            "receipt": "valid",
            "seq": self.seq,
            "voter_id": self.voter_id,
            "status": self.status,
            "replaced_by": self.replaced_by,
        }


def check_receipt(record: dict, verified: VerifiedRecord, receipt) -> ReceiptFinding:
    """Check a receipt (P1–P5) against a record that ``verify_record`` accepted."""
    seq = check_receipt_in_log(record["election"], receipt, verified.leaf_hashes, verified.prefix_root)
    with checking("P5"):
        if seq not in verified.ballots or record["log"][seq]["logged_at"] != receipt["logged_at"]:
            raise RecordInvalid(f"receipt: entry {seq} of the published log is not the receipt's ballot")
    ballot = verified.ballots[seq]
    counted_seq = verified.counted[ballot.voter_id]
    if counted_seq == seq:
        return ReceiptFinding(seq, ballot.voter_id, "counted", None)
    return ReceiptFinding(seq, ballot.voter_id, "replaced", describe_ballot(verified.ballots[counted_seq]))


def check_receipt_in_log(election: dict, receipt, leaf_hashes: list, prefix_root=None) -> int:
    """P1–P4 and the leaf of P5: the receipt is this vote's, its checkpoint genuine, its entry in
    that checkpoint, and the log of ``leaf_hashes`` extends it with that entry at its place.
    Returns the entry's seq. A server holding the log as it grows answers owners with this.
    ``prefix_root(size)``, where given, is the root of the first size leaves, from a tree built once."""
    election_hash_ = b64h(election)
    with checking("P1"):
        fields.closed_object(receipt, "receipt", RECEIPT_KEYS)
        if receipt["format"] != RECEIPT_FORMAT:
            raise RecordInvalid(f"receipt: format is {show(receipt['format'])}, not {RECEIPT_FORMAT}")
        if receipt["election_hash"] != election_hash_ or receipt["election_id"] != election["election_id"]:
            raise RecordInvalid("receipt: it is for another election")
        head = fields.closed_object(receipt["checkpoint"], "receipt checkpoint", RECEIPT_CHECKPOINT_KEYS)
        size = fields.integer(head, "size", "receipt checkpoint", minimum=1)
        root = fields.binary(head, "root", "receipt checkpoint", size=32)
        seq = fields.integer(receipt, "seq", "receipt", minimum=0)
        entry_hash = fields.binary(receipt, "entry_hash", "receipt", size=32)
        if type(receipt["inclusion_proof"]) is not list:
            raise RecordInvalid("receipt: inclusion_proof is not a list")
        proof = [
            fields.binary({"node": node}, "node", "receipt inclusion_proof", size=32)
            for node in receipt["inclusion_proof"]
        ]
    with checking("P2"):
        public_key = b64d(election["election_public_key"])
        if not signing.verify_message(public_key, checkpoint.text(election_hash_, size, root), head["signature"]):
            raise RecordInvalid("receipt: its checkpoint is not signed by this vote's key")
    with checking("P3"):
        if not merkle.verify_inclusion(entry_hash, seq, size, proof, root):
            raise RecordInvalid(f"receipt: entry {seq} is not in its checkpoint of {size} entries")
    with checking("P4"):
        if size > len(leaf_hashes) or (prefix_root(size) if prefix_root else merkle.root(leaf_hashes[:size])) != root:
            raise RecordInvalid(
                f"receipt: the published log does not extend its checkpoint of {size} entries "
                "— the log was rewritten after the receipt was given"
            )
    with checking("P5"):
        if leaf_hashes[seq] != entry_hash:
            raise RecordInvalid(f"receipt: entry {seq} of the published log is not the receipt's ballot")
    return seq


def check_held_checkpoint(record: dict, verified: VerifiedRecord, note: str) -> dict:
    """Check a checkpoint someone kept (a witness, a notice-board printout) against a record that
    ``verify_record`` accepted (H1–H3): genuine, and extended by the published log."""
    election_hash_ = b64h(record["election"])
    officers = {officer["officer_id"]: officer for officer in record["election"]["officers"]}
    with checking("H1"):
        try:
            text, signatures = checkpoint.parse_note(note)
            origin, size_line, root_line = text.decode("utf-8").split("\n")[:3]
            size, root = int(size_line), base64.b64decode(root_line, validate=True)
        except ValueError as error:
            raise RecordInvalid(f"checkpoint: not a C2SP checkpoint ({error})") from None
        # The text is compared with the one this size and root make, byte for byte: that refuses a
        # size with leading zeros or a root spelled otherwise; a negative size or a root that is not
        # 32 bytes would still compare equal, so they are refused by name.
        if (
            origin != checkpoint.origin(election_hash_)
            or size < 0
            or len(root) != 32
            or text != checkpoint.text(election_hash_, size, root)
        ):
            raise RecordInvalid("checkpoint: it is not a checkpoint of this vote's log")
    cosigned_by = []
    with checking("H2"):
        log_key = b64d(record["election"]["election_public_key"])
        signed_by_log = False
        for name, blob in signatures:
            if name == origin and blob[:4] == checkpoint.key_id(name, log_key, b"\x01"):
                if not signing.verify_message(log_key, text, b64e(blob[4:])):
                    raise RecordInvalid("checkpoint: bad signature by the vote's key")
                signed_by_log = True
            elif name in officers and officers[name]["role"] in WITNESS_ROLES:
                key = b64d(officers[name]["public_key"])
                if blob[:4] != checkpoint.key_id(name, key, b"\x04") or len(blob) != 76:
                    continue  # a line for some other key of that name: not ours to judge
                time = int.from_bytes(blob[4:12], "big")
                if not signing.verify_message(key, checkpoint.cosignature_message(text, time), b64e(blob[12:])):
                    raise RecordInvalid(f"checkpoint: bad cosignature by {show(name)}")
                cosigned_by.append(name)
        if not signed_by_log:
            raise RecordInvalid("checkpoint: not signed by this vote's key")
    with checking("H3"):
        if not 0 <= size <= len(verified.leaf_hashes) or verified.prefix_root(size) != root:
            raise RecordInvalid(
                f"checkpoint: the published log does not extend this checkpoint of {size} entries"
                " — the history it covers was rewritten"
            )
    listed = any(head["size"] == size for head in (*record["checkpoints"], record["tree_head"]))
    return {"checkpoint": "extended", "size": size, "cosigned_by": cosigned_by, "listed_in_record": listed}


def describe_ballot(ballot: _Ballot) -> dict:
    """A ballot as an owner is told of it: when and how it was cast, and by whom it was signed."""
    described = {"seq": ballot.seq, "channel": ballot.channel, "cast_at": beijing_time(ballot.cast_at)}
    if ballot.channel == "paper":
        described.update(
            desk_receipt=ballot.handin["desk_receipt"],
            handin_seq=ballot.handin["seq"],
            identity_checked=ballot.handin["identity_checked"],
            clerks=list(ballot.signers),
        )
    return described


def receipt(election_id: str, election_hash_: str, seq: int, logged_at: str, leaf_hashes: list, head: dict) -> dict:
    """The receipt of entry ``seq`` against ``head``, a checkpoint of ``leaf_hashes``."""
    return {
        "format": RECEIPT_FORMAT,
        "election_id": election_id,
        "election_hash": election_hash_,
        "seq": seq,
        "entry_hash": b64e(leaf_hashes[seq]),
        "logged_at": logged_at,
        "checkpoint": {"size": head["size"], "root": head["root"], "signature": head["signature"]},
        "inclusion_proof": [b64e(node) for node in merkle.inclusion_proof(leaf_hashes[: head["size"]], seq)],
    }


class EntryChecker:
    """For a server that keeps a vote's log: the checks of spec §9 that one new entry must pass
    on its own (L1–L7 and L12–L15 as far as they need no other entry), signatures included.
    The checks across entries (L8–L11, the uniqueness of desk receipts and reissued keys) are
    the server's, answered from its database. Built once per frozen vote."""

    def __init__(self, election: dict, roll: dict):
        self._election = _check_election(election)
        self._voters = {voter["voter_id"]: voter for voter in roll["voters"]}
        self._scoped = frozenset(
            motion_id for motion_id, motion in self._election.motions.items() if motion.scope != ESTATE
        )

    def check(self, log_entry: dict, key_in_effect: str | None = None, closes_at: str | None = None) -> bytes:
        """Raise RecordInvalid naming the fault, or return the entry's leaf hash. An online
        ballot is checked against ``key_in_effect``, the voter's credential key now (§5.3), and
        every entry against ``closes_at``, the close now in effect (§5.5; None: the election's)."""
        voter_id = log_entry["body"].get("voter_id") if isinstance(log_entry.get("body"), dict) else None
        seq = log_entry.get("seq")
        # The key and the close now in effect, as if entries just before this one had set them.
        key_changes = {voter_id: [(-1, _usable_key_or_none(key_in_effect))]} if isinstance(voter_id, str) else {}
        close_changes = [(-1, instant(closes_at))] if closes_at is not None else []
        context = _LogContext(self._election, self._voters, {}, key_changes, close_changes, self._scoped, [log_entry])
        chunk = _Chunk(seq if type(seq) is int else 0)
        checks = _EntryChecks(context, chunk)
        try:
            signers, body_bytes, kind = checks.run(chunk.start, log_entry)
        except RecordInvalid as fault:
            fault.check = fault.check or checks.check
            raise
        if signers:
            signed = _SIGNED_PREFIX[kind] + body_bytes
            if any(not signing.verify_message(key, signed, signature) for key, signature in signers):
                raise RecordInvalid(f"entry {chunk.start}: bad signature", "L12")
        return chunk.leaf_hashes[0]
