"""The audit log in words: who did what, to which vote or list, with its details labelled.

The stored event keeps its codes and JSON (they are hashed into the chain); only the page reads
them out in the reader's language.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from voting.audit.models import AuditEvent
from voting.auth.models import Staff
from voting.board.models import KIND_LABELS, BoardNotice
from voting.candidates.models import CandidateList, Nominee
from voting.elections.models import ITEM_NAMES, KIND_NAMES, Election
from voting.extensions import db
from voting.formatting import format_area, format_date, format_datetime
from voting.prep.operations import MEMBER_ROLE_NAMES
from voting.roster.objections import GROUND_NAMES

ACTION_NAMES = {
    "street_office.create": _l("Street office created"),
    "community.create": _l("Community created"),
    "staff.create": _l("Staff account created"),
    "staff.id_number": _l("Staff ID number recorded"),
    "staff.password": _l("Password changed by its holder"),
    "estate.settings": _l("Estate settings changed"),
    "roster.import": _l("Owner roll imported"),
    "roster.publish": _l("Owner roll published"),
    "roster.objection": _l("Objection to the owner roll received"),
    "roster.answer": _l("Objection to the owner roll answered"),
    "prep.propose_member": _l("Preparation group member proposed"),
    "prep.drop_proposal": _l("Proposal for the preparation group dropped"),
    "prep.propose_removal": _l("Removal from the preparation group proposed"),
    "prep.discard": _l("Proposed changes to the preparation group discarded"),
    "prep.confirm": _l("Preparation group confirmed by the street office"),
    "committee.first_meeting": _l("Committee's first meeting recorded"),
    "committee.filing": _l("Committee's filing recorded"),
    "candidates.create": _l("Candidate list created"),
    "candidates.settings": _l("Candidate list settings changed"),
    "candidates.rules": _l("Eligibility rules set"),
    "candidates.nominate_self": _l("Self-nomination received"),
    "candidates.nominate_joint": _l("Joint nomination received"),
    "candidates.nominate_community": _l("Nomination by the community"),
    "candidates.withdraw": _l("Candidate withdrawn"),
    "candidates.review_start": _l("Joint review started"),
    "candidates.reopen": _l("Nominations reopened"),
    "candidates.review": _l("Review finding recorded"),
    "candidates.publish": _l("Candidate list published"),
    "candidates.objection": _l("Objection received"),
    "candidates.answer": _l("Objection answered"),
    "candidates.adopt": _l("Candidates put to the vote"),
    "election.create": _l("Vote drafted"),
    "election.motion": _l("Motion added"),
    "election.document_attach": _l("Document attached to a motion"),
    "election.document_remove": _l("Document removed from a motion"),
    "election.officer": _l("Signing key registered"),
    "election.open": _l("Vote opened"),
    "election.cosign": _l("Ballot log cosigned"),
    "election.close": _l("Vote closed"),
    "election.tally": _l("Votes counted"),
    "election.certify": _l("Results certified by the street office"),
    "election.refuse_certification": _l("Certification refused"),
    "notices.start": _l("Voting notices prepared"),
    "notices.download": _l("Voting notices downloaded"),
    "credential.request_revoke": _l("Revoking a voting notice requested"),
    "credential.request_reissue": _l("Replacing a voting notice requested"),
    "credential.sign": _l("Notice request signed"),
    "credential.revoke": _l("Voting notice revoked"),
    "credential.reissue": _l("Voting notice replaced"),
    "credential.withdraw": _l("Notice request withdrawn"),
    "paper.handin": _l("Paper ballot handed in at the desk"),
    "paper.key": _l("Paper ballot keyed in"),
    "paper.sign": _l("Paper ballot entry signed"),
    "paper.match": _l("Second keying matches"),
    "paper.mismatch": _l("Second keying differs"),
    "paper.log": _l("Paper ballot added to the log"),
    "paper.refused": _l("Paper ballot refused by the log"),
    "board.publish": _l("Published on the notice board"),
    "board.withdraw": _l("Withdrawn from the notice board"),
}

DETAIL_LABELS = {
    "title": _l("Title"),
    "kind": _l("Kind"),
    "name": _l("Name"),
    "role": _l("Role"),
    "leader": _l("Leader"),
    "members": _l("Members"),
    "joined": _l("Joining"),
    "left": _l("Leaving"),
    "reason": _l("Reason"),
    "note": _l("Note"),
    "done_on": _l("Date"),
    "request": _l("Request number"),
    "voter": _l("Voter"),
    "seq": _l("Log entry"),
    "item": _l("Matter"),
    "seats": _l("Seats"),
    "candidates": _l("Candidates"),
    "voters": _l("Voters"),
    "log_size": _l("Log entries"),
    "counted": _l("Ballots counted"),
    "identity_checked": _l("Identity checked"),
    "filename": _l("File"),
    "units": _l("Units"),
    "total_heads": _l("Heads"),
    "total_area": _l("Area (m²)"),
    "multi_unit_voters": _l("Owners of several units"),
    "co_owned_units": _l("Jointly owned units"),
    "margin_percent": _l("Extra candidates (%)"),
    "publication_days": _l("Publication days"),
    "min_joint_households": _l("Households for a joint nomination"),
    "list": _l("Candidate list"),
    "number": _l("Number"),
    "vetted": _l("Passed the review"),
    "not_passed": _l("Did not pass"),
    "until": _l("Until"),
    "channel": _l("Channel"),
    "nominee": _l("Candidate"),
    "received_at": _l("Received"),
    "answer": _l("Answer"),
    "election": _l("Vote"),
    "motion": _l("Motion"),
    "passed": _l("Passed"),
    "rule": _l("Rule"),
    "body": _l("Reviewing body"),
    "developer": _l("Developer"),
    "ground": _l("What is wrong"),
    "about_unit": _l("Unit concerned"),
}
# Hashes, keys and login names: exact, for whoever checks the log against the record; folded
# away on the page (a member's account is named by the person's name beside it).
TECHNICAL = (
    "account",
    "sha256",
    "tally_hash",
    "election_hash",
    "public_key",
    "entry_hash",
    "scan_sha256",
    "officer_id",
    "rules",
    "motions",
)


@dataclass(frozen=True)
class EventInWords:
    event: AuditEvent
    actor: str
    action: str
    subject: str | None
    details: list[tuple[str, str]]
    technical: list[tuple[str, str]]


def _join(values) -> str:
    return _(", ").join(str(value) for value in values)


def _value(key: str, value) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key == "role" and value in MEMBER_ROLE_NAMES:
        return str(MEMBER_ROLE_NAMES[value])
    if key in ("until", "received_at") and isinstance(value, str):
        return format_datetime(datetime.fromisoformat(value))
    if key == "done_on" and isinstance(value, str):
        return format_date(date.fromisoformat(value))
    if key == "total_area":
        return format_area(value)
    if key == "kind" and value in KIND_LABELS | KIND_NAMES:  # a notice's or a motion's kind
        return str((KIND_LABELS | KIND_NAMES)[value])
    if key == "item" and value in ITEM_NAMES:
        return str(ITEM_NAMES[value])
    if key == "ground" and value in GROUND_NAMES:
        return str(GROUND_NAMES[value])
    if key == "channel":
        return _("online") if value == "online" else _("paper")
    if key == "developer" and isinstance(value, dict):
        return _("%(units)d units, %(area)s m²", units=value.get("units", 0), area=format_area(value.get("area", 0)))
    if isinstance(value, list):
        return _join(_value(key, one) if not isinstance(one, dict) else one.get("name", "") for one in value)
    return str(value)


def _actor_names(events: list[AuditEvent]) -> dict[str, str]:
    usernames = {e.actor for e in events if ":" not in e.actor}
    staff = db.session.scalars(select(Staff).where(Staff.username.in_(usernames))).all() if usernames else []
    return {s.username: s.name_and_role for s in staff}


def actor_name(actor: str, names: dict[str, str] | None = None) -> str:
    """An event's actor as people know them: a member of staff by name and role, an owner by
    unit, the command line by its user. ``names``: the staff already looked up, by user name."""
    kind, _sep, rest = actor.partition(":")
    if kind == "owner" and rest:
        return _("Owner of %(unit)s", unit=rest)
    if kind == "cli" and rest:
        return _("Command line (%(user)s)", user=rest)
    if names is None:
        staff = db.session.scalar(select(Staff).where(Staff.username == actor))
        return staff.name_and_role if staff else actor
    return names.get(actor, actor)


def _subjects(events: list[AuditEvent]) -> dict[str, str]:
    """Target code → what a reader knows it by (the vote's or list's title, the candidate's name)."""
    wanted: dict[str, set[str]] = {}
    for event in events:
        kind, _sep, key = event.target.partition(":")
        wanted.setdefault(kind, set()).add(key.split("/")[0])
    found: dict[str, str] = {}
    lookups = (
        ("election", Election, Election.public_id, "title"),
        ("handin", Election, Election.public_id, "title"),
        ("paper", Election, Election.public_id, "title"),
        ("candidate_list", CandidateList, CandidateList.id, "title"),
        ("nominee", Nominee, Nominee.id, "name"),
        ("board", BoardNotice, BoardNotice.id, "title"),
    )
    for kind, model, column, attribute in lookups:
        keys = wanted.get(kind)
        if not keys:
            continue
        if column.type.python_type is int:
            keys = {int(key) for key in keys if key.isdigit()}
        for row in db.session.scalars(select(model).where(column.in_(keys))):
            found[f"{kind}:{getattr(row, column.key)}"] = getattr(row, attribute)
    return found


def describe(events: list[AuditEvent]) -> list[EventInWords]:
    names, subjects = _actor_names(events), _subjects(events)
    described = []
    for event in events:
        detail = json.loads(event.detail_json or "{}")
        kind, _sep, key = event.target.partition(":")
        details, technical = [], [(_("Target"), event.target)]
        for name, value in detail.items():
            if value is None or value == "" or value == []:
                continue
            if name in TECHNICAL or name not in DETAIL_LABELS:
                technical.append((name, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)))
            else:
                details.append((str(DETAIL_LABELS[name]), _value(name, value)))
        described.append(
            EventInWords(
                event=event,
                actor=actor_name(event.actor, names),
                action=str(ACTION_NAMES.get(event.action, event.action)),
                subject=subjects.get(f"{kind}:{key.split('/')[0]}"),
                details=details,
                technical=technical,
            )
        )
    return described
