from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from voting.core import rules
from voting.core.weights import Buyers
from voting.elections.models import INVALID_RULE_NAMES
from voting.estates.models import CREDIT_CODE_LENGTH, HELP_DESK_HOURS_LENGTH, HELP_DESK_PLACE_LENGTH
from voting.roster.parsing import id_number_problem, is_resident_id, normalise_id_number

CODE_VALIDATORS = [
    DataRequired(),
    Length(max=40),
    Regexp(r"^[A-Za-z0-9-]+$", message=_l("Letters, digits and dashes only.")),
]


def _stripped(text: str | None) -> str:
    return (text or "").strip()


BUYERS_CHOICES = [
    (Buyers.BY_TITLE.value, _l("Joint titles are separate buyers (default)")),
    (Buyers.BY_PERSON.value, _l("A person's sole and joint titles are one buyer")),
]


class EstateSettingsForm(FlaskForm):
    count_parking = BooleanField(_l("Parking spaces (车位) count towards area"))
    developer_credit_code = StringField(
        _l("The developer's unified social credit code"),
        filters=[lambda text: normalise_id_number(text or "")],
        description=_l(
            "Exactly as on its titles. Units delivered but listed under this code alone join the "
            "developer's unsold and undelivered units as one voter. Leave empty while unknown."
        ),
    )
    buyers = SelectField(
        _l("Sole and joint titles"),
        choices=BUYERS_CHOICES,
        description=_l(
            "Whether A alone and A with B are the same buyer is a reading of the law open to challenge. "
            "Merged, titles sharing a person are one voter, also through others: A alone, A with B and "
            "B with C are one. Printed on the published roll."
        ),
    )
    help_desk_place = StringField(
        _l("Help desk: place"),
        filters=[_stripped],
        validators=[
            Length(
                max=HELP_DESK_PLACE_LENGTH, message=_l("The help desk's place can be at most %(max)d characters long.")
            )
        ],
        description=_l(
            "Where owners get paper ballots, help with the phone and new notices, "
            "e.g. 物业服务中心（3幢1楼）. Printed on every voting notice."
        ),
    )
    help_desk_hours = StringField(
        _l("Help desk: opening hours"),
        filters=[_stripped],
        validators=[
            Length(
                max=HELP_DESK_HOURS_LENGTH,
                message=_l("The help desk's opening hours can be at most %(max)d characters long."),
            )
        ],
        description=_l("e.g. 每天 9:00–11:30、14:00–17:00"),
    )

    def validate_developer_credit_code(self, field):
        """As the roster takes a company's code: 18 characters and no resident ID. A code failing
        the GB 32100 check character is taken, as the import takes it, since it must match the
        code on the titles, and registries' exports carry such codes."""
        code = field.data
        if code and (len(code) != CREDIT_CODE_LENGTH or is_resident_id(code) or id_number_problem(code)):
            raise ValidationError(
                _l("Not a unified social credit code: a company's code has 18 characters and is no resident ID.")
            )

    def validate_help_desk_place(self, field):
        if not field.data and self.help_desk_hours.data:
            raise ValidationError(_l("Give the help desk's place too: owners cannot use opening hours alone."))


def _days(label, low: int, high: int, missing, out_of_range, description):
    return IntegerField(
        label,
        validators=[InputRequired(message=missing), NumberRange(min=low, max=high, message=out_of_range)],
        description=description,
    )


def _odd(message):
    def check(_form, field):
        if field.data is not None and field.data % 2 == 0:
            raise ValidationError(message)

    return check


def _committee_size(label, fault, description="") -> IntegerField:
    """A bound of the owners' committee's size: an odd number within 5–11, ``fault`` naming the field."""
    return IntegerField(
        label,
        validators=[
            InputRequired(message=fault),
            NumberRange(min=rules.MIN_COMMITTEE, max=rules.MAX_COMMITTEE, message=fault),
            _odd(fault),
        ],
        description=description,
    )


class RulesProfileForm(FlaskForm):
    """The estate's rules profile; every message names its field, since several share a page."""

    invalid_ballot = SelectField(
        _l("An invalid choice on a paper ballot"),
        choices=list(INVALID_RULE_NAMES.items()),
        description=_l("Without a rule of the estate, an invalid choice counts as taking part, not agreeing."),
    )
    notice_days = _days(
        _l("Notice period before voting (days)"),
        rules.MIN_PERIOD_DAYS,
        rules.MAX_PERIOD_DAYS,
        _l("Notice period: give a number of days."),
        _l("Notice period: give a number of days from %(min)d to %(max)d."),
        _l("The meeting notice is on the notice board at least this long before voting begins; the law asks 15."),
    )
    roll_publication_days = _days(
        _l("Roll publication period before voting (days)"),
        rules.MIN_PERIOD_DAYS,
        rules.MAX_PERIOD_DAYS,
        _l("Roll publication period: give a number of days."),
        _l("Roll publication period: give a number of days from %(min)d to %(max)d."),
        _l("The masked owner roll is public at least this long before voting begins; the law asks 15."),
    )
    max_extension_days = _days(
        _l("Longest extension of a vote (days)"),
        0,
        rules.MAX_EXTENSION_DAYS,
        _l("Longest extension: give a number of days."),
        _l("Longest extension: give a number of days from %(min)d to %(max)d (three months)."),
        _l("How long the voting period may be extended when turnout falls short; 0: never."),
    )
    committee_min_members = _committee_size(
        _l("Owners' committee: fewest members"), _l("Committee, fewest members: give an odd number from 5 to 11.")
    )
    committee_max_members = _committee_size(
        _l("Owners' committee: most members"),
        _l("Committee, most members: give an odd number from 5 to 11."),
        description=_l("The owners' committee has an odd number of 5–11 members (指导规则 art. 31)."),
    )
    group_min_members = IntegerField(
        _l("Preparation group: fewest members (optional)"),
        validators=[
            Optional(),
            NumberRange(min=1, message=_l("Preparation group, fewest members: give an odd number, or leave it empty.")),
            _odd(_l("Preparation group, fewest members: give an odd number, or leave it empty.")),
        ],
    )
    group_max_members = IntegerField(
        _l("Preparation group: most members (optional)"),
        validators=[
            Optional(),
            NumberRange(min=1, message=_l("Preparation group, most members: give an odd number, or leave it empty.")),
            _odd(_l("Preparation group, most members: give an odd number, or leave it empty.")),
        ],
        description=_l("The law asks only for an odd number; Zhejiang practice is 5 to 11."),
    )
    group_min_owner_percent = IntegerField(
        _l("Preparation group: owner representatives at least (%)"),
        validators=[
            InputRequired(message=_l("Owner representatives: give a percentage from 50 to 100.")),
            NumberRange(min=50, max=100, message=_l("Owner representatives: give a percentage from 50 to 100.")),
        ],
        description=_l("The law asks for at least half of the group."),
    )

    def validate_committee_max_members(self, field):
        low = self.committee_min_members.data
        if field.data is not None and low is not None and field.data < low:
            raise ValidationError(_l("Committee, most members: it cannot be fewer than the fewest members."))

    def validate_group_max_members(self, field):
        low = self.group_min_members.data
        if field.data is not None and low is not None and field.data < low:
            raise ValidationError(_l("Preparation group, most members: it cannot be fewer than the fewest members."))

    def values(self) -> dict:
        """The profile as the form gives it, for voting.estates.operations.change_rules_profile."""
        return {key: getattr(self, key).data for key in rules.NATIONAL_RULES}


class PlaceForm(FlaskForm):
    """A street office: a code and a name."""

    code = StringField(_l("Code"), validators=CODE_VALIDATORS)
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])


class ChildPlaceForm(PlaceForm):
    """A community or estate, which belongs to a place above it."""

    parent = SelectField(_l("Belongs to"), coerce=int)
