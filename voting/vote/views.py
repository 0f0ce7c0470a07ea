"""Owners vote here from the QR code on their notice: no login, the phone's signature is the proof.

The JSON endpoints are exempt from CSRF: a cross-site page cannot produce the Ed25519
signatures they demand, which are the authentication.
"""

from flask import Blueprint, abort, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import RequestEntityTooLarge

from voting.auth.access import unit_choices_shown
from voting.board.heads import remind_day_head
from voting.elections.models import Election, State
from voting.extensions import csrf, limiter
from voting.transactions import after_commit
from voting.vote.forms import ReceiptForm
from voting.vote.operations import (
    MAX_REQUEST_BYTES,
    VoteRefused,
    ballot_page_data,
    cast_ballot,
    check_receipt_text,
    find_election,
    issue_challenge,
    open_session,
    read_request,
    receipt_storage_key,
    reveal_unit_choices,
    why_not_open,
)

blueprint = Blueprint("vote", __name__, url_prefix="/v")

# Per address, generous: a carrier's NAT can put a whole estate behind one address.
# Per voter, only refusals (403) count: on /ballot a 403 is only ever a wrong ID ending after the
# signature was verified, on /session the key is a public key only the notice's holder knows.
# So a stranger cannot use up an owner's attempts, and a found notice allows a handful of
# guesses at the ID ending a day, not thousands.
ID_GUESSES = "5 per day"
TOO_MANY_ID_GUESSES = _l(
    "Too many wrong ID numbers for this voting notice. Please try again tomorrow, "
    "or ask the preparation group for a paper ballot."
)


def _request_data() -> bytes:
    """The body, refused when larger than MAX_REQUEST_BYTES. Werkzeug stops reading a body that
    gives no Content-Length (chunked) at the limit without complaint: one byte past the cap tells
    a body cut off there from one that ends within it."""
    request.max_content_length = MAX_REQUEST_BYTES + 1
    try:
        data = request.get_data()
    except RequestEntityTooLarge:
        data = None
    if data is None or len(data) > MAX_REQUEST_BYTES:
        raise VoteRefused(_("The request is too large."), 413)
    return data


def _phone_sent(*path: str) -> str:
    """A text field of the phone's JSON body under this election (the limit's key), or "" (no
    limit applies) when there is none; bodies too large or not JSON are refused by the view."""
    try:
        value = read_request(_request_data())
    except VoteRefused:
        return ""
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return f"{request.view_args['public_id']}:{value}" if isinstance(value, str) and value else ""


def _refused_id(response) -> bool:
    return response.status_code == 403


def _election(public_id: str, *, opened: bool = True) -> Election:
    """The election, or 404; with ``opened``, only once its definition is frozen."""
    election = find_election(public_id)
    if election is None or (opened and election.definition_json is None):
        abort(404)
    return election


@blueprint.get("/<public_id>")
def ballot(public_id: str):
    election = _election(public_id, opened=False)
    closed = why_not_open(election)
    data = None
    if not closed:
        urls = {
            name: url_for(f"vote.{name}", public_id=public_id) for name in ("challenge", "session", "cast", "receipt")
        }
        data = ballot_page_data(election) | {"urls": urls}
    elif unit_choices_shown(election):
        data = {"urls": {name: url_for(f"vote.{name}", public_id=public_id) for name in ("challenge", "units")}}
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


@blueprint.post("/<public_id>/challenge")
@csrf.exempt
@limiter.limit("120 per minute")
def challenge(public_id: str):
    return jsonify(challenge=issue_challenge(_election(public_id)))


@blueprint.post("/<public_id>/session")
@csrf.exempt
@limiter.limit("120 per minute")
@limiter.limit(
    ID_GUESSES, key_func=lambda: _phone_sent("public_key"), deduct_when=_refused_id, error_message=TOO_MANY_ID_GUESSES
)
def session(public_id: str):
    election = _election(public_id)
    return jsonify(open_session(election, read_request(_request_data())))


@blueprint.post("/<public_id>/ballot")
@csrf.exempt
@limiter.limit("60 per minute")
@limiter.limit(
    ID_GUESSES,
    key_func=lambda: _phone_sent("ballot", "voter_id"),
    deduct_when=_refused_id,
    error_message=TOO_MANY_ID_GUESSES,
)
def cast(public_id: str):
    election = _election(public_id)
    receipt = cast_ballot(election, read_request(_request_data()))
    after_commit(remind_day_head, election)
    return jsonify(receipt)


@blueprint.post("/<public_id>/units")
@csrf.exempt
@limiter.limit("30 per minute")  # each answer reads the whole log, as a receipt check does
def units(public_id: str):
    """How each unit voted, as a part of the phone's page, for a proven credential holder."""
    election = _election(public_id)
    choices = reveal_unit_choices(election, read_request(_request_data()))
    return jsonify(html=render_template("vote/_unit_choices.html", choices=choices))


@blueprint.route("/<public_id>/receipt", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])  # each check reads the whole log
def receipt(public_id: str):
    """The receipt check as a page; works without JavaScript (receipt.js only adds the phone's copy)."""
    election = _election(public_id)
    form = ReceiptForm()
    result = check_receipt_text(election, form.receipt.data) if form.validate_on_submit() else None
    return render_template(
        "vote/receipt.html", election=election, form=form, result=result, storage_key=receipt_storage_key(election)
    )


@blueprint.post("/<public_id>/receipt/check")
@csrf.exempt
@limiter.limit("30 per minute")
def check_receipt(public_id: str):
    election = _election(public_id)
    try:
        result = check_receipt_text(election, _request_data())
    except VoteRefused as refusal:
        return jsonify(ok=False, error=str(refusal)), refusal.status
    # The page's script shows the same part of the page as the form's answer (receipt.js).
    return jsonify(result | {"html": render_template("vote/_receipt_result.html", election=election, result=result)})
