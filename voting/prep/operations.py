"""Forming the preparation group, publishing its members, and the deadlines around a vote.

The street office proposes members and removals; nothing changes until it confirms the whole
new composition, which is checked against the rules of the first assembly (DOMAIN.md) as the
estate's rules profile sets them: an odd number (within the profile's bounds), owner
representatives at least half (or the profile's share), a leader from the street office, owner
representatives found on the owner roll.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from voting.audit.operations import record_event
from voting.auth.models import Role, Staff
from voting.auth.operations import AccountError, create_staff
from voting.board.operations import meeting_notice_posted
from voting.core import rules
from voting.elections.models import Election, Motion, State
from voting.errors import EveryFault, Refusal
from voting.estates.models import Estate
from voting.extensions import db
from voting.formatting import SHANGHAI, format_date
from voting.prep.models import MILESTONES, CommitteeMilestone, PrepGroup, PrepMember
from voting.privacy import mask_name
from voting.roster.owners import owner_by_id_number, owner_hashes, owner_unit_labels
from voting.timeutil import utcnow

FIRST_MEETING_DAYS = 7  # the committee's first meeting after the election
FILING_DAYS = 30  # its filing (备案) with the street office

MEMBER_ROLE_NAMES = {
    "street_office": _l("Street office"),
    "owner": _l("Owner representative"),
    "community": _l("Community"),
    "developer": _l("Developer"),
    "police": _l("Police station"),
    "other": _l("Other"),
}


class PrepError(Refusal):
    """A change the rules do not allow; the message says why."""


class CompositionRejected(EveryFault, PrepError):
    """The proposed composition breaks one or more rules; every fault is listed."""


# --- the group ---------------------------------------------------------------------------


def group_of(estate: Estate) -> PrepGroup | None:
    return db.session.scalar(select(PrepGroup).where(PrepGroup.estate_id == estate.id))


def linkable_accounts(estate: Estate) -> list[Staff]:
    """Accounts a member may be given: the estate's group accounts, its street office's and its
    community's staff; none already held by another member."""
    held = (
        select(PrepMember.staff_id)
        .join(PrepGroup)
        .where(PrepGroup.estate_id == estate.id, PrepMember.left_at.is_(None), PrepMember.staff_id.is_not(None))
    )
    return list(
        db.session.scalars(
            select(Staff)
            .where(_account_in_estate(estate), Staff.active, Staff.id.not_in(held))
            .order_by(Staff.username)
        )
    )


def _account_in_estate(estate: Estate):
    return (
        ((Staff.role == Role.PREP_GROUP.value) & (Staff.estate_id == estate.id))
        | ((Staff.role == Role.STREET_OFFICE.value) & (Staff.street_office_id == estate.street_office_id))
        | ((Staff.role == Role.COMMUNITY.value) & (Staff.community_id == estate.community_id))
    )


def _member_account(
    actor: str,
    estate: Estate,
    group: PrepGroup,
    name: str,
    id_number: str,
    account: Staff | None,
    new_account: tuple[str, str] | None,
) -> tuple[Staff | None, bool]:
    if account is not None and new_account is not None:
        raise PrepError(_("Either link an existing account or create a new one, not both."))
    if account is not None:
        if not db.session.scalar(
            select(func.count()).select_from(Staff).where(Staff.id == account.id, _account_in_estate(estate))
        ):
            raise PrepError(_("The account %(name)s works for another place.", name=account.username))
        if any(m.staff_id == account.id and m.left_at is None for m in group.members):
            raise PrepError(_("The account %(name)s already belongs to a member.", name=account.username))
        return account, False
    if new_account is not None:
        username, password = new_account
        try:
            staff = create_staff(
                actor, username, name, password, Role.PREP_GROUP, estate_id=estate.id, id_number=id_number
            )
        except AccountError as error:
            raise PrepError(str(error)) from None
        staff.active = False  # until the composition that includes the member is confirmed
        return staff, True
    return None, False


def propose_member(
    actor: str,
    estate: Estate,
    *,
    name: str,
    role: str,
    organisation: str = "",
    leader: bool = False,
    id_number: str = "",
    account: Staff | None = None,
    new_account: tuple[str, str] | None = None,
) -> PrepMember:
    """Propose a member; owner representatives are identified on the roll by their ID number."""
    name = name.strip()
    if role not in MEMBER_ROLE_NAMES:
        raise PrepError(_("Unknown member role."))
    if not name:
        raise PrepError(_("Give the member's name."))
    if leader and role != "street_office":
        raise PrepError(_("The leader of the group comes from the street office."))
    group = group_of(estate)
    if group is None:
        group = PrepGroup(estate=estate, created_by=actor)
        db.session.add(group)
    owner_hash, units = None, ""
    if role == "owner":
        owner = owner_by_id_number(estate, id_number) if id_number.strip() else None
        if owner is None:
            raise PrepError(
                _(
                    "%(name)s is not an owner of this estate according to the roll (no owner with this ID number).",
                    name=name,
                )
            )
        if owner.name != name:
            raise PrepError(_("The roll lists this ID number under another name than %(name)s.", name=name))
        if any(m.owner_id_hash == owner.id_hash and m.left_at is None for m in group.members):
            raise PrepError(_("%(name)s is already a member.", name=name))
        owner_hash, units = owner.id_hash, owner_unit_labels(owner)
    staff, created = _member_account(actor, estate, group, name, id_number, account, new_account)
    member = PrepMember(
        group=group,
        name=name,
        role=role,
        organisation=organisation.strip(),
        is_leader=leader,
        owner_id_hash=owner_hash,
        unit_labels=units,
        staff=staff,
        account_created=created,
        proposed_by=actor,
    )
    db.session.add(member)
    db.session.flush()
    record_event(
        actor,
        "prep.propose_member",
        f"prep_member:{member.id}",
        estate_id=estate.id,
        name=name,
        role=role,
        leader=leader,
        account=staff.username if staff else None,
    )
    return member


def representatives_off_roll(estate: Estate, owner_hashes_on_roll: set[str]) -> list[PrepMember]:
    """The group's owner representatives (current, not already leaving) whom a roll with these
    owners would no longer count as owners: the group they sit in would break its rules."""
    group = group_of(estate)
    return (
        [
            m
            for m in group.members
            if m.role == "owner"
            and m.is_current
            and m.leave_reason is None
            and m.owner_id_hash not in owner_hashes_on_roll
        ]
        if group
        else []
    )


def refer_group_after_roll(actor: str, estate: Estate) -> list[PrepMember]:
    """After a roll import: each owner representative the roll no longer lists is proposed to
    leave, which puts the composition back to the street office for confirmation."""
    leaving = representatives_off_roll(estate, owner_hashes(estate))
    reason = _(
        "No longer an owner of this estate according to the roll imported on %(date)s",
        date=format_date(utcnow().astimezone(SHANGHAI).date()),
    )
    for member in leaving:
        propose_removal(actor, member, reason)
    return leaving


def propose_removal(actor: str, member: PrepMember, reason: str) -> None:
    """A proposed member is dropped at once; a member leaves when the change is confirmed."""
    reason = reason.strip()
    estate_id = member.group.estate_id
    if member.joined_at is None:
        record_event(
            actor,
            "prep.drop_proposal",
            f"prep_member:{member.id}",
            estate_id=estate_id,
            name=member.name,
            reason=reason,
        )
        _drop(member)
        return
    if member.left_at is not None:
        raise PrepError(_("%(name)s has already left the group.", name=member.name))
    if not reason:
        raise PrepError(_("Give the reason why %(name)s leaves the group.", name=member.name))
    member.leave_reason = reason
    record_event(
        actor, "prep.propose_removal", f"prep_member:{member.id}", estate_id=estate_id, name=member.name, reason=reason
    )


def _drop(member: PrepMember) -> None:
    staff = member.staff if member.account_created else None
    member.group.members.remove(member)
    db.session.delete(member)
    if staff is not None:  # made for this proposal and never active
        db.session.delete(staff)


def discard_changes(actor: str, estate: Estate) -> None:
    group = group_of(estate)
    pending = [m for m in group.members if m.is_pending] if group else []
    if not pending:
        raise PrepError(_("There are no pending changes."))
    for member in pending:
        if member.joined_at is None:
            _drop(member)
        else:
            member.leave_reason = None
    record_event(actor, "prep.discard", f"estate:{estate.code}", estate_id=estate.id, members=[m.name for m in pending])


def composition_faults(estate: Estate, members: list[PrepMember]) -> list[str]:
    """Every way this composition breaks the rules, in words for the street office."""
    faults = []
    size = len(members)
    profile = estate.rules_profile
    low, high = profile.group_min_members, profile.group_max_members
    if not rules.odd_within(size, low, high):
        faults.append(_size_fault(size, low, high))
    owners = [m for m in members if m.role == "owner"]
    share = profile.group_min_owner_percent
    if 100 * len(owners) < share * size:
        needed = -(-share * size // 100)
        faults.append(
            _(
                "Owner representatives would be %(owners)d of %(count)d; at least half (%(needed)d) are needed.",
                owners=len(owners),
                count=size,
                needed=needed,
            )
            if share == 50
            else _(
                "Owner representatives would be %(owners)d of %(count)d; at least %(percent)d%% (%(needed)d) "
                "are needed.",
                owners=len(owners),
                count=size,
                percent=share,
                needed=needed,
            )
        )
    leaders = [m for m in members if m.is_leader]
    if not leaders:
        faults.append(_("The group needs a leader from the street office."))
    elif len(leaders) > 1:
        faults.append(
            _(
                "Only one member can lead the group; %(names)s are marked as leader.",
                names="、".join(m.name for m in leaders),
            )
        )
    on_roll = owner_hashes(estate)
    for member in owners:
        if member.owner_id_hash not in on_roll:
            faults.append(_("%(name)s is not an owner of this estate according to the current roll.", name=member.name))
    return faults


def _size_fault(size: int, low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return _(
            "The group would have %(count)d members; it needs an odd number from %(low)d to %(high)d.",
            count=size,
            low=low,
            high=high,
        )
    if low is not None:
        return _(
            "The group would have %(count)d members; it needs an odd number of at least %(low)d.", count=size, low=low
        )
    if high is not None:
        return _(
            "The group would have %(count)d members; it needs an odd number of at most %(high)d.", count=size, high=high
        )
    return _("The group would have %(count)d members; it needs an odd number.", count=size)


def confirm_group(actor: str, estate: Estate, now: datetime | None = None) -> PrepGroup:
    """Apply the pending changes if the resulting composition keeps the rules; publish it."""
    group = group_of(estate)
    pending = [m for m in group.members if m.is_pending] if group else []
    if not pending:
        raise PrepError(_("There are no pending changes to confirm."))
    staying = [m for m in group.members if m.stays]
    faults = composition_faults(estate, staying)
    if faults:
        raise CompositionRejected(faults)
    now = now or utcnow()
    still_holding = {m.staff_id for m in staying}
    for member in pending:
        if member.joined_at is None:
            member.joined_at = now
            if member.staff is not None and member.staff.role == Role.PREP_GROUP.value:
                member.staff.active = True
        else:
            member.left_at = now
            if (
                member.staff is not None
                and member.staff.role == Role.PREP_GROUP.value
                and member.staff_id not in still_holding
            ):
                member.staff.active = False
    group.formed_at = group.formed_at or now
    group.published_at = now
    record_event(
        actor,
        "prep.confirm",
        f"estate:{estate.code}",
        estate_id=estate.id,
        joined=[m.name for m in pending if m.left_at is None],
        left=[m.name for m in pending if m.left_at is not None],
        members=[{"name": m.name, "role": m.role, "leader": m.is_leader} for m in staying],
    )
    return group


# --- what the board shows ------------------------------------------------------------------


@dataclass(frozen=True)
class PublicMember:
    masked_name: str
    role: str
    organisation: str
    is_leader: bool
    unit_labels: str


@dataclass(frozen=True)
class PublishedGroup:
    published_at: datetime
    members: tuple[PublicMember, ...]
    leaving: int  # members proposed to leave, awaiting the street office's confirmation


def published_group(estate: Estate) -> PublishedGroup | None:
    """The confirmed composition as the public may see it (names masked), or None before formation."""
    group = group_of(estate)
    if group is None or group.published_at is None:
        return None
    current = sorted((m for m in group.members if m.is_current), key=lambda m: (not m.is_leader, m.id))
    return PublishedGroup(
        group.published_at,
        tuple(PublicMember(mask_name(m.name), m.role, m.organisation, m.is_leader, m.unit_labels) for m in current),
        sum(1 for m in current if m.leave_reason is not None),
    )


# --- deadlines -----------------------------------------------------------------------------

DEADLINE_NAMES = {
    "meeting_notice": _l("Notice of the meeting on the notice board (as long before voting as the estate's rules say)"),
    "first_meeting": _l(
        "The committee's first meeting (within %(days)d days of the election)", days=FIRST_MEETING_DAYS
    ),
    "filing": _l(
        "The committee's filing with the street office (within %(days)d days of the election)", days=FILING_DAYS
    ),
}


@dataclass(frozen=True)
class Deadline:
    kind: str
    election: Election
    due_at: datetime
    done_at: datetime | None
    status: str  # due, overdue, done, late (done after the due date)

    @property
    def is_open(self) -> bool:
        return self.status in ("due", "overdue")


def _deadline(kind: str, election: Election, due_at: datetime, done_at: datetime | None, now: datetime) -> Deadline:
    if done_at is not None:
        status = "done" if done_at <= due_at else "late"
    else:
        status = "overdue" if now > due_at else "due"
    return Deadline(kind, election, due_at, done_at, status)


def deadlines(estate: Estate, now: datetime | None = None) -> list[Deadline]:
    """What the estate's votes require and when, soonest first.

    The meeting notice counts as given when it went up on the notice board.
    """
    now = now or utcnow()
    elections = db.session.scalars(select(Election).where(Election.estate_id == estate.id)).all()
    if not elections:
        return []
    ids = [e.id for e in elections]
    with_committee = set(
        db.session.scalars(select(Motion.election_id).where(Motion.election_id.in_(ids), Motion.kind == "committee"))
    )
    done = {
        (m.election_id, m.kind): m.done_at
        for m in db.session.scalars(select(CommitteeMilestone).where(CommitteeMilestone.election_id.in_(ids)))
    }
    found = []
    for election in elections:
        found.append(
            _deadline(
                "meeting_notice",
                election,
                election.opens_at - timedelta(days=estate.rules_profile.notice_days),
                meeting_notice_posted(estate, election.id, election.created_at),
                now,
            )
        )
        if election.id in with_committee and election.state in (State.CLOSED, State.TALLIED):
            for kind, days in (("first_meeting", FIRST_MEETING_DAYS), ("filing", FILING_DAYS)):
                found.append(
                    _deadline(
                        kind, election, election.closes_at + timedelta(days=days), done.get((election.id, kind)), now
                    )
                )
    return sorted(found, key=lambda d: d.due_at)


def open_deadlines(estate: Estate, now: datetime | None = None) -> list[Deadline]:
    """What is due or overdue, for the estate's page."""
    return [d for d in deadlines(estate, now) if d.is_open]


def record_milestone(
    actor: str, election: Election, kind: str, done_on: date, note: str = "", now: datetime | None = None
) -> CommitteeMilestone:
    """Record the day of the committee's first meeting or of its filing, for the deadlines above."""
    now = now or utcnow()
    if kind not in MILESTONES:
        raise PrepError(_("Unknown milestone."))
    if election.state not in (State.CLOSED, State.TALLIED) or not any(m.kind == "committee" for m in election.motions):
        raise PrepError(_("Only a committee election that has closed is followed by these steps."))
    if not local_date(election.closes_at) <= done_on <= local_date(now):
        raise PrepError(_("The date must lie between the end of the vote and today."))
    if (
        db.session.scalar(
            select(CommitteeMilestone.id).where(
                CommitteeMilestone.election_id == election.id, CommitteeMilestone.kind == kind
            )
        )
        is not None
    ):
        raise PrepError(_("This step is already recorded."))
    # The start of that Beijing day: on time exactly when the day is not after the due day.
    done_at = datetime.combine(done_on, time(), SHANGHAI)
    milestone = CommitteeMilestone(
        election_id=election.id, kind=kind, done_at=done_at, note=note.strip(), recorded_by=actor
    )
    db.session.add(milestone)
    record_event(
        actor,
        f"committee.{kind}",
        f"election:{election.public_id}",
        estate_id=election.estate_id,
        done_on=done_on.isoformat(),
        note=note.strip(),
    )
    return milestone


def local_date(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()
