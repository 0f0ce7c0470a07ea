"""Paper ballots: one clerk keys a ballot from its scan and signs it in the browser; a second
clerk, another person with another account and key, keys it again without seeing the first entry.
When both entries agree the second clerk signs the same body and the ballot joins the log with
both signatures (spec §2.3); when they differ the ballot is set aside and keyed again.

The server builds the ballot body and checks every signature, but it never holds a clerk's key,
so it cannot put a paper ballot into the log on its own.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from voting.app import MAX_ID
from voting.audit.models import AuditEvent
from voting.audit.operations import record_event
from voting.auth.models import Staff
from voting.auth.operations import same_person
from voting.ballots.models import LogEntry, PaperBallot, PaperScan
from voting.ballots.operations import Receipt, append, receipt_of
from voting.core import merkle, signing
from voting.core.canonical import b64e, canon
from voting.elections.models import Election, ElectionVoter, Officer, State
from voting.elections.operations import ElectionError, officer_keys, register_browser_key
from voting.extensions import db
from voting.timeutil import utcnow

NONCE_BYTES = 16
# keyed_signature of a ballot whose keyer has not signed it yet (the column cannot be NULL).
UNSIGNED = ""
AWAITING_CHECK, MISMATCH, LOGGED = "awaiting_check", "mismatch", "logged"
# Leading bytes of the scan formats a browser can show; the client's content type is not trusted.
SCAN_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


class PaperRefused(ValueError):
    """A paper-ballot step that cannot be taken; the message says why, status is the HTTP code."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class CheckOutcome:
    """The second clerk's entry against the first: which parts differ (nothing, on a match)."""

    voter_differs: bool
    motions: list[str]  # ids of the motions whose entries differ, in the election's order

    @property
    def matched(self) -> bool:
        return not self.voter_differs and not self.motions

    def as_json(self) -> dict:
        return {"voter": self.voter_differs, "motions": self.motions}


# --- clerk keys ---------------------------------------------------------------------------------


def register_clerk_key(staff: Staff, election: Election, public_key) -> Officer:
    """Register the public half of a key pair the clerk's browser made and keeps."""
    try:
        return register_browser_key(staff, election, "clerk", public_key)
    except ElectionError as refusal:
        raise PaperRefused(str(refusal), refusal.status) from None


def clerk_keys(election: Election, staff: Staff) -> list[Officer]:
    return officer_keys(election, staff, "clerk")


def _officer(election: Election, officer_id: str) -> Officer | None:
    return next((o for o in election.officers if o.officer_id == officer_id), None)


def _own_clerk_key(election: Election, staff: Staff, officer_id) -> Officer:
    officer = _officer(election, officer_id) if isinstance(officer_id, str) else None
    if officer is None or officer.role != "clerk" or officer.staff_id != staff.id:
        raise PaperRefused(_("This browser holds no clerk key registered to your account for this vote."), 403)
    return officer


def _require_signature(officer: Officer, paper: PaperBallot, signature) -> None:
    if not signing.verify(officer.public_key, "ballot", ballot_body(paper), signature):
        raise PaperRefused(
            _("The signature does not match paper ballot #%(id)d and the key %(officer)s.",
              id=paper.id, officer=officer.officer_id))


# --- what clerks enter --------------------------------------------------------------------------


def ballot_motions(election: Election) -> list[dict]:
    """The motions as frozen when the vote opened (the ballot is bound to exactly these)."""
    return json.loads(election.definition_json)["motions"] if election.definition_json else []


def find_voter(election: Election, unit_label) -> ElectionVoter:
    """The voter of the frozen roll who holds this unit."""
    label = unit_label.strip() if isinstance(unit_label, str) else ""
    if not label:
        raise PaperRefused(_("Enter the unit number printed on the paper ballot."))
    # units_json holds the labels as JSON strings; narrow with LIKE, then compare exactly.
    quoted = json.dumps(label, ensure_ascii=False)
    pattern = "%" + quoted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    for voter in db.session.scalars(select(ElectionVoter).where(
            ElectionVoter.election_id == election.id, ElectionVoter.units_json.like(pattern, escape="\\"))):
        if label in json.loads(voter.units_json):
            return voter
    raise PaperRefused(_("No voter of this vote's roll holds unit %(unit)s.", unit=label), 404)


def voter_of(election: Election, paper: PaperBallot) -> ElectionVoter:
    return db.session.scalar(select(ElectionVoter).where(
        ElectionVoter.election_id == election.id, ElectionVoter.voter_code == paper.voter_code))


def voter_card(voter: ElectionVoter) -> dict:
    """What a clerk sees to be sure of the voter: id, every unit, area (0.01 m²)."""
    return {"voter_id": voter.voter_code, "units": json.loads(voter.units_json), "area": voter.area}


def read_choices(election: Election, submitted) -> dict:
    """The ballot's choices from a clerk's entry, motion id -> "yes"/"no"/"abstain" or a list
    of candidate ids. A motion left blank is omitted: the owner took part and abstained."""
    if not isinstance(submitted, dict):
        raise PaperRefused(_("Choices must map motion ids to choices."))
    motions = ballot_motions(election)
    unknown = set(submitted) - {m["motion_id"] for m in motions}
    if unknown:
        raise PaperRefused(_("This vote has no motion %(motion)s.", motion=min(unknown)))
    choices = {}
    for motion in motions:
        value = submitted.get(motion["motion_id"])
        if value in (None, "", []):
            continue
        if motion["kind"] == "committee":
            choices[motion["motion_id"]] = _candidates(motion, [value] if isinstance(value, str) else value)
        elif value in ("yes", "no", "abstain"):
            choices[motion["motion_id"]] = value
        else:
            raise PaperRefused(_("The choice for “%(title)s” must be yes, no or abstain.", title=motion["title"]))
    return choices


def _candidates(motion: dict, picked) -> list[str]:
    """The ticked candidates in the order of the ballot, so that two clerks' entries compare equal."""
    standing = [c["candidate_id"] for c in motion["candidates"]]
    if not isinstance(picked, list) or any(not isinstance(c, str) or c not in standing for c in picked):
        raise PaperRefused(_("“%(title)s” names someone who is not a candidate.", title=motion["title"]))
    if len(set(picked)) > motion["seats"]:
        raise PaperRefused(_("“%(title)s” has %(seats)d seats but %(ticked)d candidates are ticked.",
                             title=motion["title"], seats=motion["seats"], ticked=len(set(picked))))
    return [c for c in standing if c in picked]


def why_no_entry(election: Election, now: datetime | None = None) -> str | None:
    """Why paper ballots cannot be entered now, or None while they can."""
    now = now or utcnow()
    if election.state in (State.CLOSED, State.TALLIED) or now > election.closes_at:
        return _("Voting has closed; no more paper ballots can be entered.")
    if election.state != State.OPEN or now < election.opens_at:
        return _("Paper ballots can be entered only while the vote is open.")
    return None


def _require_voting(election: Election, now: datetime) -> None:
    reason = why_no_entry(election, now)
    if reason:
        raise PaperRefused(reason, 409)


def _store_scan(election: Election, content) -> PaperScan:
    if not content:
        raise PaperRefused(_("Attach the scan or photo of the paper ballot."))
    mimetype = next((kind for magic, kind in SCAN_SIGNATURES if content.startswith(magic)), None)
    if mimetype is None:
        raise PaperRefused(_("The scan must be a PDF, PNG or JPEG file."))
    digest = hashlib.sha256(content).hexdigest()
    earlier = db.session.scalar(select(PaperBallot.id).join(PaperScan, PaperScan.id == PaperBallot.scan_id).where(
        PaperScan.election_id == election.id, PaperScan.sha256 == digest).limit(1))
    if earlier is not None:
        raise PaperRefused(_("This scan was already entered as paper ballot #%(id)d.", id=earlier), 409)
    scan = PaperScan(election_id=election.id, sha256=digest, content=content, mimetype=mimetype)
    db.session.add(scan)
    db.session.flush()
    return scan


def _scan_to_rekey(election: Election, mismatched: PaperBallot) -> PaperScan:
    """The scan of a ballot whose two entries differed, unless it is already keyed again."""
    if mismatched.status != MISMATCH:
        raise PaperRefused(_("Only a ballot whose two entries differ is keyed again."), 409)
    active = db.session.scalar(select(PaperBallot.id).where(
        PaperBallot.scan_id == mismatched.scan_id, PaperBallot.status != MISMATCH).limit(1))
    if active is not None:
        raise PaperRefused(_("This scan was already keyed again as paper ballot #%(id)d.", id=active), 409)
    return db.session.get(PaperScan, mismatched.scan_id)


def key_ballot(staff: Staff, election: Election, officer_id, unit_label, submitted_choices, scan: bytes | None,
               rekey_of: PaperBallot | None = None, now: datetime | None = None) -> PaperBallot:
    """The first clerk's entry: build the ballot body, unsigned until the clerk's browser signs it.

    The scan is new, or for ``rekey_of`` the scan of a ballot whose entries differed."""
    _require_voting(election, now or utcnow())
    officer = _own_clerk_key(election, staff, officer_id)
    voter = find_voter(election, unit_label)
    choices = read_choices(election, submitted_choices)
    paper_scan = _scan_to_rekey(election, rekey_of) if rekey_of is not None else _store_scan(election, scan)
    ballot = {
        "election_hash": election.election_hash,
        "voter_id": voter.voter_code,
        "channel": "paper",
        "nonce": b64e(secrets.token_bytes(NONCE_BYTES)),
        "choices": choices,
        "paper_scan_sha256": b64e(bytes.fromhex(paper_scan.sha256)),
    }
    paper = PaperBallot(election_id=election.id, voter_code=voter.voter_code, scan_id=paper_scan.id,
                        ballot_json=canon(ballot).decode(), keyed_by=officer.officer_id,
                        keyed_signature=UNSIGNED, status=AWAITING_CHECK)
    db.session.add(paper)
    db.session.flush()
    # No voter or choices in the audit log: it is not the place to watch a vote's progress.
    _audit(staff, election, paper, "paper.key", officer_id=officer.officer_id, scan_sha256=paper_scan.sha256,
           rekey_of=rekey_of.id if rekey_of is not None else None)
    return paper


def ballot_body(paper: PaperBallot) -> dict:
    return json.loads(paper.ballot_json)


def is_signed(paper: PaperBallot) -> bool:
    return paper.keyed_signature != UNSIGNED


def keyed_by_staff(election: Election, paper: PaperBallot, staff: Staff) -> bool:
    return _officer(election, paper.keyed_by).staff_id == staff.id


def why_not_checker(election: Election, paper: PaperBallot, staff: Staff) -> str | None:
    """Why this account may not check the ballot, or None: the check is a second person's."""
    keyer = _officer(election, paper.keyed_by).staff
    if keyer.id == staff.id:
        return _("You keyed paper ballot #%(id)d; a clerk with another account must check it.", id=paper.id)
    if same_person(keyer, staff):
        return _("Paper ballot #%(id)d was keyed by the account %(account)s, which belongs to the same person as "
                 "yours; another person must check it.", id=paper.id, account=keyer.username)
    return None


def sign_keyed(staff: Staff, election: Election, paper: PaperBallot, officer_id, signature,
               now: datetime | None = None) -> None:
    """The first clerk's signature; only now may another clerk check the ballot."""
    _require_voting(election, now or utcnow())
    if paper.status != AWAITING_CHECK or is_signed(paper):
        raise PaperRefused(_("Paper ballot #%(id)d is already signed by the clerk who keyed it.", id=paper.id), 409)
    officer = _own_clerk_key(election, staff, officer_id)
    if officer.officer_id != paper.keyed_by:
        raise PaperRefused(_("Paper ballot #%(id)d was keyed with the key %(officer)s; sign it with that key.",
                             id=paper.id, officer=paper.keyed_by), 403)
    _require_signature(officer, paper, signature)
    paper.keyed_signature = signature
    _audit(staff, election, paper, "paper.sign", officer_id=officer.officer_id)


# --- the second clerk -----------------------------------------------------------------------------


def check_entry(staff: Staff, election: Election, paper: PaperBallot, officer_id, unit_label, submitted_choices,
                now: datetime | None = None) -> CheckOutcome:
    """The second clerk's blind entry, compared with the first. A match waits for the second
    clerk's signature; any difference sets the ballot aside to be keyed again from its scan."""
    _require_voting(election, now or utcnow())
    if paper.status != AWAITING_CHECK or not is_signed(paper):
        raise PaperRefused(_("Paper ballot #%(id)d is not waiting for a check.", id=paper.id), 409)
    officer = _own_clerk_key(election, staff, officer_id)
    reason = why_not_checker(election, paper, staff)
    if reason:
        raise PaperRefused(reason, 403)
    voter = find_voter(election, unit_label)
    choices = read_choices(election, submitted_choices)
    keyed = ballot_body(paper)["choices"]
    outcome = CheckOutcome(
        voter_differs=voter.voter_code != paper.voter_code,
        motions=[m["motion_id"] for m in ballot_motions(election)
                 if keyed.get(m["motion_id"]) != choices.get(m["motion_id"])],
    )
    paper.checked_by = officer.officer_id
    if outcome.matched:
        _audit(staff, election, paper, "paper.match", officer_id=officer.officer_id)
    else:
        paper.status = MISMATCH
        _audit(staff, election, paper, "paper.mismatch", officer_id=officer.officer_id, **outcome.as_json())
    return outcome


def countersign(staff: Staff, election: Election, paper: PaperBallot, officer_id, signature,
                now: datetime | None = None) -> Receipt:
    """The second clerk's signature over the same body; the ballot joins the log with both.

    Raises BallotRefused (nothing written) when the log will not take it, e.g. under revote
    "first" after the owner voted online."""
    if paper.status != AWAITING_CHECK or paper.checked_by is None:
        raise PaperRefused(_("Paper ballot #%(id)d has no matching check to sign.", id=paper.id), 409)
    officer = _own_clerk_key(election, staff, officer_id)
    if officer.officer_id != paper.checked_by:
        raise PaperRefused(_("Paper ballot #%(id)d was checked with the key %(officer)s; sign it with that key.",
                             id=paper.id, officer=paper.checked_by), 403)
    _require_signature(officer, paper, signature)
    receipt = append(election.id, "ballot", ballot_body(paper), [
        {"signer": paper.keyed_by, "signature": paper.keyed_signature},
        {"signer": officer.officer_id, "signature": signature},
    ], now)
    paper.status = LOGGED
    paper.log_seq = receipt.seq
    _audit(staff, election, paper, "paper.log", officer_id=officer.officer_id, seq=receipt.seq,
           entry_hash=receipt.entry_hash)
    return receipt


def record_refusal(staff: Staff, election: Election, paper: PaperBallot, reason: str) -> None:
    """Audit a ballot the log refused; the caller has rolled the attempt back."""
    _audit(staff, election, paper, "paper.refused", reason=reason)


# --- reading ------------------------------------------------------------------------------------------


def _target(election: Election, paper: PaperBallot) -> str:
    return f"paper:{election.public_id}/{paper.id}"


def _audit(staff: Staff, election: Election, paper: PaperBallot, action: str, **detail) -> None:
    record_event(staff.username, action, _target(election, paper), estate_id=election.estate_id, **detail)


def _last_event(election: Election, paper: PaperBallot, action: str) -> dict | None:
    detail = db.session.scalar(select(AuditEvent.detail_json).where(
        AuditEvent.target == _target(election, paper), AuditEvent.action == action
    ).order_by(AuditEvent.id.desc()).limit(1))
    return json.loads(detail) if detail is not None else None


def differences(election: Election, paper: PaperBallot) -> CheckOutcome | None:
    """For a ballot set aside: what the two entries disagreed on (never the entries themselves)."""
    if paper.status != MISMATCH:
        return None
    detail = _last_event(election, paper, "paper.mismatch")
    return CheckOutcome(voter_differs=detail["voter"], motions=detail["motions"])


def refusal(election: Election, paper: PaperBallot) -> str | None:
    """Why the log last refused this ballot, while it still waits."""
    if paper.status != AWAITING_CHECK:
        return None
    detail = _last_event(election, paper, "paper.refused")
    return detail["reason"] if detail else None


def receipt_for(election: Election, paper: PaperBallot) -> Receipt:
    """The receipt of a logged paper ballot against the head signed when it was appended."""
    return receipt_of(election, paper.log_seq)


def paper_ballots(election: Election) -> list[PaperBallot]:
    return list(db.session.scalars(
        select(PaperBallot).where(PaperBallot.election_id == election.id).order_by(PaperBallot.id)))


def find_paper(election: Election, paper_id: int) -> PaperBallot | None:
    if not 0 < paper_id <= MAX_ID:  # a number from a script, beyond any id: the query would overflow
        return None
    return db.session.scalar(select(PaperBallot).where(
        PaperBallot.id == paper_id, PaperBallot.election_id == election.id))


def scan_of(paper: PaperBallot) -> PaperScan:
    return db.session.get(PaperScan, paper.scan_id)


def desk(election: Election, staff: Staff) -> dict[str, list[PaperBallot]]:
    """The paper ballots as one clerk's work: what to sign, to check, to key again."""
    mine = {o.officer_id for o in clerk_keys(election, staff)}
    papers = paper_ballots(election)
    active_scans = {p.scan_id for p in papers if p.status != MISMATCH}
    work = {name: [] for name in ("to_sign", "to_countersign", "to_check", "keyed_by_me", "logged")}
    set_aside = {}  # scan id -> its latest mismatched ballot, while no other entry is under way
    for paper in papers:
        if paper.status == LOGGED:
            work["logged"].append(paper)
        elif paper.status == MISMATCH:
            if paper.scan_id not in active_scans:
                set_aside[paper.scan_id] = paper
        elif not is_signed(paper):
            if paper.keyed_by in mine:
                work["to_sign"].append(paper)
        elif why_not_checker(election, paper, staff):
            work["keyed_by_me"].append(paper)
        elif paper.checked_by in mine:
            work["to_countersign"].append(paper)
        else:
            work["to_check"].append(paper)
    work["to_rekey"] = list(set_aside.values())
    return work
