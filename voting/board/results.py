"""Publishing a counted vote: results announcement and minutes, then the certification sheet."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from voting.auth.models import Staff
from voting.ballots.log import locked
from voting.board.models import BoardNotice
from voting.board.operations import BoardError, publish
from voting.certification.models import CertificationDecision
from voting.elections.models import Election, State
from voting.extensions import db
from voting.pdf.documents import PublishedNotice, certification_pdf, minutes_pdf, results_pdf
from voting.timeutil import utcnow

RESULTS_PERIOD = timedelta(days=15)


def clerk_names(election: Election) -> list[str]:
    """The clerks who held keys for the paper ballots, by their account names."""
    names = []
    for officer in election.officers:
        staff = db.session.get(Staff, officer.staff_id)
        if officer.role == "clerk" and staff.display_name not in names:
            names.append(staff.display_name)
    return names


def require_publishable(election: Election) -> None:
    """Counted, and its results not on the board yet: a vote has one results announcement, and
    only withdrawing it (the reason stays visible) makes room for another."""
    if election.state != State.TALLIED:
        raise BoardError(_("Results can be published once the vote is counted."))
    published = db.session.scalar(
        select(BoardNotice.id).where(
            BoardNotice.election_id == election.id, BoardNotice.kind == "results", BoardNotice.withdrawn_at.is_(None)
        )
    )
    if published is not None:
        raise BoardError(
            _(
                "The results of this vote are already on the notice board; withdraw them, with the "
                "reason, before publishing them again."
            )
        )


def notices_before(election: Election) -> list[PublishedNotice]:
    """The meeting notices the estate posted up to the close, for the minutes."""
    return [
        PublishedNotice(n.title, n.published_from, n.published_until)
        for n in db.session.scalars(
            select(BoardNotice)
            .where(
                BoardNotice.estate_id == election.estate_id,
                BoardNotice.kind == "meeting_notice",
                BoardNotice.published_from <= election.closes_at,
            )
            .order_by(BoardNotice.published_from)
        )
    ]


def publish_results_job(actor: str, election_id: int, scrutineers: list[str]) -> None:
    """Run by voting.jobs: the minutes of thousands of voters take WeasyPrint many seconds. The
    election's row lock makes a second job wait for the first and then find its results."""
    publish_results(actor, locked(election_id), scrutineers)
    db.session.commit()


def publish_results(
    actor: str, election: Election, scrutineers: list[str], period: timedelta = RESULTS_PERIOD
) -> tuple[BoardNotice, BoardNotice]:
    require_publishable(election)
    until = utcnow() + period
    estate = election.estate
    notices = notices_before(election)
    results = publish(
        actor,
        estate,
        "results",
        _("Results of the vote: %(title)s", title=election.title),
        lambda url: results_pdf(election, url),
        published_until=until,
        election_id=election.id,
    )
    minutes = publish(
        actor,
        estate,
        "minutes",
        _("Minutes and resolutions: %(title)s", title=election.title),
        lambda url: minutes_pdf(election, url, scrutineers=scrutineers, clerks=clerk_names(election), notices=notices),
        published_until=until,
        election_id=election.id,
    )
    return results, minutes


def publish_certification(actor: str, election: Election, decision: CertificationDecision) -> BoardNotice:
    staff = db.session.get(Staff, decision.staff_id)
    return publish(
        actor,
        election.estate,
        "certification",
        _("Certification by the street office: %(title)s", title=election.title),
        lambda url: certification_pdf(
            election,
            officer_name=staff.display_name,
            street_office=staff.street_office.name,
            body=decision.body,
            signature=decision.signature,
            board_url=url,
        ),
        election_id=election.id,
    )
