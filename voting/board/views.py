"""The notice board: staff publish and withdraw; anyone reads and checks a printout."""

import hashlib

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from voting.auth.access import Permission, may_withdraw, scoped
from voting.board.documents import announcement_pdf
from voting.board.forms import AnnouncementForm, PublishResultsForm, WithdrawForm
from voting.board.models import KIND_LABELS, BoardNotice
from voting.board.operations import BoardError, board, find_notice, publish, withdraw
from voting.board.results import RESULTS_PERIOD, require_publishable
from voting.confirmation import flash_form_errors
from voting.elections.models import Election
from voting.errors import form_again, returns_to
from voting.estates.models import Estate
from voting.extensions import db
from voting.formatting import SHANGHAI
from voting.jobs import enqueue
from voting.tally.operations import read_results

blueprint = Blueprint("board", __name__, url_prefix="/estates/<code>/board")
public_blueprint = Blueprint("board_public", __name__, url_prefix="/p/<code>/board")


@blueprint.route("/", methods=["GET", "POST"])
@login_required
@scoped(Permission.PUBLISH_BOARD)
def manage(code: str, estate: Estate):
    form = AnnouncementForm()
    if form.validate_on_submit():
        until = form.published_until.data
        try:
            notice = publish(
                current_user.username,
                estate,
                form.kind.data,
                form.title.data,
                lambda url: announcement_pdf(estate, form.title.data, form.text.data, form.signed_by.data, url),
                published_from=form.published_from.data.replace(tzinfo=SHANGHAI),
                published_until=until.replace(tzinfo=SHANGHAI) if until else None,
            )
        except BoardError as refused:
            return form_again(refused, lambda: _manage_page(estate, form))
        flash(_("Published: %(title)s", title=notice.title), "success")
        return redirect(url_for("board.manage", code=code))
    return _manage_page(estate, form)


def _manage_page(estate: Estate, form: AnnouncementForm) -> str:
    return render_template(
        "board/manage.html",
        estate=estate,
        form=form,
        sections=board(estate),
        withdraw_form=WithdrawForm(),
        kind_labels=KIND_LABELS,
    )


@blueprint.post("/<int:notice_id>/withdraw")
@returns_to("board.manage")
@login_required
@scoped(Permission.PUBLISH_BOARD, notice=BoardNotice)
def withdraw_(code: str, estate: Estate, notice: BoardNotice):
    if not may_withdraw(current_user, notice, estate):
        abort(
            403,
            description=_(
                "Only an officer of the estate's street office withdraws its certification "
                "and the log heads it witnessed."
            ),
        )
    form = WithdrawForm()
    if form.validate_on_submit():
        withdraw(current_user.username, notice, form.reason.data)
        flash(_("The notice is withdrawn; its reason is shown on the board."), "success")
    else:
        flash(_("Write the reason for withdrawing the notice."), "error")
    return redirect(url_for("board.manage", code=code))


@blueprint.get("/elections/<int:election_id>/results")
@returns_to("elections.detail")
@login_required
@scoped(Permission.PUBLISH_BOARD, election=Election)
def confirm_results(estate: Estate, election: Election):
    """The first press on "publish the results": what goes public, the figures, the tick."""
    require_publishable(election)
    return render_template(
        "board/publish_results.html",
        estate=estate,
        election=election,
        form=PublishResultsForm(),
        results=read_results(election),
        days=RESULTS_PERIOD.days,
    )


@blueprint.post("/elections/<int:election_id>/results")
@returns_to("elections.detail")
@login_required
@scoped(Permission.PUBLISH_BOARD, election=Election)
def publish_results_(code: str, election: Election):
    form = PublishResultsForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("board.confirm_results", code=code, election_id=election.id))
    require_publishable(election)
    enqueue("voting.board.results.publish_results_job", current_user.username, election.id, form.scrutineer_names())
    flash(
        _("The results announcement and the minutes are being laid out; they appear on the notice board in a minute."),
        "success",
    )
    return redirect(url_for("board.manage", code=code))


def _public_estate(code: str) -> Estate:
    return db.session.scalar(select(Estate).where(Estate.code == code)) or abort(404)


@public_blueprint.get("/")
def index(code: str):
    estate = _public_estate(code)
    return render_template("board/public.html", estate=estate, sections=board(estate), kind_labels=KIND_LABELS)


@public_blueprint.route("/<int:notice_id>", methods=["GET", "POST"])
def entry(code: str, notice_id: int):
    """The page a printed notice's QR code opens: what was published, when, and its hash;
    a file can be checked against it."""
    estate = _public_estate(code)
    notice = find_notice(estate, notice_id) or abort(404)
    checked = None
    if request.method == "POST":
        upload = request.files.get("document")
        checked = bool(upload) and hashlib.sha256(upload.read()).hexdigest() == notice.sha256
    election = db.session.get(Election, notice.election_id) if notice.election_id else None
    return render_template(
        "board/entry.html", estate=estate, notice=notice, checked=checked, election=election, kind_labels=KIND_LABELS
    )


@public_blueprint.get("/<int:notice_id>/document.pdf")
def document(code: str, notice_id: int):
    notice = find_notice(_public_estate(code), notice_id) or abort(404)
    if notice.pdf is None:
        abort(404)
    return Response(
        notice.pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="notice-{notice.id}.pdf"'},
    )
