from flask import Blueprint, render_template
from flask_login import login_required
from sqlalchemy import select

from voting.audit.models import AuditEvent
from voting.audit.wording import describe
from voting.auth.access import Permission, scoped
from voting.estates.models import Estate
from voting.extensions import db

blueprint = Blueprint("audit", __name__)


@blueprint.get("/estates/<code>/audit")
@login_required
@scoped(Permission.VIEW_AUDIT)
def log(estate: Estate):
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.estate_id == estate.id).order_by(AuditEvent.id.desc()).limit(500)
    ).all()
    return render_template("audit/log.html", estate=estate, events=describe(events))
