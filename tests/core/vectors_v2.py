"""The conformance vectors of format 2 (docs/spec/election-record-v2.md), made from records_v2.

Each vector is a record and the verdict the spec gives it: valid with its tally, or invalid at
one named check. Under receipts/, owners' receipts and what checking each against a valid record
(the one its expected entry names) finds: counted, replaced (by which ballot), or invalid at a
named check. Under held/, checkpoints kept as C2SP signed notes (spec §10, held checkpoints) and
what checking each against valid-full finds: extended, or invalid at H1, H2 or H3.
``python -m tests.core.vectors_v2`` writes them to tests/core/vectors-v2/;
tests/core/test_vectors_v2.py checks the files still come out of this module byte for byte,
and that the verifier gives each its verdict.
"""

import base64
import json
import struct
import sys
from datetime import timedelta
from pathlib import Path

from simulation.records import CLOSES_AT, OPENS_AT, private_key, public_key
from simulation.records_v2 import (
    APPROVERS,
    STREET_OFFICER,
    RecordKit,
    Voter,
    choice_motion,
    committee,
    full_kit,
    minutes_after_opening,
    question,
    voters,
)
from voting.core import checkpoint, fields, merkle, record_v2, rules
from voting.core.canonical import H, b64d, b64e, format_time, parse_json, parse_time

DIRECTORY = Path(__file__).resolve().parent / "vectors-v2"
# The published tally of a record whose log cannot be counted; the verifier stops before it.
UNCOUNTABLE = {"counted": 0, "motions": []}
AFTER_CLOSE = format_time(parse_time(CLOSES_AT) + timedelta(hours=2))


def _simple(revote: str = "last", invalid_ballot: str = "took_part", count: int = 4) -> RecordKit:
    return RecordKit(
        voters(count),
        [question("m1"), question("m2", item=8, title="改变共有部分用途")],
        revote=revote,
        invalid_ballot=invalid_ballot,
    )


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
    for voter_id, picked in (
        ("v0000", ["k1", "k2"]),
        ("v0001", ["k1", "k3"]),
        ("v0002", ["k1", "k2"]),
        ("v0003", ["k1", "k3"]),
        ("v0004", ["k2", "k3"]),
    ):
        kit.online(voter_id, {"c": picked})
    return kit.record()


def valid_choice_adopted():
    """A choice among three companies: o2 has 4 of the 7 heads and area taking part, more than
    half; a paper ballot with two options ticked is invalid (took part, agreed to none)."""
    kit = RecordKit(voters(7), [choice_motion("p", ["o1", "o2", "o3"])])
    for voter_id, picked in (("v0000", ["o2"]), ("v0001", ["o2"]), ("v0002", ["o2"]), ("v0003", ["o2"])):
        kit.online(voter_id, {"p": picked})
    kit.online("v0004", {"p": ["o1"]})
    kit.online("v0005", {"p": []})
    kit.handed_in_paper("v0006", {}, invalid={"p": "several_marks"})
    return kit.record()


def valid_choice_none_adopted():
    """Major item 8: an option with 3 of the 5 heads taking part is short of 3/4, so none is
    adopted although the motion is quorate."""
    kit = RecordKit(voters(5), [choice_motion("p", ["o1", "o2"], item=8, title="共有部分改作何用")])
    for voter_id, picked in (("v0000", ["o1"]), ("v0001", ["o1"]), ("v0002", ["o1"]), ("v0003", ["o2"])):
        kit.online(voter_id, {"p": picked})
    kit.online("v0004", {})
    return kit.record()


def valid_empty_log():
    return _simple().record()


def _paper_cast_before_online_kit() -> RecordKit:
    kit = _simple()
    handin = kit.handin("D0007", "v0000")
    kit.online("v0000", {"m1": "no"})
    kit.witness_close()
    kit.paper("v0000", {"m1": "yes"}, handin["seq"], at=AFTER_CLOSE)
    return kit


def valid_paper_cast_before_online():
    """Handed in before the owner's online ballot, keyed after the close: the online one,
    cast later, counts; no identity check is needed, since no online ballot came first."""
    return _paper_cast_before_online_kit().record()


def _paper_replaces_online_kit() -> RecordKit:
    """v0000 votes online, then hands in a paper ballot in person (identity checked): the paper
    ballot, cast later, counts. The hand-in's time is written in UTC with a lower-case t and z and
    a fraction of three digits; the paper ballot's with -00:00 and nine digits, the last three
    zero: all are timestamps, compared as instants."""
    kit = _simple()
    kit.online("v0000", {"m1": "yes", "m2": "yes"})
    handin = kit.handin("D-7", "v0000", identity_checked=True, at="2026-12-01t00:30:00.250z")
    kit.paper(
        "v0000",
        {"m1": "no", "m2": "no"},
        handin["seq"],
        clerks=("clerk-b", "clerk-a"),
        at="2026-12-01T00:45:00.500000000-00:00",
    )
    kit.online("v0001", {"m1": "yes"}, at="2026-12-01T08:50:00+08:00")
    return kit


def valid_paper_replaces_online():
    return _paper_replaces_online_kit().record()


def valid_with_ext_and_bom():
    """ext on every kind of closed object — the document, the election, the roll, a voter, a log
    entry and a ballot body, a checkpoint and its cosignature, the tally, a certification — and a
    UTF-8 byte-order mark before the JSON. ext is hashed and signed with its object; the tally is
    recounted without it, and certified with it."""
    kit = _simple()
    kit.roll["ext"] = {"printed": "2026-11-30"}
    kit.roll["voters"][0]["ext"] = [1, {"deep": [None, True]}]
    kit.election["roll_hash"] = record_v2.roll_hash(kit.roll)
    kit.election["ext"] = {"source": "vectors"}
    kit.hash = record_v2.election_hash(kit.election)
    body = {**kit.ballot_body("v0000", {"m1": "yes"}), "ext": {"app": "2.1"}}
    entry = kit.append("ballot", body, [("v0000", "v0000")])
    entry["ext"] = "entry ext"
    kit.online("v0001", {"m1": "no"})
    head = kit.witness_close()
    head["ext"] = {"posted": "notice board"}
    head["cosignatures"][0]["ext"] = 0
    tally = rules.tally_v2(kit.election, kit.roll, kit.log)
    tally["ext"] = {"turnout_note": "二分之一"}
    tally["motions"][0]["ext"] = None
    document = kit.record(tally=tally)
    document["ext"] = {"exported_by": "vectors"}
    document["certifications"][0]["ext"] = {"stamp": "街道办"}
    return b"\xef\xbb\xbf" + _pretty(document)


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


def committee_of_even_size_in_rules():
    """The rules profile allows a committee of 4 to 11: no committee has an even size."""
    document = full_kit().record()
    document["election"]["rules"]["committee_min_members"] = 4
    return document


def committee_of_six_in_rules():
    """At least 5, at most 11, but even: the size rule itself, not its lower bound."""
    document = full_kit().record()
    document["election"]["rules"]["committee_max_members"] = 6
    return document


def buyers_by_household_in_rules():
    """A reading of 「同一买受人」 the format does not know: the verifier cannot say what it means."""
    document = full_kit().record()
    document["election"]["rules"]["buyers"] = "household"
    return document


def notice_shorter_than_the_law_in_rules():
    document = full_kit().record()
    document["election"]["rules"]["notice_days"] = 14
    return document


def rules_without_max_extension_days():
    document = full_kit().record()
    del document["election"]["rules"]["max_extension_days"]
    return document


def motion_item_out_of_range():
    document = full_kit().record()
    document["election"]["motions"][0]["item"] = 10
    return document


def unknown_motion_kind():
    document = full_kit().record()
    document["election"]["motions"][0]["kind"] = "ranking"
    return document


def choice_of_one_option():
    kit = RecordKit(voters(3), [choice_motion("p", ["o1"])])
    return kit.record(tally=UNCOUNTABLE)


def choice_naming_two_options():
    kit = RecordKit(voters(3), [choice_motion("p", ["o1", "o2", "o3"])])
    kit.online("v0000", {"p": ["o1", "o2"]})
    return kit.record(tally=UNCOUNTABLE)


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
    kit = RecordKit(
        [Voter("v0000", scopes={"b1": (10000, 1)}), Voter("v0001")],
        [question("m1", item=5, title="使用维修资金维修1幢屋面", scope="b1")],
        scopes=[{"scope_id": "b1", "title": "1幢"}],
    )
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
    entry["signatures"] = [
        record_v2.sign_body(private_key(name), name, "credential", entry["body"]) for name in ("prep-1", "prep-2")
    ]
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
    entry["signatures"] = [
        record_v2.sign_body(private_key(name), name, "credential", entry["body"]) for name in ("prep-1", "prep-2")
    ]
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


def _with_text(old: str, new: str) -> bytes:
    """valid-full as a file, with one piece of text replaced."""
    text = _pretty(full_kit().record()).decode()
    assert old in text
    return text.replace(old, new, 1).encode()


def nan_in_record():
    return _with_text('"area": 8956', '"area": NaN')


def duplicate_key_written_with_escape():
    """ "election_id" twice in the election, once written "\\u0065lection_id"."""
    return _with_text('"election_id": "e2"', '"election_id": "e2", "\\u0065lection_id": "e2"')


def lone_surrogate():
    """The election's title ends in \\ud800, a lone surrogate: no UTF-8 text can hold it."""
    return _with_text('"业主大会表决"', '"业主大会表决\\ud800"')


def election_without_scopes():
    document = full_kit().record()
    del document["election"]["scopes"]
    return document


def integer_beyond_2_53_in_ext():
    document = full_kit().record()
    document["election"]["ext"] = {"n": 2**53 + 1}
    return document


def integer_beyond_2_53_in_a_motion_ext():
    """A motion's ext is read with its kind's keys, by E5 (E4 reads only its common keys)."""
    document = full_kit().record()
    document["election"]["motions"][0]["ext"] = {"n": 2**53 + 1}
    return document


def opens_on_a_day_that_does_not_exist():
    document = full_kit().record()
    document["election"]["opens_at"] = "2026-02-29T08:00:00+08:00"  # 2026 is not a leap year
    return document


def officer_id_with_a_control_space():
    """U+001F (unit separator) is white space to str.isspace, though not Zs, Zl or Zp."""
    document = full_kit().record()
    document["election"]["officers"][4]["officer_id"] = "street\u001f1"
    return document


def roll_without_totals():
    document = full_kit().record()
    del document["roll"]["totals"]
    return document


def area_beyond_2_53():
    document = full_kit().record()
    document["roll"]["voters"][0]["weights"]["estate"]["area"] = 2**53 + 1
    return document


def ext_as_a_scope_in_weights():
    """weights is not a closed object: there ext is a key like any other, and names no scope."""
    document = full_kit().record()
    document["roll"]["voters"][0]["weights"]["ext"] = {"area": 0, "heads": 1}
    return document


def voter_key_y_not_below_p():
    """y = p + 5 (bit 255 clear): not the canonical encoding of any point (RFC 8032 §5.1.3)."""
    document = full_kit().record()
    y = 2**255 - 19 + 5
    document["roll"]["voters"][1]["public_key"] = b64e(y.to_bytes(32, "little"))
    return document


def units_commitment_spare_bits():
    """The 43rd character of a 32-byte b64 has two unused low bits; here one is set."""
    document = full_kit().record()
    voter = document["roll"]["voters"][1]
    voter["units_commitment"] = _spare_bit_set(voter["units_commitment"])
    return document


_B64_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _spare_bit_set(text: str, digits: str = _B64_DIGITS) -> str:
    """The same bytes spelled with the lowest unused bit of the last character set."""
    return text[:-1] + digits[digits.index(text[-1]) | 1]


def logged_at_finer_than_a_microsecond():
    kit = _simple()
    kit.online("v0000", {"m1": "yes"}, at="2026-12-01T08:01:00.0000001+08:00")
    return kit.record(tally=UNCOUNTABLE)


ED25519_L = 2**252 + 27742317777372353535851937790883648493


def signature_s_not_reduced():
    """An online ballot's signature with S replaced by S + L: the same point equation holds, but
    RFC 8032 §5.1.7 requires S < L."""
    kit = _simple()
    entry = kit.online("v0000", {"m1": "yes"})
    signature = b64d(entry["signatures"][0]["signature"])
    s = int.from_bytes(signature[32:], "little") + ED25519_L
    entry["signatures"][0]["signature"] = b64e(signature[:32] + s.to_bytes(32, "little"))
    return kit.record()


# --- what a record may hold, and how it is read (spec §1, E2, E6, E7) ------------------------------


def _year_1_kit() -> RecordKit:
    """A vote in the first hour of year 1, Beijing time: its instants fall in year 0 in UTC.
    v0000 votes online at the opening and again half an hour later."""
    kit = _simple()
    kit.election["opens_at"] = "0001-01-01T00:00:00+08:00"
    kit.election["closes_at"] = "0001-01-01T01:00:00+08:00"
    kit.hash = record_v2.election_hash(kit.election)
    kit.online("v0000", {"m1": "yes"}, at="0001-01-01T00:00:00+08:00")
    kit.online("v0000", {"m1": "no"}, at="0001-01-01T00:30:00+08:00")
    kit.online("v0001", {"m1": "no"}, at="0001-01-01T00:45:00+08:00")
    return kit  # the close is cosigned (by record()) at a time after it, in 2026


def valid_in_year_1():
    """opens_at 0001-01-01T00:00:00+08:00: the earliest instant E2 allows."""
    return _year_1_kit().record()


def valid_escaped_surrogate_pair():
    """The election's title ends in U+1F600, written in the file as the escaped pair
    \\ud83d\\ude00: one character, hashed and signed as its four UTF-8 bytes."""
    kit = _simple()
    kit.election["title"] = "业主大会表决\U0001f600"
    kit.hash = record_v2.election_hash(kit.election)
    kit.online("v0000", {"m1": "yes"})
    text = _pretty(kit.record()).decode()
    assert text.count("\U0001f600") == 1
    return text.replace("\U0001f600", "\\ud83d\\ude00").encode()


def _with_document_ext(ext) -> dict:
    document = full_kit().record()
    document["ext"] = ext
    return document


def _nested(levels: int):
    """A list nested ``levels`` deep, the outermost counted."""
    value = []
    for _ in range(levels - 1):
        value = [value]
    return value


def valid_nested_64_levels():
    """The document's ext is a list nested 63 deep: with the document, 64 levels, the most §1 allows."""
    return _with_document_ext(_nested(63))


def nested_65_levels():
    """As valid-nested-64-levels, one level deeper: D1, though the ext is neither hashed nor signed."""
    return _with_document_ext(_nested(64))


def not_utf_8():
    """The election's title ends in the bytes ED A0 80, U+D800 written as if it were a character:
    not UTF-8."""
    return _with_text('"业主大会表决"', '"业主大会表决\\ud800"').replace(b"\\ud800", b"\xed\xa0\x80")


def utf_16():
    """valid-full written in UTF-16 (with its byte-order mark): a record is UTF-8."""
    return _pretty(full_kit().record()).decode().encode("utf-16")


def _escaped_in_text(document: dict, placeholder: str, escaped: str) -> bytes:
    text = _pretty(document).decode()
    assert text.count(placeholder) == 1
    return text.replace(placeholder, escaped).encode()


def lone_surrogate_in_document_ext():
    """A low surrogate alone in the document's ext, which nothing hashes or signs."""
    return _escaped_in_text(_with_document_ext("note LONE"), "LONE", "\\udc00")


def lone_surrogate_in_a_witness_name():
    """A cosignature's witness written "street-1\\ud800": D1 before T4 looks for the officer."""
    document = full_kit().record()
    document["tree_head"]["cosignatures"] = [
        {**document["checkpoints"][-1]["cosignatures"][0], "witness": "street-1LONE"}
    ]
    return _escaped_in_text(document, "LONE", "\\ud800")


def surrogates_in_the_wrong_order():
    """\\ude00\\ud83d in a certification's ext (outside its signed body): a low surrogate,
    then a high one — two lone surrogates, not a pair."""
    document = full_kit().record()
    document["certifications"][0]["ext"] = "LONE"
    return _escaped_in_text(document, "LONE", "\\ude00\\ud83d")


def opens_before_year_1_in_beijing_time():
    """0001-01-01T00:00:00+09:00 is 0000-12-31T23:00:00+08:00: no date in Beijing time."""
    document = full_kit().record()
    document["election"]["opens_at"] = "0001-01-01T00:00:00+09:00"
    return document


def closes_after_year_9999_in_beijing_time():
    """9999-12-31T23:00:00-01:00 is 10000-01-01T08:00:00+08:00."""
    document = full_kit().record()
    document["election"]["closes_at"] = "9999-12-31T23:00:00-01:00"
    return document


def officers_sharing_a_key():
    """clerk-b registered clerk-a's key: one key "countersigns" what it keyed. Otherwise valid."""
    kit = _simple()
    officers = kit.election["officers"]
    officers[1]["public_key"] = officers[0]["public_key"]
    kit.hash = record_v2.election_hash(kit.election)
    kit.online("v0000", {"m1": "yes"})
    handin = kit.handin("D0001", "v0001", identity_checked=True)
    entry = kit.paper("v0001", {"m1": "no"}, handin["seq"])
    entry["signatures"] = [
        record_v2.sign_body(private_key("clerk-a"), clerk, "ballot", entry["body"]) for clerk in ("clerk-a", "clerk-b")
    ]
    return kit.record()


def street_office_holds_the_vote_key():
    """The street office's officer is given the vote's own key, which the operator holds: the
    operator cosigns the close and certifies as the street office. Otherwise valid."""
    kit = _simple()
    street = kit.election["officers"][4]
    assert street["officer_id"] == "street-1"
    street["public_key"] = kit.election["election_public_key"]
    kit.hash = record_v2.election_hash(kit.election)
    kit.online("v0000", {"m1": "yes"})
    head = kit.head()
    head["cosignatures"] = [
        checkpoint.cosign(private_key("election"), "street-1", kit.hash, head, int(parse_time(CLOSES_AT).timestamp()))
    ]
    kit.checkpoints.append(head)
    document = kit.record(certify=False)
    body = record_v2.certification_body(document["tree_head"], document["tally"], kit.hash, "street-1", CLOSES_AT)
    document["certifications"] = [record_v2.sign_certification(private_key("election"), body)]
    return document


# --- an extended voting period (spec §5.5: L4, L12, L16, T5) -----------------------------------

EXTENDED_CLOSE = format_time(parse_time(CLOSES_AT) + timedelta(days=30))
AFTER_ORIGINAL_CLOSE = format_time(parse_time(CLOSES_AT) + timedelta(days=2))


def _later(timestamp: str, **delta) -> str:
    return format_time(parse_time(timestamp) + timedelta(**delta))


def _extended_kit(**extension) -> RecordKit:
    """Turnout short after v0000's ballot: the close is moved 30 days on; the rules allow 90."""
    kit = RecordKit(voters(4), [question("m1")], max_extension_days=90)
    kit.online("v0000", {"m1": "yes"})
    kit.extension(extension.pop("closes_at", EXTENDED_CLOSE), **extension)
    return kit


def valid_extended():
    """An online ballot and a hand-in after the original close, before the extended one. The
    street office cosigned at the original close, which does not close the extended vote; the
    close is witnessed at the extended close, and the hand-in's ballot keyed after it."""
    kit = _extended_kit()
    kit.witness(time=int(parse_time(CLOSES_AT).timestamp()))
    kit.online("v0001", {"m1": "yes"}, at=AFTER_ORIGINAL_CLOSE)
    handin = kit.handin("D0001", "v0002", identity_checked=True, at=_later(AFTER_ORIGINAL_CLOSE, hours=1))
    kit.witness_close()
    kit.paper("v0002", {"m1": "no"}, handin["seq"], at=_later(EXTENDED_CLOSE, hours=2))
    return kit.record()


def extension_beyond_limit():
    """Moved a second past the 90 days the rules allow after the election's close."""
    return _extended_kit(closes_at=_later(CLOSES_AT, days=90, seconds=1)).record()


def extension_not_naming_the_close_in_effect():
    """A second extension whose previous_closes_at is the election's close, not the first extension's."""
    kit = _extended_kit()
    kit.closes_at = CLOSES_AT
    kit.extension(_later(CLOSES_AT, days=40), at=AFTER_ORIGINAL_CLOSE)
    return kit.record()


def extension_by_one_person():
    return _extended_kit(signers=(STREET_OFFICER,)).record()


def extension_without_the_street_office():
    """Two members of the preparation group extend the vote: the street office did not approve."""
    return _extended_kit(signers=APPROVERS).record()


def extension_after_its_close():
    """Logged two days after the close it extends: a vote is extended before it closes."""
    return _extended_kit(at=AFTER_ORIGINAL_CLOSE).record()


def ballot_after_extended_close():
    kit = _extended_kit()
    kit.online("v0001", {"m1": "no"}, at=_later(EXTENDED_CLOSE, seconds=1))
    return kit.record()


def extension_after_witnessed_close():
    """The operator reopens a vote whose close the street office had cosigned, with an extension
    back-dated to before that close: after the witnessed close only paper ballots join the log."""
    kit = RecordKit(voters(4), [question("m1")], max_extension_days=90)
    kit.online("v0000", {"m1": "yes"})
    kit.witness_close()
    kit.extension(EXTENDED_CLOSE, at=minutes_after_opening(30))
    return kit.record()


VALID = [
    valid_full,
    valid_revote_first,
    valid_invalid_not_counted,
    valid_major_exact_three_quarters,
    valid_committee_tie_at_edge,
    valid_choice_adopted,
    valid_choice_none_adopted,
    valid_empty_log,
    valid_paper_cast_before_online,
    valid_paper_replaces_online,
    valid_with_ext_and_bom,
    valid_in_year_1,
    valid_escaped_surrogate_pair,
    valid_nested_64_levels,
    valid_extended,
]
INVALID = {
    "D1": [
        float_in_record,
        nan_in_record,
        duplicate_key_written_with_escape,
        lone_surrogate,
        not_utf_8,
        utf_16,
        lone_surrogate_in_document_ext,
        lone_surrogate_in_a_witness_name,
        surrogates_in_the_wrong_order,
        nested_65_levels,
    ],
    "D2": [wrong_format],
    "E1": [community_code_empty, election_without_scopes, integer_beyond_2_53_in_ext],
    "E2": [
        opens_after_closes,
        opens_on_a_day_that_does_not_exist,
        opens_before_year_1_in_beijing_time,
        closes_after_year_9999_in_beijing_time,
        committee_of_even_size_in_rules,
        committee_of_six_in_rules,
        buyers_by_household_in_rules,
        notice_shorter_than_the_law_in_rules,
        rules_without_max_extension_days,
    ],
    "E3": [first_scope_not_estate],
    "E4": [motion_item_out_of_range],
    "E5": [unknown_motion_kind, committee_not_item_3, integer_beyond_2_53_in_a_motion_ext, choice_of_one_option],
    "E6": [
        second_clerk_key_of_one_account,
        officer_id_with_a_space,
        officer_id_with_a_control_space,
        officers_sharing_a_key,
    ],
    "E7": [election_key_of_small_order, street_office_holds_the_vote_key],
    "R1": [voters_not_sorted, roll_without_totals],
    "R2": [weights_without_estate, voter_of_two_heads, area_beyond_2_53, ext_as_a_scope_in_weights],
    "R3": [voter_key_of_an_officer, voter_key_y_not_below_p],
    "R4": [units_commitment_short, units_commitment_spare_bits],
    "R5": [totals_differ],
    "R6": [roll_hash_differs],
    "L1": [dropped_entry],
    "L2": [logged_before_previous, logged_at_finer_than_a_microsecond],
    "L3": [body_for_another_election],
    "L4": [online_after_close, paper_fabricated_after_close, ballot_after_extended_close, extension_after_its_close],
    "L5": [nonce_too_short],
    "L6": [choice_and_invalid_mark, choice_naming_two_options],
    "L7": [choice_outside_scope],
    "L8": [nonce_reused],
    "L9": [second_ballot_under_first],
    "L10": [handin_named_twice, paper_without_handin],
    "L11": [paper_replaces_online_unchecked],
    "L12": [
        clerks_of_one_person,
        altered_choice,
        ballot_by_replaced_key,
        ballot_after_revocation,
        credential_act_by_one_person,
        signed_by_an_unknown_officer,
        signature_s_not_reduced,
        extension_by_one_person,
        extension_without_the_street_office,
    ],
    "L13": [desk_receipt_reused],
    "L14": [reissued_key_seen_before, reissued_key_of_an_officer],
    "L15": [notices_count_negative],
    "L16": [extension_beyond_limit, extension_not_naming_the_close_in_effect],
    "T1": [checkpoints_out_of_order],
    "T2": [history_rewritten],
    "T3": [checkpoint_log_signature_bad],
    "T4": [cosignature_by_clerk, cosignature_before_its_entries, witness_cosigned_twice],
    "T5": [handin_after_witnessed_close, close_not_witnessed, extension_after_witnessed_close],
    "C1": [altered_tally],
    "C2": [certification_of_another_tally],
}


# Receipts (spec §10), each checked against a valid record: what an owner's check finds.
def _receipts() -> dict[str, tuple[str, dict]]:
    """name -> (the record it is checked against, the receipt)."""
    kit = full_kit()
    honest = {
        "receipt-counted": kit.receipt(1),  # a7k2's only ballot
        "receipt-replaced-online": kit.receipt(2),  # c3m9 voted again at entry 7
        "receipt-against-a-later-head": kit.receipt(2, size=9),
        "receipt-with-ext": {**kit.receipt(1), "ext": {"saved_by": "phone"}},
        # A leading UTF-8 byte-order mark is skipped, as in a record.
        "receipt-with-bom": b"\xef\xbb\xbf" + _pretty(kit.receipt(1)),
    }
    forged_head = dict(kit.receipt(1))
    forged_head["checkpoint"] = {**forged_head["checkpoint"], "signature": kit.receipt(2)["checkpoint"]["signature"]}
    signature_not_text = dict(kit.receipt(1))
    signature_not_text["checkpoint"] = {**signature_not_text["checkpoint"], "signature": 7}
    full = {
        **honest,
        "receipt-other-election": {**kit.receipt(1), "election_id": "another vote"},
        "receipt-forged-head": forged_head,
        "receipt-signature-not-a-string": signature_not_text,
        "receipt-misplaced": {**kit.receipt(1), "seq": 0},
        "receipt-from-a-rewritten-history": _rewritten_kit().receipt(1),
        "receipt-logged-at-not-a-string": {**kit.receipt(1), "logged_at": 0},
        "receipt-integer-beyond-2-53-in-ext": {**kit.receipt(1), "ext": {"n": 2**53 + 1}},
        "receipt-integer-beyond-2-53-in-its-checkpoint-ext": {
            **kit.receipt(1),
            "checkpoint": {**kit.receipt(1)["checkpoint"], "ext": [-(2**53) - 1]},
        },
        "receipt-of-a-hand-in": kit.receipt(3),
    }
    made = {name: ("valid-full", receipt) for name, receipt in full.items()}
    # Paper ballot v0000 handed in (entry 0) before their online ballot (entry 1): the online
    # ballot counts, though it is earlier in the log than the paper ballot (entry 2).
    made["receipt-replaced-by-an-earlier-entry"] = (
        "valid-paper-cast-before-online",
        _paper_cast_before_online_kit().receipt(2),
    )
    # v0000's online ballot, replaced by the paper ballot handed in later: cast_at is the hand-in's
    # time (written 2026-12-01t00:30:00.250z) in +08:00.
    made["receipt-replaced-by-paper"] = ("valid-paper-replaces-online", _paper_replaces_online_kit().receipt(0))
    # v0000's first ballot, replaced at 0001-01-01T00:30:00+08:00 (in UTC, year 0).
    made["receipt-replaced-in-year-1"] = ("valid-in-year-1", _year_1_kit().receipt(0))
    return made


def _rewritten_kit() -> RecordKit:
    """valid-full's vote as it was before the operator rewrote it: a7k2's ballot (entry 1) said
    "no" on motion a. The owner's phone holds the receipt of that ballot; the published log holds
    a "yes" there instead."""
    kit = full_kit()
    entry = kit.log[1]
    entry["body"]["choices"]["a"] = "no"
    entry["signatures"] = [record_v2.sign_body(private_key("a7k2"), "a7k2", "ballot", entry["body"])]
    return kit


def receipt_verdict(document: dict, receipt: dict) -> dict:
    """What the project's verifier finds of a receipt against a valid record."""
    try:
        return record_v2.check_receipt(document, record_v2.verify_record(document), receipt).as_json()
    except record_v2.RecordInvalid as fault:
        return {"receipt": "invalid", "check": fault.check, "reason": str(fault)}


# Held checkpoints (spec §10), each a C2SP signed note checked against valid-full, whose
# checkpoints are of 0, 10 and 11 entries (the last cosigned at the close by street-1 and
# witness.example/w1) and whose tree head is of 12.
_VOTE_KEY = b"\x01"
_COSIGNATURE = b"\x04"
_STD64_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _text(kit: RecordKit, size: int, root: bytes | None = None) -> bytes:
    root = merkle.root(kit.leaf_hashes()[:size]) if root is None else root
    return checkpoint.text(kit.hash, size, root)


def _signature_line(name: str, blob: bytes) -> str:
    return f"\u2014 {name} {base64.b64encode(blob).decode('ascii')}\n"


def _vote_line(kit: RecordKit, text: bytes, signature: bytes | None = None) -> str:
    name = checkpoint.origin(kit.hash)
    key_id = checkpoint.key_id(name, b64d(kit.election["election_public_key"]), _VOTE_KEY)
    return _signature_line(name, key_id + (signature or private_key("election").sign(text)))


def _cosignature_blob(text: bytes, witness: str, time: int, key_name: str | None = None) -> bytes:
    key_name = key_name or witness
    key_id = checkpoint.key_id(witness, b64d(public_key(key_name)), _COSIGNATURE)
    signature = private_key(key_name).sign(checkpoint.cosignature_message(text, time))
    return key_id + struct.pack(">Q", time) + signature


def _cosignature_line(text: bytes, witness: str, time: int, key_name: str | None = None) -> str:
    return _signature_line(witness, _cosignature_blob(text, witness, time, key_name))


def _note(text: bytes, lines: list[str]) -> bytes:
    return text + b"\n" + "".join(lines).encode("utf-8")


def _held() -> dict[str, bytes]:
    kit = full_kit()
    close = int(parse_time(CLOSES_AT).timestamp())
    at_close = _text(kit, 11)
    vote, street, w1 = (
        _vote_line(kit, at_close),
        _cosignature_line(at_close, "street-1", close),
        _cosignature_line(at_close, "witness.example/w1", close),
    )
    during = _text(kit, 10)
    other_key = _cosignature_blob(during, "street-1", close, key_name="someone else")
    street_blob = _cosignature_blob(at_close, "street-1", close)
    bad_cosignature = street_blob[:12] + _cosignature_blob(at_close, "street-1", close + 1)[12:]
    tree_head = _text(kit, 12)
    spare = _signature_line("street-1", street_blob)
    spare = spare[:-4] + _spare_bit_set(spare[-4], _STD64_DIGITS) + "==\n"  # 76 bytes: two padding characters
    beyond = full_kit()
    beyond.online("k9r3", {"a": "no"})
    rewritten = _rewritten_kit()
    root_11 = merkle.root(kit.leaf_hashes()[:11])
    root_line = base64.b64encode(root_11).decode("ascii")
    return {
        # extended
        "held-close": _note(at_close, [vote, street, w1]),
        "held-close-lines-in-another-order": _note(at_close, [w1, vote, street]),
        "held-tree-head": _note(
            tree_head,
            [_vote_line(kit, tree_head), _cosignature_line(tree_head, "witness.example/w1", close + 3 * 3600)],
        ),
        "held-not-listed": _note(_text(kit, 5), [_vote_line(kit, _text(kit, 5))]),
        "held-other-lines-ignored": _note(
            during,
            [
                _signature_line("example.org/log", bytes(68)),  # a name that is neither
                _vote_line(kit, during),
                _signature_line("street-1", other_key),  # street-1's name, another key's id
                _cosignature_line(during, "clerk-a", close),  # an officer, but a clerk
                _signature_line(
                    "street-1",
                    checkpoint.key_id("street-1", b64d(public_key("street-1")), _VOTE_KEY)
                    + private_key("street-1").sign(during),
                ),  # street-1's key, but type 0x01
            ],
        ),
        "held-cosignature-of-another-length-ignored": _note(
            at_close, [vote, _signature_line("street-1", street_blob[:75])]
        ),
        "held-same-witness-twice": _note(at_close, [vote, street, street]),
        "held-signature-line-spare-bits": _note(at_close, [vote, spare]),
        "held-two-vote-lines": _note(at_close, [vote, vote]),
        # A third field of no bytes: std64, so H1 passes; it matches no key id, so H2 ignores it.
        "held-line-with-no-signature-bytes": _note(at_close, [vote, "\u2014 street-1 \n", street]),
        # H1
        "held-size-with-leading-zero": _note(
            at_close.replace(b"\n11\n", b"\n011\n"), [_vote_line(kit, at_close.replace(b"\n11\n", b"\n011\n"))]
        ),
        "held-negative-size": _note(_text(kit, -1, root_11), [_vote_line(kit, _text(kit, -1, root_11))]),
        "held-root-of-31-bytes": _note(_text(kit, 11, root_11[:31]), [_vote_line(kit, _text(kit, 11, root_11[:31]))]),
        "held-root-spare-bits": _note(
            at_close.replace(
                root_line.encode(), (root_line[:-2] + _spare_bit_set(root_line[-2], _STD64_DIGITS) + "=").encode()
            ),
            [
                _vote_line(
                    kit,
                    at_close.replace(
                        root_line.encode(),
                        (root_line[:-2] + _spare_bit_set(root_line[-2], _STD64_DIGITS) + "=").encode(),
                    ),
                )
            ],
        ),
        "held-of-another-vote": _note(at_close.replace(kit.hash.encode(), b64e(H(b"another vote")).encode()), [vote]),
        "held-malformed-line-of-another-name": _note(at_close, [vote, "\u2014 example.org/log\n"]),
        "held-line-not-std64": _note(at_close, [vote, "\u2014 example.org/log AAAA-AAA\n"]),
        "held-line-without-padding": _note(at_close, [vote, "\u2014 example.org/log AAAAAA\n"]),
        "held-no-final-newline": _note(at_close, [vote, street])[:-1],
        "held-not-utf-8": _note(at_close, [vote]) + b"\xe2\x80 example.org/log AAAA\n",
        # H2
        "held-not-signed-by-the-vote": _note(at_close, [street, w1]),
        "held-second-vote-line-bad": _note(at_close, [vote, _vote_line(kit, at_close, bytes(64))]),
        "held-bad-cosignature": _note(at_close, [vote, _signature_line("street-1", bad_cosignature)]),
        # H3
        "held-rewritten": _note(_text(rewritten, 5), [_vote_line(kit, _text(rewritten, 5))]),
        "held-beyond-the-log": _note(_text(beyond, 13), [_vote_line(kit, _text(beyond, 13))]),
    }


def held_verdict(document: dict, note: bytes) -> dict:
    """What the project's verifier (as scripts/verify_record.py --checkpoint reads the file)
    finds of a held checkpoint against a valid record."""
    try:
        try:
            text = note.decode("utf-8")
        except UnicodeDecodeError:
            raise record_v2.RecordInvalid("checkpoint: not UTF-8 text", "H1") from None
        return record_v2.check_held_checkpoint(document, record_v2.verify_record(document), text)
    except record_v2.RecordInvalid as fault:
        return {"checkpoint": "invalid", "check": fault.check, "reason": str(fault)}


def _name(builder) -> str:
    return builder.__name__.replace("_", "-")


def vectors() -> dict[str, tuple[dict, dict]]:
    """name -> (record, expected verdict); a record is a document, or bytes where the fault is
    in the file itself."""
    made = {}
    for builder in VALID:
        document = builder()
        published = (parse_json(document) if type(document) is bytes else document)["tally"]
        made[_name(builder)] = (document, {"valid": True, "tally": fields.without_ext(published)})
    for check, builders in INVALID.items():
        for builder in builders:
            made[_name(builder)] = (builder(), {"valid": False, "check": check})
    return made


def file_contents() -> dict[str, bytes]:
    """What the vectors directory holds: one pretty-printed file per record, and expected.json;
    receipts/ and held/, each with its expected.json."""
    contents = {}
    expected = {}
    for name, (document, verdict) in vectors().items():
        contents[f"{name}.json"] = document if type(document) is bytes else _pretty(document)
        if not verdict["valid"]:
            verdict = {**verdict, "reason": verdict_of(contents[f"{name}.json"])}
        _check_vector(name, contents[f"{name}.json"], verdict)
        expected[name] = verdict
    contents["expected.json"] = _pretty(expected)
    records = {name: parse_json(contents[f"{name}.json"]) for name, verdict in expected.items() if verdict["valid"]}
    findings = {}
    for name, (record_name, receipt) in _receipts().items():
        # A receipt is a document, or bytes where the file itself matters (a byte-order mark).
        contents[f"receipts/{name}.json"] = receipt if type(receipt) is bytes else _pretty(receipt)
        findings[name] = {
            "record": record_name,
            **receipt_verdict(records[record_name], parse_json(contents[f"receipts/{name}.json"])),
        }
        _check_finding(f"receipts/{name}", findings[name], RECEIPT_OUTCOMES)
    contents["receipts/expected.json"] = _pretty(findings)
    held = {}
    for name, note in _held().items():
        contents[f"held/{name}.txt"] = note
        held[name] = {"record": "valid-full", **held_verdict(records["valid-full"], note)}
        _check_finding(f"held/{name}", held[name], HELD_OUTCOMES)
    contents["held/expected.json"] = _pretty(held)
    return contents


# What each receipt and held checkpoint is made to show: its finding, or the check it fails.
RECEIPT_OUTCOMES = {
    "receipt-counted": "counted",
    "receipt-with-ext": "counted",
    "receipt-with-bom": "counted",
    "receipt-replaced-online": "replaced",
    "receipt-against-a-later-head": "replaced",
    "receipt-replaced-by-an-earlier-entry": "replaced",
    "receipt-replaced-by-paper": "replaced",
    "receipt-replaced-in-year-1": "replaced",
    "receipt-other-election": "P1",
    "receipt-integer-beyond-2-53-in-ext": "P1",
    "receipt-integer-beyond-2-53-in-its-checkpoint-ext": "P1",
    "receipt-forged-head": "P2",
    "receipt-signature-not-a-string": "P2",
    "receipt-misplaced": "P3",
    "receipt-from-a-rewritten-history": "P4",
    "receipt-logged-at-not-a-string": "P5",
    "receipt-of-a-hand-in": "P5",
}
HELD_OUTCOMES = {
    **dict.fromkeys(
        [
            "held-close",
            "held-close-lines-in-another-order",
            "held-tree-head",
            "held-not-listed",
            "held-other-lines-ignored",
            "held-cosignature-of-another-length-ignored",
            "held-same-witness-twice",
            "held-signature-line-spare-bits",
            "held-two-vote-lines",
            "held-line-with-no-signature-bytes",
        ],
        "extended",
    ),
    **dict.fromkeys(
        [
            "held-size-with-leading-zero",
            "held-negative-size",
            "held-root-of-31-bytes",
            "held-root-spare-bits",
            "held-of-another-vote",
            "held-malformed-line-of-another-name",
            "held-line-not-std64",
            "held-line-without-padding",
            "held-no-final-newline",
            "held-not-utf-8",
        ],
        "H1",
    ),
    **dict.fromkeys(["held-not-signed-by-the-vote", "held-second-vote-line-bad", "held-bad-cosignature"], "H2"),
    **dict.fromkeys(["held-rewritten", "held-beyond-the-log"], "H3"),
}


class VectorError(AssertionError):
    """A vector the verifier does not give the verdict it was made to have: nothing is written."""


def _check_vector(name: str, content: bytes, verdict: dict) -> None:
    """The verifier, reading the file as written, gives the record its verdict: valid with the
    published tally (without ext) as the recount, or invalid at the intended check."""
    if verdict["valid"]:
        try:
            recount = record_v2.verify(parse_json(content))
        except (ValueError, record_v2.RecordInvalid) as fault:
            raise VectorError(f"{name} is meant to be valid, but: {fault}") from None
        if recount != verdict["tally"]:
            raise VectorError(f"{name} is meant to be valid, but its published tally is not the recount")
    elif not verdict["reason"].startswith(f"[{verdict['check']}] "):
        raise VectorError(f"{name} is meant to fail {verdict['check']}, but: {verdict['reason']}")


def _check_finding(name: str, finding: dict, outcomes: dict) -> None:
    outcome = outcomes.get(name.split("/", 1)[1])
    found = finding.get("status") or finding.get("check") or finding.get("checkpoint")
    if outcome is None or found != outcome:
        raise VectorError(f"{name} is meant to be {outcome}, but is {found}: {finding}")


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
    (directory / "held").mkdir(parents=True, exist_ok=True)
    for stale in [*directory.glob("*.json"), *directory.glob("receipts/*.json"), *directory.glob("held/*")]:
        stale.unlink()
    for name, content in file_contents().items():
        (directory / name).write_bytes(content)


if __name__ == "__main__":
    write(Path(sys.argv[1]) if len(sys.argv) > 1 else DIRECTORY)
