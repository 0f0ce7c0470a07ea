"""Format 2 against those who run the vote: each attack of issue 10 on the record, and what
catches it — the verifier, a witness's cosignature, or the owner's own receipt."""

from datetime import timedelta

import pytest

from simulation.records import CLOSES_AT, private_key
from simulation.records_v2 import RecordKit, Voter, full_kit, minutes_after_opening, question, voters
from voting.core import checkpoint, record_v2, rules
from voting.core.canonical import b64d, b64e, format_time, parse_time

AFTER_CLOSE = format_time(parse_time(CLOSES_AT).replace(hour=22))


def fault_of(document) -> str:
    with pytest.raises(record_v2.RecordInvalid) as raised:
        record_v2.verify(document)
    return str(raised.value)


def receipt_finding(document, receipt) -> record_v2.ReceiptFinding:
    return record_v2.check_receipt(document, record_v2.verify_record(document), receipt)


def receipt_fault(document, receipt) -> str:
    with pytest.raises(record_v2.RecordInvalid) as raised:
        receipt_finding(document, receipt)
    return str(raised.value)


def small_vote(revote: str = "last") -> RecordKit:
    return RecordKit(voters(4), [question("m1"), question("m2", item=7, title="拆除重建")], revote=revote)


def test_the_full_record_is_valid_and_counts_every_feature():
    tally = record_v2.verify(full_kit().record())
    a, b, c, d = tally["motions"]
    assert tally["counted"] == 6
    # h5n1's mark on motion a was invalid: took part, did not agree.
    assert a["invalid"] == {"area": 11000, "heads": 1} and a["result"] == "passed"
    assert (b["threshold"], b["result"]) == ("major", "failed")  # item 6 needs 3/4
    assert (c["elected"], c["unfilled"]) == (["k1"], 1)
    # The roof of building 1 is decided by the owners in building 1, on their area there.
    assert d["scope"] == "b1" and d["totals"] == {"area": 26000, "heads": 3}
    assert (d["yes"], d["no"], d["result"]) == ({"area": 14000, "heads": 2}, {"area": 12000, "heads": 1}, "passed")


@pytest.mark.parametrize("unusual", ["voter ext", "weight ext", "roll ext", None])
def test_the_roll_hash_is_that_of_the_roll_as_given(unusual):
    # The verifier writes the usual voter's canonical JSON by hand: an id to escape, or an ext
    # anywhere in the roll, must hash as canon() does.
    kit = RecordKit([*voters(2), Voter('业主 "甲"\\1')], [question("m1")])
    roll = kit.roll
    if unusual == "voter ext":
        roll["voters"][0]["ext"] = {"note": "é"}
    elif unusual == "weight ext":
        roll["voters"][1]["weights"]["estate"]["ext"] = {"note": 1}
    elif unusual == "roll ext":
        roll["ext"] = {"source": "物业"}
    kit.election["roll_hash"] = record_v2.roll_hash(roll)
    kit.hash = record_v2.election_hash(kit.election)
    kit.online("v0001", {"m1": "yes"})
    assert record_v2.verify(kit.record())["counted"] == 1
    roll["voters"][2]["voter_id"] = '业主 "甲"\\2'
    with pytest.raises(record_v2.RecordInvalid, match=r"^\[R6\]"):
        record_v2.verify(kit.record())


def test_a_voter_of_no_area_is_one_head_that_takes_part_and_can_tip_the_heads():
    """Where parking's area is left out, the owner of only a parking space is on the roll with
    area 0 and heads 1 (spec §4): their yes counts for heads only."""
    kit = RecordKit([Voter("v0000", 10000), Voter("v0001", 10000), Voter("v0002", 0)], [question("m1")])
    kit.online("v0000", {"m1": "yes"})
    kit.online("v0001", {"m1": "no"})
    kit.online("v0002", {"m1": "yes"})
    (motion,) = record_v2.verify(kit.record())["motions"]
    assert motion["totals"] == motion["participation"] == {"area": 20000, "heads": 3}
    assert motion["yes"] == {"area": 10000, "heads": 2} and motion["result"] == "failed"  # area only half


def test_a_record_holds_no_unit_labels_and_no_voter_in_roll_order():
    document = full_kit().record()
    assert all(voter.keys() == record_v2.VOTER_KEYS for voter in document["roll"]["voters"])


# --- attack: delete an owner's ballot with the vote's own key --------------------------------


def deleted_ballot() -> tuple[RecordKit, dict, dict]:
    """The operator holds the vote's key: after the street office cosigned the head covering
    v0001's ballot, the ballot is deleted, the log renumbered, the head signed anew, recounted.
    Returns the kit, the honest record and v0001's receipt."""
    kit = small_vote()
    for voter_id in ("v0000", "v0001", "v0002"):
        kit.online(voter_id, {"m1": "yes", "m2": "yes"})
    receipt = kit.receipt(1)
    kit.witness()
    kit.online("v0003", {"m1": "no", "m2": "no"})
    honest = kit.record()
    del kit.log[1]
    for seq, entry in enumerate(kit.log):
        entry["seq"] = seq
    return kit, honest, receipt


def test_deleting_a_ballot_under_a_witnessed_head_is_caught_by_the_cosignature():
    kit, honest, _ = deleted_ballot()
    assert record_v2.verify(honest)["motions"][1]["result"] == "passed"
    assert fault_of(kit.record()) == "[T2] checkpoint 0: root is not that of the log's first 3 entries"
    # Signing that head anew with the vote's key does not help: the witness's cosignature is
    # over the old text, and the operator holds no witness key.
    witnessed = kit.checkpoints[0]
    witnessed.update(kit.head(3), cosignatures=witnessed["cosignatures"])
    assert fault_of(kit.record()) == "[T4] checkpoint 0 cosignature 0: bad signature"


def test_deleting_a_ballot_and_every_head_is_caught_by_the_owners_receipt():
    kit, _, receipt = deleted_ballot()
    kit.checkpoints.clear()
    rewritten = kit.record()
    assert record_v2.verify(rewritten)["counted"] == 3  # alone, the record looks fine
    assert receipt_fault(rewritten, receipt) == (
        "[P4] receipt: the published log does not extend its checkpoint of 2 entries"
        " — the log was rewritten after the receipt was given"
    )


# --- attack: swap one voter's two ballots -------------------------------------------------------


def test_swapping_a_voters_two_ballots_is_caught():
    kit = small_vote()
    kit.online("v0000", {"m1": "yes"})
    kit.online("v0001", {"m1": "no"})
    first_receipt = kit.receipt(0)
    kit.witness()
    kit.online("v0000", {"m1": "no"})
    later_receipt = kit.receipt(2)
    honest = kit.record()
    assert receipt_finding(honest, first_receipt).status == "replaced"
    log = kit.log
    log[0], log[2] = log[2], log[0]
    log[0]["seq"], log[2]["seq"] = 0, 2
    assert fault_of(kit.record()) == "[L2] entry 1: logged before entry 0"
    # Times swapped too: now the first ballot is the later one and would count, but the
    # witnessed head no longer matches, and neither do the owner's receipts.
    log[0]["logged_at"], log[2]["logged_at"] = log[2]["logged_at"], log[0]["logged_at"]
    assert fault_of(kit.record()).startswith("[T2] checkpoint 0:")
    kit.checkpoints.clear()
    swapped = kit.record()
    assert receipt_fault(swapped, later_receipt).startswith("[P4]")
    assert receipt_fault(swapped, first_receipt).startswith("[P4]")


# --- attack: clerks key a paper "no" over an owner's online "yes" ---------------------------------


def online_yes_then_paper_no(identity_checked: bool, same_person: bool = False) -> tuple[RecordKit, dict]:
    kit = small_vote()
    if same_person:  # the preparation-group member's second "clerk" account
        kit.election["officers"][1]["person"] = kit.election["officers"][0]["person"]
        kit.hash = record_v2.election_hash(kit.election)
    kit.online("v0000", {"m1": "yes", "m2": "yes"})
    receipt = kit.receipt(0)
    handin = kit.handin("D0042", "v0000", identity_checked=identity_checked)
    kit.witness_close()
    kit.paper("v0000", {"m1": "no", "m2": "no"}, handin["seq"], at=AFTER_CLOSE)
    return kit, receipt


def test_a_paper_ballot_cannot_replace_an_online_one_without_an_identity_check():
    kit, _ = online_yes_then_paper_no(identity_checked=False)
    assert fault_of(kit.record()) == (
        '[L11] entry 2: paper ballot of voter "v0000", handed in after their online ballot (entry 0),'
        " without an identity check at the hand-in"
    )


def test_two_accounts_of_one_person_are_not_two_clerks():
    kit, _ = online_yes_then_paper_no(identity_checked=True, same_person=True)
    assert fault_of(kit.record()) == "[L12] entry 2: paper ballot needs two clerks (two different people)"


def test_the_owners_receipt_says_which_paper_ballot_replaced_theirs():
    """Two colluding clerks who claim the owner came in person make a valid record; the owner's
    receipt check then names the desk receipt, the time and both clerks."""
    kit, receipt = online_yes_then_paper_no(identity_checked=True)
    document = kit.record()
    finding = receipt_finding(document, receipt)
    assert (finding.status, finding.voter_id) == ("replaced", "v0000")
    assert finding.replaced_by == {
        "seq": 2,
        "channel": "paper",
        "cast_at": kit.log[1]["logged_at"],
        "desk_receipt": "D0042",
        "handin_seq": 1,
        "identity_checked": True,
        "clerks": ["clerk-a", "clerk-b"],
    }


def test_a_paper_ballot_handed_in_before_the_online_one_does_not_replace_it():
    kit = small_vote()
    handin = kit.handin("D0007", "v0000")
    kit.online("v0000", {"m1": "no"})
    receipt = kit.receipt(1)
    kit.witness_close()
    kit.paper("v0000", {"m1": "yes"}, handin["seq"], at=AFTER_CLOSE)  # keyed after the close
    document = kit.record()
    assert record_v2.verify(document)["motions"][0]["no"]["heads"] == 1
    assert receipt_finding(document, receipt).status == "counted"


# --- attack: revoke or reissue a credential alone, or without a trace -----------------------------


def test_a_credential_act_needs_two_people():
    kit = small_vote()
    kit.credential("v0002", "reissue", signers=("prep-1", "prep-1"))
    assert fault_of(kit.record()).startswith("[L12] entry 0: credential act needs two")


def test_a_reissue_left_out_of_the_log_leaves_the_new_key_powerless():
    kit = small_vote()
    kit.credential("v0002", "reissue")
    del kit.log[0]
    kit.online("v0002", {"m1": "yes"})  # signed with the unrecorded new key
    assert fault_of(kit.record()) == "[L12] entry 0: bad signature"


def test_the_old_key_is_powerless_after_a_reissue():
    kit = small_vote()
    kit.credential("v0002", "reissue", reason="compromised")
    kit.key_names["v0002"] = "v0002"
    kit.online("v0002", {"m1": "yes"})
    assert fault_of(kit.record()) == "[L12] entry 1: bad signature"


def test_an_owner_votes_with_a_reissued_notice_after_others_have_voted():
    kit = small_vote()
    kit.online("v0000", {"m1": "yes"})
    kit.credential("v0001", "reissue", reason="lost")
    kit.online("v0001", {"m1": "yes"})
    assert record_v2.verify(kit.record())["counted"] == 2


# --- receipts -------------------------------------------------------------------------------------


def test_a_receipt_of_the_counted_ballot():
    kit = full_kit()
    finding = receipt_finding(kit.record(), kit.receipt(1))
    assert finding.as_json() == {
        "receipt": "valid",
        "seq": 1,
        "voter_id": "a7k2",
        "status": "counted",
        "replaced_by": None,
    }


def test_a_receipt_checked_against_a_later_head_still_holds():
    kit = full_kit()
    finding = receipt_finding(kit.record(), kit.receipt(2, size=9))
    assert finding.replaced_by == {"seq": 7, "channel": "online", "cast_at": kit.log[7]["logged_at"]}


def test_receipt_faults():
    kit = full_kit()
    document = kit.record()
    receipt = kit.receipt(1)
    other = {**receipt, "election_hash": b64e(b"\x00" * 32)}
    assert receipt_fault(document, other) == "[P1] receipt: it is for another election"
    forged = {
        **receipt,
        "checkpoint": {**receipt["checkpoint"], "signature": kit.receipt(2)["checkpoint"]["signature"]},
    }
    assert receipt_fault(document, forged) == "[P2] receipt: its checkpoint is not signed by this vote's key"
    misplaced = {**receipt, "seq": 0}
    assert receipt_fault(document, misplaced) == "[P3] receipt: entry 0 is not in its checkpoint of 2 entries"
    of_a_handin = kit.receipt(3)
    assert (
        receipt_fault(document, of_a_handin) == "[P5] receipt: entry 3 of the published log is not the receipt's ballot"
    )


# --- witnesses ----------------------------------------------------------------------------------------


def test_an_off_the_shelf_witness_cosignature_is_c2sp():
    """The checkpoint text and cosignature bytes are those of C2SP tlog-checkpoint and
    tlog-cosignature/v1, so the signed note a witness reads verifies with its public key."""
    kit = small_vote()
    kit.online("v0000", {"m1": "yes"})
    head = kit.witness(("witness.example/w1",), time=1_796_000_000)
    note = checkpoint.signed_note(
        kit.hash,
        head,
        b64d(kit.election["election_public_key"]),
        {"witness.example/w1": b64d(kit.election["officers"][5]["public_key"])},
    )
    text, signatures = note.split("\n\n")
    assert text.split("\n") == [
        f"gongzhi/{kit.hash}",
        "1",
        checkpoint.text(kit.hash, 1, b64d(head["root"])).decode().split("\n")[2],
    ]
    witness_line = signatures.splitlines()[1]
    assert witness_line.startswith("\u2014 witness.example/w1 ")
    import base64

    blob = base64.b64decode(witness_line.split(" ")[2])
    assert blob[4:12] == (1_796_000_000).to_bytes(8, "big")
    message = b"cosignature/v1\ntime 1796000000\n" + (text + "\n").encode()
    private_key("witness.example/w1").public_key().verify(blob[12:], message)


def test_the_tally_follows_the_item_not_a_label():
    """Item 8 (changing the use of common parts) needs 3/4: two thirds of yes fails it."""
    kit = RecordKit(voters(3), [question("m", item=8, title="改变共有部分用途")])
    kit.online("v0000", {"m": "yes"})
    kit.online("v0001", {"m": "yes"})
    kit.online("v0002", {"m": "no"})
    (motion,) = rules.tally_v2(kit.election, kit.roll, kit.log)["motions"]
    assert (motion["threshold"], motion["result"]) == ("major", "failed")


def test_a_certification_names_its_tree_size_as_an_integer():
    """`true` is not the size 1, however Python compares them: the certification is re-signed
    over it, so only the type check can catch it."""
    kit = small_vote()
    kit.online("v0000", {"m1": "yes"})
    document = kit.record()
    body = {**document["certifications"][0]["body"], "tree_size": True}
    document["certifications"] = [record_v2.sign_certification(private_key("street-1"), body)]
    assert fault_of(document) == "[C2] certification 0: tree_size is not an integer within ±2^53"


# --- extending the voting period (§5.5) --------------------------------------------------------

EXTENDED_CLOSE = format_time(parse_time(CLOSES_AT) + timedelta(days=30))
AFTER_ORIGINAL_CLOSE = format_time(parse_time(CLOSES_AT) + timedelta(days=2))


def extended_vote(**extension) -> RecordKit:
    """Turnout short: the close is moved 30 days on, and an owner votes after the original close."""
    kit = RecordKit(voters(4), [question("m1")], max_extension_days=90)
    kit.online("v0000", {"m1": "yes"})
    kit.extension(extension.pop("closes_at", EXTENDED_CLOSE), **extension)
    kit.online("v0001", {"m1": "yes"}, at=AFTER_ORIGINAL_CLOSE)
    return kit


def test_a_ballot_after_the_original_close_counts_once_the_period_is_extended():
    tally = record_v2.verify(extended_vote().record())
    assert tally["counted"] == 2


def test_without_the_extension_the_same_ballot_is_outside_the_period():
    kit = RecordKit(voters(4), [question("m1")], max_extension_days=90)
    kit.online("v0000", {"m1": "yes"}, at=AFTER_ORIGINAL_CLOSE)
    assert "[L4]" in fault_of(kit.record())


def test_a_ballot_after_the_extended_close_is_outside_the_period():
    kit = extended_vote()
    kit.online("v0002", {"m1": "no"}, at=format_time(parse_time(EXTENDED_CLOSE) + timedelta(seconds=1)))
    assert "[L4]" in fault_of(kit.record())


@pytest.mark.parametrize(
    "extension, check",
    [
        ({"closes_at": CLOSES_AT}, "L16"),  # not later
        ({"closes_at": format_time(parse_time(CLOSES_AT) - timedelta(hours=1))}, "L16"),
        ({"closes_at": format_time(parse_time(CLOSES_AT) + timedelta(days=90, seconds=1))}, "L16"),
        ({"reason": ""}, "L16"),
        ({"signers": ("prep-1", "prep-2")}, "L12"),  # no street office
        ({"signers": ("street-1",)}, "L12"),
        ({"signers": ("clerk-a", "street-1")}, "L12"),
        ({"at": AFTER_ORIGINAL_CLOSE}, "L4"),  # after the close in effect
    ],
    ids=["same", "earlier", "beyond-limit", "no-reason", "no-street-office", "one-signer", "a-clerk", "after-close"],
)
def test_an_extension_moves_the_close_later_within_the_limit_signed_by_two(extension, check):
    assert f"[{check}]" in fault_of(extended_vote(**extension).record())


LATER = format_time(parse_time(AFTER_ORIGINAL_CLOSE) + timedelta(hours=1))


def test_the_limit_is_counted_from_the_original_close_however_often_extended():
    kit = extended_vote()
    kit.extension(format_time(parse_time(CLOSES_AT) + timedelta(days=90)), at=LATER)
    assert record_v2.verify(kit.record())["counted"] == 2
    kit = extended_vote()
    kit.extension(format_time(parse_time(CLOSES_AT) + timedelta(days=91)), at=LATER)
    assert "[L16]" in fault_of(kit.record())


def test_a_record_whose_rules_allow_no_extension_refuses_one():
    kit = RecordKit(voters(4), [question("m1")], max_extension_days=0)
    kit.extension(EXTENDED_CLOSE)
    assert "[L16]" in fault_of(kit.record())


def test_an_extension_must_name_the_close_it_replaces():
    kit = extended_vote()
    kit.closes_at = CLOSES_AT  # as if the first extension had not happened
    kit.extension(format_time(parse_time(CLOSES_AT) + timedelta(days=40)), at=LATER)
    assert "[L16]" in fault_of(kit.record())


def test_a_tampered_extension_fails_its_signatures():
    document = extended_vote().record()
    document["log"][1]["body"]["closes_at"] = format_time(parse_time(EXTENDED_CLOSE) + timedelta(days=10))
    assert "[L12] entry 1: bad signature" in fault_of(document)


def test_an_extension_slipped_in_after_the_witnessed_close_is_caught():
    """The operator cannot reopen a vote whose close a witness saw: the extension, however
    dated, follows the witnessed close, and only paper ballots may."""
    kit = RecordKit(voters(4), [question("m1")], max_extension_days=90)
    kit.online("v0000", {"m1": "yes"})
    kit.witness_close()
    kit.extension(EXTENDED_CLOSE, at=minutes_after_opening(30))
    assert "[T5]" in fault_of(kit.record())


def test_the_close_of_an_extended_vote_is_witnessed_at_the_new_close():
    kit = RecordKit(voters(4), [question("m1")], max_extension_days=90)
    kit.online("v0000", {"m1": "yes"})
    kit.extension(EXTENDED_CLOSE)
    kit.witness(time=int(parse_time(CLOSES_AT).timestamp()))  # at the original close: the vote runs on
    kit.online("v0001", {"m1": "no"}, at=AFTER_ORIGINAL_CLOSE)
    assert record_v2.verify(kit.record())["counted"] == 2
    assert "[T5]" in fault_of(extended_vote().record(witness_close=False))
