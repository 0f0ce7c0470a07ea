"""Log in and out, choose the language, manage staff accounts."""

import hmac
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from voting.auth.access import (
    ASSIGNABLE_ROLES,
    NOT_IN_GROUP,
    Permission,
    acts_for_group,
    require,
    scope_filter,
    visible_estates,
)
from voting.auth.forms import IdNumberForm, LoginForm, PasswordForm, StaffForm
from voting.auth.models import ROLE_NAMES, Role, Staff
from voting.auth.operations import (
    PERSON_ROLES,
    AccountError,
    authenticate,
    change_password,
    create_staff,
    record_id_number,
)
from voting.errors import form_again, returns_to
from voting.estates.models import Community, Estate, StreetOffice
from voting.extensions import db, limiter, login_manager

blueprint = Blueprint("auth", __name__)


def same_site_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None: what a ``next=`` may lead to.

    Browsers drop tabs and line breaks from an address and read a backslash as a slash, so
    "/\t/evil.example" and "/\\evil.example" lead off the site as "//evil.example" does.
    """
    if not target or any(
        not character.isprintable() or character.isspace() or character == "\\" for character in target
    ):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@login_manager.user_loader
def load_staff(session_id: str) -> Staff | None:
    """The account a session cookie names (Staff.get_id), while its login has not been ended."""
    staff_id, _sep, token = session_id.partition(":")  # the cookie is signed: the id is one we wrote
    staff = db.session.get(Staff, int(staff_id))
    return staff if staff is not None and hmac.compare_digest(staff.session_token, token) else None


@blueprint.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        staff = authenticate(form.username.data, form.password.data)
        if staff is not None and not acts_for_group(staff):
            flash(str(NOT_IN_GROUP), "error")
        elif staff is not None:
            login_user(staff)
            return redirect(same_site_path(request.args.get("next")) or url_for("estates.dashboard"))
        else:
            flash(_("Wrong username or password."), "error")
    return render_template("auth/login.html", form=form)


@blueprint.post("/logout")
@login_required
def logout():
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    return redirect(url_for("auth.login"))


@blueprint.route("/password", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@login_required
def password():
    """The signed-in member of staff changes their own password. Every other login of the account
    ends; this one goes on under the new token, since its holder has just proved the current
    password and signing in again would prove nothing more."""
    form = PasswordForm()
    if form.validate_on_submit():
        staff = current_user._get_current_object()
        try:
            change_password(staff, form.current_password.data, form.new_password.data)
        except AccountError as refused:
            return form_again(refused, lambda: render_template("auth/password.html", form=form))
        login_user(staff)  # this browser's cookie now names the new token
        flash(_("Your password is changed. Every other login of your account has ended."), "success")
        return redirect(url_for("estates.dashboard"))
    return render_template("auth/password.html", form=form)


@blueprint.post("/lang/<lang>")
def set_language(lang: str):
    if lang not in ("zh_CN", "en"):
        abort(404)
    session["lang"] = lang
    return redirect(same_site_path(request.form.get("next")) or "/")


def _scope_choices(user: Staff) -> list[tuple[str, str]]:
    """Places the user may assign a new account to, as form values 'kind:id'."""
    estates = visible_estates(user)
    if Role(user.role) is Role.PLATFORM_ADMIN:
        offices = db.session.scalars(select(StreetOffice).order_by(StreetOffice.code)).all()
        communities = db.session.scalars(select(Community).order_by(Community.code)).all()
    else:
        offices = [user.street_office]
        communities = db.session.scalars(
            select(Community).where(Community.street_office_id == user.street_office_id).order_by(Community.code)
        ).all()
    choices = [("platform:0", _("Whole platform"))] if Role(user.role) is Role.PLATFORM_ADMIN else []
    choices += [(f"street_office:{o.id}", o.name) for o in offices]
    choices += [(f"community:{c.id}", c.name) for c in communities]
    choices += [(f"estate:{e.id}", e.name) for e in estates]
    return choices


SCOPE_KIND_FOR_ROLE = {
    Role.PLATFORM_ADMIN: "platform",
    Role.STREET_OFFICE: "street_office",
    Role.COMMUNITY: "community",
    Role.PREP_GROUP: "estate",
    Role.CLERK: "estate",
}


def _staff_in_scope(user: Staff) -> list[Staff]:
    query = select(Staff).order_by(Staff.username)
    if Role(user.role) is not Role.PLATFORM_ADMIN:
        estate_ids = select(Estate.id).select_from(Estate)
        estate_ids = scope_filter(user, estate_ids)
        community_ids = select(Community.id).where(Community.street_office_id == user.street_office_id)
        query = query.where(
            (Staff.street_office_id == user.street_office_id)
            | Staff.community_id.in_(community_ids)
            | Staff.estate_id.in_(estate_ids)
        )
    return list(db.session.scalars(query))


@blueprint.route("/staff", methods=["GET", "POST"])
@login_required
def staff():
    require(Permission.MANAGE_STAFF)
    form = StaffForm()
    form.role.choices = [(r.value, ROLE_NAMES[r]) for r in ASSIGNABLE_ROLES[Role(current_user.role)]]
    form.scope.choices = _scope_choices(current_user)
    if form.validate_on_submit():
        role = Role(form.role.data)
        kind, _sep, scope_id = form.scope.data.partition(":")
        if kind != SCOPE_KIND_FOR_ROLE[role]:
            flash(_("A %(role)s account must be assigned to a matching place.", role=ROLE_NAMES[role]), "error")
        else:
            try:
                create_staff(
                    current_user.username,
                    form.username.data,
                    form.display_name.data,
                    form.password.data,
                    role,
                    id_number=form.id_number.data or "",
                    **({f"{kind}_id": int(scope_id)} if kind != "platform" else {}),
                )
            except AccountError as refused:
                return form_again(refused, lambda: _staff_page(form))
            flash(_("Account %(name)s created.", name=form.username.data), "success")
            return redirect(url_for("auth.staff"))
    return _staff_page(form)


def _staff_page(form: StaffForm) -> str:
    return render_template(
        "auth/staff.html",
        form=form,
        accounts=_staff_in_scope(current_user),
        role_names=ROLE_NAMES,
        person_roles=PERSON_ROLES,
    )


@blueprint.post("/staff/<int:staff_id>/id-number")
@returns_to("auth.staff")
@login_required
def id_number(staff_id: int):
    require(Permission.MANAGE_STAFF)
    account = next((a for a in _staff_in_scope(current_user) if a.id == staff_id), None)
    if account is None:
        abort(404)
    form = IdNumberForm()
    if not form.validate_on_submit():
        flash(_("Enter the resident ID number."), "error")
        return redirect(url_for("auth.staff"))
    record_id_number(current_user.username, account, form.id_number.data)
    flash(_("The ID number of %(name)s is recorded (as a keyed hash).", name=account.username), "success")
    return redirect(url_for("auth.staff"))
