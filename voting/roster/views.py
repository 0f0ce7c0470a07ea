"""The owner roll: upload with preview, confirm, view, publish, export."""

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from voting.auth.access import Permission, estate_for, part_of
from voting.errors import returns_to
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
def roll(code: str):
    estate = estate_for(code, Permission.VIEW_ROLL)
    return render_template(
        "roster/roll.html", estate=estate, summary=roll_summary(estate), view=roll_view(estate), form=ConfirmForm()
    )


@blueprint.route("/import", methods=["GET", "POST"])
@login_required
def upload(code: str):
    estate = estate_for(code, Permission.IMPORT_ROLL)
    form = RosterUploadForm()
    if form.validate_on_submit():
        staged = stage_upload(estate, form.file.data.read(), form.file.data.filename, current_user.id)
        return redirect(url_for("roster.preview", code=code, upload_id=staged.id))
    return render_template("roster/upload.html", estate=estate, form=form)


def _staged(estate, upload_id: int) -> RosterUpload:
    return part_of(RosterUpload, upload_id, estate_id=estate.id)


@blueprint.get("/import/<int:upload_id>")
@login_required
def preview(code: str, upload_id: int):
    estate = estate_for(code, Permission.IMPORT_ROLL)
    staged = _staged(estate, upload_id)
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
def confirm(code: str, upload_id: int):
    estate = estate_for(code, Permission.IMPORT_ROLL)
    staged = _staged(estate, upload_id)
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
def publish(code: str):
    estate = estate_for(code, Permission.PUBLISH_ROLL)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    publish_roll(current_user.username, estate)
    flash(_("The masked roll is now public."), "success")
    return redirect(url_for("roster.roll", code=code))


@blueprint.get("/export.xlsx")
@login_required
def export(code: str):
    estate = estate_for(code, Permission.EXPORT_ROLL)
    buffer = BytesIO()
    roll_workbook(estate, roll_view(estate)).save(buffer)
    buffer.seek(0)
    return send_file(
        buffer,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"roll-{estate.code}.xlsx",
    )
