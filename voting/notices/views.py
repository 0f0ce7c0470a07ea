"""Voting notices (表决通知书): rendered in the background, downloaded once; a lost one is reissued
by two people (voting.credentials)."""

from io import BytesIO

from flask import (
    Blueprint,
    abort,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required

from voting.auth.access import Permission, scoped
from voting.credentials.models import ACTION_NAMES, REASON_NAMES, STATUS_NAMES, CredentialRequest
from voting.credentials.operations import signing_keys
from voting.elections.models import Election
from voting.errors import returns_to
from voting.estates.models import Estate
from voting.extensions import limiter
from voting.jobs import enqueue
from voting.notices.operations import (
    erase_old_row_versions,
    latest_batch,
    start_rendering,
    take_pdf,
)
from voting.transactions import after_commit

# Each try derives a key with scrypt (128 MiB): few tries, per account, whatever the address.
PASSPHRASE_GUESSES = "5 per minute;30 per day"


def _passphrase_guesser() -> str:
    return f"notices-passphrase:{current_user.id}"


blueprint = Blueprint("notices", __name__, url_prefix="/estates/<code>/elections/<int:election_id>/notices")


def _batch_of(election):
    batch = latest_batch(election)
    if batch is None:
        abort(404)
    return batch


def _pdf_response(pdf: bytes, filename: str):
    response = send_file(BytesIO(pdf), mimetype="application/pdf", as_attachment=True, download_name=filename)
    response.headers["Cache-Control"] = "no-store"  # it holds secrets: no copy in any cache
    return response


@blueprint.get("/")
@login_required
@scoped(Permission.MANAGE_ELECTION, election=Election)
def index(estate: Estate, election: Election):
    return render_template(
        "notices/index.html",
        estate=estate,
        election=election,
        batch=latest_batch(election),
        requests=CredentialRequest.of_election(election),
        may_request=bool(signing_keys(election, current_user)),
        actions=ACTION_NAMES,
        reasons=REASON_NAMES,
        statuses=STATUS_NAMES,
    )


@blueprint.post("/start")
@returns_to("notices.index")
@login_required
@limiter.limit(PASSPHRASE_GUESSES, key_func=_passphrase_guesser)
@scoped(Permission.MANAGE_ELECTION, election=Election)
def start(code: str, election: Election):
    batch = _batch_of(election)
    key = start_rendering(current_user.username, election, batch, request.form.get("passphrase", ""))
    # The job gets the key derived from the passphrase, never the passphrase itself.
    enqueue("voting.notices.operations.render_notice_batch", batch.id, key)
    return redirect(url_for("notices.index", code=code, election_id=election.id))


@blueprint.post("/download")
@returns_to("notices.index")
@login_required
@limiter.limit(PASSPHRASE_GUESSES, key_func=_passphrase_guesser)
@scoped(Permission.MANAGE_ELECTION, election=Election)
def download(election: Election):
    pdf = take_pdf(current_user.username, election, _batch_of(election), request.form.get("passphrase", ""))
    after_commit(erase_old_row_versions)
    return _pdf_response(pdf, f"notices-{election.public_id}.pdf")
