"""Who may see and do what: the one place where staff scope and permissions are decided.

Views never filter estates themselves; they declare what they need with :func:`scoped` (or ask
:func:`visible_estates`), which 404s an estate outside the user's scope, so a foreign estate's
existence is not revealed, and 403s an action the role may not take. What a view loads below the
estate (a vote, a candidate list, a nominee, a paper ballot…) is loaded with :func:`part_of`, so
an id of another estate's object names nothing here either. Templates ask the same predicates
(``can``, registered by :func:`register_template_predicates`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import wraps

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Select, exists, false, select

from voting.auth.models import Role, Staff
from voting.candidates.models import BODIES
from voting.elections.models import State
from voting.estates.models import Community, Estate
from voting.extensions import db
from voting.prep.models import PrepGroup, PrepMember


class Permission(StrEnum):
    VIEW_ROLL = "view_roll"
    IMPORT_ROLL = "import_roll"
    EDIT_ESTATE = "edit_estate"
    PUBLISH_ROLL = "publish_roll"
    EXPORT_ROLL = "export_roll"
    MANAGE_STAFF = "manage_staff"
    VIEW_AUDIT = "view_audit"
    VIEW_ELECTION = "view_election"
    MANAGE_ELECTION = "manage_election"  # draft, open, notices, close, tally
    VIEW_PAPER = "view_paper"  # the paper desk's progress, each paper ballot and its scan
    ENTER_PAPER = "enter_paper"  # key, check and sign paper ballots, register a clerk key
    PUBLISH_BOARD = "publish_board"  # post to and withdraw from the estate's notice board
    FORM_PREP_GROUP = "form_prep_group"  # propose and confirm the preparation group's members
    RECORD_FILING = "record_filing"  # the committee's first meeting and its filing (备案)
    VIEW_CANDIDATES = "view_candidates"  # the group, candidate lists, review report, objections
    MANAGE_CANDIDATES = "manage_candidates"  # nominations, publication, answers, the committee motion
    REVIEW_CANDIDATES = "review_candidates"  # record verdicts in the joint review (资格联审)


_ESTATE_WORK = {
    Permission.VIEW_ROLL,
    Permission.IMPORT_ROLL,
    Permission.EDIT_ESTATE,
    Permission.PUBLISH_ROLL,
    Permission.EXPORT_ROLL,
    Permission.VIEW_AUDIT,
    Permission.VIEW_ELECTION,
    Permission.MANAGE_ELECTION,
    Permission.VIEW_PAPER,
    Permission.PUBLISH_BOARD,
    Permission.VIEW_CANDIDATES,
    Permission.MANAGE_CANDIDATES,
}

# Two clerks are two people at the desk; an account that runs the vote holding a clerk key
# would let its owner be one of them. So only clerk accounts hold ENTER_PAPER.
_ALL_BUT_CLERKS_WORK = frozenset(Permission) - {Permission.ENTER_PAPER}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PLATFORM_ADMIN: _ALL_BUT_CLERKS_WORK,
    Role.STREET_OFFICE: _ALL_BUT_CLERKS_WORK,
    Role.COMMUNITY: frozenset(
        {
            Permission.VIEW_ROLL,
            Permission.VIEW_AUDIT,
            Permission.VIEW_ELECTION,
            Permission.PUBLISH_BOARD,
            Permission.VIEW_CANDIDATES,
            Permission.REVIEW_CANDIDATES,
        }
    ),
    Role.PREP_GROUP: frozenset(_ESTATE_WORK),
    Role.CLERK: frozenset(
        {Permission.VIEW_ROLL, Permission.VIEW_ELECTION, Permission.VIEW_PAPER, Permission.ENTER_PAPER}
    ),
}

# What a refusal tells the user where a bare "forbidden" would leave them guessing.
REFUSALS = {
    Permission.ENTER_PAPER: _l(
        "Only a clerk's account keys, checks and signs paper ballots and registers a clerk key."
    ),
}

# Which roles each role may create accounts for.
ASSIGNABLE_ROLES: dict[Role, tuple[Role, ...]] = {
    Role.PLATFORM_ADMIN: tuple(Role),
    Role.STREET_OFFICE: (Role.STREET_OFFICE, Role.COMMUNITY, Role.PREP_GROUP, Role.CLERK),
}


# Notices the street office answers for: its certification, and the log heads it witnessed.
# Those who run the vote must not take them down.
STREET_OFFICE_NOTICES = frozenset({"certification", "tree_head"})

NOT_IN_GROUP = _l(
    "This account acts for the preparation group, but it is not a member of its estate's confirmed "
    "preparation group. It works once the street office has confirmed its holder as a member."
)


def acts_for_group(user: Staff) -> bool:
    """A preparation-group account acts only while its holder is a member of the confirmed
    group of its estate: the street office's confirmation of the group's composition (its
    rules included) is what gives the account its powers. Other roles are not concerned."""
    if user.role != Role.PREP_GROUP:
        return True
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    PrepMember.staff_id == user.id,
                    PrepMember.joined_at.is_not(None),
                    PrepMember.left_at.is_(None),
                    PrepMember.group_id == PrepGroup.id,
                    PrepGroup.estate_id == user.estate_id,
                )
            )
        )
    )


def can(user: Staff, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[Role(user.role)] and acts_for_group(user)


def _forbid(permission: Permission):
    reason = REFUSALS.get(permission) if acts_for_group(current_user) else NOT_IN_GROUP
    abort(403, description=str(reason) if reason is not None else None)


def scope_filter(user: Staff, query: Select) -> Select:
    """Restrict a query over Estate to the estates within the user's scope."""
    role = Role(user.role)
    if role is Role.PLATFORM_ADMIN:
        return query
    if role is Role.STREET_OFFICE:
        return query.join(Community, Estate.community_id == Community.id).where(
            Community.street_office_id == user.street_office_id
        )
    if role is Role.COMMUNITY:
        return query.where(Estate.community_id == user.community_id)
    if role in (Role.PREP_GROUP, Role.CLERK):
        return query.where(Estate.id == user.estate_id)
    return query.where(false())


def visible_estates(user: Staff) -> list[Estate]:
    return list(db.session.scalars(scope_filter(user, select(Estate)).order_by(Estate.code)))


def _estate_for(code: str, *permissions: Permission) -> Estate:
    """The estate with this code if the current user may act on it with these permissions."""
    estate = db.session.scalar(scope_filter(current_user, select(Estate)).where(Estate.code == code))
    if estate is None:
        abort(404)
    for permission in permissions:
        if not can(current_user, permission):
            _forbid(permission)
    return estate


def part_of(model, object_id: int, **parents):
    """The ``model`` row with this id whose parent columns hold these ids (``estate_id=estate.id``,
    ``list_id=…``), else 404: what a URL names below an estate in scope is that estate's own."""
    found = db.session.scalar(
        select(model).where(
            model.id == object_id, *(getattr(model, column) == parent_id for column, parent_id in parents.items())
        )
    )
    if found is None:
        abort(404)
    return found


@dataclass(frozen=True)
class Part:
    """An object a URL names below the estate: the ``model`` row whose id is the URL's ``arg``
    (by default ``<name>_id`` for the name the view takes it by) and whose ``column`` holds the
    id of what it belongs to: ``of`` names the estate or an object the view takes before it, or
    is a function giving it from the estate (none: 404)."""

    model: type
    arg: str | None = None
    of: str | Callable = "estate"
    column: str = "estate_id"


def scoped(*permissions: Permission, only: Callable | None = None, **parts: type | Part):
    """A view's access, declared: ``@scoped(Permission.VIEW_ELECTION, election=Election)`` under
    ``@login_required``, the way an Indico request handler's ``_process_args`` and
    ``_check_access`` run before its ``_process``.

    Before the view runs: the estate of the URL's ``code``, 404 outside the user's scope and 403
    without each permission (:func:`_estate_for`); then each part in order, 404 unless it belongs
    there (:func:`part_of`); then ``only(user, estate)``, 403 when false. A part given as a model
    alone is an estate's row with the id in ``<name>_id``. The view takes by name what it needs
    of the estate, the parts and the URL's values (``code``, the ids…)."""
    wanted = {name: part if isinstance(part, Part) else Part(part) for name, part in parts.items()}

    def decorate(view):
        takes = inspect.signature(view).parameters

        @wraps(view)
        def scoped_view(code: str, **url_values):
            loaded = {"estate": _estate_for(code, *permissions)}
            for name, part in wanted.items():
                parent = loaded[part.of] if isinstance(part.of, str) else part.of(loaded["estate"])
                if parent is None:
                    abort(404)
                loaded[name] = part_of(part.model, url_values[part.arg or f"{name}_id"], **{part.column: parent.id})
            if only is not None and not only(current_user, loaded["estate"]):
                abort(403)
            given = {"code": code, **url_values, **loaded}
            return view(**{name: given[name] for name in takes if name in given})

        return scoped_view

    return decorate


def own_street_office_officer(user: Staff, estate: Estate) -> bool:
    """An officer of the street office the estate belongs to: the one who certifies its votes
    and witnesses their logs. A platform administrator is not one."""
    return (
        user.role == Role.STREET_OFFICE
        and user.street_office_id is not None
        and user.street_office_id == estate.street_office_id
    )


def may_withdraw(user: Staff, notice, estate: Estate) -> bool:
    """Whether the user may take this notice off the estate's board: any notice for those who
    publish to it, but the street office's own only for an officer of that street office."""
    return can(user, Permission.PUBLISH_BOARD) and (
        notice.kind not in STREET_OFFICE_NOTICES or own_street_office_officer(user, estate)
    )


def certifies(user: Staff, estate: Estate) -> bool:
    """Whether the user certifies this estate's votes: an officer of its own street office."""
    return own_street_office_officer(user, estate)


def holds_group_key(user: Staff) -> bool:
    """Whether the account signs credential requests for the preparation group (one of its members)."""
    return user.role == Role.PREP_GROUP


def reviewer_bodies(user: Staff) -> tuple[str, ...]:
    """The bodies a user records verdicts for in the joint review (资格联审). The street office
    chairs it and keys the written replies of the police station and the organisation
    department; community staff speak for the community."""
    role = Role(user.role)
    if role in (Role.PLATFORM_ADMIN, Role.STREET_OFFICE):
        return BODIES
    if role is Role.COMMUNITY:
        return ("community",)
    return ()


def creates_offices(user: Staff) -> bool:
    """Whether the user creates street offices and communities (others create estates only, within
    their street office)."""
    return Role(user.role) is Role.PLATFORM_ADMIN


def register_template_predicates(app) -> None:
    """``can('manage_staff')`` in a template asks :func:`can` for the signed-in user."""
    app.jinja_env.globals["can"] = lambda permission: (
        current_user.is_authenticated and can(current_user, Permission(permission))
    )


def require(permission: Permission) -> None:
    """For actions not tied to one estate (e.g. managing staff)."""
    if not can(current_user, permission):
        _forbid(permission)


def unit_choices_shown(election) -> bool:
    """Whether how each unit voted is shown at all: only where the assembly decided so (the
    vote's publish_units), and only once the vote is counted."""
    return election.publish_units and election.state == State.TALLIED


def may_see_unit_choices(election, holder) -> bool:
    """Only the holder of a credential key currently valid for this vote, proven by the phone
    (a revoked or replaced key no longer counts), sees how each unit voted: the estate's own
    owners, never the public."""
    return (
        unit_choices_shown(election)
        and holder is not None
        and holder.election_id == election.id
        and holder.public_key is not None
    )
