"""The paper desk's scripts: a clerk's key registered and used in the browser (officer_keys.js),
and scripts keying ballots with real signatures (simulation.paper_desk). The same operations as
the paper pages (voting.paper.views); CSRFProtect checks the X-CSRFToken header on every POST."""

from flask import Blueprint, abort, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from voting.api.body import json_object
from voting.auth.access import Part, Permission, scoped
from voting.ballots.models import PaperBallot
from voting.board.heads import remind_day_head
from voting.core.canonical import b64d
from voting.elections.models import Election
from voting.paper.forms import read_handin_request, read_paper_id
from voting.paper.operations import (
    PaperEntry,
    PaperRefused,
    ballot_body,
    ballot_motions,
    check_entry,
    clerk_keys,
    countersign,
    desk,
    differences,
    find_handin,
    find_paper,
    find_voter,
    handin_body,
    handin_card,
    is_signed,
    key_ballot,
    online_vote_warning,
    open_handins,
    receipt_for,
    record_handin,
    register_clerk_key,
    sign_keyed,
    voter_card,
)
from voting.transactions import after_commit

blueprint = Blueprint("paper", __name__, url_prefix="/estates/<code>/elections/<int:election_id>/paper")


# ENTER_PAPER is a clerk's work (keying, checking, signing, their key); VIEW_PAPER is watching the
# desk's progress, which the accounts running the vote may do too. A paper ballot the URL names is
# of this vote, loaded before what was sent is read.
PAPER = Part(PaperBallot, of="election", column="election_id")


def _rekeyed(election, rekey_of: int | None):
    """The ballot of this vote a clerk keys again, as the entry names it (none: 404)."""
    if rekey_of is None:
        return None
    return find_paper(election, rekey_of) or abort(404)


def _file(data: dict, name: str) -> bytes | None:
    if data.get(name) is None:
        return None
    try:
        return b64d(data[name])
    except (TypeError, ValueError):
        raise PaperRefused(_("%(field)s must be the file's bytes in base64url without padding.", field=name)) from None


def _entry() -> PaperEntry:
    """A clerk's entry of a paper ballot: the scans in base64url, the choices by motion id."""
    data = json_object()
    return PaperEntry(
        data.get("unit"),
        data.get("officer_id"),
        data.get("choices", {}),
        data.get("invalid", {}),
        data.get("unsigned") is True,
        data.get("handin"),
        _file(data, "scan"),
        _file(data, "proxy_scan"),
        read_paper_id(data.get("rekey_of")),
    )


def _signature() -> tuple:
    """(officer_id, signature) as the clerk's browser posts them."""
    data = json_object()
    return data.get("officer_id"), data.get("signature")


# --- the desk and the keys --------------------------------------------------------------------


@blueprint.get("/")
@login_required
@scoped(Permission.VIEW_PAPER, election=Election)
def index(election: Election):
    """What is on the desk for this account, the open hand-ins, and the token its posts carry."""
    work = desk(election, current_user)
    return jsonify(
        election_id=election.public_id,
        state=election.state,
        csrf_token=generate_csrf(),
        clerk_keys=[o.key_json() for o in clerk_keys(election, current_user)],
        handins=[handin.desk_receipt for handin in open_handins(election)],
        **{name: [paper.id for paper in papers] for name, papers in work.items()},
    )


@blueprint.post("/officer-key")
@login_required
@scoped(Permission.ENTER_PAPER, election=Election)
def register_key(election: Election):
    officer = register_clerk_key(current_user, election, json_object().get("public_key"))
    return jsonify(officer.key_json()), 201


# --- the hand-in desk -------------------------------------------------------------------------------


@blueprint.get("/handins/sign")
@login_required
@scoped(Permission.ENTER_PAPER, election=Election)
def handin_to_sign(election: Election):
    """The body of a hand-in for the clerk to sign, as the desk's form asks for it."""
    unit, sealed_box, identity_checked = read_handin_request()
    voter = None if sealed_box else find_voter(election, unit)
    return jsonify(
        body=handin_body(election, voter, identity_checked),
        voter=voter_card(voter) if voter else None,
        warning=online_vote_warning(election, voter, identity_checked),
    )


@blueprint.post("/handins")
@login_required
@scoped(Permission.ENTER_PAPER, election=Election)
def handins(election: Election):
    data = json_object()
    body = data.get("body")
    receipt = record_handin(current_user, election, data.get("officer_id"), body, data.get("signature"))
    after_commit(remind_day_head, election)
    return jsonify(desk_receipt=body["desk_receipt"], seq=receipt.seq, receipt=receipt.as_json(election)), 201


@blueprint.get("/handins/<desk_receipt>")
@login_required
@scoped(Permission.VIEW_PAPER, election=Election)
def handin(election: Election, desk_receipt: str):
    logged = find_handin(election, desk_receipt) or abort(404)
    card = handin_card(election, logged)
    return jsonify(
        desk_receipt=card.desk_receipt, seq=logged.seq, units=card.units, identity_checked=card.identity_checked
    )


# --- keying, checking, signing ------------------------------------------------------------------------


@blueprint.get("/key")
@login_required
@scoped(Permission.ENTER_PAPER, election=Election)
def key_form(election: Election):
    """The voter holding ?unit= and the motions to key, as the keying form shows them."""
    voter = find_voter(election, request.args.get("unit", ""))
    return jsonify(voter=voter_card(voter), motions=ballot_motions(election))


@blueprint.post("/ballots")
@login_required
@scoped(Permission.ENTER_PAPER, election=Election)
def key(election: Election):
    entry = _entry()
    rekey = _rekeyed(election, entry.rekey_of)
    paper = key_ballot(current_user, election, entry, rekey)
    return jsonify(paper_id=paper.id, ballot=ballot_body(paper)), 201


@blueprint.post("/ballots/<int:paper_id>/signature")
@login_required
@scoped(Permission.ENTER_PAPER, election=Election, paper=PAPER)
def signature(election: Election, paper: PaperBallot):
    sign_keyed(current_user, election, paper, *_signature())
    return jsonify(paper_id=paper.id, status=paper.status)


@blueprint.post("/ballots/<int:paper_id>/check")
@login_required
@scoped(Permission.ENTER_PAPER, election=Election, paper=PAPER)
def check(election: Election, paper: PaperBallot):
    outcome = check_entry(current_user, election, paper, _entry())
    if outcome.matched:
        return jsonify(paper_id=paper.id, status="match", ballot=ballot_body(paper))
    return jsonify(paper_id=paper.id, status=paper.status, differences=outcome.as_json())


@blueprint.post("/ballots/<int:paper_id>/countersignature")
@login_required
@scoped(Permission.ENTER_PAPER, election=Election, paper=PAPER)
def countersignature(election: Election, paper: PaperBallot):
    receipt = countersign(current_user, election, paper, *_signature())
    after_commit(remind_day_head, election)
    return jsonify(paper_id=paper.id, status=paper.status, log_seq=paper.log_seq, receipt=receipt.as_json(election))


@blueprint.get("/ballots/<int:paper_id>")
@login_required
@scoped(Permission.VIEW_PAPER, election=Election, paper=PAPER)
def ballot(election: Election, paper: PaperBallot):
    answer = {
        "paper_id": paper.id,
        "status": paper.status,
        "signed": is_signed(paper),
        "keyed_by": paper.keyed_by,
        "checked_by": paper.checked_by,
        "log_seq": paper.log_seq,
    }
    differ = differences(paper)
    if differ:
        answer["differences"] = differ.as_json()
    if paper.log_seq is not None:
        answer["receipt"] = receipt_for(election, paper).as_json(election)
    if paper.refused_reason:
        answer["refused"] = paper.refused_reason
    return jsonify(answer)
