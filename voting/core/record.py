"""Build and verify an election record, format ``gongzhi-record/1`` (spec §2 and §3).

``verify`` is the project's verifier: it checks a record in the order of the document (election,
roll, log, tree head, tally, certifications) and raises RecordInvalid naming the first fault.
"""

from dataclasses import dataclass
from datetime import datetime
from json.encoder import encode_basestring

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from voting.core import chunks, fields, merkle, rules, signing
from voting.core.canonical import b64e, b64h, canon
from voting.core.fields import RecordInvalid

FORMAT = "gongzhi-record/1"
MIN_NONCE_BYTES = 16
REVOTE_RULES = ("first", "last")
OFFICER_ROLES = ("clerk", "street_office")

# Key sets the spec fixes; every one of these objects may also carry "ext" (spec preamble).
RECORD_KEYS = frozenset({"format", "election", "roll", "log", "tree_head", "tally", "certifications"})
ELECTION_KEYS = frozenset(
    {
        "election_id",
        "community",
        "title",
        "opens_at",
        "closes_at",
        "revote",
        "nonvoters_follow_majority",
        "motions",
        "officers",
        "election_public_key",
        "roll_hash",
    }
)
COMMUNITY_KEYS = frozenset({"code", "name"})
QUESTION_KEYS = frozenset({"motion_id", "kind", "title"})
COMMITTEE_KEYS = QUESTION_KEYS | {"seats", "candidates"}
OFFICER_KEYS = frozenset({"officer_id", "role", "public_key"})
ROLL_KEYS = frozenset({"voters", "total_area", "total_heads"})
VOTER_KEYS = frozenset({"voter_id", "area", "heads", "public_key"})
VOTER_OPTIONAL_KEYS = frozenset({"units"})
ENTRY_KEYS = frozenset({"seq", "received_at", "ballot", "signatures"})
ONLINE_BALLOT_KEYS = frozenset({"election_hash", "voter_id", "channel", "nonce", "choices"})
PAPER_BALLOT_KEYS = ONLINE_BALLOT_KEYS | {"paper_scan_sha256"}
SIGNATURE_KEYS = fields.SIGNATURE_KEYS
SIGNED_KEYS = fields.SIGNED_KEYS
TREE_HEAD_BODY_KEYS = frozenset({"election_hash", "size", "root", "timestamp"})


# --- building -------------------------------------------------------------------------------


def election_hash(election: dict) -> str:
    return b64h(election)


def roll_hash(roll: dict) -> str:
    return b64h(roll)


def entry_leaf_hash(entry: dict) -> bytes:
    """The Merkle leaf hash of a log entry: H(0x00 ‖ canon(entry))."""
    return merkle.leaf_hash(canon(entry))


def sign_tree_head(
    private_key: Ed25519PrivateKey, election_hash: str, size: int, root_b64: str, timestamp: str
) -> dict:
    body = {"election_hash": election_hash, "size": size, "root": root_b64, "timestamp": timestamp}
    return {"body": body, "signature": signing.sign(private_key, "tree-head", body)}


def certification_body(tree_head: dict, tally: dict, officer_id: str, certified_at: str) -> dict:
    """What a street-office officer signs: this tree head and this tally."""
    return {
        "election_hash": tree_head["body"]["election_hash"],
        "tree_root": tree_head["body"]["root"],
        "tree_size": tree_head["body"]["size"],
        "tally_hash": b64h(tally),
        "certified_at": certified_at,
        "officer_id": officer_id,
    }


def sign_certification(private_key: Ed25519PrivateKey, body: dict) -> dict:
    return {"body": body, "signature": signing.sign(private_key, "certification", body)}


def build(
    election: dict,
    roll: dict,
    log: list,
    tree_head: dict,
    tally: dict,
    certifications: list | tuple = (),
) -> dict:
    return {
        "format": FORMAT,
        "election": election,
        "roll": roll,
        "log": list(log),
        "tree_head": tree_head,
        "tally": tally,
        "certifications": list(certifications),
    }


# --- verifying ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Motion:
    kind: str
    seats: int
    candidate_ids: frozenset


@dataclass(frozen=True)
class _Officer:
    role: str
    public_key: bytes


@dataclass(frozen=True)
class _Election:
    """What the checks of later sections need to know about a checked ``election``."""

    hash: str
    opens_at: datetime
    closes_at: datetime
    revote: str
    public_key: bytes
    motions: dict  # motion_id -> _Motion
    officers: dict  # officer_id -> _Officer


def verify(record, workers: int = 1) -> dict:
    """Check a record as spec §3 requires and return the recounted tally.

    ``workers`` > 1 spreads the checks of the log entries, hashes and signatures included, over
    that many processes.
    """
    if type(record) is not dict:
        raise RecordInvalid("record is not an object")
    if record.get("format") != FORMAT:
        raise RecordInvalid(f"format is {fields.show(record.get('format'))}, not {FORMAT}")
    fields.closed_object(record, "record", RECORD_KEYS)
    election = _check_election(record["election"])
    log = record["log"]
    log_to_check = log if type(log) is list else []
    to_check = _LogToCheck(election, _roll_keys(record["roll"]), log_to_check)
    with chunks.checked_chunks(to_check, _check_chunk, len(log_to_check), workers, CHUNK_ENTRIES) as checked:
        # While the workers check the log, check the roll and count. No chunk is looked at
        # before the roll has passed, so a fault in the roll is still the one reported.
        _check_roll(record["roll"])
        if record["election"]["roll_hash"] != fields.canon_hash(record["roll"], "roll"):
            raise RecordInvalid("election: roll_hash does not match the roll")
        if type(log) is not list:
            raise RecordInvalid("log is not a list")
        # The recount is only used once the log has passed.
        recount = _recount_ahead(record) if workers > 1 else None
        leaf_hashes = _merge_chunks(checked, election)
    tree_head_body = _check_tree_head(record["tree_head"], election, leaf_hashes)
    if recount is None:
        recount = rules.tally(record["election"], record["roll"], record["log"])
    fields.check_tally(record["tally"], recount)
    fields.check_certifications(
        record["certifications"],
        election.hash,
        tree_head_body["size"],
        tree_head_body["root"],
        record["tally"],
        election.officers,
        version=1,
    )
    return recount


def _recount_ahead(record: dict) -> dict | None:
    """rules.tally of a log not checked yet, or None where it is too malformed to count (the
    checks then report its fault). Once the log has passed, this is the recount."""
    try:
        return rules.tally(record["election"], record["roll"], record["log"])
    except Exception:  # whatever fails here is a fault the checks will name
        return None


def _check_election(election) -> _Election:
    fields.closed_object(election, "election", ELECTION_KEYS)
    fields.identifier(election, "election_id", "election")
    community = fields.closed_object(election["community"], "election community", COMMUNITY_KEYS)
    fields.text(community, "code", "election community")
    fields.text(community, "name", "election community")
    fields.text(election, "title", "election")
    if election["revote"] not in REVOTE_RULES:
        raise RecordInvalid('election: revote is not "first" or "last"')
    if election["nonvoters_follow_majority"] is not False:
        raise RecordInvalid("election: nonvoters_follow_majority must be false in format 1")
    opens_at = fields.timestamp(election, "opens_at", "election")
    closes_at = fields.timestamp(election, "closes_at", "election")
    motions = _check_motions(election["motions"])
    officers = _check_officers(election["officers"])
    public_key = fields.usable_key(election, "election_public_key", "election")
    return _Election(
        hash=fields.canon_hash(election, "election"),
        opens_at=opens_at,
        closes_at=closes_at,
        revote=election["revote"],
        public_key=public_key,
        motions=motions,
        officers=officers,
    )


def _check_motions(motions) -> dict:
    if type(motions) is not list:
        raise RecordInvalid("election: motions is not a list")
    checked = {}
    for index, motion in enumerate(motions):
        where = f"election motion {index}"
        kind = _kind(motion, where)
        fields.closed_object(motion, where, COMMITTEE_KEYS if kind == "committee" else QUESTION_KEYS)
        motion_id = fields.identifier(motion, "motion_id", where)
        if motion_id in checked:
            raise RecordInvalid(f"{where}: duplicate motion_id {fields.show(motion_id)}")
        fields.text(motion, "title", where)
        if kind == "committee":
            checked[motion_id] = _Motion(
                kind,
                fields.integer(motion, "seats", where, minimum=1),
                fields.check_candidates(motion["candidates"], where),
            )
        else:
            checked[motion_id] = _Motion(kind, 0, frozenset())
    return checked


def _kind(motion, where: str) -> str:
    if type(motion) is not dict:
        raise RecordInvalid(f"{where} is not an object")
    if "kind" not in motion:
        raise RecordInvalid(f"{where}: missing key 'kind'")
    if motion["kind"] not in ("ordinary", "major", "committee"):
        raise RecordInvalid(f"{where}: unknown kind {fields.show(motion['kind'])}")
    return motion["kind"]


def _check_officers(officers) -> dict:
    if type(officers) is not list:
        raise RecordInvalid("election: officers is not a list")
    checked = {}
    for index, officer in enumerate(officers):
        where = f"election officer {index}"
        fields.closed_object(officer, where, OFFICER_KEYS)
        officer_id = fields.identifier(officer, "officer_id", where)
        if officer_id in checked:
            raise RecordInvalid(f"{where}: duplicate officer_id {fields.show(officer_id)}")
        if officer["role"] not in OFFICER_ROLES:
            raise RecordInvalid(f"{where}: role is {fields.show(officer['role'])}, not clerk or street_office")
        checked[officer_id] = _Officer(officer["role"], fields.usable_key(officer, "public_key", where))
    return checked


def _check_roll(roll) -> None:
    """Check the roll's voters, their order and keys, and its totals."""
    fields.closed_object(roll, "roll", ROLL_KEYS)
    if type(roll["voters"]) is not list:
        raise RecordInvalid("roll: voters is not a list")
    previous_id = None
    area = heads = 0
    for index, voter in enumerate(roll["voters"]):
        where = f"roll voter {index}"
        fields.closed_object(voter, where, VOTER_KEYS, VOTER_OPTIONAL_KEYS)
        voter_id = fields.identifier(voter, "voter_id", where)
        if previous_id is not None and voter_id == previous_id:
            raise RecordInvalid(f"{where}: duplicate voter_id {fields.show(voter_id)}")
        if previous_id is not None and voter_id < previous_id:
            raise RecordInvalid(f"{where}: voters are not sorted by voter_id")
        area += fields.integer(voter, "area", where, minimum=0)
        heads += fields.integer(voter, "heads", where, minimum=0)
        if voter["public_key"] is not None:
            fields.usable_key(voter, "public_key", where)
        units = voter.get("units", [])
        if type(units) is not list or any(type(unit) is not str for unit in units):
            raise RecordInvalid(f"{where}: units is not a list of strings")
        previous_id = voter_id
    for total, summed in (("total_area", area), ("total_heads", heads)):
        if fields.integer(roll, total, "roll", minimum=0) != summed:
            raise RecordInvalid(f"roll: {total} is {roll[total]}, the voters sum to {summed}")


def _roll_keys(roll) -> dict:
    """voter_id -> credential key as the roll gives it (b64 or None), before the roll is checked;
    empty for a roll too malformed to read, whose fault _check_roll names."""
    try:
        return {voter["voter_id"]: voter["public_key"] for voter in roll["voters"]}
    except (TypeError, KeyError):
        return {}


# The most entries a chunk handed to a worker holds: enough that passing the results costs
# little beside the signatures, few enough that a fault near the top stops the others early.
CHUNK_ENTRIES = 2000


@dataclass(frozen=True)
class _LogToCheck:
    election: _Election
    roll_keys: dict  # voter_id -> credential key b64 or None, from _roll_keys
    log: list


@dataclass
class _CheckedChunk:
    """What one chunk of the log shows, up to its first fault."""

    leaf_hashes: list  # of the entries that passed every check of their own
    voters_and_nonces: list  # (voter_id, nonce) of the entries whose ballot passed its checks
    first_time: datetime | None = None  # received_at of the chunk's first entry, if in the period
    last_time: datetime | None = None  # received_at of its last entry, when all passed
    fault: str | None = None


def _merge_chunks(chunks, election: _Election) -> list[bytes]:
    """Check, in log order, what no chunk can see alone: nonce reuse, the re-vote rule and the
    time order across chunks. The fault raised is the first one a reading from the top meets."""
    leaf_hashes = []
    nonces = set()
    voted = set()
    previous_time = None
    for start, chunk in chunks:
        if previous_time is not None and chunk.first_time is not None and chunk.first_time < previous_time:
            raise RecordInvalid(f"entry {start}: received before entry {start - 1}")
        for index, (voter_id, nonce) in enumerate(chunk.voters_and_nonces, start):
            if (voter_id, nonce) in nonces:
                raise RecordInvalid(f"entry {index}: nonce already used by voter {fields.show(voter_id)}")
            nonces.add((voter_id, nonce))
            if election.revote == "first" and voter_id in voted:
                raise RecordInvalid(
                    f'entry {index}: second ballot of voter {fields.show(voter_id)} although revote is "first"'
                )
            voted.add(voter_id)
        if chunk.fault is not None:
            raise RecordInvalid(chunk.fault)
        leaf_hashes.extend(chunk.leaf_hashes)
        previous_time = chunk.last_time
    return leaf_hashes


def _check_chunk(to_check: _LogToCheck, start: int, stop: int) -> _CheckedChunk:
    """Check entries start..stop-1 in order, each as far as it goes without the rest of the log.

    The chunk's signatures are verified together once its other checks are done, so that the
    Ed25519 code runs in one tight loop with its tables warm in the CPU cache rather than after
    each entry's checks. The fault reported is still the chunk's first in log order.
    """
    election, roll_keys, log = to_check.election, to_check.roll_keys, to_check.log
    ballot_prefix = signing.prefix("ballot")
    chunk = _CheckedChunk([], [])
    signature_checks = []  # (raw public key, signed message, signature b64)
    signed_entries = []  # the index of the entry each of those belongs to
    previous_time = None
    for index in range(start, stop):
        entry = log[index]
        where = f"entry {index}"
        try:
            fields.closed_object(entry, where, ENTRY_KEYS)
            if type(entry["seq"]) is not int or entry["seq"] != index:
                raise RecordInvalid(f"log entry {index}: seq is {fields.show(entry['seq'])}")
            received_at = fields.timestamp(entry, "received_at", where)
            if not election.opens_at <= received_at <= election.closes_at:
                raise RecordInvalid(f"{where}: received outside the voting period")
            if previous_time is None:
                chunk.first_time = received_at  # its order after the chunk before is checked in the merge
            elif received_at < previous_time:
                raise RecordInvalid(f"{where}: received before entry {index - 1}")
            ballot = entry["ballot"]
            _check_ballot(ballot, where, election, roll_keys)
            voter_id = ballot["voter_id"]
            chunk.voters_and_nonces.append((voter_id, ballot["nonce"]))
            signers = _signers(entry["signatures"], where, ballot, roll_keys[voter_id], election)
            leaf_hash, ballot_bytes = _leaf_hash_and_ballot_bytes(entry, where)
        except RecordInvalid as fault:
            chunk.fault = str(fault)
            break
        signed = ballot_prefix + ballot_bytes
        for key, signature in signers:
            signature_checks.append((key, signed, signature))
            signed_entries.append(index)
        chunk.leaf_hashes.append(leaf_hash)
        previous_time = received_at
    failure = signing.first_failure(signature_checks)
    if failure is not None:
        # The entry signed badly is the first fault: what the chunk holds after it goes.
        index = signed_entries[failure]
        del chunk.leaf_hashes[index - start :]
        del chunk.voters_and_nonces[index - start + 1 :]
        chunk.fault = f"entry {index}: bad signature"
    elif chunk.fault is None:
        chunk.last_time = previous_time
    return chunk


def _check_ballot(ballot, where: str, election: _Election, voter_ids) -> None:
    """Check a ballot's fields, its voter's place on the roll and its choices."""
    if type(ballot) is not dict:
        raise RecordInvalid(f"{where}: ballot is not an object")
    channel = ballot.get("channel")
    if channel not in ("online", "paper"):
        raise RecordInvalid(f"{where}: unknown channel {fields.show(channel)}")
    ballot_where = f"{where} ballot"
    fields.closed_object(ballot, ballot_where, ONLINE_BALLOT_KEYS if channel == "online" else PAPER_BALLOT_KEYS)
    if ballot["election_hash"] != election.hash:
        raise RecordInvalid(f"{where}: ballot is for another election (election_hash differs)")
    voter_id = ballot["voter_id"]
    if type(voter_id) is not str or voter_id not in voter_ids:
        raise RecordInvalid(f"{where}: voter {fields.show(voter_id)} is not on the roll")
    if len(fields.binary(ballot, "nonce", ballot_where)) < MIN_NONCE_BYTES:
        raise RecordInvalid(f"{where}: nonce is shorter than {MIN_NONCE_BYTES} bytes")
    if channel == "paper":
        fields.binary(ballot, "paper_scan_sha256", ballot_where, size=32)
    _check_choices(ballot["choices"], where, election.motions)


def _check_choices(choices, where: str, motions: dict) -> None:
    if type(choices) is not dict:
        raise RecordInvalid(f"{where}: choices is not an object")
    for motion_id, choice in choices.items():
        motion = motions.get(motion_id)
        if motion is None:
            raise RecordInvalid(f"{where}: choice for unknown motion {fields.show(motion_id)}")
        if type(choice) is str and choice in rules.CHOICES and motion.kind != "committee":
            continue  # the common case, spared a call
        fault = _choice_fault(choice, motion)
        if fault:
            raise RecordInvalid(f"{where}: choice for motion {fields.show(motion_id)} {fault}")


def _choice_fault(choice, motion: _Motion) -> str | None:
    if motion.kind != "committee":
        return None if choice in rules.CHOICES else "is not yes, no or abstain"
    return fields.committee_choice_fault(choice, motion.candidate_ids, motion.seats)


def _signers(signatures, where: str, ballot: dict, credential, election: _Election) -> list:
    """(raw public key, signature) of each signature the ballot's channel requires; ``credential``
    is the voter's key as the roll gives it."""
    if type(signatures) is not list:
        raise RecordInvalid(f"{where}: signatures is not a list")
    signers = []
    for index, signature in enumerate(signatures):
        signature_where = f"{where} signature {index}"
        fields.closed_object(signature, signature_where, SIGNATURE_KEYS)
        signers.append(fields.identifier(signature, "signer", signature_where))
    if ballot["channel"] == "online":
        if signers != [ballot["voter_id"]]:
            raise RecordInvalid(f"{where}: online ballot needs exactly one signature, by its voter")
        if credential is None:
            raise RecordInvalid(f"{where}: voter {fields.show(ballot['voter_id'])} has no credential key")
        try:
            public_keys = [signing.public_key_bytes(credential)]
        except ValueError:  # only where the roll fails too, whose fault is reported first
            voter = fields.show(ballot["voter_id"])
            raise RecordInvalid(f"{where}: voter {voter} has no usable key") from None
    else:
        clerks = [election.officers.get(signer) for signer in signers]
        if (
            len(clerks) != 2
            or signers[0] == signers[1]
            or any(clerk is None or clerk.role != "clerk" for clerk in clerks)
        ):
            raise RecordInvalid(f"{where}: paper ballot needs two distinct clerks' signatures")
        public_keys = [clerk.public_key for clerk in clerks]
    return [(key, signature["signature"]) for key, signature in zip(public_keys, signatures)]


def _leaf_hash_and_ballot_bytes(entry: dict, where: str) -> tuple[bytes, bytes]:
    """canon(ballot) for its signatures, and the leaf hash of canon(entry) built around it.

    "ballot" sorts before every other key an entry may hold, so canon(entry) is
    '{"ballot":' + canon(ballot) + the rest. Building it that way serialises each ballot once,
    which matters for large logs. The entry's seq, received_at and signers are checked by now.
    """
    ballot_bytes = fields.canon_of(entry["ballot"], where)
    leaf = b'{"ballot":' + ballot_bytes + _canon_after_ballot(entry, where)
    return merkle.leaf_hash(leaf), ballot_bytes


def _canon_after_ballot(entry: dict, where: str) -> bytes:
    """canon(entry) after its ballot: b',"received_at":…}', written out for the usual entry."""
    signatures = fields.signatures_json(entry["signatures"]) if entry.keys() == ENTRY_KEYS else None
    if signatures is not None:
        text = ',"received_at":%s,"seq":%d,"signatures":[%s]}' % (
            encode_basestring(entry["received_at"]),
            entry["seq"],
            signatures,
        )
        try:
            return text.encode("utf-8")
        except ValueError:
            raise fields.not_unicode(where) from None
    rest = {key: value for key, value in entry.items() if key != "ballot"}
    return b"," + fields.canon_of(rest, where)[1:]


def _check_tree_head(tree_head, election: _Election, leaf_hashes: list[bytes]) -> dict:
    fields.closed_object(tree_head, "tree head", SIGNED_KEYS)
    body = fields.closed_object(tree_head["body"], "tree head body", TREE_HEAD_BODY_KEYS)
    if body["election_hash"] != election.hash:
        raise RecordInvalid("tree head: election_hash does not match the election")
    size = fields.integer(body, "size", "tree head", minimum=0)
    if size != len(leaf_hashes):
        raise RecordInvalid(f"tree head: size is {size}, the log holds {len(leaf_hashes)} entries")
    fields.timestamp(body, "timestamp", "tree head")
    if body["root"] != b64e(merkle.root(leaf_hashes)):
        raise RecordInvalid("tree head: root does not match the log")
    if not fields.signed(election.public_key, "tree-head", body, tree_head["signature"], "tree head"):
        raise RecordInvalid("tree head: bad signature")
    return body
