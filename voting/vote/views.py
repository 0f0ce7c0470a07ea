"""Owners vote here from the QR code on their notice: no login, the phone's signature is the proof.

The pages only; what the phone's script sends goes to the JSON API (voting.api.vote).
"""

from flask import Blueprint, abort, render_template, url_for
from flask_babel import gettext as _

from voting.auth.access import unit_choices_shown
from voting.elections.models import State
from voting.extensions import limiter
from voting.vote.forms import ReceiptForm
from voting.vote.operations import (
    ballot_page_data,
    check_receipt_text,
    find_election,
    opened_election,
    receipt_storage_key,
    why_not_open,
)

blueprint = Blueprint("vote", __name__, url_prefix="/v")


def _phone_urls(public_id: str, *names: str) -> dict:
    """Where the page's script sends what the phone signs (voting.api.vote)."""
    return {name: url_for(f"api.vote.{name}", public_id=public_id) for name in names}


@blueprint.get("/<public_id>")
def ballot(public_id: str):
    election = find_election(public_id) or abort(404)
    closed = why_not_open(election)
    data = None
    if not closed:
        urls = _phone_urls(public_id, "challenge", "session", "cast")
        data = ballot_page_data(election) | {"urls": urls | {"receipt": url_for("vote.receipt", public_id=public_id)}}
    elif unit_choices_shown(election):
        data = {"urls": _phone_urls(public_id, "challenge", "units")}
    # A draft's title may still change and is not public (public/operations.py): its page names none.
    title = _("Vote") if election.state == State.DRAFT else election.title
    return render_template(
        "vote/ballot.html",
        election=election,
        title=title,
        closed=closed,
        data=data,
        help_desk=election.estate.help_desk,
    )


@blueprint.route("/<public_id>/receipt", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])  # each check reads the whole log
def receipt(public_id: str):
    """The receipt check as a page; works without JavaScript (receipt.js only adds the phone's copy)."""
    election = opened_election(public_id) or abort(404)
    form = ReceiptForm()
    result = check_receipt_text(election, form.receipt.data) if form.validate_on_submit() else None
    return render_template(
        "vote/receipt.html",
        election=election,
        form=form,
        result=result,
        storage_key=receipt_storage_key(election),
    )
