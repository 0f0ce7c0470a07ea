"""Staff pages for the organisation and each estate."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from voting.auth.access import Permission, can, creates_offices, require, scoped, visible_estates
from voting.core.weights import Buyers
from voting.errors import form_again
from voting.estates.forms import ChildPlaceForm, EstateSettingsForm, PlaceForm, RulesProfileForm
from voting.estates.models import Community, Estate, RollRules, StreetOffice
from voting.estates.operations import (
    PlaceError,
    change_help_desk,
    change_roll_rules,
    change_rules_profile,
    create_community,
    create_estate,
    create_street_office,
)
from voting.extensions import db
from voting.roster.operations import roll_summary

blueprint = Blueprint("estates", __name__)


@blueprint.get("/")
@login_required
def dashboard():
    estates = visible_estates(current_user)
    return render_template("estates/dashboard.html", estates=[(e, roll_summary(e)) for e in estates])


@blueprint.get("/estates/<code>")
@login_required
@scoped(Permission.VIEW_ROLL)
def estate(estate: Estate):
    form = EstateSettingsForm(obj=estate)
    return render_template("estates/estate.html", estate=estate, summary=roll_summary(estate), form=form)


@blueprint.post("/estates/<code>/settings")
@login_required
@scoped(Permission.EDIT_ESTATE)
def settings(code: str, estate: Estate):
    form = EstateSettingsForm()
    if not form.validate_on_submit():
        # Shown again with the faults beside their fields and what was typed kept.
        return render_template("estates/estate.html", estate=estate, summary=roll_summary(estate), form=form), 422
    rules = RollRules(form.count_parking.data, form.developer_credit_code.data, Buyers(form.buyers.data))
    rules_changed = change_roll_rules(current_user.username, estate, rules)
    change_help_desk(current_user.username, estate, form.help_desk_place.data, form.help_desk_hours.data)
    flash(_("Settings saved; voting rights recomputed.") if rules_changed else _("Settings saved."), "success")
    return redirect(url_for("estates.estate", code=code))


@blueprint.get("/estates/<code>/rules")
@login_required
@scoped(Permission.VIEW_ROLL)
def rules_profile(estate: Estate):
    return _rules_page(estate, RulesProfileForm(obj=estate.rules_profile))


@blueprint.post("/estates/<code>/rules")
@login_required
@scoped(Permission.EDIT_ESTATE)
def change_rules(code: str, estate: Estate):
    form = RulesProfileForm()
    if not form.validate_on_submit():
        return _rules_page(estate, form), 422
    if change_rules_profile(current_user.username, estate, form.values()):
        flash(_("Rules saved; votes opened from now on record them."), "success")
    return redirect(url_for("estates.rules_profile", code=code))


def _rules_page(estate, form: RulesProfileForm) -> str:
    return render_template(
        "estates/rules.html", estate=estate, form=form, may_edit=can(current_user, Permission.EDIT_ESTATE)
    )


def _place_forms():
    """The forms a user may use on the organisation page, each with its parent choices."""
    forms = {}
    if creates_offices(current_user):
        forms["street_office"] = PlaceForm(prefix="so")
        forms["community"] = ChildPlaceForm(prefix="co")
        forms["community"].parent.choices = [
            (o.id, o.name) for o in db.session.scalars(select(StreetOffice).order_by(StreetOffice.code))
        ]
        communities = db.session.scalars(select(Community).order_by(Community.code)).all()
    else:
        communities = db.session.scalars(
            select(Community).where(Community.street_office_id == current_user.street_office_id)
        ).all()
    forms["estate"] = ChildPlaceForm(prefix="es")
    forms["estate"].parent.choices = [(c.id, c.name) for c in communities]
    return forms


@blueprint.route("/organisation", methods=["GET", "POST"])
@login_required
def organisation():
    require(Permission.MANAGE_STAFF)
    forms = _place_forms()
    for kind, form in forms.items():
        if form.code.name in request.form and form.validate_on_submit():
            try:
                _create_place(kind, form)
            except PlaceError as refused:
                return form_again(refused, lambda: _organisation_page(forms))
            flash(_("%(name)s created.", name=form.name.data), "success")
            return redirect(url_for("estates.organisation"))
    return _organisation_page(forms)


def _organisation_page(forms: dict) -> str:
    offices = db.session.scalars(select(StreetOffice).order_by(StreetOffice.code)).all()
    if not creates_offices(current_user):
        offices = [current_user.street_office]
    return render_template(
        "estates/organisation.html", forms=forms, offices=offices, estates=visible_estates(current_user)
    )


def _create_place(kind: str, form: PlaceForm | ChildPlaceForm) -> None:
    actor = current_user.username
    if kind == "street_office":
        create_street_office(actor, form.code.data, form.name.data)
    elif kind == "community":
        create_community(actor, db.session.get(StreetOffice, form.parent.data), form.code.data, form.name.data)
    else:
        create_estate(actor, form.code.data, form.name.data, db.session.get(Community, form.parent.data))
