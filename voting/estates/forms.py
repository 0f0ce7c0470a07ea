from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp

CODE_VALIDATORS = [
    DataRequired(),
    Length(max=40),
    Regexp(r"^[A-Za-z0-9-]+$", message=_l("Letters, digits and dashes only.")),
]


class EstateSettingsForm(FlaskForm):
    count_parking = BooleanField(_l("Parking spaces (车位) count towards area and heads"))


class PlaceForm(FlaskForm):
    """A street office: a code and a name."""

    code = StringField(_l("Code"), validators=CODE_VALIDATORS)
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])


class ChildPlaceForm(PlaceForm):
    """A community or estate, which belongs to a place above it."""

    parent = SelectField(_l("Belongs to"), coerce=int)
