"""Publishing a counted vote: results announcement and minutes, then the certification sheet."""

from __future__ import annotations

import json
from datetime import timedelta

from flask_babel import gettext as _

from voting.auth.models import Staff
from voting.board.models import BoardNotice
from voting.board.operations import BoardError, publish
from voting.certification.models import CertificationDecision
from voting.elections.models import Election, State
from voting.extensions import db
from voting.pdf.documents import certification_pdf, minutes_pdf, results_pdf
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


def publish_results(actor: str, election: Election, scrutineers: list[str],
                    period: timedelta = RESULTS_PERIOD) -> tuple[BoardNotice, BoardNotice]:
    if election.state != State.TALLIED:
        raise BoardError(_("Results can be published once the vote is counted."))
    until = utcnow() + period
    estate = election.estate
    results = publish(actor, estate, "results", _("Results of the vote: %(title)s", title=election.title),
                      lambda url: results_pdf(election, url), published_until=until, election_id=election.id)
    minutes = publish(actor, estate, "minutes", _("Minutes and resolutions: %(title)s", title=election.title),
                      lambda url: minutes_pdf(election, url, scrutineers=scrutineers, clerks=clerk_names(election),
                                              publish_units=election.publish_units),
                      published_until=until, election_id=election.id)
    return results, minutes


def publish_certification(actor: str, election: Election, decision: CertificationDecision) -> BoardNotice:
    staff = db.session.get(Staff, decision.staff_id)
    return publish(actor, election.estate, "certification",
                   _("Certification by the street office: %(title)s", title=election.title),
                   lambda url: certification_pdf(election, officer_name=staff.display_name,
                                                 street_office=staff.street_office.name,
                                                 body=json.loads(decision.body_json), signature=decision.signature,
                                                 board_url=url),
                   election_id=election.id)
