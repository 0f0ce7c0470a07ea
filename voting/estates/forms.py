from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from voting.core.weights import Buyers
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


class PlaceForm(FlaskForm):
    """A street office: a code and a name."""

    code = StringField(_l("Code"), validators=CODE_VALIDATORS)
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])


class ChildPlaceForm(PlaceForm):
    """A community or estate, which belongs to a place above it."""

    parent = SelectField(_l("Belongs to"), coerce=int)
