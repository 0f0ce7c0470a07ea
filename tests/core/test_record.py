"""Building and verifying gongzhi-record/1 documents made by the tests' own RecordKit."""

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulation.records import (
    CLOSES_AT,
    OPENS_AT,
    RecordKit,
    Voter,
    committee,
    full_kit,
    private_key,
    public_key,
    question,
    voters,
)
from voting.core import canonical, merkle, record, rules, signing
from voting.core.canonical import b64e, b64h, canon
from voting.core.record import RecordInvalid


def verify_fault(document, workers: int = 1) -> str:
    with pytest.raises(RecordInvalid) as raised:
        record.verify(document, workers)
    return str(raised.value)


def resign_tree_head(document: dict, key_name: str = "election") -> None:
    body = document["tree_head"]["body"]
    document["tree_head"]["signature"] = signing.sign(private_key(key_name), "tree-head", body)


def recertify(document: dict, officer_id: str = "street-1") -> None:
    """Replace the certifications by one over the record's current tree head and tally."""
    body = record.certification_body(document["tree_head"], document["tally"], officer_id, CLOSES_AT)
    document["certifications"] = [record.sign_certification(private_key(officer_id), body)]


# --- valid records --------------------------------------------------------------------------


def test_a_full_record_verifies_to_its_recount():
    kit = full_kit()
    document = kit.record()
    tally = record.verify(document)
    assert tally == rules.tally(kit.election, kit.roll, kit.log)
    assert tally["counted"] == 5  # v02 voted twice, v03 not at all
    motion_a, motion_b, motion_c = tally["motions"]
    assert motion_a["yes"] == {"area": 9000 + 10000 + 30000 + 12000, "heads": 4}
    assert motion_b["abstain"] == {"area": 30000, "heads": 1}  # "dev" left b blank
    assert motion_c["elected"] == ["k1", "k2"]


def test_verify_survives_a_json_round_trip_and_does_not_change_the_record():
    document = full_kit().record()
    parsed = canonical.parse_json(canon(document))
    before = copy.deepcopy(parsed)
    assert record.verify(parsed) == document["tally"]
    assert parsed == before


def test_build_assembles_the_document_and_the_hashes_match_the_spec():
    kit = full_kit()
    document = kit.record(certify=False)
    assert document["format"] == record.FORMAT == "gongzhi-record/1"
    assert set(document) == record.RECORD_KEYS
    assert document["certifications"] == []
    assert record.election_hash(kit.election) == b64e(canonical.H(canon(kit.election)))
    assert kit.election["roll_hash"] == record.roll_hash(kit.roll) == b64h(kit.roll)
    for entry in kit.log:
        assert record.entry_leaf_hash(entry) == merkle.leaf_hash(canon(entry))
    assert record.verify(document) == document["tally"]


@given(
    signer=st.text(min_size=1),
    signature=st.one_of(st.text(), st.integers(-(2**53), 2**53), st.none()),
    seq=st.integers(0, 2**53),
    ext=st.one_of(st.none(), st.dictionaries(st.text(), st.text(), max_size=2)),
)
def test_the_verifiers_leaf_hash_is_the_spec_leaf_hash(signer, signature, seq, ext):
    entry = copy.deepcopy(full_kit().log[0])
    entry["seq"] = seq
    entry["signatures"].append({"signer": signer, "signature": signature})
    if ext is not None:
        entry["ext"] = ext
    leaf_hash, ballot_bytes = record._leaf_hash_and_ballot_bytes(entry, "entry 0")
    assert leaf_hash == record.entry_leaf_hash(entry)
    assert ballot_bytes == canon(entry["ballot"])


def test_tree_head_and_certification_helpers_sign_what_the_spec_names():
    document = full_kit().record()
    tree_head = document["tree_head"]
    assert set(tree_head["body"]) == {"election_hash", "size", "root", "timestamp"}
    assert signing.verify(public_key("election"), "tree-head", tree_head["body"], tree_head["signature"])
    (certification,) = document["certifications"]
    assert certification["body"] == {
        "election_hash": tree_head["body"]["election_hash"],
        "tree_root": tree_head["body"]["root"],
        "tree_size": len(document["log"]),
        "tally_hash": b64h(document["tally"]),
        "certified_at": CLOSES_AT,
        "officer_id": "street-1",
    }
    assert signing.verify(public_key("street-1"), "certification", certification["body"], certification["signature"])


def test_an_empty_log_verifies_and_counts_nobody():
    document = RecordKit(voters(3), [question("a")]).record()
    tally = record.verify(document)
    assert tally["counted"] == 0
    assert tally["motions"][0]["result"] == "not_quorate"
    assert document["tree_head"]["body"]["root"] == b64e(merkle.EMPTY_ROOT)


def test_ballots_at_the_very_opening_and_closing_instants_count():
    kit = RecordKit(voters(2), [question("a")])
    kit.online("v0000", {"a": "yes"}, received_at=OPENS_AT)
    kit.online("v0001", {"a": "yes"}, received_at="2026-12-15T12:00:00Z")  # = CLOSES_AT
    assert record.verify(kit.record())["motions"][0]["result"] == "passed"


def test_sixteen_byte_nonces_and_one_nonce_for_different_voters_are_fine():
    kit = RecordKit(voters(2), [question("a")])
    kit.online("v0000", {"a": "yes"}, nonce=bytes(16))
    kit.online("v0001", {"a": "no"}, nonce=bytes(16))
    assert record.verify(kit.record())["counted"] == 2


def test_revote_first_with_one_ballot_each_verifies():
    kit = RecordKit(voters(3), [question("a")], revote="first")
    for voter_id in ("v0002", "v0000", "v0001"):
        kit.online(voter_id, {"a": "no"})
    assert record.verify(kit.record())["motions"][0]["no"] == {"area": 30000, "heads": 3}


def test_several_certifications_all_verify():
    kit = full_kit()
    kit.election["officers"].append(
        {"officer_id": "street-2", "role": "street_office", "public_key": public_key("street-2")}
    )
    kit.log.clear()  # ballots name the election hash, which just changed
    kit.online("v01", {"a": "yes"})
    document = kit.record()
    body = record.certification_body(document["tree_head"], document["tally"], "street-2", CLOSES_AT)
    document["certifications"].append(record.sign_certification(private_key("street-2"), body))
    assert record.verify(document)["counted"] == 1


@pytest.mark.parametrize("workers", [2, 3])
def test_workers_give_the_same_result(workers):
    document = full_kit().record()
    assert record.verify(document, workers=workers) == document["tally"]
    document["log"][4]["ballot"]["choices"]["a"] = "no"
    assert verify_fault(document, workers) == "entry 4: bad signature"


# --- ext ------------------------------------------------------------------------------------

EXT = {"note": "附加说明", "n": 1, "nested": {"list": [1, "x", None, True]}}


def record_with_ext_everywhere() -> dict:
    """A valid record with an ``ext`` in every object whose keys the spec fixes."""
    kit = RecordKit(
        [Voter("v01", units=["1-1-101"]), Voter("v02", has_credential=False)],
        [question("a"), committee("c", 1, ["k1"])],
    )
    election = kit.election
    for holder in (
        election,
        election["community"],
        election["motions"][0],
        election["motions"][1],
        election["motions"][1]["candidates"][0],
        election["officers"][0],
        kit.roll,
        kit.roll["voters"][0],
    ):
        holder["ext"] = copy.deepcopy(EXT)
    election["roll_hash"] = record.roll_hash(kit.roll)
    ballot = kit.ballot("v01", {"a": "yes", "c": ["k1"]})
    ballot["ext"] = copy.deepcopy(EXT)
    kit.append(ballot, ["v01"])["ext"] = copy.deepcopy(EXT)
    kit.paper("v02", {"a": "yes"})["signatures"][1]["ext"] = copy.deepcopy(EXT)
    document = kit.record()
    document["ext"] = copy.deepcopy(EXT)
    document["tree_head"]["ext"] = copy.deepcopy(EXT)
    document["tree_head"]["body"]["ext"] = copy.deepcopy(EXT)
    resign_tree_head(document)
    tally = document["tally"]
    for holder in (
        tally,
        tally["motions"][0],
        tally["motions"][0]["yes"],
        tally["motions"][1],
        tally["motions"][1]["candidates"][0],
    ):
        holder["ext"] = copy.deepcopy(EXT)
    recertify(document)
    certification = document["certifications"][0]
    certification["ext"] = copy.deepcopy(EXT)
    certification["body"]["ext"] = copy.deepcopy(EXT)
    certification["signature"] = signing.sign(private_key("street-1"), "certification", certification["body"])
    return document


def test_ext_is_allowed_wherever_the_spec_fixes_the_keys_and_left_out_of_the_recount():
    document = record_with_ext_everywhere()
    tally = record.verify(document)
    assert "ext" not in canon(tally).decode()
    assert tally["motions"][0]["result"] == "passed"


def ext_paths(value, path=()):
    if type(value) is dict:
        for key, item in value.items():
            if key == "ext":
                yield path + (key,)
            else:
                yield from ext_paths(item, path + (key,))
    elif type(value) is list:
        for index, item in enumerate(value):
            yield from ext_paths(item, path + (index,))


# ext outside every hash and signature: nothing binds it, so changing it changes nothing.
UNBOUND_EXT = {("ext",), ("tree_head", "ext"), ("certifications", 0, "ext")}


def test_ext_is_bound_by_the_hash_or_signature_over_the_object_that_holds_it():
    document = record_with_ext_everywhere()
    paths = list(ext_paths(document))
    assert len(paths) == 21
    for path in paths:
        changed = copy.deepcopy(document)
        get(changed, path[:-1])["ext"]["n"] = 2
        if path in UNBOUND_EXT:
            record.verify(changed)
        else:
            with pytest.raises(RecordInvalid):
                record.verify(changed)


@pytest.mark.parametrize(
    "path, message",
    [
        (("ext",), "record: ext.n is a floating-point number"),
        (("election", "ext"), "election: ext.n is a floating-point number"),
        (("log", 0, "ballot", "ext"), "entry 0 ballot: ext.n is a floating-point number"),
        (("tally", "ext"), "tally.ext.n is a floating-point number"),
    ],
)
def test_floats_are_refused_inside_ext_too(path, message):
    document = record_with_ext_everywhere()
    get(document, path)["n"] = 1.5
    assert verify_fault(document) == message


# --- tampering ------------------------------------------------------------------------------


def get(document, path):
    for step in path:
        document = document[step]
    return document


def leaves(value, path=()):
    """(path, value) of every scalar, empty list and empty object, outside ext."""
    if type(value) is dict and value:
        for key, item in value.items():
            if key != "ext":
                yield from leaves(item, path + (key,))
    elif type(value) is list and value:
        for index, item in enumerate(value):
            yield from leaves(item, path + (index,))
    else:
        yield path, value


def changed_values(value):
    if type(value) is bool:
        yield not value
    elif type(value) is int:
        yield value + 1
        yield -value - 1
    elif type(value) is str:
        yield value + "x"
        if value:
            yield value[:-1] + ("B" if value[-1] == "A" else "A")
    elif value is None:
        yield "x"
    elif value == []:
        yield ["x"]
    else:
        yield {"x": "x"}


@pytest.mark.parametrize("make", [lambda: full_kit().record(), record_with_ext_everywhere], ids=["full", "with-ext"])
def test_changing_any_single_value_outside_ext_is_detected(make):
    document = make()
    undetected = []
    for path, value in leaves(document):
        for new_value in changed_values(value):
            changed = copy.deepcopy(document)
            get(changed, path[:-1])[path[-1]] = new_value
            try:
                record.verify(changed)
            except RecordInvalid:
                continue
            undetected.append((path, new_value))
    assert undetected == []


def containers(value, path=()):
    if type(value) in (dict, list):
        yield path, value
        items = value.items() if type(value) is dict else enumerate(value)
        for key, item in items:
            if key != "ext":
                yield from containers(item, path + (key,))


def test_removing_any_key_or_list_item_is_detected_except_a_certification():
    document = full_kit().record()
    undetected = []
    for path, container in containers(document):
        for key in list(container if type(container) is dict else range(len(container))):
            changed = copy.deepcopy(document)
            del get(changed, path)[key]
            try:
                record.verify(changed)
            except RecordInvalid:
                continue
            undetected.append(path + (key,))
    # The format asks for no minimum number of certifications.
    assert undetected == [("certifications", 0)]


# --- every check of spec §3, each with its fault message ------------------------------------

FAULTS = []
UNCOUNTABLE = {"counted": 0, "motions": []}  # published tally of logs rules.tally cannot count


def fault(message: str):
    def register(make):
        FAULTS.append(pytest.param(make, message, id=make.__name__))
        return make

    return register


@fault('format is "gongzhi-record/2", not gongzhi-record/1')
def other_format():
    document = full_kit().record()
    document["format"] = "gongzhi-record/2"
    return document


@fault("record: missing key 'tally'")
def missing_tally():
    document = full_kit().record()
    del document["tally"]
    return document


@fault("record: unexpected key 'signature'")
def unexpected_key():
    document = full_kit().record()
    document["signature"] = "x"
    return document


@fault("roll voter 0: area is a floating-point number")
def float_area():
    document = full_kit().record()
    document["roll"]["voters"][0]["area"] = 30000.0
    return document


@fault("roll voter 1: heads is not an integer within ±2^53")
def boolean_heads():
    document = full_kit().record()
    document["roll"]["voters"][1]["heads"] = True
    return document


@fault("roll voter 1: area is not an integer within ±2^53")
def huge_area():
    document = full_kit().record()
    document["roll"]["voters"][1]["area"] = 2**53 + 1
    return document


@fault("roll voter 1: area is less than 0")
def negative_area():
    document = full_kit().record()
    document["roll"]["voters"][1]["area"] = -1
    return document


@fault("tally.counted is a floating-point number")
def float_in_tally():
    document = full_kit().record()
    document["tally"]["counted"] = 5.0
    return document


@fault("election: roll_hash does not match the roll")
def roll_changed():
    document = full_kit().record()
    document["roll"]["voters"][1]["area"] += 100
    document["roll"]["total_area"] += 100
    return document


@fault("roll: total_area is 80957, the voters sum to 80956")
def wrong_total():
    document = full_kit().record()
    document["roll"]["total_area"] += 1
    return document


@fault("roll voter 1: voters are not sorted by voter_id")
def unsorted_voters():
    document = full_kit().record()
    voters_list = document["roll"]["voters"]
    voters_list[0], voters_list[1] = voters_list[1], voters_list[0]
    return document


@fault('roll voter 2: duplicate voter_id "v01"')
def duplicate_voter():
    document = full_kit().record()
    document["roll"]["voters"][2]["voter_id"] = "v01"
    return document


@fault("roll voter 3: public_key is not an Ed25519 public key")
def small_order_voter_key():
    document = full_kit().record()
    document["roll"]["voters"][3]["public_key"] = b64e(bytes(32))
    return document


@fault("roll voter 0: units is not a list of strings")
def bad_units():
    document = full_kit().record()
    document["roll"]["voters"][0]["units"] = "1-1-101"
    return document


@fault("election: nonvoters_follow_majority must be false in format 1")
def nonvoters_follow_majority():
    document = full_kit().record()
    document["election"]["nonvoters_follow_majority"] = True
    return document


@fault('election: revote is not "first" or "last"')
def unknown_revote():
    document = full_kit().record()
    document["election"]["revote"] = "any"
    return document


@fault('election officer 0: role is "chair", not clerk or street_office')
def unknown_role():
    document = full_kit().record()
    document["election"]["officers"][0]["role"] = "chair"
    return document


@fault("election officer 1: public_key is not an Ed25519 public key")
def padded_officer_key():
    document = full_kit().record()
    officer = document["election"]["officers"][1]
    officer["public_key"] += "="
    return document


@fault("election: election_public_key is not an Ed25519 public key")
def short_election_key():
    document = full_kit().record()
    document["election"]["election_public_key"] = b64e(bytes(31))
    return document


@fault('election motion 2: duplicate motion_id "a"')
def duplicate_motion():
    document = full_kit().record()
    document["election"]["motions"][2]["motion_id"] = "a"
    return document


@fault('election motion 0: unknown kind "special"')
def unknown_kind():
    document = full_kit().record()
    document["election"]["motions"][0]["kind"] = "special"
    return document


@fault("election motion 2: seats is less than 1")
def no_seats():
    document = full_kit().record()
    document["election"]["motions"][2]["seats"] = 0
    return document


@fault("election motion 0: unexpected key 'seats'")
def seats_on_a_question():
    document = full_kit().record()
    document["election"]["motions"][0]["seats"] = 1
    return document


@fault('election motion 2 candidate 1: duplicate candidate_id "k1"')
def duplicate_candidate():
    document = full_kit().record()
    document["election"]["motions"][2]["candidates"][1]["candidate_id"] = "k1"
    return document


@fault("election: opens_at: not an RFC 3339 timestamp with an offset")
def opening_without_offset():
    document = full_kit().record()
    document["election"]["opens_at"] = "2026-12-01T08:00:00"
    return document


@fault("election: text that is not valid Unicode")
def lone_surrogate():
    document = full_kit().record()
    document["election"]["title"] = "\ud800"
    return document


@fault("log entry 1: seq is true")
def boolean_seq():
    document = full_kit().record()
    document["log"][1]["seq"] = True
    return document


@fault("log entry 2: seq is 1")
def repeated_seq():
    document = full_kit().record()
    document["log"][2]["seq"] = 1
    return document


@fault("entry 0: received outside the voting period")
def before_opening():
    kit = full_kit()
    kit.log.clear()
    kit.online("v01", {"a": "yes"}, received_at="2026-12-01T07:59:59+08:00")
    return kit.record()


@fault("entry 1: received outside the voting period")
def after_closing_in_another_zone():
    kit = RecordKit(voters(2), [question("a")])
    kit.online("v0000", {"a": "yes"})
    kit.online("v0001", {"a": "yes"}, received_at="2026-12-15T12:00:01Z")
    return kit.record()


@fault("entry 1: received before entry 0")
def time_goes_backwards():
    kit = RecordKit(voters(2), [question("a")])
    kit.online("v0000", {"a": "yes"}, received_at="2026-12-02T08:00:00+08:00")
    kit.online("v0001", {"a": "yes"}, received_at="2026-12-02T07:59:59+08:00")
    return kit.record()


@fault("entry 0: ballot is for another election (election_hash differs)")
def ballot_for_another_election():
    kit = RecordKit(voters(2), [question("a")])
    ballot = kit.ballot("v0000", {"a": "yes"})
    ballot["election_hash"] = b64h({"another": "election"})
    kit.append(ballot, ["v0000"])
    return kit.record()


@fault('entry 0: voter "v9999" is not on the roll')
def unknown_voter():
    kit = RecordKit(voters(2), [question("a")])
    kit.online("v9999", {"a": "yes"})
    return kit.record(tally=UNCOUNTABLE)


@fault("entry 0: nonce is shorter than 16 bytes")
def short_nonce():
    kit = RecordKit(voters(2), [question("a")])
    kit.online("v0000", {"a": "yes"}, nonce=bytes(15))
    return kit.record()


@fault("entry 0 ballot: nonce is not unpadded base64url")
def padded_nonce():
    kit = RecordKit(voters(2), [question("a")])
    ballot = kit.ballot("v0000", {"a": "yes"})
    ballot["nonce"] += "=="
    kit.append(ballot, ["v0000"])
    return kit.record()


@fault('entry 1: nonce already used by voter "v0000"')
def replayed_nonce():
    kit = RecordKit(voters(2), [question("a")])
    kit.online("v0000", {"a": "yes"}, nonce=bytes(16))
    kit.online("v0000", {"a": "no"}, nonce=bytes(16))
    return kit.record()


@fault('entry 0: choice for unknown motion "z"')
def unknown_motion():
    kit = full_kit()
    kit.log.clear()
    kit.online("v01", {"a": "yes", "z": "yes"})
    return kit.record(tally=UNCOUNTABLE)


@fault('entry 0: choice for motion "a" is not yes, no or abstain')
def unknown_choice():
    kit = full_kit()
    kit.log.clear()
    kit.online("v01", {"a": "maybe"})
    return kit.record(tally=UNCOUNTABLE)


@fault('entry 0: choice for motion "b" is not yes, no or abstain')
def list_for_a_question():
    kit = full_kit()
    kit.log.clear()
    kit.online("v01", {"b": ["yes"]})
    return kit.record(tally=UNCOUNTABLE)


@fault('entry 0: choice for motion "c" is not a list of candidates')
def string_for_a_committee():
    kit = full_kit()
    kit.log.clear()
    kit.online("v01", {"c": "k1"})
    return kit.record(tally=UNCOUNTABLE)


@fault('entry 0: choice for motion "c" names unknown candidate "k9"')
def unknown_candidate():
    kit = full_kit()
    kit.log.clear()
    kit.online("v01", {"c": ["k1", "k9"]})
    return kit.record(tally=UNCOUNTABLE)


@fault('entry 0: choice for motion "c" names a candidate twice')
def candidate_twice():
    kit = full_kit()
    kit.log.clear()
    kit.online("v01", {"c": ["k1", "k1"]})
    return kit.record(tally=UNCOUNTABLE)


@fault('entry 0: choice for motion "c" names more candidates than the 2 seats')
def too_many_candidates():
    kit = full_kit()
    kit.log.clear()
    kit.online("v01", {"c": ["k1", "k2", "k3"]})
    return kit.record(tally=UNCOUNTABLE)


@fault('entry 2: second ballot of voter "v0000" although revote is "first"')
def second_ballot_under_revote_first():
    kit = RecordKit([*voters(2), Voter("v0002", has_credential=False)], [question("a")], revote="first")
    kit.online("v0000", {"a": "yes"})
    kit.online("v0001", {"a": "yes"})
    kit.paper("v0000", {"a": "no"})
    return kit.record()


@fault("entry 0: online ballot needs exactly one signature, by its voter")
def online_signed_by_someone_else():
    kit = RecordKit(voters(2), [question("a")])
    kit.append(kit.ballot("v0000", {"a": "yes"}), ["v0001"])
    return kit.record()


@fault("entry 0: online ballot needs exactly one signature, by its voter")
def online_signed_twice():
    kit = RecordKit(voters(2), [question("a")])
    kit.append(kit.ballot("v0000", {"a": "yes"}), ["v0000", "v0000"])
    return kit.record()


@fault('entry 0: voter "v04" has no credential key')
def online_without_credential():
    kit = full_kit()
    kit.log.clear()
    kit.online("v04", {"a": "yes"})
    return kit.record()


@fault("entry 0: paper ballot needs two distinct clerks' signatures")
def paper_with_one_clerk():
    kit = full_kit()
    kit.log.clear()
    kit.paper("v04", {"a": "yes"}, clerks=["clerk-a"])
    return kit.record()


@fault("entry 0: paper ballot needs two distinct clerks' signatures")
def paper_by_one_clerk_twice():
    kit = full_kit()
    kit.log.clear()
    kit.paper("v04", {"a": "yes"}, clerks=["clerk-a", "clerk-a"])
    return kit.record()


@fault("entry 0: paper ballot needs two distinct clerks' signatures")
def paper_signed_by_the_street_office():
    kit = full_kit()
    kit.log.clear()
    kit.paper("v04", {"a": "yes"}, clerks=["clerk-a", "street-1"])
    return kit.record()


@fault("entry 0: paper ballot needs two distinct clerks' signatures")
def paper_with_three_signatures():
    kit = full_kit()
    kit.log.clear()
    kit.paper("v04", {"a": "yes"}, clerks=["clerk-a", "clerk-b", "clerk-a"])
    return kit.record()


@fault("entry 0 ballot: missing key 'paper_scan_sha256'")
def paper_without_scan():
    kit = full_kit()
    kit.log.clear()
    ballot = kit.ballot("v04", {"a": "yes"}, "paper")
    del ballot["paper_scan_sha256"]
    kit.append(ballot, ["clerk-a", "clerk-b"])
    return kit.record()


@fault("entry 0 ballot: unexpected key 'paper_scan_sha256'")
def online_with_scan():
    kit = full_kit()
    kit.log.clear()
    ballot = kit.ballot("v01", {"a": "yes"}, "paper")
    ballot["channel"] = "online"
    kit.append(ballot, ["v01"])
    return kit.record()


@fault("entry 0 ballot: paper_scan_sha256 is not 32 bytes")
def short_scan_hash():
    kit = full_kit()
    kit.log.clear()
    ballot = kit.ballot("v04", {"a": "yes"}, "paper")
    ballot["paper_scan_sha256"] = b64e(bytes(20))
    kit.append(ballot, ["clerk-a", "clerk-b"])
    return kit.record()


@fault('entry 0: unknown channel "email"')
def unknown_channel():
    kit = RecordKit(voters(2), [question("a")])
    kit.online("v0000", {"a": "yes"})
    kit.log[0]["ballot"]["channel"] = "email"
    return kit.record()


@fault("entry 1: bad signature")
def signature_of_another_ballot():
    document = full_kit().record()
    document["log"][1]["signatures"][0]["signature"] = document["log"][0]["signatures"][0]["signature"]
    return document


@fault("entry 2: bad signature")
def paper_ballot_changed_after_the_clerks_signed():
    document = full_kit().record()
    document["log"][2]["ballot"]["choices"]["a"] = "no"
    return document


@fault("tree head: election_hash does not match the election")
def tree_head_of_another_election():
    document = full_kit().record()
    document["tree_head"]["body"]["election_hash"] = b64h("other")
    resign_tree_head(document)
    return document


@fault("tree head: size is 5, the log holds 6 entries")
def tree_head_before_the_last_ballot():
    kit = full_kit()
    last = kit.log.pop()
    earlier = kit.record()
    kit.log.append(last)
    document = kit.record()
    document["tree_head"] = earlier["tree_head"]
    return document


@fault("tree head: root does not match the log")
def tree_head_over_another_log():
    document = full_kit().record()
    document["tree_head"]["body"]["root"] = b64e(merkle.root([merkle.leaf_hash(b"forged")]))
    resign_tree_head(document)
    return document


@fault("tree head: timestamp: not an RFC 3339 timestamp with an offset")
def tree_head_without_time():
    document = full_kit().record()
    document["tree_head"]["body"]["timestamp"] = "today"
    resign_tree_head(document)
    return document


@fault("tree head: bad signature")
def tree_head_signed_by_a_clerk():
    document = full_kit().record()
    resign_tree_head(document, "clerk-a")
    return document


@fault("published tally differs from the recount")
def tally_changed():
    document = full_kit().record()
    document["tally"]["motions"][1]["result"] = "passed"
    recertify(document)
    return document


@fault("published tally differs from the recount")
def tally_with_a_boolean_count():
    kit = RecordKit(voters(1), [question("a")])
    kit.online("v0000", {"a": "yes"})
    document = kit.record()
    document["tally"]["counted"] = True
    recertify(document)
    return document


@fault("certification 0: tally_hash does not match the published tally")
def certification_of_another_tally():
    document = full_kit().record()
    other = copy.deepcopy(document["tally"])
    other["motions"][0]["result"] = "failed"
    body = record.certification_body(document["tree_head"], other, "street-1", CLOSES_AT)
    document["certifications"] = [record.sign_certification(private_key("street-1"), body)]
    return document


@fault("certification 0: certifies another tree head")
def certification_of_an_earlier_tree_head():
    kit = full_kit()
    last = kit.log.pop()
    earlier = kit.record()
    kit.log.append(last)
    document = kit.record()
    body = record.certification_body(earlier["tree_head"], document["tally"], "street-1", CLOSES_AT)
    document["certifications"] = [record.sign_certification(private_key("street-1"), body)]
    return document


@fault('certification 0: "clerk-a" is not a street office officer')
def certification_by_a_clerk():
    document = full_kit().record()
    recertify(document, "clerk-a")
    return document


@fault('certification 0: "mayor" is not a street office officer')
def certification_by_a_stranger():
    document = full_kit().record()
    recertify(document, "mayor")
    return document


@fault("certification 0: bad signature")
def certification_signed_with_another_key():
    document = full_kit().record()
    body = document["certifications"][0]["body"]
    document["certifications"][0]["signature"] = signing.sign(private_key("mayor"), "certification", body)
    return document


@fault("certification 0: bad signature")
def certification_signature_for_another_purpose():
    document = full_kit().record()
    body = document["certifications"][0]["body"]
    document["certifications"][0]["signature"] = signing.sign(private_key("street-1"), "tree-head", body)
    return document


@fault("certification 0 body: missing key 'certified_at'")
def certification_without_time():
    document = full_kit().record()
    del document["certifications"][0]["body"]["certified_at"]
    return document


@pytest.mark.parametrize("make, message", FAULTS)
def test_each_fault_is_reported_by_name(make, message):
    assert verify_fault(make()) == message


@pytest.mark.parametrize("not_a_record", [None, [], "record", 1])
def test_a_record_must_be_an_object(not_a_record):
    assert verify_fault(not_a_record) == "record is not an object"


def test_the_fault_reported_is_the_earliest_in_the_log():
    document = full_kit().record()
    document["log"][0]["ballot"]["choices"]["a"] = "no"  # breaks entry 0's signature
    document["log"][3]["seq"] = 7
    assert verify_fault(document) == "entry 0: bad signature"
    document = full_kit().record()
    document["log"][0]["seq"] = 7
    document["log"][3]["ballot"]["choices"]["a"] = "no"
    assert verify_fault(document) == "log entry 0: seq is 7"
