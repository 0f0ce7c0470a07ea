"""Witnessed tree heads: the street office's officer cosigns checkpoints of the vote's log with the
key registered before the vote opened; forgeries, replays and forks are refused; each day's head
goes on the notice board; the record carries every checkpoint."""

import base64
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pypdf import PdfReader
from sqlalchemy import delete, select

from tests.elections_kit import NOW, Witness, open_vote
from tests.factories import login, small_roster
from voting.auth.models import Role
from voting.ballots.models import Checkpoint, Cosignature, LogEntry, TreeHead
from voting.board.heads import post_day_head
from voting.board.models import BoardNotice, DayHead
from voting.core import checkpoint, merkle, record_v2, signing
from voting.core.canonical import SHANGHAI, b64d
from voting.elections.operations import ElectionError, close_election, export_record, tally_election
from voting.extensions import db
from voting.witness.operations import CosignatureRefused, checkpoint_to_cosign, cosign

pytestmark = pytest.mark.usefixtures("english")  # the reasons asserted are English

CHOICES = {"m1": "yes", "m2": "no", "m3": ["c3-1"]}


@pytest.fixture
def witnessed(app, factory):
    """An open vote whose street office registered a certifying key, and a clerk a clerk key."""
    estate = factory.estate(roster=small_roster())
    officer, clerk = factory.staff(Role.STREET_OFFICE, estate), factory.staff(Role.CLERK, estate)
    officer_seed, officer_public = signing.generate_keypair()
    clerk_seed, clerk_public = signing.generate_keypair()
    vote = open_vote(estate, officers=[(officer, "street_office", officer_public), (clerk, "clerk", clerk_public)])
    witness = Witness(officer, officer_seed)
    witness.officer_id = next(o.officer_id for o in vote.election.officers if o.role == "street_office")
    clerk_key = signing.private_key_from_seed(clerk_seed)
    clerk_id = next(o.officer_id for o in vote.election.officers if o.role == "clerk")
    return vote, witness, (clerk, clerk_id, clerk_key)


def test_cosignatures_verify_and_the_record_carries_every_checkpoint(app, witnessed):
    vote, witness, _clerk = witnessed
    election = vote.election
    voters = sorted(vote.secrets)
    witness.cosign_now(election)  # the empty log, at the opening
    for voter in voters[:2]:
        vote.cast(voter, CHOICES)
    witness.cosign_now(election, NOW + timedelta(minutes=1))
    vote.cast(voters[2], CHOICES, NOW + timedelta(minutes=2))
    witness.cosign_now(election, NOW + timedelta(minutes=3))
    vote.cast(voters[0], CHOICES, NOW + timedelta(minutes=4))  # a changed ballot
    close_election("test", election, now=election.closes_at)
    witness.cosign_now(election, election.closes_at + timedelta(minutes=1))  # the final log, at the close
    tally_election("test", election)
    db.session.commit()

    document = export_record(election)
    assert record_v2.verify(document) == json.loads(election.tally_json)
    heads = document["checkpoints"]
    assert [h["size"] for h in heads] == [0, 2, 3, 4]
    assert document["tree_head"] == heads[-1]  # the final log, with the cosignature at the close
    leaves = [record_v2.entry_leaf_hash(entry) for entry in document["log"]]
    log_key = Ed25519PublicKey.from_public_bytes(b64d(document["election"]["election_public_key"]))
    officer_key = Ed25519PublicKey.from_public_bytes(
        b64d(next(o["public_key"] for o in document["election"]["officers"] if o["officer_id"] == witness.officer_id))
    )
    for head in heads:
        assert set(head) == {"size", "root", "signature", "cosignatures"}
        assert b64d(head["root"]) == merkle.root(leaves[: head["size"]])
        text = checkpoint.text(election.election_hash, head["size"], b64d(head["root"]))
        assert text.decode().split("\n")[:2] == [f"gongzhi/{election.election_hash}", str(head["size"])]
        log_key.verify(b64d(head["signature"]), text)  # raises if it does not verify
        [cosigned] = head["cosignatures"]
        assert set(cosigned) == {"witness", "time", "signature"} and cosigned["witness"] == witness.officer_id
        officer_key.verify(b64d(cosigned["signature"]), checkpoint.cosignature_message(text, cosigned["time"]))
    assert heads[-1]["cosignatures"][0]["time"] == int((election.closes_at + timedelta(minutes=1)).timestamp())


def test_the_vote_page_asks_for_the_opening_and_the_final_log(app, witnessed):
    vote, witness, _clerk = witnessed
    election = vote.election
    client = login(app.test_client(), witness.staff)
    detail = f"/estates/{election.estate.code}/elections/{election.id}/"
    assert "Cosign the opening log" in client.get(detail).get_data(as_text=True)
    vote.cast(sorted(vote.secrets)[0], CHOICES)
    witness.cosign_now(election)
    page = client.get(detail).get_data(as_text=True)
    assert "You last cosigned the log at 1 ballot," in page and "Cosign the opening log" not in page
    vote.cast(sorted(vote.secrets)[1], CHOICES, NOW + timedelta(minutes=1))
    close_election("test", election, now=election.closes_at)
    db.session.commit()
    assert "Cosign the final log" in client.get(detail).get_data(as_text=True)
    witness.cosign_now(election, election.closes_at + timedelta(minutes=1))
    db.session.commit()
    assert "Cosign the" not in client.get(detail).get_data(as_text=True)
    heads = checkpoints_of(election)
    assert [(h.size, [c.witness for c in h.cosignatures]) for h in heads] == [
        (1, [witness.officer_id]),
        (2, [witness.officer_id]),
    ]


def test_a_head_cosigned_before_the_close_does_not_witness_it(app, witnessed):
    """The last ballot cosigned while voting ran: after the close the page still asks for the
    final log, and the vote cannot be counted until the witness cosigns it at the close."""
    vote, witness, _clerk = witnessed
    election = vote.election
    client = login(app.test_client(), witness.staff)
    detail = f"/estates/{election.estate.code}/elections/{election.id}/"
    vote.cast(sorted(vote.secrets)[0], CHOICES)
    witness.cosign_now(election, NOW + timedelta(minutes=1))
    close_election("test", election, now=election.closes_at)
    db.session.commit()
    assert "Cosign the final log" in client.get(detail).get_data(as_text=True)
    with pytest.raises(ElectionError, match="not yet witnessed the log at the close"):
        tally_election("test", election)
    witness.witness_close(election)  # the same head, seen again at the close
    db.session.commit()
    assert "Cosign the" not in client.get(detail).get_data(as_text=True)
    [head] = checkpoints_of(election)
    assert [(c.witness, c.time) for c in head.cosignatures] == [
        (witness.officer_id, int((election.closes_at + timedelta(minutes=1)).timestamp()))
    ]
    assert tally_election("test", election)["counted"] == 1
    assert record_v2.verify(export_record(election))["counted"] == 1


def test_only_the_whole_log_witnesses_the_close_and_never_from_the_future(app, witnessed):
    """Review findings: re-cosigning an older head after the close would let the vote be counted
    into a record failing T5; a time ahead of the server's clock would close voting early; a
    counted vote's heads stay as published."""
    vote, witness, _clerk = witnessed
    election = vote.election
    voters = sorted(vote.secrets)
    vote.cast(voters[0], CHOICES)
    early = checkpoint_to_cosign(witness.staff, election, now=NOW)
    witness.cosign_now(election, NOW)
    ahead = int((election.closes_at + timedelta(seconds=1)).timestamp())
    before_the_close = election.closes_at - timedelta(minutes=4)
    with pytest.raises(CosignatureRefused, match="not now"):
        cosign(
            witness.staff,
            election,
            witness.officer_id,
            early.size,
            ahead,
            witness.cosignature(election, early.size, early.root, ahead),
            now=before_the_close,
        )
    for voter in voters[1:3]:  # voting was not closed by it
        vote.cast(voter, CHOICES, NOW + timedelta(minutes=5))
    close_election("test", election, now=election.closes_at)
    after = election.closes_at + timedelta(minutes=1)
    time = int(after.timestamp())
    with pytest.raises(CosignatureRefused, match="only the whole log"):
        cosign(
            witness.staff,
            election,
            witness.officer_id,
            early.size,
            time,
            witness.cosignature(election, early.size, early.root, time),
            now=after,
        )
    with pytest.raises(ElectionError, match="not yet witnessed"):
        tally_election("test", election)
    witness.witness_close(election)
    tally_election("test", election)
    db.session.commit()
    assert record_v2.verify(export_record(election))["counted"] == 3
    with pytest.raises(CosignatureRefused, match="counted"):
        witness.cosign_now(election, after + timedelta(minutes=1))


def checkpoints_of(election):
    return db.session.scalars(
        select(Checkpoint).where(Checkpoint.election_id == election.id).order_by(Checkpoint.size)
    ).all()


@pytest.mark.parametrize(
    "forgery",
    [
        "wrong time",
        "stale time",
        "another checkpoint",
        "another officer's key",
        "a clerk's key",
        "a clerk's own id",
        "replayed",
    ],
)
def test_forged_or_replayed_cosignatures_are_refused(app, factory, witnessed, forgery):
    vote, witness, (clerk, clerk_id, clerk_key) = witnessed
    election = vote.election
    vote.cast(sorted(vote.secrets)[0], CHOICES)
    earlier = checkpoint_to_cosign(witness.staff, election, now=NOW)
    vote.cast(sorted(vote.secrets)[1], CHOICES, NOW + timedelta(seconds=10))
    now = NOW + timedelta(seconds=20)
    head = checkpoint_to_cosign(witness.staff, election, now=now)
    time = int(now.timestamp())
    officer_id, size, signature = (
        witness.officer_id,
        head.size,
        witness.cosignature(election, head.size, head.root, time),
    )
    staff, refusal = witness.staff, "does not verify"
    if forgery == "wrong time":
        time -= 1
    elif forgery == "stale time":
        time -= 3600
        signature = witness.cosignature(election, head.size, head.root, time)
        refusal = "not now"
    elif forgery == "another checkpoint":
        signature = witness.cosignature(election, earlier.size, earlier.root, time)
    elif forgery == "another officer's key":
        other = signing.private_key_from_seed(signing.new_seed())
        signature = witness.cosignature(election, head.size, head.root, time, key=other)
    elif forgery == "a clerk's key":
        signature = witness.cosignature(election, head.size, head.root, time, key=clerk_key)
    elif forgery == "a clerk's own id":
        officer_id, refusal = clerk_id, "no certifying key"
        signature = witness.cosignature(election, head.size, head.root, time, key=clerk_key)
    elif forgery == "replayed":
        cosign(staff, election, officer_id, size, time, signature, now=now)
        refusal = "already cosigned"
    with pytest.raises(CosignatureRefused, match=refusal):
        cosign(staff, election, officer_id, size, time, signature, now=now)
    if forgery != "replayed":
        assert db.session.scalars(select(Cosignature)).all() == []
    # And the clerk, signing in their own name, is no witness at all.
    with pytest.raises(CosignatureRefused, match="street office"):
        cosign(clerk, election, clerk_id, size, time, signature, now=now)


def test_a_witness_never_cosigns_a_fork(app, witnessed):
    vote, witness, _clerk = witnessed
    election = vote.election
    voters = sorted(vote.secrets)
    for voter in voters[:2]:
        vote.cast(voter, CHOICES)
    smaller = checkpoint_to_cosign(witness.staff, election, now=NOW)
    vote.cast(voters[2], CHOICES)
    witness.cosign_now(election)  # size 3
    # An older, smaller head is no longer cosigned: it does not extend the one cosigned last.
    time = int(NOW.timestamp())
    with pytest.raises(CosignatureRefused, match="does not extend"):
        cosign(
            witness.staff,
            election,
            witness.officer_id,
            smaller.size,
            time,
            witness.cosignature(election, smaller.size, smaller.root, time),
            now=NOW,
        )
    # The operator drops ballot 1 and rebuilds the log with the vote's key, which it holds; more
    # ballots come in. The rebuilt log's head is refused.
    entries = db.session.scalars(
        select(LogEntry).where(LogEntry.election_id == election.id).order_by(LogEntry.seq)
    ).all()
    db.session.delete(entries[1])
    db.session.execute(delete(TreeHead).where(TreeHead.election_id == election.id, TreeHead.size > 1))
    db.session.flush()
    entries[2].seq = 1
    frontier = merkle.Frontier()
    for entry in (entries[0], entries[2]):
        frontier.append(b64d(entry.leaf_hash))
    election.log_size, election.frontier_json = frontier.size, json.dumps(frontier.to_json())
    db.session.commit()
    for voter in voters[:2]:
        vote.cast(voter, CHOICES)
    rebuilt = checkpoint_to_cosign(witness.staff, election, now=NOW)
    assert rebuilt.size == 4
    with pytest.raises(CosignatureRefused, match="does not extend"):
        cosign(
            witness.staff,
            election,
            witness.officer_id,
            rebuilt.size,
            time,
            witness.cosignature(election, rebuilt.size, rebuilt.root, time),
            now=NOW,
        )


@pytest.mark.parametrize("role", [Role.PLATFORM_ADMIN, Role.PREP_GROUP, Role.COMMUNITY, Role.CLERK, "other office"])
def test_only_the_estates_own_street_office_witnesses(app, factory, witnessed, role):
    vote, witness, _clerk = witnessed
    election = vote.election
    estate = election.estate
    if role == "other office":
        intruder, status = factory.staff(Role.STREET_OFFICE, factory.estate()), 404
    else:
        intruder, status = factory.staff(role, None if role is Role.PLATFORM_ADMIN else estate), 403
    client = login(app.test_client(), intruder)
    base = f"/api/estates/{estate.code}/elections/{election.id}/witness"
    assert client.post(f"{base}/checkpoint", json={}).status_code == status
    assert (
        client.post(
            f"{base}/cosignatures", json={"officer_id": witness.officer_id, "size": 0, "time": 0, "signature": "x"}
        ).status_code
        == status
    )
    assert b"witness/checkpoint" not in client.get(f"/estates/{estate.code}/elections/{election.id}/").data
    assert checkpoints_of(election) == []


def test_the_witness_cosigns_through_the_api(app, witnessed):
    vote, witness, _clerk = witnessed
    election = vote.election
    app.config["CLOCK_SHIFT"] = NOW - datetime.now(UTC)
    client = login(app.test_client(), witness.staff)
    base = f"/api/estates/{election.estate.code}/elections/{election.id}/witness"
    page = client.get(f"/estates/{election.estate.code}/elections/{election.id}/turnout").get_data(as_text=True)
    assert f"{base}/checkpoint" in page and "Cosign the opening log" in page
    head = client.post(f"{base}/checkpoint", json={"since": None}).get_json()
    assert head["size"] == 0 and head["consistency_proof"] is None
    assert abs(head["time"] - NOW.timestamp()) < 60
    signature = witness.cosignature(election, 0, head["root"], head["time"])
    posted = client.post(
        f"{base}/cosignatures",
        json={"officer_id": witness.officer_id, "size": 0, "time": head["time"], "signature": signature},
    )
    assert posted.status_code == 201, posted.data
    assert (
        client.post(
            f"{base}/cosignatures",
            json={"officer_id": witness.officer_id, "size": 0, "time": head["time"], "signature": signature},
        ).status_code
        == 409
    )
    for voter in sorted(vote.secrets)[:3]:
        vote.cast(voter, CHOICES)
    head = client.post(f"{base}/checkpoint", json={"since": 0}).get_json()
    assert head["size"] == 3 and head["consistency_proof"] == []  # every tree extends the empty one
    page = client.get(f"/estates/{election.estate.code}/elections/{election.id}/turnout").get_data(as_text=True)
    assert "You last cosigned the log at 0 ballots" in page and "Cosign the log as it stands now" in page


def test_each_day_of_the_vote_has_its_head_on_the_board(app, witnessed):
    vote, witness, _clerk = witnessed
    election = vote.election
    voters = sorted(vote.secrets)
    days = [
        election.opens_at + timedelta(hours=1),
        election.opens_at + timedelta(days=1, hours=1),
        election.opens_at + timedelta(days=2, hours=3),
    ]
    for number, moment in enumerate(days):
        vote.cast(voters[number], CHOICES, moment)
        witness.cosign_now(election, moment + timedelta(minutes=1))
        assert post_day_head(election.id, now=moment + timedelta(minutes=2)) is not None
        assert post_day_head(election.id, now=moment + timedelta(hours=1)) is None  # once a day
        db.session.commit()
    posted = db.session.scalars(select(DayHead).where(DayHead.election_id == election.id).order_by(DayHead.day)).all()
    assert [p.day.isoformat() for p in posted] == sorted({d.astimezone(SHANGHAI).date().isoformat() for d in days})
    notices = db.session.scalars(
        select(BoardNotice).where(BoardNotice.kind == "tree_head").order_by(BoardNotice.id)
    ).all()
    assert [n.id for n in notices] == [p.notice_id for p in posted]
    for number, (posted_head, notice) in enumerate(zip(posted, notices), start=1):
        made = db.session.get(Checkpoint, posted_head.checkpoint_id)
        assert made.size == number
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(notice.pdf)).pages).replace("\n", "")
        assert f"gongzhi/{election.election_hash}{made.size}{base64.b64encode(b64d(made.root)).decode()}" in text
        assert witness.officer_id in text  # the witness's cosignature is on the note
    # Outside the voting period nothing is posted.
    assert post_day_head(election.id, now=election.closes_at + timedelta(hours=1)) is None


def test_the_turnout_page_posts_the_days_head_once(app, witnessed):
    vote, witness, _clerk = witnessed
    election = vote.election
    client = login(app.test_client(), witness.staff)
    turnout = f"/estates/{election.estate.code}/elections/{election.id}/turnout"
    for moment in (NOW, NOW + timedelta(hours=1), NOW + timedelta(days=1)):
        app.config["CLOCK_SHIFT"] = moment - datetime.now(UTC)
        assert client.get(turnout).status_code == 200
    notices = db.session.scalars(
        select(BoardNotice).where(BoardNotice.election_id == election.id, BoardNotice.kind == "tree_head")
    ).all()
    assert len(notices) == 2
    public = app.test_client().get(f"/p/{election.estate.code}/board/").get_data(as_text=True)
    assert all(n.title in public for n in notices)
