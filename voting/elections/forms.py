from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from voting.confirmation import confirmed_field
from voting.core import rules
from voting.elections.models import ITEM_NAMES, THRESHOLD_NAMES
from voting.notices.sealing import MIN_PASSPHRASE_LENGTH


class ElectionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    opens_at = DateTimeLocalField(_l("Voting opens (Beijing time)"), validators=[DataRequired()])
    closes_at = DateTimeLocalField(_l("Voting closes (Beijing time)"), validators=[DataRequired()])
    revote = SelectField(
        _l("Changing a ballot"),
        choices=[
            ("last", _l("Allowed until close: the last ballot counts")),
            ("first", _l("Not allowed: the first ballot counts")),
        ],
    )
    require_id_last4 = BooleanField(
        _l("Ask for the last four characters of the owner's ID number before the ballot shows")
    )
    publish_units = BooleanField(
        _l("Show owners how each unit voted"),
        default=False,
        description=_l(
            "Only where the owners' assembly has so decided. Once the vote is counted, an owner who "
            "opens the QR code of their voting notice sees each unit's choices; nobody else does. "
            "The published record, the minutes and the notice board never show them."
        ),
    )


def _item_choices() -> list[tuple[int, str]]:
    """The nine items of art. 278, each with the threshold it implies, in the reader's language."""
    return [
        (
            item,
            _(
                "%(number)d. %(name)s (%(threshold)s)",
                number=item,
                name=name,
                threshold=THRESHOLD_NAMES[rules.threshold(item)],
            ),
        )
        for item, name in ITEM_NAMES.items()
    ]


class MotionForm(FlaskForm):
    """A yes/no motion: staff name its art. 278 item, and the threshold follows from it."""

    item = SelectField(_l("Matter (Civil Code art. 278)"), coerce=int, choices=_item_choices)
    title = StringField(_l("Motion"), validators=[DataRequired(), Length(max=300)])


class ActionForm(FlaskForm):
    """A bare form: the CSRF token is all a state change needs."""


class OpenForm(FlaskForm):
    """Opening a vote, on the page that says what opening locks: the passphrase its notices are
    sealed under (its length is checked by open_election; minlength only helps the browser say
    so first), and the tick that confirms it."""

    passphrase = PasswordField(
        _l("Notices passphrase"),
        validators=[DataRequired()],
        render_kw={"minlength": MIN_PASSPHRASE_LENGTH, "autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("The passphrase again"),
        validators=[EqualTo("passphrase", message=_l("The two passphrases differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    confirmed = confirmed_field()
