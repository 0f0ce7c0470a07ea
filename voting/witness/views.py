"""The street office's officer cosigns the vote's log in the browser (JSON for officer_keys.js)."""

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user, login_required

from voting.auth.access import Permission, own_street_office_officer, scoped
from voting.elections.models import Election
from voting.witness.operations import checkpoint_to_cosign, cosign

blueprint = Blueprint("witness", __name__, url_prefix="/estates/<code>/elections/<int:election_id>/witness")


def _json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400)
    return data


@blueprint.post("/checkpoint")
@login_required
@scoped(Permission.VIEW_ELECTION, election=Election, only=own_street_office_officer)
def checkpoint(election: Election):
    to_cosign = checkpoint_to_cosign(current_user, election, _json_body().get("since"))
    return jsonify(to_cosign.as_json())


@blueprint.post("/cosignatures")
@login_required
@scoped(Permission.VIEW_ELECTION, election=Election, only=own_street_office_officer)
def cosignatures(election: Election):
    data = _json_body()
    made = cosign(
        current_user, election, data.get("officer_id"), data.get("size"), data.get("time"), data.get("signature")
    )
    return jsonify(witness=made.witness, time=made.time), 201
