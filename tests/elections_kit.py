"""Helpers for tests that hold a vote: an open election with the voters' secrets in hand."""

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from unittest import mock

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from simulation.vote import witness_log
from tests.factories import resident_id
from voting.auth.models import Role, Staff
from voting.auth.operations import create_staff
from voting.ballots.operations import append, cast_online
from voting.core import checkpoint, record_v2, signing
from voting.core.canonical import b64d, b64e
from voting.credentials.operations import approve_request, prepare_request, sign_request
from voting.demo import announce_as_of
from voting.elections.models import Election
from voting.elections.operations import (
    add_committee_election,
    add_motion,
    close_election,
    create_election,
    open_election,
    register_officer,
    tally_election,
    units_by_voter,
)
from voting.extensions import db
from voting.notices.operations import batch_secrets, unlock
from voting.roster.models import Voter

NOW = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
PASSPHRASE = "notices passphrase of the tests"  # what the group member types when opening a vote


def notice_secrets(batch) -> dict[str, bytes]:
    """Voter code -> credential seed, opened with the test passphrase as the render job opens
    them: the test stands in for owners reading their notices."""
    return batch_secrets(db.session.get(Election, batch.election_id), batch, unlock(batch, PASSPHRASE))


def roster_voter_ids(election) -> dict[str, str]:
    """The roster's voter code (v00001 …) -> this vote's random voter id, matched by units: tests
    name a roll's voters by their roster codes, which a vote never uses."""
    by_units = {tuple(sorted(units)): code for code, units in units_by_voter(election).items()}
    return {
        voter.code: by_units[tuple(sorted(unit.label for unit in voter.units))]
        for voter in db.session.scalars(
            select(Voter).where(Voter.estate_id == election.estate_id).options(selectinload(Voter.units))
        )
    }


class Witness:
    """An officer of the estate's street office with a certifying key registered in the draft,
    which also witnesses the vote's log (spec v2 §6)."""

    def __init__(self, staff, seed: bytes):
        self.staff_id = staff.id
        self.key = signing.private_key_from_seed(seed)
        self.officer_id = None

    @property
    def staff(self):
        """The account in the session of now: a witness outlives the request that made it."""
        return db.session.get(Staff, self.staff_id)

    def cosignature(self, election, size: int, root: str, time: int, key=None) -> str:
        text = checkpoint.text(election.election_hash, size, b64d(root))
        return b64e((key or self.key).sign(checkpoint.cosignature_message(text, time)))

    def cosign_now(self, election, now=NOW):
        return witness_log(self.staff, election, self.officer_id, self.key, now)

    def witness_close(self, election):
        """Cosign the log a minute after the close, as the officer does on the vote's page."""
        self.cosign_now(election, election.closes_at + timedelta(minutes=1))


# election id -> the witness add_witness registered for it, for tests that count a vote.
WITNESSES: dict[int, Witness] = {}


def add_witness(election) -> Witness:
    """Register, on the draft, the certifying key of a new account of the estate's street office,
    which will witness the vote's log."""
    serial = secrets.randbelow(900) + 100
    staff = create_staff(
        "test",
        f"witness{secrets.token_hex(4)}",
        "街道见证人",
        "witness-password",
        Role.STREET_OFFICE,
        id_number=resident_id(serial, "19650101"),
        street_office_id=election.estate.community.street_office_id,
    )
    seed, public_key = signing.generate_keypair()
    witness = Witness(staff, seed)
    witness.officer_id = register_officer("test", election, staff, "street_office", public_key).officer_id
    WITNESSES[election.id] = witness
    return witness


def count_vote(election, actor: str = "test") -> dict:
    """Close after the period, have add_witness's witness cosign the close, count; committed."""
    close_election(actor, election, now=election.closes_at + timedelta(seconds=1))
    WITNESSES[election.id].witness_close(election)
    tally = tally_election(actor, election)
    db.session.commit()
    return tally


def announced(election) -> None:
    """The roll and the vote's meeting notice public long enough for the draft to open now (a
    placeholder for the notice's PDF, which tests of the board lay out for real)."""
    announce_as_of("test", election, render=lambda _url: b"%PDF meeting notice")


def opened(election, witness: Witness | None) -> "OpenVote":
    """Open a draft whose officers are registered, its notice periods over; committed."""
    announced(election)
    batch = open_election("test", election, PASSPHRASE)
    db.session.commit()
    return OpenVote(election, batch, notice_secrets(batch), witness)


@dataclass
class OpenVote:
    election: object
    batch: object  # the notice batch opening the vote sealed
    secrets: dict[str, bytes]  # voter code -> credential seed, as printed on the notices
    witness: Witness | None  # the street office's, where the test did not register its own

    @cached_property
    def roster_secrets(self) -> dict[str, bytes]:
        """roster code -> credential seed: the notice each owner of the roll holds (none for an
        owner with no motion to decide, where every motion is limited to some buildings or units)."""
        return {roster: self.secrets[code] for roster, code in self.ids.items() if code in self.secrets}

    @cached_property
    def ids(self) -> dict[str, str]:
        """roster code -> this vote's voter code."""
        return roster_voter_ids(self.election)

    def ballot(self, voter_code: str, choices: dict, channel: str = "online") -> dict:
        return {
            "election_hash": self.election.election_hash,
            "voter_id": voter_code,
            "channel": channel,
            "nonce": b64e(secrets.token_bytes(16)),
            "choices": choices,
        }

    def signed(self, voter_code: str, choices: dict, seed: bytes | None = None) -> tuple[dict, str]:
        """An online ballot signed with the seed on the voter's notice, or the one given."""
        ballot = self.ballot(voter_code, choices)
        key = signing.private_key_from_seed(seed or self.secrets[voter_code])
        return ballot, signing.sign(key, "ballot", ballot, record_v2.VERSION)

    def cast(self, voter_code: str, choices: dict, now=NOW, seed: bytes | None = None):
        """Cast the voter's online ballot at ``now`` (None: the real now); committed. Returns its receipt."""
        receipt = cast_online(self.election, *self.signed(voter_code, choices, seed), now=now)
        db.session.commit()
        return receipt

    def hand_in_and_key(
        self,
        clerk_keys: list,
        voter_code: str,
        choices: dict,
        handed_in_at=NOW,
        keyed_at=None,
        *,
        identity_checked: bool = False,
    ):
        """A paper ballot handed in at the desk at ``handed_in_at`` (signed by the first clerk)
        and keyed at ``keyed_at`` by both clerks (private keys in the order of the vote's clerk
        officers), straight into the log as the paper desk puts it there. Returns its receipt."""
        clerks = [officer for officer in self.election.officers if officer.role == "clerk"]
        signer = lambda officer, key, purpose, body: {  # noqa: E731
            "signer": officer.officer_id,
            "signature": signing.sign(key, purpose, body, record_v2.VERSION),
        }
        desk_receipt = f"T-{secrets.token_hex(3)}"
        handin = {
            "election_hash": self.election.election_hash,
            "desk_receipt": desk_receipt,
            "voter_id": voter_code,
            "identity_checked": identity_checked,
        }
        handed_in = append(
            self.election.id,
            "handin",
            handin,
            [signer(clerks[0], clerk_keys[0], "handin", handin)],
            handed_in_at,
            voter_code=voter_code,
            desk_receipt=desk_receipt,
        )
        ballot = self.ballot(voter_code, choices, channel="paper") | {
            "invalid": {},
            "paper_scan_sha256": b64e(secrets.token_bytes(32)),
            "proxy_sha256": None,
            "handin": handed_in.seq,
        }
        receipt = append(
            self.election.id,
            "ballot",
            ballot,
            [signer(officer, key, "ballot", ballot) for officer, key in zip(clerks, clerk_keys)],
            keyed_at or handed_in_at,
        )
        db.session.commit()
        return receipt

    def count(self, actor: str = "test") -> dict:
        return count_vote(self.election, actor)


# An ordinary motion (m1), a major one (m2) and a two-seat committee election (m3).
MOTIONS = ((4, "选聘物业服务企业"), (6, "筹集住宅专项维修资金"), (3, "选举业主委员会", 2, ["甲", "乙", "丙"]))
# The same kinds as the phone shows them, its committee candidates owners of small_roster.
PHONE_MOTIONS = (
    (2, "审议《管理规约》"),
    (7, "改建小区东门及其附属设施"),
    (3, "选举第一届业主委员会", 2, ["张三", "王五", "赵六"]),
)


def open_vote(
    estate,
    revote: str = "last",
    *,
    title: str = "业主大会表决",
    now: datetime = NOW,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    motions=MOTIONS,
    officers=(),
    witness: bool = True,
    **options,
) -> OpenVote:
    """An election on the estate's roll, open from a day before ``now`` to a week after (or from
    ``opens_at`` to ``closes_at``), with ``motions``: (item, title) for a motion, (3, title, seats,
    candidates) for the committee election. ``officers`` are (staff, role, public key) registered
    in the draft; unless one is a street-office officer or ``witness`` is false, an officer of the
    estate's street office witnesses the vote. Opened with the test passphrase; committed."""
    election = create_election(
        "test",
        estate,
        title,
        opens_at or now - timedelta(days=1),
        closes_at or now + timedelta(days=7),
        revote,
        **options,
    )
    for item, motion_title, *committee in motions:
        if committee:
            add_committee_election("test", election, motion_title, *committee)
        else:
            add_motion("test", election, item, motion_title)
    for staff, role, public_key in officers:
        register_officer("test", election, staff, role, public_key)
    street_office = any(role == "street_office" for _staff, role, _key in officers)
    return opened(election, add_witness(election) if witness and not street_office else None)


@dataclass
class CredentialSigner:
    """A preparation-group member (or street-office officer) with a key for credential acts, its
    seed held here as their browser holds it."""

    staff: object
    seed: bytes = field(repr=False)
    public_key: str

    def officer_id(self, election) -> str:
        return next(o.officer_id for o in election.officers if o.public_key == self.public_key)

    def sign(self, body: dict, purpose: str = "credential") -> str:
        return signing.sign(signing.private_key_from_seed(self.seed), purpose, body, record_v2.VERSION)

    @property
    def officer(self) -> tuple:
        """As open_vote's ``officers`` take it."""
        return self.staff, "preparation_group", self.public_key


def group_member(factory, estate, **person) -> CredentialSigner:
    """A member of the estate's preparation group, a person of their own unless given an ID number."""
    seed, public_key = signing.generate_keypair()
    return CredentialSigner(factory.staff(Role.PREP_GROUP, estate, **person), seed, public_key)


def request_act(
    election, requester: CredentialSigner, unit: str, action: str, reason: str = "lost", now=NOW
) -> tuple[object, bytes | None]:
    """Request a revocation or a reissue and sign it as the requester's browser does; committed.
    Returns the request and, for a reissue, the new seed as printed on the replacement notice."""
    printed = []

    def notice(_election, _holder, secret, _base_url):  # the owner reads the page: its seed, not its layout
        printed.append(secret)
        return b"%PDF-"

    with mock.patch("voting.credentials.operations.replacement_notice", notice):
        request = prepare_request(requester.staff, election, unit, action, reason, "https://vote.test", now=now)
    sign_request(
        requester.staff,
        election,
        request.request.id,
        requester.officer_id(election),
        requester.sign(request.request.body()),
    )
    db.session.commit()
    return request.request, (printed[0] if printed else None)


def approve_act(election, request, approver: CredentialSigner, now=NOW):
    """Approve a signed request in the approver's own session; committed."""
    approved = approve_request(
        approver.staff, election, request.id, approver.officer_id(election), approver.sign(request.body()), now=now
    )
    db.session.commit()
    return approved
