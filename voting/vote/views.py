"""Owners vote here from the QR code on their notice: no login, the phone's signature is the proof.

The JSON endpoints are exempt from CSRF: a cross-site page cannot produce the Ed25519
signatures they demand, which are the authentication.
"""

from flask import Blueprint, abort, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from voting.ballots.operations import BallotRefused
from voting.elections.models import Election
from voting.extensions import csrf, db
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
    why_not_open,
)

blueprint = Blueprint("vote", __name__, url_prefix="/v")


def _election(public_id: str, *, opened: bool = True) -> Election:
    """The election, or 404; with ``opened``, only once its definition is frozen."""
    election = find_election(public_id)
    if election is None or (opened and election.definition_json is None):
        abort(404)
    return election


def _request_data() -> bytes:
    request.max_content_length = MAX_REQUEST_BYTES
    try:
        return request.get_data()
    except RequestEntityTooLarge:
        raise VoteRefused(_("The request is too large."), 413) from None


def _refusal(refusal: VoteRefused | BallotRefused):
    db.session.rollback()
    return jsonify(error=str(refusal)), getattr(refusal, "status", 422)


@blueprint.get("/<public_id>")
def ballot(public_id: str):
    election = _election(public_id, opened=False)
    closed = why_not_open(election)
    data = None
    if not closed:
        urls = {name: url_for(f"vote.{name}", public_id=public_id) for name in ("challenge", "session", "cast")}
        data = ballot_page_data(election) | {"urls": urls}
    return render_template("vote/ballot.html", election=election, closed=closed, data=data)


@blueprint.post("/<public_id>/challenge")
@csrf.exempt
def challenge(public_id: str):
    try:
        return jsonify(challenge=issue_challenge(_election(public_id)))
    except VoteRefused as refusal:
        return _refusal(refusal)


@blueprint.post("/<public_id>/session")
@csrf.exempt
def session(public_id: str):
    election = _election(public_id)
    try:
        return jsonify(open_session(election, read_request(_request_data())))
    except VoteRefused as refusal:
        return _refusal(refusal)


@blueprint.post("/<public_id>/ballot")
@csrf.exempt
def cast(public_id: str):
    election = _election(public_id)
    try:
        receipt = cast_ballot(election, read_request(_request_data()))
    except (VoteRefused, BallotRefused) as refusal:
        return _refusal(refusal)
    db.session.commit()
    return jsonify(receipt)


@blueprint.route("/<public_id>/receipt", methods=["GET", "POST"])
def receipt(public_id: str):
    """The receipt check as a page; works without JavaScript (receipt.js only adds the phone's copy)."""
    election = _election(public_id)
    form = ReceiptForm()
    result = check_receipt_text(election, form.receipt.data) if form.validate_on_submit() else None
    return render_template("vote/receipt.html", election=election, form=form, result=result,
                           storage_key=receipt_storage_key(election))


@blueprint.post("/<public_id>/receipt/check")
@csrf.exempt
def check_receipt(public_id: str):
    election = _election(public_id)
    try:
        return jsonify(check_receipt_text(election, _request_data()))
    except VoteRefused as refusal:
        return jsonify(ok=False, error=str(refusal)), refusal.status
