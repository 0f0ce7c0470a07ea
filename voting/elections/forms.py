import json

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length

from voting.confirmation import confirmed_field
from voting.core import rules
from voting.core.scopes import Part
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
    # Left empty, the whole estate decides; otherwise only the owners of what is chosen here.
    buildings = SelectMultipleField(_l("Decided only by the owners of these buildings"), choices=[])
    stairwells = SelectMultipleField(_l("… of these stairwells"), choices=[])
    units = TextAreaField(
        _l("… of these units"),
        validators=[Length(max=4000)],
        description=_l(
            "Leave all three empty for a motion of the whole estate. Units by their labels on the "
            "owner roll, one per line. Art. 278's thresholds then apply to the area and owners of "
            "the units chosen."
        ),
    )

    def offer_scopes(self, buildings: list[str], stairwells: list[tuple[str, str]]) -> None:
        """The estate's buildings and stairwells (building, entrance) to choose from."""
        self.buildings.choices = [(name, name) for name in buildings]
        self.stairwells.choices = [
            (json.dumps([building, entrance], ensure_ascii=False), Part(building, entrance).title)
            for building, entrance in stairwells
        ]

    def scope(self) -> list[Part]:
        """The parts chosen, buildings first, then stairwells, then units."""
        stairwells = [json.loads(value) for value in self.stairwells.data or ()]
        labels = [line.strip() for line in (self.units.data or "").splitlines()]
        return [
            *(Part(name) for name in self.buildings.data or ()),
            *(Part(building, entrance) for building, entrance in stairwells),
            *(Part(unit=label) for label in labels if label),
        ]


class ChoiceMotionForm(FlaskForm):
    """A choice among several options (which company, which management mode): the item decides
    the threshold as for a yes/no motion; owners pick at most one option."""

    item = SelectField(_l("Matter (Civil Code art. 278)"), coerce=int, choices=_item_choices, default=4)
    title = StringField(_l("Question"), validators=[DataRequired(), Length(max=300)])
    options = TextAreaField(
        _l("Options, one per line"),
        validators=[DataRequired()],
        description=_l(
            "Each owner picks at most one. An option is adopted only if it has the majority its matter "
            "requires among the owners taking part; otherwise none is."
        ),
        render_kw={"rows": 4},
    )

    def option_lines(self) -> list[str]:
        return self.options.data.splitlines()


class MotionDocumentForm(FlaskForm):
    """The full text a motion decides, as a PDF; opening the vote puts its SHA-256 in the record."""

    motion = SelectField(_l("Motion"), coerce=int)
    title = StringField(_l("Document title"), validators=[DataRequired(), Length(max=200)])
    file = FileField(_l("PDF file"), validators=[FileRequired(), FileAllowed(["pdf"], _l("Only PDF files."))])


def motion_document_form(election) -> MotionDocumentForm:
    form = MotionDocumentForm()
    form.motion.choices = [(motion.id, f"{motion.position}. {motion.title}") for motion in election.motions]
    return form


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
