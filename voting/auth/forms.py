from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from voting.auth.operations import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class StaffForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(),
            Length(max=60),
            Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Letters, digits, dot, dash and underscore only.")),
        ],
    )
    display_name = StringField(lazy_pgettext("person", "Name"), validators=[DataRequired(), Length(max=100)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH)])
    role = SelectField(_l("Role"), validators=[DataRequired()])
    scope = SelectField(_l("Works for"), validators=[DataRequired()])
    id_number = StringField(
        _l("Resident ID number (street office, preparation group and clerk accounts; kept only as a keyed hash)"),
        validators=[Optional(), Length(max=30)],
    )


class IdNumberForm(FlaskForm):
    """The person behind an account made before ID numbers were asked for."""

    id_number = StringField(_l("Resident ID number"), validators=[DataRequired(), Length(max=30)])


class PasswordForm(FlaskForm):
    """A signed-in member of staff changes their own password: the current one, the new one twice.
    Each message names its field, since password fields come back empty."""

    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(message=_l("Enter your current password."))]
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(message=_l("Enter the new password.")),
            Length(min=MIN_PASSWORD_LENGTH, message=_l("The new password must have at least %(min)d characters.")),
        ],
    )
    confirmation = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(message=_l("Enter the new password a second time.")),
            EqualTo("new_password", message=_l("The new password typed a second time differs from the first.")),
        ],
    )
