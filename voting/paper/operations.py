"""Paper ballots. At the desk, before the close, a clerk logs each paper as it is handed in (or
as the sealed box is emptied): a hand-in with the desk receipt number written on the owner's slip,
signed in the clerk's browser (spec v2 §5.2). Then, until the count, one clerk keys the ballot from
its scan, naming its hand-in, and signs it in the browser; a second clerk, another person with
another account and key, keys it again without seeing the first entry. When both entries agree
the second clerk signs the same body and the ballot joins the log with both signatures (§5.1);
when they differ the ballot is set aside and keyed again. The ballot counts from its hand-in time.

The server builds the ballot body and checks every signature, but it never holds a clerk's key,
so it cannot put a paper ballot into the log on its own.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from voting.audit.operations import record_event
from voting.auth.models import Staff
from voting.auth.operations import same_person
from voting.ballots.log import close_witnessed
from voting.ballots.models import LogEntry, PaperBallot, PaperScan, PaperStatus
from voting.ballots.operations import BallotRefused, Receipt, append, handin_for, receipt_of
from voting.core import record_v2, signing
from voting.core.canonical import b64e, canon
from voting.core.weights import DELIVERED
from voting.elections.models import Election, ElectionVoter, Officer, State
from voting.elections.operations import ElectionError, officer_keys, register_browser_key, units_by_voter, voter_holding
from voting.elections.scopes import motions_of, scope_titles
from voting.errors import Refusal
from voting.estates.models import Unit
from voting.extensions import MAX_ID, db
from voting.pdf.documents import BallotHolder, paper_ballot_pdf
from voting.privacy import mask_name
from voting.roster.models import Owner, UnitOwner
from voting.templating import format_datetime
from voting.timeutil import utcnow

NONCE_BYTES = 16
# keyed_signature of a ballot whose keyer has not signed it yet (the column cannot be NULL).
UNSIGNED = ""
# The number on the owner's slip: short enough to write by hand and read out.
DESK_RECEIPT = re.compile(r"J-[0-9]{4,30}")  # within the column's 40 characters
# Reasons a clerk marks one motion invalid (废票); "unsigned" marks the whole ballot.
MOTION_INVALID_REASONS = tuple(reason for reason in record_v2.INVALID_REASONS if reason != "unsigned")
# Leading bytes of the scan formats a browser can show; the client's content type is not trusted.
SCAN_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


class PaperRefused(Refusal):
    """A paper-ballot step that cannot be taken; the message says why, status is the HTTP code."""

    status = 400


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


class LogRefusedPaper(PaperRefused):
    """The log refused a countersigned paper ballot: the attempt is undone, its refusal audited."""

    status = 409

    def __init__(self, staff: Staff, election: Election, paper: PaperBallot, reason: str):
        super().__init__(reason)
        self.attempt = (staff, election, paper)

    def record(self) -> None:
        staff, election, paper = self.attempt
        paper.refused_reason = str(self)
        _audit(staff, election, paper, "paper.refused", reason=str(self))


@dataclass(frozen=True)
class PaperEntry:
    """What a clerk read off a paper ballot, as submitted; the operations judge it."""

    unit: str | None
    officer_id: str | None
    choices: dict  # motion id -> choice
    invalid: dict  # motion id -> the reason the choice is invalid (废票)
    unsigned: bool  # the whole ballot is unsigned: invalid on every motion
    handin: str | None  # the desk receipt of the paper's hand-in
    scan: bytes | None
    proxy_scan: bytes | None  # the written proxy (委托书), where someone voted for the owner
    rekey_of: int | None  # a mismatched ballot whose scan is keyed again


@dataclass(frozen=True)
class OpenHandin:
    """A paper handed in at the desk and not yet keyed."""

    desk_receipt: str
    handed_in_at: datetime
    units: list[str] | None  # the voter's, or None for a paper from the sealed box
    identity_checked: bool
    seq: int  # its entry in the log
    recorded_by: str  # the clerk who signed it, by name and role


# The officers' roles as people call them, for every page that names a clerk or officer.
OFFICER_ROLE_NAMES = {
    "clerk": _l("Clerk"),
    "preparation_group": _l("Preparation group member"),
    "street_office": _l("Street office officer"),
}


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


def officer_label(officer: Officer) -> str:
    """An officer as people know them: 「张三（计票人）」, not the id of their key."""
    return _(
        "%(name)s (%(role)s)", name=officer.staff.display_name, role=OFFICER_ROLE_NAMES.get(officer.role, officer.role)
    )


def officer_names(election: Election) -> dict[str, str]:
    """Key id -> the officer by name and role, for pages that show who keyed, checked or signed."""
    return {officer.officer_id: officer_label(officer) for officer in election.officers}


def _signer_name(election: Election, officer_id: str) -> str:
    officer = _officer(election, officer_id)
    return officer_label(officer) if officer is not None else officer_id


def _own_clerk_key(election: Election, staff: Staff, officer_id) -> Officer:
    officer = _officer(election, officer_id) if isinstance(officer_id, str) else None
    if officer is None or officer.role != "clerk" or officer.staff_id != staff.id:
        raise PaperRefused(_("This browser holds no clerk key registered to your account for this vote."), 403)
    return officer


def _require_signature(officer: Officer, paper: PaperBallot, signature) -> None:
    if not signing.verify(officer.public_key, "ballot", ballot_body(paper), signature, record_v2.VERSION):
        raise PaperRefused(
            _(
                "The signature does not match paper ballot #%(id)d and the key %(officer)s.",
                id=paper.id,
                officer=officer.officer_id,
            )
        )


# --- what clerks enter --------------------------------------------------------------------------


def ballot_motions(election: Election) -> list[dict]:
    """The motions as frozen when the vote opened (the ballot is bound to exactly these)."""
    return election.definition["motions"] if election.definition else []


def find_voter(election: Election, unit_label) -> ElectionVoter:
    """The voter of the frozen roll who holds this unit."""
    label = unit_label.strip() if isinstance(unit_label, str) else ""
    if not label:
        raise PaperRefused(_("Enter the unit number printed on the paper ballot."))
    voter = voter_holding(election, label)
    if voter is not None:
        return voter
    raise PaperRefused(_("No voter of this vote's roll holds unit %(unit)s.", unit=label), 404)


def voter_of(election: Election, paper: PaperBallot) -> ElectionVoter:
    return db.session.scalar(
        select(ElectionVoter).where(
            ElectionVoter.election_id == election.id, ElectionVoter.voter_code == paper.voter_code
        )
    )


def voter_card(voter: ElectionVoter) -> dict:
    """What a clerk sees to be sure of the voter: id, every unit, area (0.01 m²)."""
    return {"voter_id": voter.voter_code, "units": voter.unit_labels, "area": voter.area}


def read_choices(election: Election, submitted) -> dict:
    """The ballot's choices from a clerk's entry, motion id -> "yes"/"no"/"abstain", a list of
    candidate ids, or a list of the one option ticked of a choice. A motion left blank is omitted:
    the owner took part and abstained."""
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
        elif motion["kind"] == "choice":
            choices[motion["motion_id"]] = _option(motion, [value] if isinstance(value, str) else value)
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
        raise PaperRefused(
            _(
                "“%(title)s” has %(seats)d seats but %(ticked)d candidates are ticked.",
                title=motion["title"],
                seats=motion["seats"],
                ticked=len(set(picked)),
            )
        )
    return [c for c in standing if c in picked]


def _option(motion: dict, picked) -> list[str]:
    """A choice's one ticked option as the record writes it (spec v2 §5.1); two ticked make the
    choice invalid (several_marks), which the clerk marks instead."""
    options = [o["option_id"] for o in motion["options"]]
    if not isinstance(picked, list) or any(not isinstance(o, str) or o not in options for o in picked):
        raise PaperRefused(_("“%(title)s” names something that is not one of its options.", title=motion["title"]))
    if len(set(picked)) > 1:
        raise PaperRefused(
            _(
                "“%(title)s” has more than one option ticked: "
                "leave it blank and mark it invalid (several boxes ticked).",
                title=motion["title"],
            )
        )
    return picked[:1]


def read_invalid(election: Election, voter: ElectionVoter, submitted, unsigned: bool) -> dict:
    """The motions a clerk marked invalid (废票), motion id -> reason. An unsigned ballot is
    invalid on every motion the voter decides (spec v2 §5.1)."""
    if not isinstance(submitted, dict):
        raise PaperRefused(_("Invalid marks must map motion ids to reasons."))
    motions = {motion["motion_id"]: motion for motion in ballot_motions(election)}
    invalid = {}
    for motion_id, reason in submitted.items():
        if reason in (None, ""):
            continue
        if motion_id not in motions:
            raise PaperRefused(_("This vote has no motion %(motion)s.", motion=motion_id))
        motion = motions[motion_id]
        if reason not in MOTION_INVALID_REASONS:
            raise PaperRefused(_("“%(title)s” is marked invalid for an unknown reason.", title=motion["title"]))
        if reason == "too_many_candidates" and motion["kind"] != "committee":
            raise PaperRefused(
                _("“%(title)s” elects nobody: it cannot have too many candidates ticked.", title=motion["title"])
            )
        invalid[motion_id] = reason
    if not unsigned:
        return invalid
    if invalid:
        raise PaperRefused(_("An unsigned ballot is invalid as a whole: mark no motion on its own."))
    return {motion["motion_id"]: "unsigned" for motion in motions_of(election, voter)}


def read_marks(election: Election, voter: ElectionVoter, entry: PaperEntry) -> tuple[dict, dict]:
    """(choices, invalid) of a clerk's entry; a motion has a choice or an invalid mark, not both."""
    choices = read_choices(election, entry.choices)
    invalid = read_invalid(election, voter, entry.invalid, entry.unsigned)
    if entry.unsigned and choices:
        raise PaperRefused(_("An unsigned ballot is invalid as a whole: leave its choices blank."))
    decided = {motion["motion_id"] for motion in motions_of(election, voter)}
    titles = scope_titles(election.definition)
    for motion in ballot_motions(election):
        if motion["motion_id"] not in decided and (motion["motion_id"] in choices or motion["motion_id"] in invalid):
            raise PaperRefused(
                _(
                    "“%(title)s” is decided only by the owners of %(scope)s, and this voter holds no unit "
                    "there: leave it blank.",
                    title=motion["title"],
                    scope=titles[motion["scope"]],
                )
            )
    for motion in ballot_motions(election):
        if motion["motion_id"] in choices and motion["motion_id"] in invalid:
            raise PaperRefused(
                _("“%(title)s” has a choice and an invalid mark; enter one of them.", title=motion["title"])
            )
    return choices, invalid


def why_no_entry(election: Election, now: datetime | None = None) -> str | None:
    """Why paper ballots cannot be keyed now, or None while they can: from the opening until the
    count, since the sealed box is opened and keyed after the close."""
    now = now or utcnow()
    if election.state == State.TALLIED:
        return _("This vote is counted; no more paper ballots can be keyed.")
    if election.state not in (State.OPEN, State.CLOSED) or now < election.opens_at:
        return _("Paper ballots can be keyed only once the vote is open.")
    return None


def why_no_handin(election: Election, now: datetime | None = None) -> str | None:
    """Why no paper can be handed in now, or None while it can: within the voting period."""
    now = now or utcnow()
    if election.state not in (State.OPEN, State.CLOSED) or now < election.opens_at:
        return _("Paper ballots are handed in only while the vote is open.")
    if election.state == State.CLOSED or now > election.closes_at or close_witnessed(election):
        return _("Voting has closed; no more paper ballots can be handed in.")
    return None


def _require_keying(election: Election, now: datetime) -> None:
    reason = why_no_entry(election, now)
    if reason:
        raise PaperRefused(reason, 409)


def _scan_file(election: Election, content: bytes) -> PaperScan:
    mimetype = next((kind for magic, kind in SCAN_SIGNATURES if content.startswith(magic)), None)
    if mimetype is None:
        raise PaperRefused(_("The scan must be a PDF, PNG or JPEG file."))
    scan = PaperScan(
        election_id=election.id, sha256=hashlib.sha256(content).hexdigest(), content=content, mimetype=mimetype
    )
    db.session.add(scan)
    db.session.flush()
    return scan


def _store_scan(election: Election, content) -> PaperScan:
    if not content:
        raise PaperRefused(_("Attach the scan or photo of the paper ballot."))
    digest = hashlib.sha256(content).hexdigest()
    earlier = db.session.scalar(
        select(PaperBallot.id)
        .join(PaperScan, PaperScan.id == PaperBallot.scan_id)
        .where(PaperScan.election_id == election.id, PaperScan.sha256 == digest)
        .limit(1)
    )
    if earlier is not None:
        raise PaperRefused(_("This scan was already entered as paper ballot #%(id)d.", id=earlier), 409)
    return _scan_file(election, content)


def _scan_to_rekey(election: Election, mismatched: PaperBallot) -> PaperScan:
    """The scan of a ballot whose two entries differed, unless it is already keyed again."""
    if not mismatched.set_aside:
        raise PaperRefused(_("Only a ballot whose two entries differ is keyed again."), 409)
    active = db.session.scalar(
        select(PaperBallot.id)
        .where(PaperBallot.scan_id == mismatched.scan_id, PaperBallot.status != PaperStatus.MISMATCH)
        .limit(1)
    )
    if active is not None:
        raise PaperRefused(_("This scan was already keyed again as paper ballot #%(id)d.", id=active), 409)
    return db.session.get(PaperScan, mismatched.scan_id)


def _handin_to_key(election: Election, desk_receipt, voter: ElectionVoter) -> LogEntry:
    """The hand-in a new entry names: handed in for this voter or from the sealed box, keyed by no
    ballot in the log or under way, and one the log will take for this voter (checks L10, L11)."""
    handin = find_handin(election, desk_receipt) if isinstance(desk_receipt, str) and desk_receipt else None
    if handin is None:
        raise PaperRefused(
            _(
                "Choose the desk receipt of the paper's hand-in; no paper was handed in as %(receipt)s.",
                receipt=desk_receipt or "—",
            )
        )
    under_way = db.session.scalar(
        select(PaperBallot.id)
        .where(
            PaperBallot.election_id == election.id,
            PaperBallot.handin_seq == handin.seq,
            PaperBallot.status == PaperStatus.AWAITING_CHECK,
        )
        .limit(1)
    )
    if under_way is not None:
        raise PaperRefused(
            _(
                "Desk receipt %(receipt)s is already keyed as paper ballot #%(id)d.",
                receipt=handin.desk_receipt,
                id=under_way,
            ),
            409,
        )
    try:
        return handin_for(election, {"handin": handin.seq, "voter_id": voter.voter_code})
    except BallotRefused as refused:
        raise PaperRefused(str(refused), 409) from None


def key_ballot(
    staff: Staff,
    election: Election,
    entry: PaperEntry,
    rekey_of: PaperBallot | None = None,
    now: datetime | None = None,
) -> PaperBallot:
    """The first clerk's entry: build the ballot body, unsigned until the clerk's browser signs it.

    The scan is new, or for ``rekey_of`` the scan, proxy and hand-in of a ballot whose entries
    differed: the same paper."""
    _require_keying(election, now or utcnow())
    officer = _own_clerk_key(election, staff, entry.officer_id)
    voter = find_voter(election, entry.unit)
    choices, invalid = read_marks(election, voter, entry)
    handin = _handin_to_key(election, handin_of(election, rekey_of).desk_receipt if rekey_of else entry.handin, voter)
    if rekey_of is not None:
        paper_scan = _scan_to_rekey(election, rekey_of)
        proxy_scan = db.session.get(PaperScan, rekey_of.proxy_scan_id) if rekey_of.proxy_scan_id else None
    else:
        paper_scan = _store_scan(election, entry.scan)
        proxy_scan = _scan_file(election, entry.proxy_scan) if entry.proxy_scan else None
    ballot = {
        "election_hash": election.election_hash,
        "voter_id": voter.voter_code,
        "channel": "paper",
        "nonce": b64e(secrets.token_bytes(NONCE_BYTES)),
        "choices": choices,
        "invalid": invalid,
        "paper_scan_sha256": b64e(bytes.fromhex(paper_scan.sha256)),
        "proxy_sha256": b64e(bytes.fromhex(proxy_scan.sha256)) if proxy_scan else None,
        "handin": handin.seq,
    }
    paper = PaperBallot(
        election_id=election.id,
        voter_code=voter.voter_code,
        scan_id=paper_scan.id,
        proxy_scan_id=proxy_scan.id if proxy_scan else None,
        handin_seq=handin.seq,
        ballot_json=canon(ballot).decode(),
        keyed_by=officer.officer_id,
        keyed_signature=UNSIGNED,
        status=PaperStatus.AWAITING_CHECK.value,
    )
    db.session.add(paper)
    db.session.flush()
    # No voter or choices in the audit log: it is not the place to watch a vote's progress.
    _audit(
        staff,
        election,
        paper,
        "paper.key",
        officer_id=officer.officer_id,
        scan_sha256=paper_scan.sha256,
        desk_receipt=handin.desk_receipt,
        rekey_of=rekey_of.id if rekey_of is not None else None,
    )
    return paper


def ballot_body(paper: PaperBallot) -> dict:
    return paper.body


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
        return _(
            "Paper ballot #%(id)d was keyed by the account %(account)s, which belongs to the same person as "
            "yours; another person must check it.",
            id=paper.id,
            account=keyer.username,
        )
    return None


def sign_keyed(
    staff: Staff, election: Election, paper: PaperBallot, officer_id, signature, now: datetime | None = None
) -> None:
    """The first clerk's signature; only now may another clerk check the ballot."""
    _require_keying(election, now or utcnow())
    if not paper.awaiting_check or is_signed(paper):
        raise PaperRefused(_("Paper ballot #%(id)d is already signed by the clerk who keyed it.", id=paper.id), 409)
    officer = _own_clerk_key(election, staff, officer_id)
    if officer.officer_id != paper.keyed_by:
        raise PaperRefused(
            _(
                "Paper ballot #%(id)d was keyed with the key %(officer)s; sign it with that key.",
                id=paper.id,
                officer=paper.keyed_by,
            ),
            403,
        )
    _require_signature(officer, paper, signature)
    paper.keyed_signature = signature
    _audit(staff, election, paper, "paper.sign", officer_id=officer.officer_id)


# --- the hand-in desk -------------------------------------------------------------------------------


def next_desk_receipt(election: Election) -> str:
    """The number the desk proposes for the next slip; the log's uniqueness check settles a race."""
    handed_in = db.session.scalar(
        select(func.count()).select_from(LogEntry).where(LogEntry.election_id == election.id, LogEntry.kind == "handin")
    )
    return f"J-{handed_in + 1:04d}"


def _online_ballots(election: Election, voter: ElectionVoter) -> list[LogEntry]:
    """The voter's online ballots in the log, oldest first."""
    return list(
        db.session.scalars(
            select(LogEntry)
            .where(
                LogEntry.election_id == election.id,
                LogEntry.kind == "ballot",
                LogEntry.channel == "online",
                LogEntry.voter_code == voter.voter_code,
            )
            .order_by(LogEntry.seq)
        )
    )


def online_vote_warning(
    election: Election, voter: ElectionVoter | None, identity_checked: bool | None = None
) -> str | None:
    """What the desk must tell an owner who already voted online, before a paper is handed in,
    or None: which ballot will count (the rules of voting.core.rules.CountedBallots and the
    identity check of voting.ballots.operations.handin_for). ``identity_checked`` is the
    desk's check once it is known (on the page that signs the hand-in)."""
    online = _online_ballots(election, voter) if voter is not None else []
    if not online:
        return None
    time = format_datetime(online[-1].logged_at)
    if election.revote == "first":
        return _(
            "This owner already voted online on %(time)s, and in this vote the first ballot counts: the online "
            "ballot counts, and a paper ballot will be refused and not counted.",
            time=time,
        )
    if identity_checked is None:
        return _(
            "This owner already voted online on %(time)s. In this vote the last ballot counts: a paper ballot "
            "handed in now replaces the online one only if you check the owner's identity document in person "
            "and tick the box; without the check it will be refused and the online ballot counts.",
            time=time,
        )
    if identity_checked:
        return _(
            "This owner already voted online on %(time)s. With the identity document checked, the paper ballot "
            "handed in now replaces the online one and counts, unless the owner votes online again later.",
            time=time,
        )
    return _(
        "This owner already voted online on %(time)s. The identity document is not checked: the paper ballot "
        "handed in now will be refused and the online ballot counts. Go back and check the document if the "
        "owner wants the paper ballot to count.",
        time=time,
    )


def keying_warnings(election: Election, voter: ElectionVoter | None, handins: list[OpenHandin]) -> list[str]:
    """For a clerk keying the paper of an owner who also voted online: which ballot counts, for
    each hand-in the paper may be, or nothing when the owner did not vote online."""
    online = _online_ballots(election, voter) if voter is not None else []
    if not online:
        return []
    if election.revote == "first":
        return [
            _(
                "This owner already voted online on %(time)s, and in this vote the first ballot counts: the online "
                "ballot counts, and the log will refuse this paper ballot.",
                time=format_datetime(online[0].logged_at),
            )
        ]
    warnings = [
        _(
            "This owner also voted online, last on %(time)s. In this vote the last ballot counts, a paper "
            "ballot from the time it was handed in.",
            time=format_datetime(online[-1].logged_at),
        )
    ]
    for handin in handins:
        later = [ballot for ballot in online if ballot.seq > handin.seq]
        facts = {"receipt": handin.desk_receipt, "time": format_datetime(handin.handed_in_at)}
        if later:
            warnings.append(
                _(
                    "%(receipt)s (handed in on %(time)s): the owner voted online after it, on "
                    "%(online)s; that online ballot counts, not this paper.",
                    online=format_datetime(later[-1].logged_at),
                    **facts,
                )
            )
        elif handin.identity_checked:
            warnings.append(
                _(
                    "%(receipt)s (handed in on %(time)s): handed in after the online ballot with the "
                    "owner's identity checked; it replaces the online ballot and counts.",
                    **facts,
                )
            )
        else:
            warnings.append(
                _(
                    "%(receipt)s (handed in on %(time)s): handed in after the online ballot without an "
                    "identity check; the log will refuse it and the online ballot counts.",
                    **facts,
                )
            )
    return warnings


def handin_body(
    election: Election, voter: ElectionVoter | None, identity_checked: bool, now: datetime | None = None
) -> dict:
    """The hand-in the clerk's browser signs: the next slip number, the voter where known (None
    for a paper from the sealed box), and whether the clerk checked the identity document."""
    reason = why_no_handin(election, now)
    if reason:
        raise PaperRefused(reason, 409)
    if identity_checked and voter is None:
        raise PaperRefused(_("An identity check is recorded only for a known voter: enter the unit number."))
    return {
        "election_hash": election.election_hash,
        "desk_receipt": next_desk_receipt(election),
        "voter_id": voter.voter_code if voter else None,
        "identity_checked": identity_checked,
    }


def record_handin(
    staff: Staff, election: Election, officer_id, body, signature, now: datetime | None = None
) -> Receipt:
    """Log a hand-in signed with the clerk's key (spec v2 §5.2). Refused (409, nothing written)
    when the log will not take it, e.g. after the close or for a number given already."""
    reason = why_no_handin(election, now)
    if reason:
        raise PaperRefused(reason, 409)
    officer = _own_clerk_key(election, staff, officer_id)
    if (
        not isinstance(body, dict)
        or set(body) != record_v2.HANDIN_KEYS
        or body["election_hash"] != election.election_hash
    ):
        raise PaperRefused(_("The hand-in is not one this desk prepared for this vote."))
    if not isinstance(body["desk_receipt"], str) or not DESK_RECEIPT.fullmatch(body["desk_receipt"]):
        raise PaperRefused(_("The desk receipt number must look like J-0007."))
    if not signing.verify(officer.public_key, "handin", body, signature, record_v2.VERSION):
        raise PaperRefused(
            _(
                "The signature does not match hand-in %(receipt)s and the key %(officer)s.",
                receipt=body["desk_receipt"],
                officer=officer.officer_id,
            )
        )
    try:
        receipt = append(
            election.id,
            "handin",
            body,
            [{"signer": officer.officer_id, "signature": signature}],
            now,
            desk_receipt=body["desk_receipt"],
            voter_code=body["voter_id"],
        )
    except BallotRefused as refused:
        raise PaperRefused(str(refused), 409) from None
    record_event(
        staff.username,
        "paper.handin",
        f"handin:{election.public_id}/{body['desk_receipt']}",
        estate_id=election.estate_id,
        officer_id=officer.officer_id,
        seq=receipt.seq,
        identity_checked=body["identity_checked"],
    )
    return receipt


def find_handin(election: Election, desk_receipt: str) -> LogEntry | None:
    return db.session.scalar(
        select(LogEntry).where(
            LogEntry.election_id == election.id, LogEntry.kind == "handin", LogEntry.desk_receipt == desk_receipt
        )
    )


def handin_card(election: Election, handin: LogEntry) -> OpenHandin:
    return _handin_cards(election, [handin])[0]


def _handin_cards(election: Election, handins: list[LogEntry]) -> list[OpenHandin]:
    codes = {handin.voter_code for handin in handins if handin.voter_code}
    units = units_by_voter(election, codes) if codes else {}
    return [
        OpenHandin(
            handin.desk_receipt,
            handin.logged_at,
            units[handin.voter_code] if handin.voter_code else None,
            handin.body["identity_checked"],
            handin.seq,
            _signer_name(election, handin.entry["signatures"][0]["signer"]),
        )
        for handin in handins
    ]


def open_handins(election: Election, voter: ElectionVoter | None = None) -> list[OpenHandin]:
    """The hand-ins no ballot in the log or under way names, oldest first; with ``voter``, those
    the voter's ballot may name (theirs and the sealed box's)."""
    keyed = select(LogEntry.handin_seq).where(LogEntry.election_id == election.id, LogEntry.handin_seq.is_not(None))
    under_way = select(PaperBallot.handin_seq).where(
        PaperBallot.election_id == election.id, PaperBallot.status == PaperStatus.AWAITING_CHECK
    )
    query = (
        select(LogEntry)
        .where(
            LogEntry.election_id == election.id,
            LogEntry.kind == "handin",
            LogEntry.seq.not_in(keyed),
            LogEntry.seq.not_in(under_way),
        )
        .order_by(LogEntry.seq)
    )
    if voter is not None:
        query = query.where((LogEntry.voter_code == voter.voter_code) | LogEntry.voter_code.is_(None))
    return _handin_cards(election, list(db.session.scalars(query)))


# --- the second clerk -----------------------------------------------------------------------------


def check_entry(
    staff: Staff, election: Election, paper: PaperBallot, entry: PaperEntry, now: datetime | None = None
) -> CheckOutcome:
    """The second clerk's blind entry of the voter, choices and invalid marks, compared with the
    first. A match waits for the second clerk's signature; any difference sets the ballot aside
    to be keyed again from its scan."""
    _require_keying(election, now or utcnow())
    if not paper.awaiting_check or not is_signed(paper):
        raise PaperRefused(_("Paper ballot #%(id)d is not waiting for a check.", id=paper.id), 409)
    officer = _own_clerk_key(election, staff, entry.officer_id)
    reason = why_not_checker(election, paper, staff)
    if reason:
        raise PaperRefused(reason, 403)
    voter = find_voter(election, entry.unit)
    choices, invalid = read_marks(election, voter, entry)
    keyed = ballot_body(paper)
    outcome = CheckOutcome(
        voter_differs=voter.voter_code != paper.voter_code,
        motions=[
            m["motion_id"]
            for m in ballot_motions(election)
            if (keyed["choices"].get(m["motion_id"]), keyed["invalid"].get(m["motion_id"]))
            != (choices.get(m["motion_id"]), invalid.get(m["motion_id"]))
        ],
    )
    paper.checked_by = officer.officer_id
    if outcome.matched:
        _audit(staff, election, paper, "paper.match", officer_id=officer.officer_id)
    else:
        paper.mark_mismatch(outcome.voter_differs, outcome.motions)
        _audit(staff, election, paper, "paper.mismatch", officer_id=officer.officer_id, **outcome.as_json())
    return outcome


def countersign(
    staff: Staff, election: Election, paper: PaperBallot, officer_id, signature, now: datetime | None = None
) -> Receipt:
    """The second clerk's signature over the same body; the ballot joins the log with both.

    Refused with LogRefusedPaper (nothing written but the refusal) when the log will not take
    it, e.g. under revote "first" after the owner voted online."""
    if not paper.awaiting_check or paper.checked_by is None:
        raise PaperRefused(_("Paper ballot #%(id)d has no matching check to sign.", id=paper.id), 409)
    officer = _own_clerk_key(election, staff, officer_id)
    if officer.officer_id != paper.checked_by:
        raise PaperRefused(
            _(
                "Paper ballot #%(id)d was checked with the key %(officer)s; sign it with that key.",
                id=paper.id,
                officer=paper.checked_by,
            ),
            403,
        )
    _require_signature(officer, paper, signature)
    try:
        receipt = append(
            election.id,
            "ballot",
            ballot_body(paper),
            [
                {"signer": paper.keyed_by, "signature": paper.keyed_signature},
                {"signer": officer.officer_id, "signature": signature},
            ],
            now,
        )
    except BallotRefused as refused:
        raise LogRefusedPaper(staff, election, paper, str(refused)) from None
    paper.mark_logged(receipt.seq)
    _audit(
        staff,
        election,
        paper,
        "paper.log",
        officer_id=officer.officer_id,
        seq=receipt.seq,
        entry_hash=receipt.entry_hash,
    )
    return receipt


# --- reading ------------------------------------------------------------------------------------------


def _target(election: Election, paper: PaperBallot) -> str:
    return f"paper:{election.public_id}/{paper.id}"


def _audit(staff: Staff, election: Election, paper: PaperBallot, action: str, **detail) -> None:
    record_event(staff.username, action, _target(election, paper), estate_id=election.estate_id, **detail)


def differences(paper: PaperBallot) -> CheckOutcome | None:
    """For a ballot set aside: what the two entries disagreed on (never the entries themselves)."""
    if not paper.set_aside:
        return None
    return CheckOutcome(voter_differs=paper.voter_differs, motions=paper.differing_motions.split())


def receipt_for(election: Election, paper: PaperBallot) -> Receipt:
    """The receipt of a logged paper ballot against the head signed when it was appended."""
    return receipt_of(election, paper.log_seq)


def paper_ballots(election: Election) -> list[PaperBallot]:
    return list(
        db.session.scalars(select(PaperBallot).where(PaperBallot.election_id == election.id).order_by(PaperBallot.id))
    )


def find_paper(election: Election, paper_id: int) -> PaperBallot | None:
    if not 0 < paper_id <= MAX_ID:  # a number from a script, beyond any id: the query would overflow
        return None
    return db.session.scalar(
        select(PaperBallot).where(PaperBallot.id == paper_id, PaperBallot.election_id == election.id)
    )


def scan_of(paper: PaperBallot) -> PaperScan:
    return db.session.get(PaperScan, paper.scan_id)


def proxy_scan_of(paper: PaperBallot) -> PaperScan | None:
    return db.session.get(PaperScan, paper.proxy_scan_id) if paper.proxy_scan_id is not None else None


def handin_of(election: Election, paper: PaperBallot) -> OpenHandin:
    """The hand-in a ballot names, as the desk recorded it."""
    return handin_card(
        election,
        db.session.scalar(
            select(LogEntry).where(LogEntry.election_id == election.id, LogEntry.seq == paper.handin_seq)
        ),
    )


def desk(election: Election, staff: Staff) -> dict[str, list[PaperBallot]]:
    """The paper ballots as one clerk's work: what to sign, to check, to key again."""
    mine = {o.officer_id for o in clerk_keys(election, staff)}
    papers = paper_ballots(election)
    active_scans = {p.scan_id for p in papers if not p.set_aside}
    work = {name: [] for name in ("to_sign", "to_countersign", "to_check", "keyed_by_me", "logged")}
    set_aside = {}  # scan id -> its latest mismatched ballot, while no other entry is under way
    for paper in papers:
        if paper.logged:
            work["logged"].append(paper)
        elif paper.set_aside:
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


# --- the printed ballot (表决票) ------------------------------------------------------------------------


def _owner_names(election: Election, labels: list[str]) -> list[str]:
    """The owners of these units by masked name (张*), in title order; the developer for a unit
    not yet delivered, whatever buyer the roster names."""
    names, developer = [], False
    rows = db.session.execute(
        select(Unit.label, Unit.status, Owner.name)
        .outerjoin(UnitOwner, UnitOwner.unit_id == Unit.id)
        .outerjoin(Owner, Owner.id == UnitOwner.owner_id)
        .where(Unit.estate_id == election.estate_id, Unit.label.in_(labels))
        .order_by(Unit.label, UnitOwner.position)
    )
    for _label, status, name in rows:
        if status != DELIVERED:
            developer = True
        elif name and mask_name(name) not in names:
            names.append(mask_name(name))
    return names + ([_("Developer")] if developer else [])


def ballot_holder(election: Election, voter: ElectionVoter) -> BallotHolder:
    """What a voter's printed ballot names: units, owners (masked), area and their motions."""
    units = voter.unit_labels
    return BallotHolder(
        units=units,
        owners=_owner_names(election, units),
        area=voter.area,
        motion_ids=[motion["motion_id"] for motion in motions_of(election, voter)],
    )


def print_ballot(election: Election, unit: str | None = None) -> bytes:
    """The paper ballot (表决票) as a PDF: for the voter holding ``unit``, or blank, with empty
    lines for the units and the owner, for any voter of the vote."""
    if not election.definition_json:
        raise PaperRefused(_("Paper ballots can be printed once the vote is open: its motions are fixed then."), 409)
    holder = ballot_holder(election, find_voter(election, unit)) if unit is not None else None
    return paper_ballot_pdf(election, holder)
