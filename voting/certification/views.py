"""The street office certifies a counted vote, or refuses with a written reason."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from voting.auth.access import Permission, certifies, scoped
from voting.certification.operations import (
    body_to_certify,
    certifying_keys,
    decisions,
    refuse,
    verifier_verdict,
)
from voting.elections.models import Election, State
from voting.elections.operations import why_no_officer_key
from voting.errors import returns_to
from voting.estates.models import Estate
from voting.officer_keys import officer_key_data
from voting.tally.operations import read_results

blueprint = Blueprint("certification", __name__, url_prefix="/estates/<code>/elections/<int:election_id>/certification")


@blueprint.get("/")
@login_required
@scoped(Permission.VIEW_ELECTION, election=Election)
def index(estate: Estate, election: Election):
    keys = certifying_keys(election, current_user)
    urls = {"code": estate.code, "election_id": election.id}
    key_data = officer_key_data(election, keys)
    verdict = None
    may_certify = certifies(current_user, estate) and not decisions(election)
    no_key = why_no_officer_key(current_user) if may_certify else None
    if election.state == State.DRAFT and not keys and not no_key:
        key_data["register_url"] = url_for("api.officers.certifying_key", **urls)
    elif election.state == State.TALLIED:
        verdict = verifier_verdict(election) or ""
    return render_template(
        "certification/index.html",
        estate=estate,
        election=election,
        keys=keys,
        verdict=verdict,
        decisions=decisions(election),
        key_data=key_data,
        may_certify=may_certify,
        no_key=no_key,
    )


@blueprint.get("/confirm")
@returns_to("certification.index")
@login_required
@scoped(Permission.VIEW_ELECTION, election=Election)
def confirm(estate: Estate, election: Election):
    """The first press on "certify": the figures being certified, what certifying does, the tick;
    the officer's browser signs only from here."""
    urls = {"code": estate.code, "election_id": election.id}
    back = url_for("certification.index", **urls)
    keys = certifying_keys(election, current_user)
    body = body_to_certify(current_user, election)
    key_data = officer_key_data(
        election,
        keys,
        sign={
            "purpose": "certification",
            "body": body,
            "post_url": url_for("api.officers.certify_result", **urls),
            "done_url": back,
        },
    )
    return render_template(
        "certification/confirm.html",
        estate=estate,
        election=election,
        body=body,
        results=read_results(election),
        key_data=key_data,
        back=back,
    )


@blueprint.post("/refuse")
@returns_to("certification.index")
@login_required
@scoped(Permission.VIEW_ELECTION, election=Election)
def refuse_(code: str, election: Election):
    refuse(current_user, election, request.form.get("reason", ""))
    flash(_("The refusal and its reason are recorded."), "success")
    return redirect(url_for("certification.index", code=code, election_id=election.id))
