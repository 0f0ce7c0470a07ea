"""What officer_keys.js posts from the preparation group's and the street office's pages: keys
registered, credential acts and certifications signed, the vote's log cosigned. The same
operations as those pages; CSRFProtect checks the X-CSRFToken header on every POST."""

from flask import Blueprint, jsonify
from flask_login import current_user, login_required

from voting.api.body import json_object
from voting.auth.access import Permission, election_for, part_of, witnessed_election_for
from voting.board.results import publish_certification
from voting.certification.operations import CertificationRefused, certify, register_certifying_key
from voting.confirmation import NOT_CONFIRMED, confirmed_in
from voting.credentials.models import CredentialRequest
from voting.credentials.operations import approve_request, register_group_key, sign_request
from voting.extensions import db
from voting.witness.operations import checkpoint_to_cosign, cosign

blueprint = Blueprint("officers", __name__, url_prefix="/estates/<code>/elections/<int:election_id>")


# --- credential acts: a group member's key (voting.credentials) --------------------------------


def _credential_signature(code: str, election_id: int, request_id: int):
    """The vote, and (officer_id, signature) as posted for a request of it."""
    _estate, election = election_for(code, election_id, Permission.MANAGE_ELECTION)
    part_of(CredentialRequest, request_id, election_id=election.id)  # of this vote, before what was sent is read
    data = json_object()
    return election, data.get("officer_id"), data.get("signature")


@blueprint.post("/credentials/key")
@login_required
def credential_key(code: str, election_id: int):
    _estate, election = election_for(code, election_id, Permission.MANAGE_ELECTION)
    officer = register_group_key(current_user, election, json_object().get("public_key"))
    return jsonify(officer.key_json()), 201


@blueprint.post("/credentials/<int:request_id>/sign")
@login_required
def credential_sign(code: str, election_id: int, request_id: int):
    election, officer_id, signature = _credential_signature(code, election_id, request_id)
    sign_request(current_user, election, request_id, officer_id, signature)
    return jsonify(status="requested")


@blueprint.post("/credentials/<int:request_id>/approve")
@login_required
def credential_approve(code: str, election_id: int, request_id: int):
    election, officer_id, signature = _credential_signature(code, election_id, request_id)
    approved = approve_request(current_user, election, request_id, officer_id, signature)
    return jsonify(status="approved", seq=approved.log_seq)


# --- certification: the street office's key (voting.certification) ----------------------------


@blueprint.post("/certification/officer-key")
@login_required
def certifying_key(code: str, election_id: int):
    _estate, election = election_for(code, election_id, Permission.VIEW_ELECTION)
    officer = register_certifying_key(current_user, election, json_object().get("public_key"))
    return jsonify(officer.key_json()), 201


@blueprint.post("/certification/sign")
@login_required
def certify_result(code: str, election_id: int):
    _estate, election = election_for(code, election_id, Permission.VIEW_ELECTION)
    data = json_object()
    if not confirmed_in(data):
        raise CertificationRefused(str(NOT_CONFIRMED))
    decision = certify(current_user, election, data.get("officer_id"), data.get("body"), data.get("signature"))
    db.session.flush()
    publish_certification(current_user.username, election, decision)
    return jsonify(status="certified")


# --- the vote's log cosigned by the street office's witness (voting.witness) --------------------


@blueprint.post("/witness/checkpoint")
@login_required
def checkpoint(code: str, election_id: int):
    _estate, election = witnessed_election_for(code, election_id)
    return jsonify(checkpoint_to_cosign(current_user, election, json_object().get("since")).as_json())


@blueprint.post("/witness/cosignatures")
@login_required
def cosignatures(code: str, election_id: int):
    _estate, election = witnessed_election_for(code, election_id)
    data = json_object()
    made = cosign(
        current_user, election, data.get("officer_id"), data.get("size"), data.get("time"), data.get("signature")
    )
    return jsonify(witness=made.witness, time=made.time), 201
