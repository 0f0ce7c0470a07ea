"""Pages anyone may read, without logging in. Names are masked; no ID numbers or phones."""

from flask import Blueprint, abort, render_template
from sqlalchemy import select

from voting.estates.models import Estate
from voting.extensions import db
from voting.roster.operations import roll_summary, roll_view

blueprint = Blueprint("public", __name__, url_prefix="/p")


@blueprint.get("/<code>/roll")
def roll(code: str):
    estate = db.session.scalar(select(Estate).where(Estate.code == code))
    if estate is None or estate.roll_published_at is None:
        abort(404)
    return render_template("public/roll.html", estate=estate, summary=roll_summary(estate), view=roll_view(estate))
