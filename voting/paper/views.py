"""Paper ballots: keyed by one clerk, re-keyed blind by another, signed by both in their browsers.

The pages and their forms; what the browser signs (officer_keys.js) and what scripts drive goes
to the JSON API (voting.api.paper), which calls the same operations. A refused form comes back
with what was keyed and the reason above it.
"""

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from voting.auth.access import Part, Permission, can, scoped
from voting.ballots.models import PaperBallot
from voting.elections.models import Election, State
from voting.elections.operations import why_no_officer_key
from voting.errors import returns_to
from voting.estates.models import Estate
from voting.officer_keys import officer_key_data
from voting.paper.forms import choice_field, invalid_field, read_entry, read_handin_request
from voting.paper.operations import (
    MOTION_INVALID_REASONS,
    PaperRefused,
    ballot_body,
    ballot_motions,
    check_entry,
    clerk_keys,
    desk,
    differences,
    find_handin,
    find_paper,
    find_voter,
    handin_body,
    handin_card,
    handin_of,
    is_signed,
    key_ballot,
    keyed_by_staff,
    keying_warnings,
    officer_label,
    officer_names,
    online_vote_warning,
    open_handins,
    print_ballot,
    proxy_scan_of,
    receipt_for,
    scan_of,
    voter_card,
    voter_of,
    why_no_entry,
    why_no_handin,
    why_not_checker,
)

blueprint = Blueprint("paper", __name__, url_prefix="/estates/<code>/elections/<int:election_id>/paper")

# Every page that names a clerk or officer names them as people know them, 「张三（计票人）」;
# the id of their key stays for the details of a proof.
blueprint.add_app_template_global(officer_label)


@blueprint.app_template_global()
def officer_name(election, officer_id: str) -> str:
    """The officer holding this key of the vote by name and role, or the key id if none does."""
    return officer_names(election).get(officer_id, officer_id)


# ENTER_PAPER is a clerk's work (keying, checking, signing, their key); VIEW_PAPER is watching the
# desk's progress, which the accounts running the vote may do too.
PAPER = Part(PaperBallot, of="election", column="election_id")  # a paper ballot of this vote


def _rekeyed(election, rekey_of: int | None):
    """The ballot of this vote a clerk keys again, as the form names it (none: 404)."""
    if rekey_of is None:
        return None
    return find_paper(election, rekey_of) or abort(404)


def _urls(election, **values) -> dict:
    return {"code": election.estate.code, "election_id": election.id, **values}


def _clerk_data(election, **extra) -> dict:
    """What officer_keys.js needs on a clerk's page: this account's clerk keys for the vote."""
    return officer_key_data(election, clerk_keys(election, current_user), **extra)


def _find(election, unit: str):
    """(voter, None) for a unit that is on the roll, (None, reason) otherwise."""
    if not unit:
        return None, None
    try:
        return find_voter(election, unit), None
    except PaperRefused as problem:
        return None, str(problem)


def _lookup(election, unit: str):
    """(voter card, None) for a unit that is on the roll, (None, reason) otherwise."""
    voter, problem = _find(election, unit)
    return (voter_card(voter) if voter else None), problem


def _marks_form(motions) -> dict:
    """What the choice inputs need: field names and the reasons a choice may be invalid."""
    return {
        "motions": motions,
        "choice_field": choice_field,
        "invalid_field": invalid_field,
        "invalid_reasons": MOTION_INVALID_REASONS,
    }


# --- overview and keys ----------------------------------------------------------------------------


@blueprint.get("/")
@login_required
@scoped(Permission.VIEW_PAPER, election=Election)
def index(estate: Estate, election: Election):
    return render_template(
        "paper/index.html",
        estate=estate,
        election=election,
        work=desk(election, current_user),
        closed=why_no_entry(election),
        no_handin=why_no_handin(election),
        handins=open_handins(election),
        clerk_data=_clerk_data(election),
        may_enter=can(current_user, Permission.ENTER_PAPER),
        printable=bool(election.definition_json),
    )


@blueprint.get("/officer-key")
@login_required
@scoped(Permission.ENTER_PAPER, election=Election)
def officer_key(estate: Estate, election: Election):
    draft = election.state == State.DRAFT
    keys = clerk_keys(election, current_user)
    no_key = why_no_officer_key(current_user)
    # Only an account that may still register is offered the button (one key per account).
    register_url = url_for("api.paper.register_key", **_urls(election)) if draft and not keys and not no_key else None
    return render_template(
        "paper/officer_key.html",
        estate=estate,
        election=election,
        draft=draft,
        keys=keys,
        no_key=no_key,
        staff_names=officer_names(election),
        clerk_data=_clerk_data(election, register_url=register_url),
    )


# --- the hand-in desk -------------------------------------------------------------------------------


@blueprint.get("/handins/new")
@login_required
@scoped(Permission.ENTER_PAPER, election=Election)
def handin_form(estate: Estate, election: Election):
    unit = request.args.get("unit", "").strip()
    voter, problem = _find(election, unit)
    return render_template(
        "paper/handin_new.html",
        estate=estate,
        election=election,
        unit=unit,
        voter=voter_card(voter) if voter else None,
        problem=problem,
        printable=bool(election.definition_json),
        warning=online_vote_warning(election, voter),
        closed=why_no_handin(election),
        clerk_data=_clerk_data(election),
    )


@blueprint.get("/handins/sign")
@returns_to("paper.handin_form", "unit")
@login_required
@scoped(Permission.ENTER_PAPER, election=Election)
def handin_sign_page(estate: Estate, election: Election):
    unit, sealed_box, identity_checked = read_handin_request()
    voter = None if sealed_box else find_voter(election, unit)
    body = handin_body(election, voter, identity_checked)
    warning = online_vote_warning(election, voter, identity_checked)
    sign = {
        "purpose": "handin",
        "body": body,
        "post_url": url_for("api.paper.handins", **_urls(election)),
        "done_url": url_for("paper.handin", **_urls(election, desk_receipt=body["desk_receipt"])),
    }
    return render_template(
        "paper/handin_sign.html",
        estate=estate,
        election=election,
        body=body,
        voter=voter_card(voter) if voter else None,
        warning=warning,
        clerk_data=_clerk_data(election, sign=sign),
    )


@blueprint.get("/handins/<desk_receipt>")
@login_required
@scoped(Permission.VIEW_PAPER, election=Election)
def handin(estate: Estate, election: Election, desk_receipt: str):
    logged = find_handin(election, desk_receipt)
    if logged is None:
        abort(404)
    return render_template("paper/handin.html", estate=estate, election=election, handin=handin_card(election, logged))


@blueprint.get("/ballot-paper.pdf")
@returns_to("paper.index")
@login_required
@scoped(Permission.VIEW_PAPER, election=Election)
def ballot_paper(election: Election):
    """The paper ballot (表决票) to print: blank, or with ?unit= for the voter holding that unit."""
    unit = request.args.get("unit", "").strip() or None
    pdf = print_ballot(election, unit)
    response = send_file(
        BytesIO(pdf),
        mimetype="application/pdf",
        as_attachment=False,
        download_name=f"ballot-{election.public_id}{'-' + unit if unit else ''}.pdf",
    )
    response.headers["Cache-Control"] = "private, no-store"  # a voter's units and masked names
    return response


# --- the first clerk ------------------------------------------------------------------------------


def _key_page(estate, election, unit: str, rekey, entry=None, status: int = 200):
    voter, problem = _find(election, unit)
    handins = open_handins(election, voter) if voter else []
    rekey_handin = handin_of(election, rekey) if rekey else None
    return render_template(
        "paper/key.html",
        estate=estate,
        election=election,
        unit=unit,
        voter=voter_card(voter) if voter else None,
        problem=problem,
        handins=handins,
        rekey=rekey,
        rekey_handin=rekey_handin,
        warnings=keying_warnings(election, voter, [rekey_handin] if rekey else handins),
        rekey_scan=scan_of(rekey) if rekey else None,
        entry=entry,
        closed=why_no_entry(election),
        clerk_data=_clerk_data(election),
        **_marks_form(ballot_motions(election)),
    ), status


@blueprint.get("/key")
@login_required
@scoped(Permission.ENTER_PAPER, election=Election)
def key_form(estate: Estate, election: Election):
    rekey = _rekeyed(election, request.args.get("rekey_of", type=int))
    return _key_page(estate, election, request.args.get("unit", "").strip(), rekey)


@blueprint.post("/ballots")
@returns_to("paper.key_form")
@login_required
@scoped(Permission.ENTER_PAPER, election=Election)
def key(estate: Estate, election: Election):
    motions = ballot_motions(election)
    entry = read_entry(motions)
    rekey = _rekeyed(election, entry.rekey_of)
    try:
        paper = key_ballot(current_user, election, entry, rekey)
    except PaperRefused as problem:
        # The form again with what the clerk keyed; its error status keeps nothing (voting.transactions).
        flash(str(problem), "error")
        return _key_page(estate, election, (entry.unit or "").strip(), rekey, entry, problem.status)
    return redirect(url_for("paper.sign_page", **_urls(election, paper_id=paper.id)))


def _signing_page(estate, election, paper, post_endpoint: str, heading: str):
    sign = {
        "ballot": ballot_body(paper),
        "post_url": url_for(post_endpoint, **_urls(election, paper_id=paper.id)),
        "done_url": url_for("paper.ballot", **_urls(election, paper_id=paper.id)),
    }
    return render_template(
        "paper/sign.html",
        estate=estate,
        election=election,
        paper=paper,
        heading=heading,
        ballot=sign["ballot"],
        motions=ballot_motions(election),
        voter=voter_card(voter_of(election, paper)),
        handin=handin_of(election, paper),
        warnings=keying_warnings(election, voter_of(election, paper), [handin_of(election, paper)]),
        clerk_data=_clerk_data(election, sign=sign),
    )


@blueprint.get("/ballots/<int:paper_id>/sign")
@login_required
@scoped(Permission.ENTER_PAPER, election=Election, paper=PAPER)
def sign_page(estate: Estate, election: Election, paper: PaperBallot):
    if not keyed_by_staff(election, paper, current_user):
        abort(403)
    if not paper.awaiting_check or is_signed(paper):
        return redirect(url_for("paper.ballot", **_urls(election, paper_id=paper.id)))
    return _signing_page(estate, election, paper, "api.paper.signature", _("Sign your entry"))


# --- the second clerk -----------------------------------------------------------------------------


def _check_page(estate, election, paper, unit: str, entry=None, status: int = 200):
    voter, problem = _lookup(election, unit)
    scan = scan_of(paper)
    return render_template(
        "paper/check.html",
        estate=estate,
        election=election,
        paper=paper,
        scan=scan,
        unit=unit,
        voter=voter,
        problem=problem,
        entry=entry,
        clerk_data=_clerk_data(election),
        **_marks_form(ballot_motions(election)),
    ), status


def _checkable(election, paper):
    """A page for a ballot that is not (or no longer) to be checked, else None."""
    if not paper.awaiting_check or not is_signed(paper):
        return redirect(url_for("paper.ballot", **_urls(election, paper_id=paper.id)))
    reason = why_not_checker(election, paper, current_user)
    if reason:
        flash(reason, "error")
        return redirect(url_for("paper.index", **_urls(election)))
    return None


@blueprint.get("/ballots/<int:paper_id>/check")
@login_required
@scoped(Permission.ENTER_PAPER, election=Election, paper=PAPER)
def check_form(estate: Estate, election: Election, paper: PaperBallot):
    return _checkable(election, paper) or _check_page(estate, election, paper, request.args.get("unit", "").strip())


@blueprint.post("/ballots/<int:paper_id>/check")
@returns_to("paper.check_form")
@login_required
@scoped(Permission.ENTER_PAPER, election=Election, paper=PAPER)
def check(estate: Estate, election: Election, paper: PaperBallot):
    entry = read_entry(ballot_motions(election))
    try:
        outcome = check_entry(current_user, election, paper, entry)
    except PaperRefused as problem:
        # The form again with what the clerk keyed; its error status keeps nothing (voting.transactions).
        flash(str(problem), "error")
        return _checkable(election, paper) or _check_page(
            estate, election, paper, (entry.unit or "").strip(), entry, problem.status
        )
    if outcome.matched:
        return redirect(url_for("paper.countersign_page", **_urls(election, paper_id=paper.id)))
    flash(_("The two entries differ; key the ballot again from its scan."), "error")
    return redirect(url_for("paper.ballot", **_urls(election, paper_id=paper.id)))


@blueprint.get("/ballots/<int:paper_id>/countersign")
@login_required
@scoped(Permission.ENTER_PAPER, election=Election, paper=PAPER)
def countersign_page(estate: Estate, election: Election, paper: PaperBallot):
    if not paper.awaiting_check or paper.checked_by not in {o.officer_id for o in clerk_keys(election, current_user)}:
        return redirect(url_for("paper.ballot", **_urls(election, paper_id=paper.id)))
    return _signing_page(estate, election, paper, "api.paper.countersignature", _("Sign the checked ballot"))


# --- one ballot ---------------------------------------------------------------------------------------


@blueprint.get("/ballots/<int:paper_id>")
@login_required
@scoped(Permission.VIEW_PAPER, election=Election, paper=PAPER)
def ballot(estate: Estate, election: Election, paper: PaperBallot):
    return render_template(
        "paper/ballot.html",
        estate=estate,
        election=election,
        paper=paper,
        staff_names=officer_names(election),
        signed=is_signed(paper),
        scan=scan_of(paper),
        proxy_scan=proxy_scan_of(paper),
        handin=handin_of(election, paper),
        differ=differences(paper),
        receipt=receipt_for(election, paper).as_json(election) if paper.log_seq is not None else None,
        refused=paper.refused_reason,
        motions=ballot_motions(election),
        closed=why_no_entry(election),
        may_enter=can(current_user, Permission.ENTER_PAPER),
    )


def _send_scan(stored, name: str):
    pdf = stored.mimetype == "application/pdf"
    response = send_file(
        BytesIO(stored.content),
        mimetype=stored.mimetype,
        as_attachment=pdf,
        download_name=f"{name}.{stored.mimetype.rsplit('/', 1)[1]}",
    )
    # A scan shows an owner's hand and signature: no caches on the way.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blueprint.get("/ballots/<int:paper_id>/scan")
@login_required
@scoped(Permission.VIEW_PAPER, election=Election, paper=PAPER)
def scan(paper: PaperBallot):
    return _send_scan(scan_of(paper), f"paper-{paper.id}")


@blueprint.get("/ballots/<int:paper_id>/proxy")
@login_required
@scoped(Permission.VIEW_PAPER, election=Election, paper=PAPER)
def proxy_scan(paper: PaperBallot):
    stored = proxy_scan_of(paper)
    if stored is None:
        abort(404)
    return _send_scan(stored, f"proxy-{paper.id}")
