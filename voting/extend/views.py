"""Extending a vote's period: proposed by one person, approved by another
(voting.extend.operations)."""

from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from voting.auth.access import Part, Permission, scoped
from voting.credentials.models import STATUS_NAMES
from voting.credentials.operations import signing_keys
from voting.elections.models import Election, State
from voting.errors import returns_to
from voting.extend.models import REASON_LENGTH, ExtensionRequest
from voting.extend.operations import (
    latest_close,
    next_signature,
    propose_extension,
    withdraw_extension,
)
from voting.formatting import SHANGHAI
from voting.officer_keys import officer_key_data

blueprint = Blueprint("extend", __name__, url_prefix="/estates/<code>/elections/<int:election_id>/extensions")
EXTENSION = Part(ExtensionRequest, of="election", column="election_id")


def _beijing(text: str) -> datetime | None:
    """A datetime-local field's value, read as Beijing time; None if it is none."""
    try:
        return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)
    except ValueError:
        return None


@blueprint.get("/")
@login_required
@scoped(Permission.MANAGE_ELECTION, election=Election)
def index(estate, election: Election):
    return render_template(
        "extend/index.html",
        estate=estate,
        election=election,
        requests=ExtensionRequest.of_election(election),
        statuses=STATUS_NAMES,
        latest=latest_close(election) if election.state == State.OPEN else None,
        may_propose=bool(signing_keys(election, current_user)),
        reason_length=REASON_LENGTH,
    )


@blueprint.post("/")
@returns_to("extend.index")
@login_required
@scoped(Permission.MANAGE_ELECTION, election=Election)
def propose(code: str, election: Election):
    proposed = propose_extension(
        current_user, election, _beijing(request.form.get("closes_at", "")), request.form.get("reason", "")
    )
    return redirect(url_for("extend.detail", code=code, election_id=election.id, extension_id=proposed.id))


@blueprint.get("/<int:extension_id>")
@login_required
@scoped(Permission.MANAGE_ELECTION, election=Election, extension=EXTENSION)
def detail(code: str, estate, election: Election, extension: ExtensionRequest):
    step = next_signature(current_user, extension)
    asks = {}
    if step is not None:
        asks["sign"] = {
            "purpose": "extension",
            "body": extension.body(),
            "post_url": url_for(
                f"api.officers.extension_{step}", code=code, election_id=election.id, extension_id=extension.id
            ),
            "done_url": url_for("extend.detail", code=code, election_id=election.id, extension_id=extension.id),
        }
    return render_template(
        "extend/detail.html",
        estate=estate,
        election=election,
        act=extension,
        statuses=STATUS_NAMES,
        step=step,
        may_withdraw=bool(signing_keys(election, current_user)),
        key_data=officer_key_data(election, signing_keys(election, current_user), **asks),
    )


@blueprint.post("/<int:extension_id>/withdraw")
@returns_to("extend.detail")
@login_required
@scoped(Permission.MANAGE_ELECTION, election=Election, extension=EXTENSION)
def withdraw(code: str, election: Election, extension: ExtensionRequest):
    back = url_for("extend.detail", code=code, election_id=election.id, extension_id=extension.id)
    withdraw_extension(current_user, election, extension.id)
    flash(_("The request is withdrawn; nothing took effect."), "success")
    return redirect(back)
