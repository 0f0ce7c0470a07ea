"""What the public pages read: the estate's public overview, a counted vote, who published."""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from voting.auth.models import Role, Staff
from voting.board.heads import ACTOR as SERVICE_ACTOR
from voting.board.models import BoardNotice
from voting.board.operations import board
from voting.candidates.models import CandidateList
from voting.candidates.publication import published_lists
from voting.elections.models import Election, State
from voting.estates.models import Estate
from voting.extensions import db
from voting.prep.operations import published_group


@dataclass(frozen=True)
class PublishedMotion:
    position: int  # in the tally, from 0
    title: str
    entry: dict  # the motion's entry of the published tally (spec v2 §7.3)
    candidate_names: dict  # candidate_id -> name for a committee, option_id -> title for a choice


@dataclass(frozen=True)
class PublishedResult:
    """The result the server published when it counted the vote: the tally itself, which the
    record page puts beside the browser's recount, and the titles and names to show it with."""

    tally: dict
    motions: list[PublishedMotion]


def published_result(election: Election) -> PublishedResult:
    tally = election.tally
    definitions = {motion["motion_id"]: motion for motion in election.definition["motions"]}
    motions = []
    for position, entry in enumerate(tally["motions"]):
        definition = definitions[entry["motion_id"]]
        names = {candidate["candidate_id"]: candidate["name"] for candidate in definition.get("candidates", [])}
        names.update((option["option_id"], option["title"]) for option in definition.get("options", []))
        motions.append(PublishedMotion(position, definition["title"], entry, names))
    return PublishedResult(tally, motions)


# --- the estate's public page: a way to everything the public may read --------------------------

# The documents a counted vote leaves on the board, in the order the hub lists them.
VOTE_DOCUMENT_KINDS = ("results", "minutes", "certification")


@dataclass(frozen=True)
class PublicVote:
    """A vote as the public sees it, with the board entries it left (not withdrawn ones)."""

    election: Election
    documents: list[BoardNotice]


@dataclass(frozen=True)
class EstateOverview:
    """Where the public pages of an estate are: which exist, and the votes past drafting."""

    roll_published: bool
    group_published: bool
    candidate_lists: list[CandidateList]
    votes: list[PublicVote]
    notices_posted: int  # on the board now


def estate_overview(estate: Estate) -> EstateOverview:
    """A draft is not public: its title and motions may still change, so only votes opened or
    later are listed."""
    elections = db.session.scalars(
        select(Election)
        .where(Election.estate_id == estate.id, Election.state != State.DRAFT.value)
        .order_by(Election.id.desc())
    ).all()
    documents = db.session.scalars(
        select(BoardNotice)
        .where(
            BoardNotice.estate_id == estate.id,
            BoardNotice.withdrawn_at.is_(None),
            BoardNotice.election_id.is_not(None),
            BoardNotice.kind.in_(VOTE_DOCUMENT_KINDS),
        )
        .order_by(BoardNotice.published_from.desc(), BoardNotice.id.desc())
    ).all()
    votes = [
        PublicVote(
            e, sorted((d for d in documents if d.election_id == e.id), key=lambda d: VOTE_DOCUMENT_KINDS.index(d.kind))
        )
        for e in elections
    ]
    return EstateOverview(
        roll_published=estate.roll_published_at is not None,
        group_published=published_group(estate) is not None,
        candidate_lists=published_lists(estate),
        votes=votes,
        notices_posted=len(board(estate)["current"]),
    )


# --- who published: a name and a role, never an account's user name ------------------------------


def publisher_name(username: str | None) -> str:
    """How the public board names whoever published or withdrew a notice: the person's name and
    the body they act for (「王五 · 筹备组」), or the service itself for what it posts alone."""
    if not username:
        return ""
    if username == SERVICE_ACTOR:
        return _("Gongzhi, automatically")
    staff = db.session.scalar(select(Staff).where(Staff.username == username))
    if staff is None:
        return _("Staff")
    if staff.role == Role.STREET_OFFICE and staff.street_office is not None:
        body = staff.street_office.name
    elif staff.role == Role.COMMUNITY and staff.community is not None:
        body = staff.community.name
    else:
        body = str(PUBLISHER_BODIES.get(staff.role, _("Staff")))
    return _("%(name)s · %(body)s", name=staff.display_name, body=body)


PUBLISHER_BODIES = {
    Role.PLATFORM_ADMIN: _l("Platform administrator"),
    Role.STREET_OFFICE: _l("Street office"),
    Role.COMMUNITY: _l("Community"),
    Role.PREP_GROUP: _l("Preparation group"),
    Role.CLERK: _l("Clerk"),
}
