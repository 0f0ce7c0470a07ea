"""Staff pages for votes: draft, open, close, tally, export."""

from datetime import datetime
from io import BytesIO

from flask import Blueprint, Response, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from voting.auth.access import Part, Permission, can, part_of, scoped
from voting.confirmation import flash_form_errors
from voting.elections.documents import attach_document, remove_document
from voting.elections.forms import (
    ActionForm,
    ChoiceMotionForm,
    ElectionForm,
    MotionForm,
    OpenForm,
    motion_document_form,
)
from voting.elections.models import Election, Motion, MotionDocument, State
from voting.elections.operations import (
    ElectionError,
    add_choice_motion,
    add_motion,
    close_election,
    create_election,
    notice_period_fault,
    open_election,
    published_record,
    tally_election,
)
from voting.elections.scopes import scope_options
from voting.errors import form_again, returns_to
from voting.estates.models import Estate
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
@scoped(Permission.VIEW_ELECTION)
def index(code: str, estate: Estate):
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
@scoped(Permission.VIEW_ELECTION, election=Election)
def detail(estate: Estate, election: Election):
    motion_form = MotionForm()
    motion_form.offer_scopes(*scope_options(estate))
    return render_template(
        "elections/detail.html",
        estate=estate,
        election=election,
        motion_form=motion_form,
        document_form=motion_document_form(election),
        choice_form=ChoiceMotionForm(),
        action=ActionForm(),
        may_manage=can(current_user, Permission.MANAGE_ELECTION),
        witness=witness_status(current_user, election),
    )


@blueprint.post("/<int:election_id>/motions")
@returns_to("elections.detail")
@login_required
@scoped(Permission.MANAGE_ELECTION, election=Election)
def motions(code: str, estate: Estate, election: Election):
    form = MotionForm()
    form.offer_scopes(*scope_options(estate))
    if form.validate_on_submit():
        add_motion(current_user.username, election, form.item.data, form.title.data, form.scope())
    else:
        for field, errors in form.errors.items():
            flash(f"{form[field].label.text}: {' '.join(errors)}", "error")
    return redirect(url_for("elections.detail", code=code, election_id=election.id))


@blueprint.post("/<int:election_id>/choice-motions")
@returns_to("elections.detail")
@login_required
@scoped(Permission.MANAGE_ELECTION, election=Election)
def choice_motions(code: str, election: Election):
    form = ChoiceMotionForm()
    if form.validate_on_submit():
        add_choice_motion(current_user.username, election, form.item.data, form.title.data, form.option_lines())
    else:
        flash_form_errors(form)
    return redirect(url_for("elections.detail", code=code, election_id=election.id))


DOCUMENT = Part(MotionDocument, of="election", column="election_id")


@blueprint.post("/<int:election_id>/documents")
@returns_to("elections.detail")
@login_required
@scoped(Permission.MANAGE_ELECTION, election=Election)
def attach(code: str, election: Election):
    form = motion_document_form(election)
    if form.validate_on_submit():
        motion = part_of(Motion, form.motion.data, election_id=election.id)
        upload = form.file.data
        attach_document(current_user.username, motion, form.title.data, upload.filename or "", upload.read())
        flash(_("Document attached. Opening the vote puts its SHA-256 in the record."), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("elections.detail", code=code, election_id=election.id))


@blueprint.post("/<int:election_id>/documents/<int:document_id>/remove")
@returns_to("elections.detail")
@login_required
@scoped(Permission.MANAGE_ELECTION, election=Election, document=DOCUMENT)
def remove(code: str, election: Election, document: MotionDocument):
    form = ActionForm()
    if form.validate_on_submit():
        remove_document(current_user.username, document)
        flash(_("Document removed."), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("elections.detail", code=code, election_id=election.id))


@blueprint.get("/<int:election_id>/documents/<int:document_id>")
@login_required
@scoped(Permission.VIEW_ELECTION, election=Election, document=DOCUMENT)
def document(document: MotionDocument):
    return document_download(document)


def document_download(document: MotionDocument) -> Response:
    """A motion's PDF, shown in the browser; the same bytes whatever the page that links it."""
    return send_file(
        BytesIO(document.content),
        mimetype="application/pdf",
        download_name=f"{document.motion.motion_id}-{document.position}.pdf",
        etag=document.sha256,
    )


def _change_state(election: Election, change, done_message: str, form=None, back: str | None = None):
    """Run a state change; an invalid form goes `back` (by default the vote's page), changing nothing."""
    done = url_for("elections.detail", code=election.estate.code, election_id=election.id)
    form = form or ActionForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back or done)
    change(current_user.username, election)
    flash(done_message, "success")
    return redirect(done)


@blueprint.get("/<int:election_id>/open")
@login_required
@scoped(Permission.MANAGE_ELECTION, election=Election)
def confirm_open(estate: Estate, election: Election):
    """The first press on "open": what opening locks, the notices passphrase, and the tick."""
    if election.state != State.DRAFT:
        flash(_("This vote is already open."), "error")
        return redirect(url_for("elections.detail", code=estate.code, election_id=election.id))
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
@scoped(Permission.MANAGE_ELECTION, election=Election)
def open_(code: str, election: Election):
    form = OpenForm()
    return _change_state(
        election,
        lambda actor, election: open_election(actor, election, form.passphrase.data),
        _("The vote is open and frozen. Print the voting notices now."),
        form,
        back=url_for("elections.confirm_open", code=code, election_id=election.id),
    )


@blueprint.post("/<int:election_id>/close")
@returns_to("elections.detail")
@login_required
@scoped(Permission.MANAGE_ELECTION, election=Election)
def close(election: Election):
    return _change_state(election, close_election, _("The vote is closed."))


@blueprint.post("/<int:election_id>/tally")
@returns_to("elections.detail")
@login_required
@scoped(Permission.MANAGE_ELECTION, election=Election)
def tally(election: Election):
    return _change_state(election, tally_election, _("The vote is counted."))


@blueprint.get("/<int:election_id>/record.json")
@returns_to("elections.detail")
@login_required
@scoped(Permission.VIEW_ELECTION, election=Election)
def record(election: Election):
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
