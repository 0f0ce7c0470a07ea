"""Pages anyone may read, without logging in: the estate's page leads to all of them. Owners'
names are masked; no ID numbers or phones anywhere."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy import select

from voting.elections.models import Election, MotionDocument, State
from voting.elections.views import document_download, record_download
from voting.errors import form_again
from voting.estates.models import Estate
from voting.extensions import db
from voting.objections.models import ObjectionError
from voting.objections.web import limit_objections
from voting.public.operations import estate_overview, published_result, publisher_name
from voting.roster.forms import RollObjectionForm
from voting.roster.objections import (
    GROUND_NAMES,
    find_roll_objection,
    lodge_roll_objection,
    roll_objection_fault,
    roll_objections,
)
from voting.roster.operations import roll_summary, roll_view
from voting.timeutil import utcnow
from voting.vote.operations import receipt_storage_key

blueprint = Blueprint("public", __name__, url_prefix="/p")
# The board's public pages name whoever published a notice by name and role (not user name).
blueprint.add_app_template_global(publisher_name, "publisher_name")


def _published_roll(code: str) -> Estate:
    estate = db.session.scalar(select(Estate).where(Estate.code == code))
    if estate is None or estate.roll_published_at is None:
        abort(404)
    return estate


@blueprint.route("/<code>/roll", methods=["GET", "POST"])
@limit_objections
def roll(code: str):
    """The masked roll with the group's written answers to objections; owners object here,
    identified by unit and ID ending, while it is open to objections."""
    estate = _published_roll(code)
    form = RollObjectionForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            objection = lodge_roll_objection(
                estate,
                form.unit_label.data,
                form.id_last4.data,
                form.ground.data,
                form.about_unit.data or "",
                form.text.data,
            )
        except ObjectionError as refused:  # counts against the unit's limit
            return form_again(refused, lambda: _roll_page(estate, form))
        return redirect(url_for("public.roll_objection", code=code, ref=objection.ref))
    return _roll_page(estate, form)


def _roll_page(estate: Estate, form: RollObjectionForm) -> str:
    objections = roll_objections(estate)
    return render_template(
        "public/roll.html",
        estate=estate,
        summary=roll_summary(estate),
        view=roll_view(estate),
        objections=objections,
        answered=[o for o in objections if o.answer is not None],
        ground_names=GROUND_NAMES,
        open_fault=roll_objection_fault(estate, utcnow()),
        form=form,
    )


@blueprint.get("/<code>/roll/objections/<ref>")
def roll_objection(code: str, ref: str):
    """The owner's receipt: their objection to the roll and, once given, the group's answer."""
    estate = _published_roll(code)
    found = find_roll_objection(estate, ref)
    if found is None:
        abort(404)
    return render_template("roster/public_objection.html", estate=estate, objection=found, ground_names=GROUND_NAMES)


@blueprint.get("/<code>/")
def estate(code: str):
    estate = db.session.scalar(select(Estate).where(Estate.code == code))
    if estate is None:
        abort(404)
    return render_template("public/estate.html", estate=estate, overview=estate_overview(estate))


@blueprint.get("/<code>/elections/<public_id>/record.json")
def election_record(code: str, public_id: str):
    election = _counted_election(code, public_id)
    return record_download(election)


@blueprint.get("/<code>/elections/<public_id>/record")
def record_check(code: str, public_id: str):
    """The record checked in the reader's browser (static/record_page.js) beside the published result."""
    election = _counted_election(code, public_id)
    return render_template(
        "public/record.html",
        estate=election.estate,
        election=election,
        published=published_result(election),
        record_url=url_for("public.election_record", code=code, public_id=public_id),
        receipt_storage_key=receipt_storage_key(election),
    )


@blueprint.get("/<code>/elections/<public_id>/documents/<sha256>.pdf")
def motion_document(code: str, public_id: str, sha256: str):
    """A motion's full text, for owners to read before they vote, named by the SHA-256 the record
    states for it: public once the vote is open (a draft's motions are not public)."""
    document = db.session.scalar(
        select(MotionDocument)
        .join(Election)
        .join(Estate)
        .where(
            Estate.code == code,
            Election.public_id == public_id,
            Election.state != State.DRAFT.value,
            MotionDocument.sha256 == sha256,
        )
        .limit(1)
    )
    if document is None:
        abort(404)
    return document_download(document)


def _counted_election(code: str, public_id: str) -> Election:
    """A vote of this estate whose record is published: it is counted. Else 404."""
    election = db.session.scalar(
        select(Election).join(Estate).where(Estate.code == code, Election.public_id == public_id)
    )
    if election is None or election.state != State.TALLIED.value:
        abort(404)
    return election
