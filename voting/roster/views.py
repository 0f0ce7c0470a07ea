"""The owner roll: upload with preview, confirm, view, publish, export."""

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from voting.auth.access import Part, Permission, can, require, scoped
from voting.errors import form_again, returns_to
from voting.estates.models import Estate
from voting.objections.models import ObjectionError
from voting.objections.web import AnswerForm
from voting.roster.export import roll_workbook
from voting.roster.forms import ConfirmForm, PaperRollObjectionForm, RosterUploadForm
from voting.roster.models import RollObjection, RosterUpload
from voting.roster.objections import (
    GROUND_NAMES,
    answer_roll_objection,
    record_paper_roll_objection,
    roll_objection_fault,
    roll_objections,
)
from voting.roster.operations import (
    import_upload,
    preview_roster,
    publish_roll,
    roll_summary,
    roll_view,
    stage_upload,
    staged_result,
)
from voting.timeutil import utcnow

blueprint = Blueprint("roster", __name__, url_prefix="/estates/<code>/roll")


@blueprint.get("/")
@login_required
@scoped(Permission.VIEW_ROLL)
def roll(estate: Estate):
    return render_template(
        "roster/roll.html", estate=estate, summary=roll_summary(estate), view=roll_view(estate), form=ConfirmForm()
    )


@blueprint.route("/import", methods=["GET", "POST"])
@login_required
@scoped(Permission.IMPORT_ROLL)
def upload(code: str, estate: Estate):
    form = RosterUploadForm()
    if form.validate_on_submit():
        staged = stage_upload(estate, form.file.data.read(), form.file.data.filename, current_user.id)
        return redirect(url_for("roster.preview", code=code, upload_id=staged.id))
    return render_template("roster/upload.html", estate=estate, form=form)


@blueprint.get("/import/<int:upload_id>")
@login_required
@scoped(Permission.IMPORT_ROLL, staged=Part(RosterUpload, "upload_id"))
def preview(estate: Estate, staged: RosterUpload):
    parsed = staged_result(staged)
    return render_template(
        "roster/preview.html",
        estate=estate,
        upload=staged,
        preview=preview_roster(estate, parsed),
        form=ConfirmForm(),
    )


@blueprint.post("/import/<int:upload_id>")
@returns_to("roster.preview")
@login_required
@scoped(Permission.IMPORT_ROLL, staged=Part(RosterUpload, "upload_id"))
def confirm(code: str, estate: Estate, staged: RosterUpload):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    summary = import_upload(current_user.username, estate, staged)
    flash(
        _("Roll imported: %(units)d units, %(voters)d voters.", units=summary["units"], voters=summary["voters"]),
        "success",
    )
    return redirect(url_for("roster.roll", code=code))


@blueprint.post("/publish")
@login_required
@scoped(Permission.PUBLISH_ROLL)
def publish(code: str, estate: Estate):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    publish_roll(current_user.username, estate)
    flash(_("The masked roll is now public."), "success")
    return redirect(url_for("roster.roll", code=code))


@blueprint.route("/objections", methods=["GET", "POST"])
@login_required
@scoped(Permission.VIEW_ROLL)
def objections(code: str, estate: Estate):
    """Objections to the published roll: each with its written answer, and the paper ones keyed."""
    form = PaperRollObjectionForm()
    if request.method == "POST":
        require(Permission.PUBLISH_ROLL)
        if form.validate_on_submit():
            try:
                record_paper_roll_objection(
                    current_user.username,
                    estate,
                    form.unit_label.data,
                    form.id_number.data,
                    form.ground.data,
                    form.about_unit.data or "",
                    form.text.data,
                    form.received_at,
                )
            except ObjectionError as refused:
                return form_again(refused, lambda: _objections_page(estate, form))
            flash(_("The paper objection is recorded."), "success")
            return redirect(url_for("roster.objections", code=code))
    return _objections_page(estate, form)


def _objections_page(estate: Estate, form: PaperRollObjectionForm) -> str:
    return render_template(
        "roster/objections.html",
        estate=estate,
        objections=roll_objections(estate),
        ground_names=GROUND_NAMES,
        open_fault=roll_objection_fault(estate, utcnow()),
        form=form,
        answer_form=AnswerForm(),
        may_answer=can(current_user, Permission.PUBLISH_ROLL),
    )


@blueprint.post("/objections/<int:roll_objection_id>/answer")
@returns_to("roster.objections")
@login_required
@scoped(Permission.PUBLISH_ROLL, objection=Part(RollObjection, "roll_objection_id"))
def answer(code: str, objection: RollObjection):
    form = AnswerForm()
    if not form.validate_on_submit():
        for error in form.answer.errors:
            flash(f"{form.answer.label.text}: {error}", "error")
    else:
        answer_roll_objection(current_user.username, objection, form.answer.data)
        flash(_("The answer is recorded; it is published beside the roll."), "success")
    return redirect(url_for("roster.objections", code=code))


@blueprint.get("/export.xlsx")
@login_required
@scoped(Permission.EXPORT_ROLL)
def export(estate: Estate):
    buffer = BytesIO()
    roll_workbook(estate, roll_view(estate)).save(buffer)
    buffer.seek(0)
    return send_file(
        buffer,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"roll-{estate.code}.xlsx",
    )
