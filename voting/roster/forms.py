from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from voting.objections.web import OnlineObjectionForm, PaperObjectionForm
from voting.roster.objections import GROUND_NAMES


class RosterUploadForm(FlaskForm):
    file = FileField(
        _l("Roster file (.xlsx or .csv)"),
        validators=[FileRequired(), FileAllowed(["xlsx", "csv"], _l("Only .xlsx and .csv files."))],
    )


class ConfirmForm(FlaskForm):
    """A bare form: the CSRF token is all a confirmation needs."""


class _AboutTheRoll:
    """What an objection to the roll is about: the fields both ways of lodging one add."""

    ground = SelectField(_l("What is wrong"), choices=list(GROUND_NAMES.items()))
    about_unit = StringField(
        _l("The unit concerned (leave empty for the roll as a whole)"), validators=[Optional(), Length(max=120)]
    )


class RollObjectionForm(_AboutTheRoll, OnlineObjectionForm):
    """An owner's objection to the roll from the phone."""


class PaperRollObjectionForm(_AboutTheRoll, PaperObjectionForm):
    """An objection to the roll handed to the group on paper."""
