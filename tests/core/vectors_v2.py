"""The conformance vectors of format 2 (docs/spec/election-record-v2.md), made from recordkit_v2.

Each vector is a record and the verdict the spec gives it: valid with its tally, or invalid at
one named check. Under receipts/, owners' receipts and what checking each against the record
valid-full finds: counted, replaced (by which ballot), or invalid at a named check. ``python -m tests.core.vectors_v2`` writes them to tests/core/vectors-v2/;
tests/core/test_vectors_v2.py checks the files still come out of this module byte for byte,
and that the verifier gives each its verdict.
"""

import json
import sys
from datetime import timedelta
from pathlib import Path

from voting.core import record_v2, rules
from voting.core.canonical import format_time, parse_json, parse_time

from tests.core.recordkit import CLOSES_AT, OPENS_AT, private_key
from tests.core.recordkit_v2 import RecordKit, Voter, committee, full_kit, question, voters

DIRECTORY = Path(__file__).resolve().parent / "vectors-v2"
# The published tally of a record whose log cannot be counted; the verifier stops before it.
UNCOUNTABLE = {"counted": 0, "motions": []}
AFTER_CLOSE = format_time(parse_time(CLOSES_AT) + timedelta(hours=2))


def _simple(revote: str = "last", invalid_ballot: str = "took_part", count: int = 4) -> RecordKit:
    return RecordKit(voters(count), [question("m1"), question("m2", item=8, title="改变共有部分用途")],
                     revote=revote, invalid_ballot=invalid_ballot)


# --- valid records ----------------------------------------------------------------------------


def valid_full():
    return full_kit().record()


def valid_revote_first():
    kit = _simple("first")
    for voter_id, choice in (("v0000", "yes"), ("v0001", "yes"), ("v0002", "no")):
        kit.online(voter_id, {"m1": choice, "m2": choice})
    kit.handed_in_paper("v0003", {"m1": "yes"})
    return kit.record()


def valid_invalid_not_counted():
    """Under "not_counted" the voter whose mark on m1 is invalid does not take part in m1."""
    kit = _simple(invalid_ballot="not_counted")
    kit.online("v0000", {"m1": "yes", "m2": "yes"})
    kit.online("v0001", {"m1": "yes", "m2": "yes"})
    kit.online("v0002", {"m1": "no", "m2": "yes"})
    handin = kit.handin("D0001")
    kit.witness_close()
    kit.paper("v0003", {"m2": "no"}, handin["seq"], invalid={"m1": "several_marks"}, at=AFTER_CLOSE)
    return kit.record()


def valid_major_exact_three_quarters():
    kit = _simple()
    for voter_id, choice in (("v0000", "yes"), ("v0001", "yes"), ("v0002", "yes"), ("v0003", "no")):
        kit.online(voter_id, {"m2": choice})
    return kit.record()


def valid_committee_tie_at_edge():
    kit = RecordKit(voters(5), [committee("c", 2, ["k1", "k2", "k3"])])
    for voter_id, picked in (("v0000", ["k1", "k2"]), ("v0001", ["k1", "k3"]), ("v0002", ["k1", "k2"]),
                             ("v0003", ["k1", "k3"]), ("v0004", ["k2", "k3"])):
        kit.online(voter_id, {"c": picked})
    return kit.record()


def valid_empty_log():
    return _simple().record()


def valid_paper_cast_before_online():
    """Handed in before the owner's online ballot, keyed after the close: the online one,
    cast later, counts; no identity check is needed, since no online ballot came first."""
    kit = _simple()
    handin = kit.handin("D0007", "v0000")
    kit.online("v0000", {"m1": "no"})
    kit.witness_close()
    kit.paper("v0000", {"m1": "yes"}, handin["seq"], at=AFTER_CLOSE)
    return kit.record()


# --- one fault each -----------------------------------------------------------------------------


def float_in_record():
    """A record as a file, with one area written as a floating-point number."""
    text = _pretty(full_kit().record()).decode()
    return text.replace('"area": 8956', '"area": 8956.0', 1).encode()


def wrong_format():
    document = full_kit().record()
    document["format"] = "gongzhi-record/3"
    return document


def community_code_empty():
    document = full_kit().record()
    document["election"]["community"]["code"] = ""
    return document


def first_scope_not_estate():
    document = full_kit().record()
    scopes = document["election"]["scopes"]
    scopes[0], scopes[1] = scopes[1], scopes[0]
    return document


def election_key_of_small_order():
    document = full_kit().record()
    document["election"]["election_public_key"] = "A" * 43  # y = 0: a point of small order
    return document


def opens_after_closes():
    document = full_kit().record()
    document["election"]["opens_at"] = document["election"]["closes_at"]
    return document


def motion_item_out_of_range():
    document = full_kit().record()
    document["election"]["motions"][0]["item"] = 10
    return document


def unknown_motion_kind():
    document = full_kit().record()
    document["election"]["motions"][0]["kind"] = "choice"
    return document


def committee_not_item_3():
    document = full_kit().record()
    document["election"]["motions"][2]["item"] = 4
    return document


def second_clerk_key_of_one_account():
    document = full_kit().record()
    officers = document["election"]["officers"]
    officers[1]["account"] = officers[0]["account"]
    return document


def voters_not_sorted():
    document = full_kit().record()
    voters_ = document["roll"]["voters"]
    voters_[0], voters_[1] = voters_[1], voters_[0]
    return document


def totals_differ():
    document = full_kit().record()
    document["roll"]["totals"]["estate"]["area"] += 1
    return document


def weights_without_estate():
    document = full_kit().record()
    weights = document["roll"]["voters"][0]["weights"]
    weights["b1"] = weights.pop("estate")
    return document


def voter_of_two_heads():
    document = full_kit().record()
    document["roll"]["voters"][0]["weights"]["estate"]["heads"] = 2
    document["roll"]["totals"]["estate"]["heads"] += 1
    return document


def officer_id_with_a_space():
    document = full_kit().record()
    document["election"]["officers"][4]["officer_id"] = "street 1"
    return document


def voter_key_of_an_officer():
    document = full_kit().record()
    document["roll"]["voters"][2]["public_key"] = document["election"]["officers"][0]["public_key"]
    return document


def units_commitment_short():
    document = full_kit().record()
    document["roll"]["voters"][1]["units_commitment"] = "AAAA"
    return document


def roll_hash_differs():
    """A voter's area raised by 0.01 m² with the totals kept consistent, but not the roll hash."""
    document = full_kit().record()
    document["roll"]["voters"][2]["weights"]["estate"]["area"] += 1
    document["roll"]["totals"]["estate"]["area"] += 1
    return document


def dropped_entry():
    document = full_kit().record()
    del document["log"][3]
    return document


def body_for_another_election():
    kit = _simple()
    entry = kit.online("v0000", {"m1": "yes"})
    entry["body"]["election_hash"] = record_v2.election_hash({**kit.election, "title": "另一次表决"})
    return kit.record()


def nonce_too_short():
    kit = _simple()
    kit.online("v0000", {"m1": "yes"}, nonce=b"n" * 15)
    return kit.record()


def notices_count_negative():
    kit = _simple()
    kit.notices(-1)
    return kit.record()


def logged_before_previous():
    kit = _simple()
    kit.online("v0000", {"m1": "yes"}, at=format_time(parse_time(OPENS_AT) + timedelta(hours=2)))
    kit.online("v0001", {"m1": "yes"}, at=format_time(parse_time(OPENS_AT) + timedelta(hours=1)))
    return kit.record()


def online_after_close():
    kit = _simple()
    kit.online("v0000", {"m1": "yes"}, at=AFTER_CLOSE)
    return kit.record()


def paper_fabricated_after_close():
    """Clerks key a ballot after the close and log a hand-in for it after the close too."""
    kit = _simple()
    kit.online("v0000", {"m1": "yes"})
    handin = kit.handin("D0099", at=AFTER_CLOSE)
    kit.paper("v0001", {"m1": "no"}, handin["seq"], at=AFTER_CLOSE)
    return kit.record()


def choice_and_invalid_mark():
    kit = _simple()
    handin = kit.handin("D0001")
    kit.paper("v0000", {"m1": "yes"}, handin["seq"], invalid={"m1": "unreadable"})
    return kit.record()


def choice_outside_scope():
    kit = RecordKit([Voter("v0000", scopes={"b1": (10000, 1)}), Voter("v0001")],
                    [question("m1", item=5, title="使用维修资金维修1幢屋面", scope="b1")],
                    scopes=[{"scope_id": "b1", "title": "1幢"}])
    kit.online("v0001", {"m1": "yes"})  # v0001 holds no unit in building 1
    return kit.record(tally=UNCOUNTABLE)


def nonce_reused():
    kit = _simple()
    kit.online("v0000", {"m1": "yes"}, nonce=b"n" * 16)
    kit.online("v0000", {"m1": "no"}, nonce=b"n" * 16)
    return kit.record()


def second_ballot_under_first():
    kit = _simple("first")
    kit.online("v0000", {"m1": "yes"})
    kit.handed_in_paper("v0000", {"m1": "no"})
    return kit.record()


def handin_named_twice():
    kit = _simple()
    handin = kit.handin("D0001")
    kit.paper("v0000", {"m1": "yes"}, handin["seq"])
    kit.paper("v0001", {"m1": "yes"}, handin["seq"])
    return kit.record()


def paper_without_handin():
    kit = _simple()
    online = kit.online("v0000", {"m1": "yes"})
    kit.paper("v0001", {"m1": "yes"}, online["seq"])
    return kit.record(tally=UNCOUNTABLE)


def paper_replaces_online_unchecked():
    """Two clerks key a paper "no" for an owner who voted "yes" online, from the sealed box."""
    kit = _simple()
    kit.online("v0000", {"m1": "yes", "m2": "yes"})
    handin = kit.handin("D0001", "v0000")
    kit.paper("v0000", {"m1": "no", "m2": "no"}, handin["seq"], at=AFTER_CLOSE)
    return kit.record()


def clerks_of_one_person():
    """A preparation-group member's second "clerk" account countersigns his colleague's ballot:
    two accounts, one person."""
    kit = _simple()
    kit.election["officers"][1]["person"] = kit.election["officers"][0]["person"]
    kit.hash = record_v2.election_hash(kit.election)
    kit.online("v0000", {"m1": "yes"})
    kit.handed_in_paper("v0001", {"m1": "no"})
    return kit.record()


def altered_choice():
    document = full_kit().record()
    document["log"][1]["body"]["choices"]["a"] = "no"  # the owner's "yes" made "no"
    return document


def ballot_by_replaced_key():
    """A ballot signed with a credential key after that key was replaced by a reissue."""
    kit = _simple()
    kit.credential("v0000", "reissue")
    kit.key_names["v0000"] = "v0000"  # the old notice's key
    kit.online("v0000", {"m1": "yes"})
    return kit.record()


def ballot_after_revocation():
    kit = _simple()
    kit.credential("v0001", "revoke", reason="compromised")
    kit.key_names["v0001"] = "v0001"
    kit.online("v0001", {"m1": "yes"})
    return kit.record()


def credential_act_by_one_person():
    kit = _simple()
    kit.credential("v0002", "reissue", signers=("prep-1",))
    return kit.record()


def signed_by_an_unknown_officer():
    kit = _simple()
    handin = kit.handin("D0001")
    kit.paper("v0000", {"m1": "yes"}, handin["seq"], clerks=("clerk-a", "clerk-z"))
    return kit.record()


def reissued_key_of_an_officer():
    kit = _simple()
    entry = kit.credential("v0002", "reissue")
    entry["body"]["public_key"] = kit.election["officers"][0]["public_key"]
    entry["signatures"] = [record_v2.sign_body(private_key(name), name, "credential", entry["body"])
                           for name in ("prep-1", "prep-2")]
    return kit.record()


def desk_receipt_reused():
    kit = _simple()
    kit.handin("D0001")
    kit.handin("D0001")
    return kit.record()


def reissued_key_seen_before():
    kit = _simple()
    entry = kit.credential("v0002", "reissue")
    entry["body"]["public_key"] = kit.roll["voters"][0]["public_key"]
    entry["signatures"] = [record_v2.sign_body(private_key(name), name, "credential", entry["body"])
                           for name in ("prep-1", "prep-2")]
    return kit.record()


def history_rewritten():
    """The operator, holding the vote's key, deletes an owner's ballot after a witness cosigned
    the head that covers it, renumbers the log, signs a new tree head and recounts."""
    kit = _simple()
    for voter_id in ("v0000", "v0001", "v0002"):
        kit.online(voter_id, {"m1": "yes"})
    kit.witness()
    kit.online("v0003", {"m1": "no"})
    del kit.log[1]
    for seq, entry in enumerate(kit.log):
        entry["seq"] = seq
    return kit.record()


def checkpoints_out_of_order():
    kit = _simple()
    kit.online("v0000", {"m1": "yes"})
    kit.witness()
    kit.online("v0001", {"m1": "yes"})
    kit.witness()
    kit.checkpoints.reverse()
    return kit.record()


def handin_after_witnessed_close():
    """Two clerks log a hand-in back-dated to before the close, after the street office had
    cosigned the head at the close, and key a paper ballot for it."""
    kit = _simple()
    kit.online("v0000", {"m1": "yes"})
    kit.witness_close()
    handin = kit.handin("D0666", at=CLOSES_AT)
    kit.paper("v0001", {"m1": "no"}, handin["seq"], at=AFTER_CLOSE)
    return kit.record()


def close_not_witnessed():
    kit = _simple()
    kit.online("v0000", {"m1": "yes"})
    kit.witness()  # during the vote only
    return kit.record(witness_close=False)


def checkpoint_log_signature_bad():
    document = full_kit().record()
    head = document["checkpoints"][1]
    head["signature"] = document["checkpoints"][0]["signature"]
    return document


def cosignature_by_clerk():
    kit = _simple()
    kit.online("v0000", {"m1": "yes"})
    kit.witness(("clerk-a",))
    return kit.record()


def cosignature_before_its_entries():
    kit = _simple()
    kit.online("v0000", {"m1": "yes"})
    kit.witness(time=int(parse_time(OPENS_AT).timestamp()))
    return kit.record()


def witness_cosigned_twice():
    kit = _simple()
    kit.online("v0000", {"m1": "yes"})
    head = kit.witness()
    head["cosignatures"].append(dict(head["cosignatures"][0]))
    return kit.record()


def altered_tally():
    kit = full_kit()
    tally = rules.tally_v2(kit.election, kit.roll, kit.log)
    tally["motions"][1]["result"] = "passed"
    return kit.record(tally=tally)


def certification_of_another_tally():
    document = full_kit().record()
    document["tally"]["ext"] = {"note": "published after certification"}
    return document


VALID = [valid_full, valid_revote_first, valid_invalid_not_counted, valid_major_exact_three_quarters,
         valid_committee_tie_at_edge, valid_empty_log, valid_paper_cast_before_online]
INVALID = {
    "D1": [float_in_record],
    "D2": [wrong_format],
    "E1": [community_code_empty],
    "E2": [opens_after_closes],
    "E3": [first_scope_not_estate],
    "E4": [motion_item_out_of_range],
    "E5": [unknown_motion_kind, committee_not_item_3],
    "E6": [second_clerk_key_of_one_account, officer_id_with_a_space],
    "E7": [election_key_of_small_order],
    "R1": [voters_not_sorted],
    "R2": [weights_without_estate, voter_of_two_heads],
    "R3": [voter_key_of_an_officer],
    "R4": [units_commitment_short],
    "R5": [totals_differ],
    "R6": [roll_hash_differs],
    "L1": [dropped_entry],
    "L2": [logged_before_previous],
    "L3": [body_for_another_election],
    "L4": [online_after_close, paper_fabricated_after_close],
    "L5": [nonce_too_short],
    "L6": [choice_and_invalid_mark],
    "L7": [choice_outside_scope],
    "L8": [nonce_reused],
    "L9": [second_ballot_under_first],
    "L10": [handin_named_twice, paper_without_handin],
    "L11": [paper_replaces_online_unchecked],
    "L12": [clerks_of_one_person, altered_choice, ballot_by_replaced_key, ballot_after_revocation,
            credential_act_by_one_person, signed_by_an_unknown_officer],
    "L13": [desk_receipt_reused],
    "L14": [reissued_key_seen_before, reissued_key_of_an_officer],
    "L15": [notices_count_negative],
    "T1": [checkpoints_out_of_order],
    "T2": [history_rewritten],
    "T3": [checkpoint_log_signature_bad],
    "T4": [cosignature_by_clerk, cosignature_before_its_entries, witness_cosigned_twice],
    "T5": [handin_after_witnessed_close, close_not_witnessed],
    "C1": [altered_tally],
    "C2": [certification_of_another_tally],
}


# Receipts (spec §10), each checked against the record of ``valid-full``: what an owner's check finds.
def _receipts() -> dict[str, dict]:
    kit = full_kit()
    honest = {
        "receipt-counted": kit.receipt(1),  # a7k2's only ballot
        "receipt-replaced-online": kit.receipt(2),  # c3m9 voted again at entry 7
        "receipt-against-a-later-head": kit.receipt(2, size=9),
    }
    forged_head = dict(kit.receipt(1))
    forged_head["checkpoint"] = {**forged_head["checkpoint"], "signature": kit.receipt(2)["checkpoint"]["signature"]}
    return {
        **honest,
        "receipt-other-election": {**kit.receipt(1), "election_id": "another vote"},
        "receipt-forged-head": forged_head,
        "receipt-misplaced": {**kit.receipt(1), "seq": 0},
        "receipt-of-a-hand-in": kit.receipt(3),
    }


def receipt_verdict(document: dict, receipt: dict) -> dict:
    """What the project's verifier finds of a receipt against a valid record."""
    try:
        return record_v2.check_receipt(document, record_v2.verify_record(document), receipt).as_json()
    except record_v2.RecordInvalid as fault:
        return {"receipt": "invalid", "check": fault.check, "reason": str(fault)}


def _name(builder) -> str:
    return builder.__name__.replace("_", "-")


def vectors() -> dict[str, tuple[dict, dict]]:
    """name -> (record, expected verdict); a record is a document, or bytes where the fault is
in the file itself."""
    made = {}
    for builder in VALID:
        document = builder()
        made[_name(builder)] = (document, {"valid": True, "tally": document["tally"]})
    for check, builders in INVALID.items():
        for builder in builders:
            made[_name(builder)] = (builder(), {"valid": False, "check": check})
    return made


def file_contents() -> dict[str, bytes]:
    """What the vectors directory holds: one pretty-printed file per record, and expected.json."""
    contents = {}
    expected = {}
    for name, (document, verdict) in vectors().items():
        contents[f"{name}.json"] = document if type(document) is bytes else _pretty(document)
        if not verdict["valid"]:
            verdict = {**verdict, "reason": verdict_of(contents[f"{name}.json"])}
        expected[name] = verdict
    contents["expected.json"] = _pretty(expected)
    record = valid_full()
    findings = {}
    for name, receipt in _receipts().items():
        contents[f"receipts/{name}.json"] = _pretty(receipt)
        findings[name] = {"record": "valid-full", **receipt_verdict(record, receipt)}
    contents["receipts/expected.json"] = _pretty(findings)
    return contents


def verdict_of(content: bytes, workers: int = 1) -> str:
    """What the project's verifier says of a record file: VALID, or the fault with its check."""
    try:
        record_v2.verify(parse_json(content), workers=workers)
    except ValueError as fault:  # not JSON that a record may be
        return f"[D1] not a JSON record: {fault}"
    except record_v2.RecordInvalid as fault:
        return str(fault)
    return "VALID"


def _pretty(value) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def write(directory: Path = DIRECTORY) -> None:
    (directory / "receipts").mkdir(parents=True, exist_ok=True)
    for stale in [*directory.glob("*.json"), *directory.glob("receipts/*.json")]:
        stale.unlink()
    for name, content in file_contents().items():
        (directory / name).write_bytes(content)


if __name__ == "__main__":
    write(Path(sys.argv[1]) if len(sys.argv) > 1 else DIRECTORY)
