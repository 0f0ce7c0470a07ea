from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from voting.auth.operations import MIN_PASSWORD_LENGTH
from voting.prep.operations import MEMBER_ROLE_NAMES


class MemberForm(FlaskForm):
    name = StringField(lazy_pgettext("person", "Name"), validators=[DataRequired(), Length(max=100)])
    role = SelectField(_l("Represents"), choices=list(MEMBER_ROLE_NAMES.items()))
    organisation = StringField(_l("Organisation (e.g. which police station)"), validators=[Length(max=100)])
    leader = BooleanField(_l("Leads the group (street office only)"))
    id_number = StringField(
        _l("ID number (owner representatives: checked against the roll; a new account keeps only its keyed hash)"),
        validators=[Length(max=30)],
    )
    account = SelectField(_l("Existing account"), coerce=int, default=0)
    new_username = StringField(
        _l("Or a new preparation-group account: username"),
        validators=[
            Optional(),
            Length(max=60),
            Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Letters, digits, dot, dash and underscore only.")),
        ],
    )
    new_password = PasswordField(_l("Initial password"), validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH)])


class RemovalForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[Length(max=500)])


class MilestoneForm(FlaskForm):
    kind = SelectField(
        _l("Step"),
        choices=[
            ("first_meeting", _l("First meeting of the committee")),
            ("filing", _l("Filing with the street office")),
        ],
    )
    done_on = DateField(_l("Date"), validators=[DataRequired()])
    note = TextAreaField(_l("Note"), validators=[Length(max=1000)])


class ActionForm(FlaskForm):
    """A bare form: the CSRF token is all a confirmation needs."""
