"""Staff pages for votes: draft, open, close, tally, export."""

from datetime import datetime

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from voting.auth.access import Permission, can, election_for, estate_for
from voting.confirmation import flash_form_errors
from voting.elections.forms import ActionForm, ElectionForm, MotionForm, OpenForm
from voting.elections.models import Election, State
from voting.elections.operations import (
    ElectionError,
    add_motion,
    close_election,
    create_election,
    notice_period_fault,
    open_election,
    published_record,
    tally_election,
)
from voting.errors import form_again, returns_to
from voting.extensions import db
from voting.formatting import SHANGHAI
from voting.notices.sealing import MIN_PASSPHRASE_LENGTH
from voting.roster.operations import roll_summary
from voting.timeutil import utcnow
from voting.witness.operations import witness_status

blueprint = Blueprint("elections", __name__, url_prefix="/estates/<code>/elections")


def _beijing(moment: datetime) -> datetime:
    """A datetime-local field's naive value is Beijing time."""
    return moment.replace(tzinfo=SHANGHAI)


@blueprint.route("/", methods=["GET", "POST"])
@login_required
def index(code: str):
    estate = estate_for(code, Permission.VIEW_ELECTION)
    form = ElectionForm()
    if form.validate_on_submit() and can(current_user, Permission.MANAGE_ELECTION):
        try:
            election = create_election(
                current_user.username,
                estate,
                form.title.data,
                _beijing(form.opens_at.data),
                _beijing(form.closes_at.data),
                form.revote.data,
                require_id_last4=form.require_id_last4.data,
                publish_units=form.publish_units.data,
            )
        except ElectionError as refused:
            return form_again(refused, lambda: _index_page(estate, form))
        return redirect(url_for("elections.detail", code=code, election_id=election.id))
    return _index_page(estate, form)


def _index_page(estate, form: ElectionForm) -> str:
    elections = db.session.scalars(
        select(Election).where(Election.estate_id == estate.id).order_by(Election.id.desc())
    ).all()
    return render_template(
        "elections/index.html",
        estate=estate,
        elections=elections,
        form=form,
        may_manage=can(current_user, Permission.MANAGE_ELECTION),
    )


@blueprint.get("/<int:election_id>/")
@login_required
def detail(code: str, election_id: int):
    estate, election = election_for(code, election_id, Permission.VIEW_ELECTION)
    return render_template(
        "elections/detail.html",
        estate=estate,
        election=election,
        motion_form=MotionForm(),
        action=ActionForm(),
        may_manage=can(current_user, Permission.MANAGE_ELECTION),
        witness=witness_status(current_user, election),
    )


@blueprint.post("/<int:election_id>/motions")
@returns_to("elections.detail")
@login_required
def motions(code: str, election_id: int):
    _estate, election = election_for(code, election_id, Permission.MANAGE_ELECTION)
    form = MotionForm()
    if form.validate_on_submit():
        add_motion(current_user.username, election, form.item.data, form.title.data)
    else:
        for field, errors in form.errors.items():
            flash(f"{form[field].label.text}: {' '.join(errors)}", "error")
    return redirect(url_for("elections.detail", code=code, election_id=election_id))


def _change_state(code: str, election_id: int, change, done_message: str, form=None, back: str | None = None):
    """Run a state change; an invalid form goes `back` (by default the vote's page), changing nothing."""
    _estate, election = election_for(code, election_id, Permission.MANAGE_ELECTION)
    done = url_for("elections.detail", code=code, election_id=election_id)
    form = form or ActionForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back or done)
    change(current_user.username, election)
    flash(done_message, "success")
    return redirect(done)


@blueprint.get("/<int:election_id>/open")
@login_required
def confirm_open(code: str, election_id: int):
    """The first press on "open": what opening locks, the notices passphrase, and the tick."""
    estate, election = election_for(code, election_id, Permission.MANAGE_ELECTION)
    if election.state != State.DRAFT:
        flash(_("This vote is already open."), "error")
        return redirect(url_for("elections.detail", code=code, election_id=election_id))
    return render_template(
        "elections/open.html",
        estate=estate,
        election=election,
        open_form=OpenForm(),
        roll=roll_summary(estate),
        min_passphrase=MIN_PASSPHRASE_LENGTH,
        notice_fault=notice_period_fault(election, utcnow()),
    )


@blueprint.post("/<int:election_id>/open")
@returns_to("elections.confirm_open")
@login_required
def open_(code: str, election_id: int):
    form = OpenForm()
    return _change_state(
        code,
        election_id,
        lambda actor, election: open_election(actor, election, form.passphrase.data),
        _("The vote is open and frozen. Print the voting notices now."),
        form,
        back=url_for("elections.confirm_open", code=code, election_id=election_id),
    )


@blueprint.post("/<int:election_id>/close")
@returns_to("elections.detail")
@login_required
def close(code: str, election_id: int):
    return _change_state(code, election_id, close_election, _("The vote is closed."))


@blueprint.post("/<int:election_id>/tally")
@returns_to("elections.detail")
@login_required
def tally(code: str, election_id: int):
    return _change_state(code, election_id, tally_election, _("The vote is counted."))


@blueprint.get("/<int:election_id>/record.json")
@returns_to("elections.detail")
@login_required
def record(code: str, election_id: int):
    _estate, election = election_for(code, election_id, Permission.VIEW_ELECTION)
    return record_download(election)


def record_download(election: Election) -> Response:
    """The record as built once per state, with its SHA-256 as the validator: a reader polling for
    the certification gets 304 until the record changes."""
    published = published_record(election)
    response = Response(
        published.text,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="record-{election.public_id}.json"'},
    )
    response.set_etag(published.etag)
    return response.make_conditional(request)
