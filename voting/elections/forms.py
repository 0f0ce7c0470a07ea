from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from voting.notices.sealing import MIN_PASSPHRASE_LENGTH


class ElectionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    opens_at = DateTimeLocalField(_l("Voting opens (Beijing time)"), validators=[DataRequired()])
    closes_at = DateTimeLocalField(_l("Voting closes (Beijing time)"), validators=[DataRequired()])
    revote = SelectField(
        _l("Changing a ballot"),
        choices=[("last", _l("Allowed until close: the last ballot counts")),
                 ("first", _l("Not allowed: the first ballot counts"))],
    )
    require_id_last4 = BooleanField(_l("Ask for the last four characters of the owner's ID number before the ballot shows"))
    publish_units = BooleanField(
        _l("Show owners how each unit voted"), default=False,
        description=_l("Only where the owners' assembly has so decided. Once the vote is counted, an owner who "
                       "opens the QR code of their voting notice sees each unit's choices; nobody else does. "
                       "The published record, the minutes and the notice board never show them."),
    )


class MotionForm(FlaskForm):
    kind = SelectField(
        _l("Kind"),
        choices=[("ordinary", _l("Ordinary matter (more than half)")),
                 ("major", _l("Major matter: raising or using the maintenance fund for rebuilding, rebuilding, changing the use of common parts (three quarters)"))],
    )
    title = StringField(_l("Motion"), validators=[DataRequired(), Length(max=300)])


class ActionForm(FlaskForm):
    """A bare form: the CSRF token is all a state change needs."""


class OpenForm(FlaskForm):
    """Opening a vote: the passphrase its notices are sealed under (its length is checked by
    open_election; minlength only helps the browser say so first)."""

    passphrase = PasswordField(_l("Notices passphrase"), validators=[DataRequired()],
                               render_kw={"minlength": MIN_PASSPHRASE_LENGTH, "autocomplete": "new-password"})
    confirm = PasswordField(_l("The passphrase again"),
                            validators=[EqualTo("passphrase", message=_l("The two passphrases differ."))],
                            render_kw={"autocomplete": "new-password"})
