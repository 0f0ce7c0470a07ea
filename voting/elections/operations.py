"""The life of a vote: draft → open (frozen, credentials issued) → closed → tallied."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from voting.audit.operations import record_event
from voting.auth.access import Permission, can
from voting.auth.models import Role
from voting.ballots.log import checkpoints, close_witnessed, final_tree_head, log_entries
from voting.ballots.models import Checkpoint, Cosignature
from voting.board.operations import meeting_notice_posted
from voting.certification.models import CertificationDecision
from voting.core import record_v2, rules, signing
from voting.core import roll as private_roll
from voting.core import scopes as pure_scopes
from voting.core.canonical import H, b64e, canon, format_time
from voting.core.scopes import Part
from voting.elections import scopes
from voting.elections.models import (
    COMMITTEE_ITEM,
    ITEM_NAMES,
    Candidate,
    Election,
    ElectionError,
    ElectionVoter,
    ElectionVoterUnit,
    Motion,
    MotionOption,
    NoticeBatch,
    Officer,
    State,
)
from voting.estates.models import Estate, Unit
from voting.extensions import db
from voting.formatting import format_datetime
from voting.notices import sealing
from voting.privacy import last4_hash, personal_data
from voting.roster.models import Owner, UnitOwner, Voter
from voting.timeutil import utcnow


class MalformedKey(ElectionError):
    status = 400


def create_election(
    actor: str,
    estate: Estate,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    revote: str = "last",
    *,
    require_id_last4: bool = False,
    publish_units: bool = False,
) -> Election:
    if closes_at <= opens_at:
        raise ElectionError(_("The vote must close after it opens."))
    if revote not in ("first", "last"):
        raise ElectionError(_("Unknown re-vote policy."))
    number = db.session.scalar(select(func.count()).select_from(Election).where(Election.estate_id == estate.id)) + 1
    election = Election(
        public_id=f"{estate.code}-{number}",
        estate=estate,
        title=title,
        opens_at=opens_at,
        closes_at=closes_at,
        revote=revote,
        require_id_last4=require_id_last4,
        publish_units=publish_units,
        created_by=actor,
    )
    db.session.add(election)
    db.session.flush()
    record_event(actor, "election.create", f"election:{election.public_id}", estate_id=estate.id, title=title)
    return election


def add_motion(actor: str, election: Election, item: int, title: str, scope: Iterable[Part] = ()) -> Motion:
    """A yes/no motion on an item of Civil Code art. 278 para. 1; its threshold follows from the
    item (items 6–8 major, the others ordinary) and nobody chooses it apart from the item. Item 3
    as a question replaces a member, say; electing a committee takes a vetted list. With a
    ``scope``, only the owners of those buildings, stairwells or units decide it."""
    if type(item) is not int or item not in ITEM_NAMES:
        raise ElectionError(_("A motion decides one of the items 1–9 of Civil Code art. 278."))
    motion = _append_motion(actor, election, item, rules.threshold(item), title, None, ())
    scopes.limit_motion(actor, motion, scope)
    return motion


def add_committee_election(actor: str, election: Election, title: str, seats: int, candidates: list[str]) -> Motion:
    """The committee election (art. 278 item 3) with these candidates. Their vetting is checked by
    voting.candidates.motion.add_committee_motion, the way staff add one; tests call this
    directly with candidates that stand in for a vetted list."""
    if not seats or seats < 1:
        raise ElectionError(_("A committee election needs at least one seat."))
    if len(candidates) < seats:
        raise ElectionError(_("A committee election needs at least as many candidates as seats."))
    return _append_motion(actor, election, COMMITTEE_ITEM, "committee", title, seats, candidates)


MAX_OPTIONS = 20  # a paper ballot still has room for every option
MAX_OPTION_LENGTH = 300  # MotionOption.title


def add_choice_motion(
    actor: str, election: Election, item: int, title: str, options: list[str], scope: Iterable[Part] = ()
) -> Motion:
    """A choice among several options on an item of art. 278 (which company to hire, which
    management mode): each owner picks at most one, and an option is adopted only with the
    majority the item requires among those taking part (spec election-record-v2 §7.3). A
    ``scope`` limits it as it limits a yes/no motion."""
    if type(item) is not int or item not in ITEM_NAMES:
        raise ElectionError(_("A motion decides one of the items 1–9 of Civil Code art. 278."))
    titles = [option.strip() for option in options if option.strip()]
    if not 2 <= len(titles) <= MAX_OPTIONS:
        raise ElectionError(_("A choice needs between 2 and %(most)d options, one per line.", most=MAX_OPTIONS))
    if len(set(titles)) != len(titles):
        raise ElectionError(_("Two options of a choice have the same wording."))
    if any(len(option) > MAX_OPTION_LENGTH for option in titles):
        raise ElectionError(_("An option is at most %(most)d characters long.", most=MAX_OPTION_LENGTH))
    motion = _append_motion(actor, election, item, "choice", title, None, (), options=titles)
    scopes.limit_motion(actor, motion, scope)
    return motion


def _append_motion(
    actor: str, election: Election, item: int, kind: str, title: str, seats: int | None, candidates, options=()
) -> Motion:
    election.require_state(State.DRAFT)
    position = len(election.motions) + 1
    motion = Motion(
        election=election,
        position=position,
        motion_id=f"m{position}",
        item=item,
        kind=kind,
        title=title,
        seats=seats if kind == "committee" else None,
        candidates=[
            Candidate(position=i, candidate_id=f"c{position}-{i}", name=name)
            for i, name in enumerate(candidates, start=1)
        ]
        if kind == "committee"
        else [],
        options=[
            MotionOption(position=i, option_id=f"o{position}-{i}", title=option_title)
            for i, option_title in enumerate(options, start=1)
        ],
    )
    db.session.add(motion)
    record_event(
        actor,
        "election.motion",
        f"election:{election.public_id}",
        estate_id=election.estate_id,
        item=item,
        kind=kind,
        title=title,
        seats=seats,
        candidates=list(candidates),
        **({"options": list(options)} if options else {}),
    )
    return motion


def why_no_officer_key(staff) -> str | None:
    """Why this account cannot register an officer key, or None: the record names the person
    behind every key, so an account without one cannot hold a key."""
    if staff.id_hash is None:
        return _(
            "The account %(name)s has no ID number on record, so it cannot register a key. A platform "
            "administrator or the street office records it on the staff accounts page.",
            name=staff.username,
        )
    return None


def register_officer(actor: str, election: Election, staff, role: str, public_key: str) -> Officer:
    """Register the public key a clerk's, group member's or officer's browser generated and keeps: one per
    account, role and vote, so that one account never counts as two officers."""
    election.require_state(State.DRAFT)
    if role == "clerk" and not can(staff, Permission.ENTER_PAPER):
        raise ElectionError(_("Only a clerk's account can hold a clerk key."))
    if role == "preparation_group" and not (staff.role == Role.PREP_GROUP and staff.estate_id == election.estate_id):
        raise ElectionError(_("Only an account of this estate's preparation group can hold a preparation-group key."))
    reason = why_no_officer_key(staff)
    if reason:
        raise ElectionError(reason)
    signing.public_key_bytes(public_key)  # raises ValueError on a malformed key
    if any(o.public_key == public_key for o in election.officers):
        raise ElectionError(_("This key is already registered."))
    held = next((o for o in election.officers if o.staff_id == staff.id and o.role == role), None)
    if held is not None:
        raise ElectionError(
            _(
                "The account %(name)s already holds the key %(officer)s for this vote; an account "
                "registers one key per role and vote.",
                name=staff.username,
                officer=held.officer_id,
            )
        )
    officer = Officer(
        election=election,
        staff_id=staff.id,
        role=role,
        public_key=public_key,
        officer_id=f"{role}-{staff.username}-{len(election.officers) + 1}",
    )
    db.session.add(officer)
    record_event(
        actor,
        "election.officer",
        f"election:{election.public_id}",
        estate_id=election.estate_id,
        officer_id=officer.officer_id,
        role=role,
        public_key=public_key,
    )
    return officer


def register_browser_key(staff, election: Election, role: str, public_key) -> Officer:
    """Register, as given in a request, the public half of a key an officer's browser made."""
    if not isinstance(public_key, str):
        raise MalformedKey(_("Send the public key as base64url text."))
    try:
        return register_officer(staff.username, election, staff, role, public_key)
    except ElectionError:
        raise
    except ValueError:
        raise MalformedKey(_("That is not a usable Ed25519 public key.")) from None


def officer_keys(election: Election, staff, *roles: str) -> list[Officer]:
    """The keys of these roles registered to this account for this vote."""
    return [o for o in election.officers if o.role in roles and o.staff_id == staff.id]


def officer_person(election: Election, staff) -> str:
    """The record's opaque id of the person behind an officer's account: the same for two
    accounts of one person in this vote. It hashes the keyed hash of the ID number, so nobody
    without DATA_KEY can test a guessed number against it, and the vote's id, so it does not
    follow the person from vote to vote."""
    return b64e(H(b"gongzhi/2/person\x00" + election.public_id.encode() + b"\x00" + staff.id_hash.encode()))[:22]


def definition(election: Election, roll_hash: str, scoping: scopes.Scoping) -> dict:
    """The record's `election` object (spec v2 §3)."""
    estate = election.estate
    motions = []
    for motion in election.motions:
        entry = {
            "motion_id": motion.motion_id,
            "kind": motion.kind if motion.kind in ("committee", "choice") else "question",
            "title": motion.title,
            "item": motion.item,
            "scope": scoping.scope_of(motion.motion_id),
            "documents": [document.record_entry() for document in motion.documents],
        }
        if motion.kind == "committee":
            entry["seats"] = motion.seats
            entry["candidates"] = [{"candidate_id": c.candidate_id, "name": c.name} for c in motion.candidates]
        if motion.kind == "choice":
            entry["options"] = [{"option_id": o.option_id, "title": o.title} for o in motion.options]
        motions.append(entry)
    return {
        "election_id": election.public_id,
        "community": {"code": estate.code, "name": estate.name},
        "title": election.title,
        "opens_at": format_time(election.opens_at),
        "closes_at": format_time(election.closes_at),
        "revote": election.revote,
        "rules": estate.rules_profile.as_record() | estate.roll_rules.as_record(),
        "scopes": scoping.declared(estate.name),
        "motions": motions,
        "officers": [
            {
                "officer_id": o.officer_id,
                "role": o.role,
                "public_key": o.public_key,
                "account": o.staff.username,
                "person": officer_person(election, o.staff),
            }
            for o in election.officers
        ],
        "election_public_key": election.public_key,
        "roll_hash": roll_hash,
    }


def roll_document(election: Election, scope_ids: list[str]) -> dict:
    """The record's `roll` object (spec v2 §4) from the election's frozen voters: weights and a
    commitment to the units, never unit labels (with them, anyone could read how each unit voted).
    Every declared scope has its totals, the sum of its voters' weights (§4)."""
    voters = db.session.scalars(
        select(ElectionVoter).where(ElectionVoter.election_id == election.id).order_by(ElectionVoter.voter_code)
    ).all()
    scoped = scopes.frozen_weights(election)
    entries = [
        {
            "voter_id": voter.voter_code,
            "weights": {
                record_v2.ESTATE: {"area": voter.area, "heads": voter.heads},
                **scoped.get(voter.voter_code, {}),
            },
            "public_key": voter.public_key,
            "units_commitment": voter.units_commitment,
        }
        for voter in voters
    ]
    totals = {
        scope_id: pure_scopes.totals(
            {v["voter_id"]: v["weights"][scope_id] for v in entries if scope_id in v["weights"]}
        )
        for scope_id in scope_ids
    }
    return {"voters": entries, "totals": totals}


def _freeze(election: Election, scoping: scopes.Scoping) -> None:
    """Fix the roll and the definition; their hashes bind every ballot from now on."""
    roll = roll_document(election, [scope["scope_id"] for scope in scoping.declared(election.estate.name)])
    election.roll_json = canon(roll).decode()
    document = definition(election, record_v2.roll_hash(roll), scoping)
    election.definition_json = canon(document).decode()
    election.election_hash = record_v2.election_hash(document)


def _id_last4_hashes(election: Election, protect) -> dict[int, list[str]]:
    """Per voter, keyed hashes of the last four ID characters of each of its owners."""
    if not election.require_id_last4:
        return {}
    found: dict[int, set[str]] = {}
    for voter_id, number in db.session.execute(
        select(Unit.voter_id, Owner.id_number_enc)
        .join(UnitOwner, UnitOwner.unit_id == Unit.id)
        .join(Owner, Owner.id == UnitOwner.owner_id)
        .where(Unit.estate_id == election.estate_id)
    ):
        found.setdefault(voter_id, set()).add(last4_hash(protect, protect.decrypt(number)[-4:]))
    return {voter_id: sorted(hashes) for voter_id, hashes in found.items()}


def _units_fields(labels: list[str]) -> dict:
    """A voter's unit labels with a fresh salt and the commitment to them (spec v2 §4)."""
    salt = private_roll.new_salt()
    return {"units_salt": b64e(salt), "units_commitment": private_roll.units_commitment(salt, labels)}


def notice_period_fault(election: Election, now: datetime) -> str | None:
    """Why voting may not begin yet, or None: the meeting notice and the owner roll must have been
    public for the periods of the estate's rules profile (指导规则 art. 12) before voting begins,
    which is when the vote opens or, if later, the start of its period."""
    estate, profile = election.estate, election.estate.rules_profile
    posted = meeting_notice_posted(estate, election.id, election.created_at)
    if posted is None or posted > now:
        return _(
            "Post the meeting notice of this vote on the notice board first (after drafting the vote): "
            "voting may begin %(days)d days after it goes up.",
            days=profile.notice_days,
        )
    if estate.roll_published_at is None:
        return _(
            "Publish the owner roll first: voting may begin %(days)d days after it is public.",
            days=profile.roll_publication_days,
        )
    earliest = max(
        posted + timedelta(days=profile.notice_days),
        estate.roll_published_at + timedelta(days=profile.roll_publication_days),
    )
    if max(now, election.opens_at) < earliest:
        return _(
            "The vote may open on %(time)s, not before: the meeting notice must be on the notice board "
            "%(notice_days)d days and the owner roll public %(roll_days)d days before voting begins.",
            time=format_datetime(earliest),
            notice_days=profile.notice_days,
            roll_days=profile.roll_publication_days,
        )
    return None


def open_election(actor: str, election: Election, passphrase: str, now: datetime | None = None) -> NoticeBatch:
    """Freeze the vote, issue every voter a credential, and queue their notices, sealed under
    the notices passphrase of the group member who opens it."""
    election.require_state(State.DRAFT)
    if not election.motions:
        raise ElectionError(_("Add at least one motion before opening the vote."))
    if len(passphrase) < sealing.MIN_PASSPHRASE_LENGTH:
        raise ElectionError(
            _("The notices passphrase needs at least %(count)d characters.", count=sealing.MIN_PASSPHRASE_LENGTH)
        )
    unknown = [o.officer_id for o in election.officers if o.staff.id_hash is None]
    if unknown:  # keys registered before accounts named their person
        raise ElectionError(
            _(
                "Record the ID number of the account behind %(officers)s before opening the vote.",
                officers=", ".join(unknown),
            )
        )
    if fault := notice_period_fault(election, now or utcnow()):
        raise ElectionError(fault)
    voters = db.session.scalars(
        select(Voter)
        .where(Voter.estate_id == election.estate_id)
        .order_by(Voter.code)
        .options(selectinload(Voter.units))
    ).all()
    if not voters:
        raise ElectionError(_("The estate has no owner roll yet."))
    scoping = scopes.plan_scopes(election)
    protect = personal_data()
    seed, election.public_key = signing.generate_keypair()
    election.key_enc = protect.encrypt(b64e(seed))
    last4 = _id_last4_hashes(election, protect)
    codes = dict(zip((voter.id for voter in voters), private_roll.new_voter_ids(len(voters))))
    keys = {codes[voter.id]: signing.generate_keypair() for voter in voters}
    db.session.execute(
        ElectionVoter.__table__.insert(),
        [
            {
                "election_id": election.id,
                "voter_code": codes[voter.id],
                "area": voter.area,
                "heads": voter.heads,
                "public_key": keys[codes[voter.id]][1],
                "id_last4_hashes": json.dumps(last4.get(voter.id, [])),
                **_units_fields([u.label for u in voter.units]),
            }
            for voter in voters
        ],
    )
    ids = dict(
        db.session.execute(
            select(ElectionVoter.voter_code, ElectionVoter.id).where(ElectionVoter.election_id == election.id)
        ).all()
    )
    db.session.execute(
        ElectionVoterUnit.__table__.insert(),
        [
            {
                "election_id": election.id,
                "election_voter_id": ids[codes[voter.id]],
                "position": position,
                "label": unit.label,
            }
            for voter in voters
            for position, unit in enumerate(voter.units)
        ],
    )
    scopes.freeze_weights(election, scoping, {voter.id: ids[codes[voter.id]] for voter in voters})
    _freeze(election, scoping)
    election.open()
    # Where every motion is scoped, an owner with no unit in any scope has nothing to decide.
    notified = {codes[voter_id] for voter_id in scoping.deciding(voter.id for voter in voters)}
    kdf = sealing.new_kdf(current_app.config["NOTICES_SCRYPT_N"])
    notices_key = sealing.derive_key(passphrase, kdf)
    batch = NoticeBatch(
        election_id=election.id,
        total=len(notified),
        created_by=actor,
        passphrase_kdf=kdf,
        passphrase_check=sealing.key_check(notices_key),
        secrets_enc=sealing.seal_secrets(
            notices_key, election.public_id, {code: secret for code, (secret, _k) in keys.items() if code in notified}
        ),
    )
    db.session.add(batch)
    record_event(
        actor,
        "election.open",
        f"election:{election.public_id}",
        estate_id=election.estate_id,
        election_hash=election.election_hash,
        voters=len(keys),
    )
    return batch


def close_election(actor: str, election: Election, now: datetime | None = None) -> None:
    """Close once the period is over (or early by the group only if the period has not begun)."""
    election.close(now or utcnow())
    # Notices never printed or never downloaded are of no use now; their secrets go.
    db.session.execute(
        update(NoticeBatch).where(NoticeBatch.election_id == election.id).values(secrets_enc=None, pdf_enc=None)
    )
    record_event(
        actor,
        "election.close",
        f"election:{election.public_id}",
        estate_id=election.estate_id,
        log_size=election.log_size,
    )


def voter_holding(election: Election, label: str) -> ElectionVoter | None:
    """The voter of the frozen roll who holds the unit with exactly this label."""
    return db.session.scalar(
        select(ElectionVoter)
        .join(ElectionVoterUnit)
        .where(ElectionVoterUnit.election_id == election.id, ElectionVoterUnit.label == label)
    )


def units_by_voter(election: Election, voter_codes: set[str] | None = None) -> dict[str, list[str]]:
    """Voter code -> unit labels in the roster's order, for every voter of the frozen roll or those named."""
    query = (
        select(ElectionVoter.voter_code, ElectionVoterUnit.label)
        .join(ElectionVoterUnit)
        .where(ElectionVoter.election_id == election.id)
        .order_by(ElectionVoter.id, ElectionVoterUnit.position)
    )
    if voter_codes is not None:
        query = query.where(ElectionVoter.voter_code.in_(voter_codes))
    units: dict[str, list[str]] = {}
    for code, label in db.session.execute(query):
        units.setdefault(code, []).append(label)
    return units


def tally_election(actor: str, election: Election) -> dict:
    """Count once the close is witnessed: until a witness cosigned the log at the close, the
    record would fail its check T5, and entries other than paper ballots could still join."""
    election.require_state(State.CLOSED)
    if not close_witnessed(election):
        raise ElectionError(
            _(
                "The street office's officer has not yet witnessed the log at the close: they "
                "cosign it on the vote's page, then the vote can be counted."
            )
        )
    tally = rules.tally_v2(election.definition, election.roll, log_entries(election))
    election.record_tally(tally)
    record_event(
        actor,
        "election.tally",
        f"election:{election.public_id}",
        estate_id=election.estate_id,
        counted=tally["counted"],
    )
    return tally


def export_record(election: Election) -> dict:
    """The record, format 2 (docs/spec/election-record-v2.md)."""
    election.require_state(State.TALLIED)
    certifications = [
        {"body": json.loads(body), "signature": signature}
        for body, signature in db.session.execute(
            select(CertificationDecision.body_json, CertificationDecision.signature)
            .where(CertificationDecision.election_id == election.id, CertificationDecision.decision == "certified")
            .order_by(CertificationDecision.id)
        )
    ]
    return record_v2.build(
        election.definition,
        election.roll,
        log_entries(election),
        checkpoints(election),
        final_tree_head(election),
        election.tally,
        certifications,
    )


@dataclass(frozen=True)
class PublishedRecord:
    """A counted vote's record as it is served, and what the verifier everyone else runs finds."""

    record: dict
    text: bytes  # the JSON document as downloaded
    etag: str  # SHA-256 of text
    verified: record_v2.VerifiedRecord | None  # None when it does not verify
    fault: str | None  # the verifier's finding then


def published_record(election: Election) -> PublishedRecord:
    """The record built and verified once per state: the log no longer changes after the count,
    but witnesses cosign its final head and the street office certifies it later, and someone
    with the database may change the stored tally, so each of these makes a new state. Kept
    per process."""
    election.require_state(State.TALLIED)
    cosignatures = tuple(
        db.session.scalars(
            select(Cosignature.id)
            .join(Checkpoint)
            .where(Checkpoint.election_id == election.id)
            .order_by(Cosignature.id)
        )
    )
    certifications = tuple(
        db.session.scalars(
            select(CertificationDecision.id)
            .where(CertificationDecision.election_id == election.id, CertificationDecision.decision == "certified")
            .order_by(CertificationDecision.id)
        )
    )
    return _published_record(
        election.id,
        election.election_hash,
        election.log_size,
        hashlib.sha256(election.tally_json.encode()).hexdigest(),
        cosignatures,
        certifications,
    )


@lru_cache(maxsize=8)
def _published_record(
    election_id: int,
    election_hash: str,
    log_size: int,
    tally_sha256: str,
    cosignatures: tuple[int, ...],
    certifications: tuple[int, ...],
) -> PublishedRecord:
    document = export_record(db.session.get(Election, election_id))
    text = json.dumps(document, ensure_ascii=False, indent=1).encode()
    try:
        verified, fault = record_v2.verify_record(document), None
    except record_v2.RecordInvalid as invalid:
        verified, fault = None, str(invalid)
    return PublishedRecord(document, text, hashlib.sha256(text).hexdigest(), verified, fault)
