"""The street office forms the preparation group; anyone can read its published members."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from voting.auth.access import Part, Permission, can, scoped
from voting.auth.models import Staff
from voting.elections.models import Election
from voting.errors import returns_to
from voting.estates.models import Estate
from voting.extensions import db
from voting.prep.forms import ActionForm, MemberForm, MilestoneForm, RemovalForm
from voting.prep.models import PrepMember
from voting.prep.operations import (
    DEADLINE_NAMES,
    MEMBER_ROLE_NAMES,
    composition_faults,
    confirm_group,
    deadlines,
    discard_changes,
    group_of,
    linkable_accounts,
    open_deadlines,
    propose_member,
    propose_removal,
    published_group,
    record_milestone,
)

blueprint = Blueprint("prep", __name__, url_prefix="/estates/<code>/prep")
public_blueprint = Blueprint("prep_public", __name__, url_prefix="/p/<code>/prep")

MEMBER = Part(PrepMember, of=group_of, column="group_id")  # a member of the estate's group


@blueprint.app_context_processor
def deadline_helpers():
    return {"open_deadlines": open_deadlines, "deadline_names": DEADLINE_NAMES}


def _member_form(estate: Estate) -> MemberForm:
    form = MemberForm()
    form.account.choices = [(0, "—")] + [
        (s.id, _("%(name)s (account %(username)s)", name=s.display_name, username=s.username))
        for s in linkable_accounts(estate)
    ]
    return form


def _flash_form_errors(form) -> None:
    for field, errors in form.errors.items():
        flash(f"{form[field].label.text}: {' '.join(errors)}", "error")


@blueprint.get("/")
@login_required
@scoped(Permission.VIEW_CANDIDATES)
def group(estate: Estate):
    prep_group = group_of(estate)
    may_form = can(current_user, Permission.FORM_PREP_GROUP)
    members = prep_group.members if prep_group else []
    pending = any(m.is_pending for m in members)
    schedule = deadlines(estate)
    return render_template(
        "prep/group.html",
        estate=estate,
        group=prep_group,
        members=members,
        pending=pending,
        faults=composition_faults(estate, [m for m in members if m.stays]) if pending else [],
        form=_member_form(estate) if may_form else None,
        removal=RemovalForm(),
        action=ActionForm(),
        may_form=may_form,
        role_names=MEMBER_ROLE_NAMES,
        deadlines=schedule,
        milestone_elections=list({d.election.id: d.election for d in schedule if d.kind != "meeting_notice"}.values()),
        milestone_form=MilestoneForm(),
        may_record=can(current_user, Permission.RECORD_FILING),
    )


@blueprint.post("/members")
@returns_to("prep.group")
@login_required
@scoped(Permission.FORM_PREP_GROUP)
def propose(code: str, estate: Estate):
    form = _member_form(estate)
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return redirect(url_for("prep.group", code=code))
    member = propose_member(
        current_user.username,
        estate,
        name=form.name.data,
        role=form.role.data,
        organisation=form.organisation.data or "",
        leader=form.leader.data,
        id_number=form.id_number.data or "",
        account=db.session.get(Staff, form.account.data) if form.account.data else None,
        new_account=(form.new_username.data, form.new_password.data or "") if form.new_username.data else None,
    )
    flash(_("%(name)s is proposed; confirm the composition to make the change.", name=member.name), "success")
    return redirect(url_for("prep.group", code=code))


@blueprint.post("/members/<int:member_id>/remove")
@returns_to("prep.group")
@login_required
@scoped(Permission.FORM_PREP_GROUP, member=MEMBER)
def remove(code: str, member: PrepMember):
    form = RemovalForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
    else:
        propose_removal(current_user.username, member, form.reason.data or "")
    return redirect(url_for("prep.group", code=code))


def _group_action(code: str, estate: Estate, change, done_message: str):
    if not ActionForm().validate_on_submit():
        flash(_("The form expired; please try again."), "error")
        return redirect(url_for("prep.group", code=code))
    change(current_user.username, estate)
    flash(done_message, "success")
    return redirect(url_for("prep.group", code=code))


@blueprint.post("/confirm")
@returns_to("prep.group")
@login_required
@scoped(Permission.FORM_PREP_GROUP)
def confirm(code: str, estate: Estate):
    return _group_action(code, estate, confirm_group, _("The composition is confirmed and its member list is public."))


@blueprint.post("/discard")
@returns_to("prep.group")
@login_required
@scoped(Permission.FORM_PREP_GROUP)
def discard(code: str, estate: Estate):
    return _group_action(code, estate, discard_changes, _("The pending changes are discarded."))


@blueprint.post("/milestones/<int:election_id>")
@returns_to("prep.group")
@login_required
@scoped(Permission.RECORD_FILING, election=Election)
def milestone(code: str, election: Election):
    form = MilestoneForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
    else:
        record_milestone(current_user.username, election, form.kind.data, form.done_on.data, form.note.data or "")
        flash(_("Recorded."), "success")
    return redirect(url_for("prep.group", code=code))


@public_blueprint.get("/")
def members(code: str):
    estate = db.session.scalar(select(Estate).where(Estate.code == code))
    published = published_group(estate) if estate else None
    if published is None:
        abort(404)
    return render_template("prep/public.html", estate=estate, published=published, role_names=MEMBER_ROLE_NAMES)
