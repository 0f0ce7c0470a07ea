"""Revocations and reissues of owners' credentials: requested by one person, approved by another
(voting.credentials.operations). The notices page holds the request form and the list; the
signatures the browser makes are posted to the JSON API (voting.api.officers)."""

from io import BytesIO

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from voting.auth.access import Part, Permission, holds_group_key, scoped
from voting.credentials.models import ACTION_NAMES, REASON_NAMES, STATUS_NAMES, CredentialRequest
from voting.credentials.operations import next_signature, prepare_request, signing_keys, withdraw_request
from voting.elections.models import Election, State
from voting.elections.operations import why_no_officer_key
from voting.errors import returns_to
from voting.estates.models import Estate
from voting.officer_keys import officer_key_data
from voting.pdf import public_base_url

blueprint = Blueprint("credentials", __name__, url_prefix="/estates/<code>/elections/<int:election_id>/credentials")


def _key_data(election, **extra) -> dict:
    """What officer_keys.js needs on a credential page: this account's signing keys for the vote."""
    return officer_key_data(election, signing_keys(election, current_user), **extra)


# A request of this vote, loaded (404) before anything is refused about it.
CREDENTIAL_REQUEST = Part(CredentialRequest, "request_id", of="election", column="election_id")


@blueprint.get("/key")
@login_required
@scoped(Permission.MANAGE_ELECTION, election=Election)
def key(code: str, estate: Estate, election: Election):
    keys = signing_keys(election, current_user)
    group_member = holds_group_key(current_user)
    no_key = why_no_officer_key(current_user) if group_member else None
    extra = {}
    if election.state == State.DRAFT and group_member and not keys and not no_key:
        extra["register_url"] = url_for("api.officers.credential_key", code=code, election_id=election.id)
    return render_template(
        "credentials/key.html",
        estate=estate,
        election=election,
        keys=keys,
        no_key=no_key,
        group_member=group_member,
        key_data=_key_data(election, **extra),
    )


@blueprint.post("/")
@returns_to("notices.index")
@login_required
@scoped(Permission.MANAGE_ELECTION, election=Election)
def prepare(code: str, election: Election):
    form = request.form
    prepared = prepare_request(
        current_user,
        election,
        form.get("unit", "").strip(),
        form.get("action", ""),
        form.get("reason", ""),
        public_base_url(),
    )
    request_id, voter_code = prepared.request.id, prepared.request.voter_code
    if prepared.notice_pdf is None:
        return redirect(url_for("credentials.detail", code=code, election_id=election.id, request_id=request_id))
    response = send_file(
        BytesIO(prepared.notice_pdf),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"notice-{election.public_id}-{voter_code}-request-{request_id}.pdf",
    )
    response.headers["Cache-Control"] = "no-store"  # it holds a secret: no copy in any cache
    return response


@blueprint.get("/<int:request_id>")
@login_required
@scoped(Permission.MANAGE_ELECTION, election=Election, act=CREDENTIAL_REQUEST)
def detail(code: str, estate: Estate, election: Election, act: CredentialRequest):
    step = next_signature(current_user, act)
    here = {"code": code, "election_id": election.id, "request_id": act.id}
    extra = {}
    if step is not None:
        extra["sign"] = {
            "purpose": "credential",
            "body": act.body(),
            "post_url": url_for(f"api.officers.credential_{step}", **here),
            "done_url": url_for("credentials.detail", **here),
        }
    return render_template(
        "credentials/detail.html",
        estate=estate,
        election=election,
        act=act,
        actions=ACTION_NAMES,
        reasons=REASON_NAMES,
        statuses=STATUS_NAMES,
        step=step,
        may_withdraw=bool(signing_keys(election, current_user)),
        key_data=_key_data(election, **extra),
    )


@blueprint.post("/<int:request_id>/withdraw")
@returns_to("credentials.detail")
@login_required
@scoped(Permission.MANAGE_ELECTION, election=Election, act=CREDENTIAL_REQUEST)
def withdraw(code: str, election: Election, act: CredentialRequest):
    back = url_for("credentials.detail", code=code, election_id=election.id, request_id=act.id)
    withdraw_request(current_user, election, act.id)
    flash(_("The request is withdrawn; nothing took effect."), "success")
    return redirect(back)
