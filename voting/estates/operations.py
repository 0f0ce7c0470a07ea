"""Creating places in the organisation and changing an estate's settings."""

from dataclasses import asdict

from flask_babel import gettext as _
from sqlalchemy import select

from voting.audit.operations import record_event
from voting.core import rules
from voting.errors import Refusal
from voting.estates.models import Community, Estate, RollRules, RulesProfile, StreetOffice
from voting.extensions import db
from voting.roster.operations import rebuild_voters
from voting.timeutil import utcnow


class PlaceError(Refusal):
    pass


def _require_new_code(model, code: str) -> None:
    if db.session.scalar(select(model.id).where(model.code == code)) is not None:
        raise PlaceError(_("The code %(code)s is already in use.", code=code))


def create_street_office(actor: str, code: str, name: str) -> StreetOffice:
    _require_new_code(StreetOffice, code)
    office = StreetOffice(code=code, name=name)
    db.session.add(office)
    record_event(actor, "street_office.create", f"street_office:{code}", name=name)
    return office


def create_community(actor: str, office: StreetOffice, code: str, name: str) -> Community:
    _require_new_code(Community, code)
    community = Community(street_office=office, code=code, name=name)
    db.session.add(community)
    record_event(actor, "community.create", f"community:{code}", name=name, street_office=office.code)
    return community


def create_estate(actor: str, code: str, name: str, community: Community | None = None) -> Estate:
    _require_new_code(Estate, code)
    estate = Estate(code=code, name=name, community=community, rules_profile=RulesProfile())
    db.session.add(estate)
    db.session.flush()
    record_event(
        actor,
        "estate.create",
        f"estate:{code}",
        estate_id=estate.id,
        name=name,
        community=community.code if community else None,
    )
    return estate


def change_roll_rules(actor: str, estate: Estate, rules: RollRules) -> bool:
    """Parking in or out, the developer's credit code, sole and joint titles: the roll's rules.
    The voters are derived again at once, as an import does; votes already open keep the roll
    they froze. Whether the rules changed (and so the voting rights)."""
    previous = estate.roll_rules
    if previous == rules:
        return False
    changed = {name: value for name, value in asdict(rules).items() if getattr(previous, name) != value}
    estate.count_parking, estate.developer_credit_code, estate.buyers = (
        rules.count_parking,
        rules.developer_credit_code,
        rules.buyers.value,
    )
    rebuild_voters(estate)
    record_event(actor, "estate.settings", f"estate:{estate.code}", estate_id=estate.id, **changed)
    return True


def change_help_desk(actor: str, estate: Estate, place: str, hours: str) -> None:
    """Where and when owners get help; notices printed from now on show it."""
    if (estate.help_desk_place, estate.help_desk_hours) == (place, hours):
        return
    estate.help_desk_place, estate.help_desk_hours = place, hours
    record_event(
        actor,
        "estate.settings",
        f"estate:{estate.code}",
        estate_id=estate.id,
        help_desk_place=place,
        help_desk_hours=hours,
    )


def change_rules_profile(actor: str, estate: Estate, values: dict) -> bool:
    """Set the estate's rules profile (the keys of voting.core.rules.NATIONAL_RULES); votes opened
    before keep the profile they recorded. Whether anything changed."""
    if unknown := set(values) - set(rules.NATIONAL_RULES):
        raise ValueError(f"not a rule of the profile: {sorted(unknown)}")
    profile = estate.rules_profile
    changed = {key: value for key, value in values.items() if getattr(profile, key) != value}
    if not changed:
        return False
    for key, value in changed.items():
        setattr(profile, key, value)
    profile.changed_by, profile.changed_at = actor, utcnow()
    record_event(actor, "estate.rules", f"estate:{estate.code}", estate_id=estate.id, **changed)
    return True
