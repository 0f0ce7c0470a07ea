"""Candidate lists: nominations, joint review, publication, objections, the committee motion;
and the public list where owners read the candidates and object from their phones."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from voting.auth.access import Part, Permission, can, part_of, require, reviewer_bodies, scoped
from voting.candidates.eligibility import BODY_NAMES, CATALOGUE, KINDS
from voting.candidates.forms import (
    ActionForm,
    ListForm,
    NominationForm,
    ObjectionForm,
    PaperObjectionForm,
    SettingsForm,
    WithdrawForm,
    read_rule_settings,
    read_verdicts,
)
from voting.candidates.lists import change_settings, configure_rules, create_list, lists_of, rule_bodies
from voting.candidates.models import CandidateError, CandidateList, Nominee, Objection
from voting.candidates.motion import add_committee_motion, lists_ready
from voting.candidates.nominations import (
    Profile,
    nominate_by_community,
    nominate_jointly,
    nominate_self,
    withdraw_nominee,
)
from voting.candidates.objections import answer_objection, find_objection, lodge_objection, record_paper_objection
from voting.candidates.publication import publish_list, published_list, published_lists
from voting.candidates.review import list_report, record_review, reopen_nominations, start_review
from voting.elections.models import Election
from voting.errors import form_again, returns_to
from voting.estates.models import Estate
from voting.extensions import db
from voting.objections.models import ObjectionError
from voting.objections.web import AnswerForm, limit_objections

blueprint = Blueprint("candidates", __name__, url_prefix="/estates/<code>/candidates")
public_blueprint = Blueprint("candidates_public", __name__, url_prefix="/p/<code>/candidates")

LIST = Part(CandidateList, "list_id")
# Taken after the list, by the name candidate_list: what a URL names below a list is that list's.
NOMINEE = Part(Nominee, "nominee_id", of="candidate_list", column="list_id")
OBJECTION = Part(Objection, "objection_id", of="candidate_list", column="list_id")

STATUS_NAMES = {
    "passed": _l("passed"),
    "failed": _l("did not pass"),
    "pending": _l("awaiting verdicts"),
    "withdrawn": _l("withdrawn"),
}
LIST_STATE_NAMES = {
    "nominating": _l("taking nominations"),
    "reviewing": _l("under joint review"),
    "published": _l("published"),
    "adopted": _l("on a ballot"),
}
LIST_KIND_NAMES = {
    "election": _l("election of the whole committee"),
    "by_election": _l("by-election"),
}
NOMINATION_NAMES = {
    "self": _l("self-nomination"),
    "joint": _l("joint recommendation"),
    "community": _l("community recommendation"),
}


@blueprint.app_context_processor
def names():
    """Names for the candidate pages, and the lists an election page may turn into a motion."""
    return {
        "committee_lists_ready": lists_ready,
        "status_names": STATUS_NAMES,
        "list_state_names": LIST_STATE_NAMES,
        "list_kind_names": LIST_KIND_NAMES,
        "nomination_names": NOMINATION_NAMES,
        "body_names": BODY_NAMES,
    }


def _flash_form_errors(form) -> None:
    for field, errors in form.errors.items():
        flash(f"{form[field].label.text}: {' '.join(errors)}", "error")


@blueprint.route("/", methods=["GET", "POST"])
@login_required
@scoped(Permission.VIEW_CANDIDATES)
def index(code: str, estate: Estate):
    may_manage = can(current_user, Permission.MANAGE_CANDIDATES)
    form = ListForm()
    if request.method == "POST":
        require(Permission.MANAGE_CANDIDATES)
        if form.validate_on_submit():
            try:
                candidate_list = create_list(
                    current_user.username,
                    estate,
                    form.title.data,
                    form.seats.data,
                    kind=form.kind.data,
                    margin_percent=form.margin_percent.data or 0,
                    publication_days=form.publication_days.data,
                    min_joint_households=form.min_joint_households.data,
                )
            except CandidateError as refused:
                return form_again(refused, lambda: _index_page(estate, form, may_manage))
            return redirect(url_for("candidates.detail", code=code, list_id=candidate_list.id))
    return _index_page(estate, form, may_manage)


def _index_page(estate: Estate, form: ListForm, may_manage: bool) -> str:
    return render_template(
        "candidates/index.html", estate=estate, lists=lists_of(estate), form=form, may_manage=may_manage
    )


@blueprint.get("/<int:list_id>/")
@login_required
@scoped(Permission.VIEW_CANDIDATES, candidate_list=LIST)
def detail(estate: Estate, candidate_list: CandidateList):
    settings = SettingsForm(obj=candidate_list)
    return render_template(
        "candidates/detail.html",
        estate=estate,
        clist=candidate_list,
        report=list_report(candidate_list),
        settings=settings,
        action=ActionForm(),
        catalogue=CATALOGUE,
        kinds=KINDS,
        rules={rule.code: rule for rule in candidate_list.rules},
        rule_bodies=rule_bodies,
        may_manage=can(current_user, Permission.MANAGE_CANDIDATES),
    )


@blueprint.post("/<int:list_id>/settings")
@returns_to("candidates.detail")
@login_required
@scoped(Permission.MANAGE_CANDIDATES, candidate_list=LIST)
def settings(code: str, candidate_list: CandidateList):
    form = SettingsForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
    else:
        change_settings(
            current_user.username,
            candidate_list,
            seats=form.seats.data,
            margin_percent=form.margin_percent.data or 0,
            publication_days=form.publication_days.data,
            min_joint_households=form.min_joint_households.data,
        )
        flash(_("Settings saved."), "success")
    return redirect(url_for("candidates.detail", code=code, list_id=candidate_list.id))


@blueprint.post("/<int:list_id>/rules")
@returns_to("candidates.detail")
@login_required
@scoped(Permission.MANAGE_CANDIDATES, candidate_list=LIST)
def rules(code: str, candidate_list: CandidateList):
    if not ActionForm().validate_on_submit():
        flash(_("The form expired; please try again."), "error")
        return redirect(url_for("candidates.detail", code=code, list_id=candidate_list.id))
    configure_rules(current_user.username, candidate_list, read_rule_settings(request.form))
    flash(_("Eligibility rules saved."), "success")
    return redirect(url_for("candidates.detail", code=code, list_id=candidate_list.id))


@blueprint.route("/<int:list_id>/nominate", methods=["GET", "POST"])
@login_required
@scoped(Permission.MANAGE_CANDIDATES, candidate_list=LIST)
def nominate(code: str, estate: Estate, candidate_list: CandidateList):
    form = NominationForm()
    if form.validate_on_submit():
        profile = Profile(
            name=form.name.data,
            id_number=form.id_number.data,
            occupation=form.occupation.data or "",
            party_member=form.party_member.data,
            statement=form.statement.data or "",
            gender=form.gender.data or None,
            birth_date=form.birth_date.data,
            photo=form.photo.data.read() if form.photo.data else None,
        )
        actor = current_user.username
        try:
            if form.kind.data == "joint":
                nominee = nominate_jointly(actor, candidate_list, profile, form.signatures.data or "")
            elif form.kind.data == "community":
                nominee = nominate_by_community(actor, candidate_list, profile, form.recommended_by.data or "")
            else:
                nominee = nominate_self(actor, candidate_list, profile)
        except CandidateError as refused:
            return form_again(
                refused,
                lambda: render_template("candidates/nominate.html", estate=estate, clist=candidate_list, form=form),
            )
        flash(_("%(name)s is nominated as number %(number)d.", name=nominee.name, number=nominee.number), "success")
        return redirect(url_for("candidates.detail", code=code, list_id=candidate_list.id))
    return render_template("candidates/nominate.html", estate=estate, clist=candidate_list, form=form)


def _list_action(code: str, candidate_list: CandidateList, change, done_message: str):
    if not ActionForm().validate_on_submit():
        flash(_("The form expired; please try again."), "error")
    else:
        change(current_user.username, candidate_list)
        flash(done_message, "success")
    return redirect(url_for("candidates.detail", code=code, list_id=candidate_list.id))


@blueprint.post("/<int:list_id>/review")
@returns_to("candidates.detail")
@login_required
@scoped(Permission.MANAGE_CANDIDATES, candidate_list=LIST)
def review(code: str, candidate_list: CandidateList):
    return _list_action(code, candidate_list, start_review, _("Nominations are closed; the joint review has begun."))


@blueprint.post("/<int:list_id>/reopen")
@returns_to("candidates.detail")
@login_required
@scoped(Permission.MANAGE_CANDIDATES, candidate_list=LIST)
def reopen(code: str, candidate_list: CandidateList):
    return _list_action(code, candidate_list, reopen_nominations, _("Nominations are open again."))


@blueprint.post("/<int:list_id>/publish")
@returns_to("candidates.detail")
@login_required
@scoped(Permission.MANAGE_CANDIDATES, candidate_list=LIST)
def publish(code: str, candidate_list: CandidateList):
    return _list_action(code, candidate_list, publish_list, _("The vetted list is published."))


@blueprint.get("/<int:list_id>/report")
@login_required
@scoped(Permission.VIEW_CANDIDATES, candidate_list=LIST)
def report(estate: Estate, candidate_list: CandidateList):
    return render_template(
        "candidates/report.html", estate=estate, clist=candidate_list, report=list_report(candidate_list)
    )


def _review_pairs(candidate_list: CandidateList, bodies: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(rule.code, body) for rule in candidate_list.rules for body in rule_bodies(rule) if body in bodies]


@blueprint.get("/<int:list_id>/nominees/<int:nominee_id>")
@login_required
@scoped(Permission.VIEW_CANDIDATES, candidate_list=LIST, nominee=NOMINEE)
def nominee(estate: Estate, candidate_list: CandidateList, nominee: Nominee):
    row = next(row for row in list_report(candidate_list).rows if row.nominee.id == nominee.id)
    may_review = can(current_user, Permission.REVIEW_CANDIDATES) and candidate_list.under_review
    return render_template(
        "candidates/nominee.html",
        estate=estate,
        clist=candidate_list,
        nominee=nominee,
        row=row,
        action=ActionForm(),
        withdraw=WithdrawForm(),
        may_manage=can(current_user, Permission.MANAGE_CANDIDATES),
        review_pairs=set(_review_pairs(candidate_list, reviewer_bodies(current_user))) if may_review else set(),
    )


@blueprint.get("/<int:list_id>/nominees/<int:nominee_id>/photo")
@login_required
@scoped(Permission.VIEW_CANDIDATES, candidate_list=LIST, nominee=NOMINEE)
def photo(nominee: Nominee):
    if nominee.photo is None:
        abort(404)
    return Response(nominee.photo, mimetype=nominee.photo_type, headers={"Cache-Control": "private, max-age=3600"})


@blueprint.post("/<int:list_id>/nominees/<int:nominee_id>/reviews")
@returns_to("candidates.nominee")
@login_required
@scoped(Permission.REVIEW_CANDIDATES, candidate_list=LIST, nominee=NOMINEE)
def reviews(code: str, candidate_list: CandidateList, nominee: Nominee):
    back = redirect(url_for("candidates.nominee", code=code, list_id=candidate_list.id, nominee_id=nominee.id))
    if not ActionForm().validate_on_submit():
        flash(_("The form expired; please try again."), "error")
        return back
    bodies = reviewer_bodies(current_user)
    chosen = read_verdicts(request.form, _review_pairs(candidate_list, bodies))
    if not chosen:
        flash(_("Choose pass or fail for at least one rule."), "error")
        return back
    for rule_code, body, passed, reason in chosen:
        record_review(current_user.username, nominee, rule_code, body, passed, reason, bodies)
    flash(_("Verdicts recorded."), "success")
    return back


@blueprint.post("/<int:list_id>/nominees/<int:nominee_id>/withdraw")
@returns_to("candidates.nominee")
@login_required
@scoped(Permission.MANAGE_CANDIDATES, candidate_list=LIST, nominee=NOMINEE)
def withdraw(code: str, candidate_list: CandidateList, nominee: Nominee):
    form = WithdrawForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
    else:
        withdraw_nominee(current_user.username, nominee, form.reason.data)
        flash(_("%(name)s is withdrawn.", name=nominee.name), "success")
    return redirect(url_for("candidates.nominee", code=code, list_id=candidate_list.id, nominee_id=nominee.id))


def _about_choices(candidate_list: CandidateList, label) -> list[tuple[int, str]]:
    return [(0, _("The list as a whole"))] + [
        (n.id, f"{n.number}. {label(n)}")
        for n in candidate_list.nominees
        if n.vetted_at is not None and n.withdrawn_at is None
    ]


@blueprint.route("/<int:list_id>/objections", methods=["GET", "POST"])
@login_required
@scoped(Permission.VIEW_CANDIDATES, candidate_list=LIST)
def objections(code: str, estate: Estate, candidate_list: CandidateList):
    form = PaperObjectionForm()
    form.nominee.choices = _about_choices(candidate_list, lambda n: n.name)
    if request.method == "POST":
        require(Permission.MANAGE_CANDIDATES)
        if form.validate_on_submit():
            try:
                record_paper_objection(
                    current_user.username,
                    candidate_list,
                    form.unit_label.data,
                    form.id_number.data,
                    form.text.data,
                    form.received_at,
                    nominee=db.session.get(Nominee, form.nominee.data) if form.nominee.data else None,
                )
            except ObjectionError as refused:
                return form_again(refused, lambda: _objections_page(estate, candidate_list, form))
            flash(_("The paper objection is recorded."), "success")
            return redirect(url_for("candidates.objections", code=code, list_id=candidate_list.id))
    return _objections_page(estate, candidate_list, form)


def _objections_page(estate: Estate, candidate_list: CandidateList, form: PaperObjectionForm) -> str:
    return render_template(
        "candidates/objections.html",
        estate=estate,
        clist=candidate_list,
        form=form,
        answer_form=AnswerForm(),
        may_manage=can(current_user, Permission.MANAGE_CANDIDATES),
    )


@blueprint.post("/<int:list_id>/objections/<int:objection_id>/answer")
@returns_to("candidates.objections")
@login_required
@scoped(Permission.MANAGE_CANDIDATES, candidate_list=LIST, objection=OBJECTION)
def answer(code: str, candidate_list: CandidateList, objection: Objection):
    form = AnswerForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
    else:
        answer_objection(current_user.username, objection, form.answer.data)
        flash(_("The answer is recorded."), "success")
    return redirect(url_for("candidates.objections", code=code, list_id=candidate_list.id))


@blueprint.post("/<int:list_id>/motion/<int:election_id>")
@returns_to("elections.detail")
@login_required
@scoped(Permission.MANAGE_ELECTION, Permission.MANAGE_CANDIDATES, election=Election, candidate_list=LIST)
def adopt(code: str, election: Election, candidate_list: CandidateList):
    if not ActionForm().validate_on_submit():
        flash(_("The form expired; please try again."), "error")
    else:
        add_committee_motion(current_user.username, election, candidate_list, candidate_list.seats)
        flash(_("The committee motion is added with the vetted candidates."), "success")
    return redirect(url_for("elections.detail", code=code, election_id=election.id))


# --- public pages --------------------------------------------------------------------------


def _public_estate(code: str) -> Estate:
    estate = db.session.scalar(select(Estate).where(Estate.code == code))
    if estate is None:
        abort(404)
    return estate


def _public_list(estate: Estate, list_id: int) -> CandidateList:
    candidate_list = part_of(CandidateList, list_id, estate_id=estate.id)
    if candidate_list.published_at is None:
        abort(404)
    return candidate_list


@public_blueprint.get("/")
def public_index(code: str):
    estate = _public_estate(code)
    lists = [published_list(c) for c in published_lists(estate)]
    if not lists:
        abort(404)
    return render_template("candidates/public_index.html", estate=estate, lists=lists)


@public_blueprint.route("/<int:list_id>/", methods=["GET", "POST"])
@limit_objections
def public_list(code: str, list_id: int):
    """The published list; owners lodge objections here, identified by unit and ID ending."""
    estate = _public_estate(code)
    candidate_list = _public_list(estate, list_id)
    published = published_list(candidate_list)
    form = ObjectionForm()
    form.nominee.choices = _about_choices(candidate_list, lambda n: n.name)
    if request.method == "POST" and form.validate_on_submit():
        try:
            objection = lodge_objection(
                candidate_list,
                form.unit_label.data,
                form.id_last4.data,
                form.text.data,
                nominee=db.session.get(Nominee, form.nominee.data) if form.nominee.data else None,
            )
        except ObjectionError as refused:  # counts against the unit's limit
            return form_again(
                refused,
                lambda: render_template("candidates/public_list.html", estate=estate, published=published, form=form),
            )
        return redirect(url_for("candidates_public.objection", code=code, ref=objection.ref))
    return render_template("candidates/public_list.html", estate=estate, published=published, form=form)


@public_blueprint.get("/objections/<ref>")
def objection(code: str, ref: str):
    """The owner's receipt: their objection and, once given, the group's written answer."""
    found = find_objection(_public_estate(code), ref)
    if found is None:
        abort(404)
    return render_template("candidates/public_objection.html", estate=found.candidate_list.estate, objection=found)
