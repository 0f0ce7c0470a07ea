"""The owner roll: upload with preview, confirm, view, publish, export."""

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from voting.auth.access import Part, Permission, scoped
from voting.errors import returns_to
from voting.estates.models import Estate
from voting.roster.export import roll_workbook
from voting.roster.forms import ConfirmForm, RosterUploadForm
from voting.roster.models import RosterUpload
from voting.roster.operations import (
    import_upload,
    preview_roster,
    publish_roll,
    roll_summary,
    roll_view,
    stage_upload,
    staged_result,
)

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
