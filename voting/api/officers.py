"""What officer_keys.js posts from the preparation group's and the street office's pages: keys
registered, credential acts, extensions and certifications signed, the vote's log cosigned. The
same operations as those pages; CSRFProtect checks the X-CSRFToken header on every POST."""

from flask import Blueprint, jsonify
from flask_login import current_user, login_required

from voting.api.body import json_object
from voting.auth.access import Part, Permission, own_street_office_officer, scoped
from voting.board.results import publish_certification
from voting.certification.operations import CertificationRefused, certify, register_certifying_key
from voting.confirmation import NOT_CONFIRMED, confirmed_in
from voting.credentials.models import CredentialRequest
from voting.credentials.operations import approve_request, register_group_key, sign_request
from voting.elections.models import Election
from voting.extend.models import ExtensionRequest
from voting.extend.operations import approve_extension, sign_extension
from voting.extensions import db
from voting.witness.operations import checkpoint_to_cosign, cosign

blueprint = Blueprint("officers", __name__, url_prefix="/estates/<code>/elections/<int:election_id>")

# Of this vote, loaded before what was sent is read.
CREDENTIAL_REQUEST = Part(CredentialRequest, "request_id", of="election", column="election_id")
EXTENSION_REQUEST = Part(ExtensionRequest, "extension_id", of="election", column="election_id")


def _signature() -> tuple:
    """(officer_id, signature) as officer_keys.js posts them."""
    data = json_object()
    return data.get("officer_id"), data.get("signature")


# --- credential acts: a group member's key (voting.credentials) --------------------------------


@blueprint.post("/credentials/key")
@login_required
@scoped(Permission.MANAGE_ELECTION, election=Election)
def credential_key(election: Election):
    officer = register_group_key(current_user, election, json_object().get("public_key"))
    return jsonify(officer.key_json()), 201


@blueprint.post("/credentials/<int:request_id>/sign")
@login_required
@scoped(Permission.MANAGE_ELECTION, election=Election, act=CREDENTIAL_REQUEST)
def credential_sign(election: Election, act: CredentialRequest):
    sign_request(current_user, election, act.id, *_signature())
    return jsonify(status="requested")


@blueprint.post("/credentials/<int:request_id>/approve")
@login_required
@scoped(Permission.MANAGE_ELECTION, election=Election, act=CREDENTIAL_REQUEST)
def credential_approve(election: Election, act: CredentialRequest):
    approved = approve_request(current_user, election, act.id, *_signature())
    return jsonify(status="approved", seq=approved.log_seq)


# --- extending the voting period: the group proposes, the street office approves (voting.extend) --


@blueprint.post("/extensions/<int:extension_id>/sign")
@login_required
@scoped(Permission.MANAGE_ELECTION, election=Election, act=EXTENSION_REQUEST)
def extension_sign(election: Election, act: ExtensionRequest):
    sign_extension(current_user, election, act.id, *_signature())
    return jsonify(status="requested")


@blueprint.post("/extensions/<int:extension_id>/approve")
@login_required
@scoped(Permission.MANAGE_ELECTION, election=Election, act=EXTENSION_REQUEST)
def extension_approve(election: Election, act: ExtensionRequest):
    approved = approve_extension(current_user, election, act.id, *_signature())
    return jsonify(status="approved", seq=approved.log_seq)


# --- certification: the street office's key (voting.certification) ----------------------------


@blueprint.post("/certification/officer-key")
@login_required
@scoped(Permission.VIEW_ELECTION, election=Election)
def certifying_key(election: Election):
    officer = register_certifying_key(current_user, election, json_object().get("public_key"))
    return jsonify(officer.key_json()), 201


@blueprint.post("/certification/sign")
@login_required
@scoped(Permission.VIEW_ELECTION, election=Election)
def certify_result(election: Election):
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
@scoped(Permission.VIEW_ELECTION, election=Election, only=own_street_office_officer)
def checkpoint(election: Election):
    return jsonify(checkpoint_to_cosign(current_user, election, json_object().get("since")).as_json())


@blueprint.post("/witness/cosignatures")
@login_required
@scoped(Permission.VIEW_ELECTION, election=Election, only=own_street_office_officer)
def cosignatures(election: Election):
    data = json_object()
    made = cosign(
        current_user, election, data.get("officer_id"), data.get("size"), data.get("time"), data.get("signature")
    )
    return jsonify(witness=made.witness, time=made.time), 201
