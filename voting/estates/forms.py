from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from voting.estates.models import HELP_DESK_HOURS_LENGTH, HELP_DESK_PLACE_LENGTH

CODE_VALIDATORS = [
    DataRequired(),
    Length(max=40),
    Regexp(r"^[A-Za-z0-9-]+$", message=_l("Letters, digits and dashes only.")),
]


def _stripped(text: str | None) -> str:
    return (text or "").strip()


class EstateSettingsForm(FlaskForm):
    count_parking = BooleanField(_l("Parking spaces (车位) count towards area and heads"))
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
