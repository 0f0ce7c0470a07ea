"""Staff pages of a vote's figures: live turnout, the canvass list, the results of the count.

All three only read; none shows a motion's result before the tally exists.
"""

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from voting.auth.access import Permission, can, scoped
from voting.board.heads import remind_day_head
from voting.elections.models import Election, State
from voting.estates.models import Estate
from voting.tally.operations import canvass_list, measure_turnout, read_results
from voting.tally.svg import participation_bar
from voting.timeutil import utcnow
from voting.transactions import after_commit
from voting.witness.operations import witness_status

blueprint = Blueprint("tally", __name__, url_prefix="/estates/<code>/elections/<int:election_id>")


@blueprint.get("/turnout")
@login_required
@scoped(Permission.VIEW_ELECTION, election=Election)
def turnout(estate: Estate, election: Election):
    after_commit(remind_day_head, election)
    figures = measure_turnout(election) if election.state != State.DRAFT else None
    return render_template(
        "tally/turnout.html",
        estate=estate,
        election=election,
        turnout=figures,
        bar=participation_bar,
        may_manage=can(current_user, Permission.MANAGE_ELECTION),
        witness=witness_status(current_user, election),
    )


@blueprint.get("/canvass")
@login_required
@scoped(Permission.MANAGE_ELECTION, election=Election)
def canvass(estate: Estate, election: Election):
    groups = canvass_list(election) if election.state == State.OPEN else None
    return render_template("tally/canvass.html", estate=estate, election=election, groups=groups, printed_at=utcnow())


@blueprint.get("/results")
@login_required
@scoped(Permission.VIEW_ELECTION, election=Election)
def results(estate: Estate, election: Election):
    return render_template("tally/results.html", estate=estate, election=election, results=read_results(election))
