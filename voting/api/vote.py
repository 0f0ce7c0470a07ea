"""The owners' phones (vote.js, receipt.js): no login, the phone's signature is the proof.

Exempt from CSRF: a cross-site page cannot produce the Ed25519 signatures these routes demand,
which are the authentication (the receipt check only reads).
"""

from flask import Blueprint, abort, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import RequestEntityTooLarge

from voting.board.heads import remind_day_head
from voting.elections.models import Election
from voting.extensions import csrf, limiter
from voting.transactions import after_commit
from voting.vote.operations import (
    MAX_REQUEST_BYTES,
    VoteRefused,
    cast_ballot,
    check_receipt_text,
    issue_challenge,
    open_session,
    opened_election,
    read_request,
    reveal_unit_choices,
)

blueprint = Blueprint("vote", __name__, url_prefix="/v/<public_id>")
csrf.exempt(blueprint)

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


_PHONE_BODY = "gongzhi.phone_body"


def _phone_body() -> dict:
    """The phone's JSON object, read and parsed once per request: the per-voter limits read their
    key from it before the view does (what refused it is kept and refused again). Kept in the
    request's own environ: an application context, and its g, may outlive a request."""
    if _PHONE_BODY not in request.environ:
        try:
            request.environ[_PHONE_BODY] = read_request(_request_data())
        except VoteRefused as refusal:
            request.environ[_PHONE_BODY] = refusal
    body = request.environ[_PHONE_BODY]
    if isinstance(body, VoteRefused):
        raise body
    return body


def _phone_sent(*path: str) -> str:
    """A text field of the phone's JSON body under this election (the limit's key), or "" (no
    limit applies) when there is none; bodies too large or not JSON are refused by the view."""
    try:
        value = _phone_body()
    except VoteRefused:
        return ""
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return f"{request.view_args['public_id']}:{value}" if isinstance(value, str) and value else ""


def _refused_id(response) -> bool:
    return response.status_code == 403


def _election(public_id: str) -> Election:
    return opened_election(public_id) or abort(404)


@blueprint.post("/challenge")
@limiter.limit("120 per minute")
def challenge(public_id: str):
    return jsonify(challenge=issue_challenge(_election(public_id)))


@blueprint.post("/session")
@limiter.limit("120 per minute")
@limiter.limit(
    ID_GUESSES, key_func=lambda: _phone_sent("public_key"), deduct_when=_refused_id, error_message=TOO_MANY_ID_GUESSES
)
def session(public_id: str):
    election = _election(public_id)
    return jsonify(open_session(election, _phone_body()))


@blueprint.post("/ballot")
@limiter.limit("60 per minute")
@limiter.limit(
    ID_GUESSES,
    key_func=lambda: _phone_sent("ballot", "voter_id"),
    deduct_when=_refused_id,
    error_message=TOO_MANY_ID_GUESSES,
)
def cast(public_id: str):
    election = _election(public_id)
    receipt = cast_ballot(election, _phone_body())
    after_commit(remind_day_head, election)
    return jsonify(receipt)


@blueprint.post("/units")
@limiter.limit("30 per minute")  # each answer reads the whole log, as a receipt check does
def units(public_id: str):
    """How each unit voted, as a part of the phone's page, for a proven credential holder."""
    election = _election(public_id)
    choices = reveal_unit_choices(election, _phone_body())
    return jsonify(html=render_template("vote/_unit_choices.html", choices=choices))


@blueprint.post("/receipt/check")
@limiter.limit("30 per minute")  # each check reads the whole log
def check_receipt(public_id: str):
    """The receipt page's check without a reload (receipt.js); the page's form gives the same."""
    election = _election(public_id)
    result = check_receipt_text(election, _request_data())
    # The page's script shows the same part of the page as the form's answer.
    return jsonify(result | {"html": render_template("vote/_receipt_result.html", election=election, result=result)})
