from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from voting.candidates.eligibility import CATALOGUE
from voting.candidates.lists import RuleSetting
from voting.candidates.models import BODIES, ListKind
from voting.errors import Refusal
from voting.objections import web as objection_forms


class SettingsForm(FlaskForm):
    seats = IntegerField(_l("Seats on the committee"), validators=[DataRequired(), NumberRange(min=1, max=50)])
    margin_percent = IntegerField(
        _l("Competitive margin: candidates exceed seats by at least (%)"),
        default=20,
        validators=[Optional(), NumberRange(min=0, max=200)],
    )
    publication_days = IntegerField(
        _l("Publication period (days)"), default=7, validators=[DataRequired(), NumberRange(min=1, max=60)]
    )
    min_joint_households = IntegerField(
        _l("Joint recommendation: owner households needed"),
        default=10,
        validators=[DataRequired(), NumberRange(min=1, max=1000)],
    )


class ListForm(SettingsForm):
    title = StringField(_l("Title (it becomes the motion on the ballot)"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(
        _l("What the list elects"),
        choices=[
            (ListKind.ELECTION.value, _l("The whole owners' committee")),
            (ListKind.BY_ELECTION.value, _l("A by-election for seats the committee left unfilled")),
        ],
        default=ListKind.ELECTION.value,
    )


class NominationForm(FlaskForm):
    kind = SelectField(
        _l("Nominated by"),
        choices=[
            ("self", _l("Self-nomination")),
            ("joint", _l("Joint recommendation by owners")),
            ("community", _l("Recommendation by the community")),
        ],
    )
    name = StringField(_l("Name (as on the roll)"), validators=[DataRequired(), Length(max=100)])
    id_number = StringField(
        _l("ID number (checked against the roll, not stored)"), validators=[DataRequired(), Length(max=30)]
    )
    gender = SelectField(
        _l("Gender"), choices=[("", _l("from the resident ID")), ("F", _l("female")), ("M", _l("male"))], default=""
    )
    birth_date = DateField(_l("Date of birth (only if the ID number does not show it)"), validators=[Optional()])
    occupation = StringField(_l("Occupation"), validators=[Length(max=100)])
    party_member = BooleanField(_l("Member of the Communist Party of China"))
    statement = TextAreaField(_l("Statement (published with the list)"), validators=[Length(max=2000)])
    photo = FileField(
        _l("Photo (JPEG or PNG, at most 2 MB)"),
        validators=[FileAllowed(["jpg", "jpeg", "png"], _l("Only JPEG and PNG images."))],
    )
    recommended_by = StringField(
        _l("Recommending organisation (community recommendation)"), validators=[Length(max=100)]
    )
    signatures = TextAreaField(_l("Signatures (joint recommendation): one owner per line, name and ID number"))


class WithdrawForm(FlaskForm):
    reason = StringField(_l("Reason (published with the list)"), validators=[DataRequired(), Length(max=500)])


class PaperObjectionForm(objection_forms.PaperObjectionForm):
    nominee = SelectField(_l("About"), coerce=int, default=0)


class ObjectionForm(objection_forms.OnlineObjectionForm):
    """An owner's objection from the phone."""

    nominee = SelectField(_l("About"), coerce=int, default=0)


class ActionForm(FlaskForm):
    """A bare form: the CSRF token is all a state change needs."""


class RuleFormError(Refusal):
    pass


def read_rule_settings(data) -> list[RuleSetting]:
    """The rule table's fields: ``on-<code>``, ``<code>-<param>``, ``body-<code>`` (repeated)."""
    settings = []
    for kind in CATALOGUE:
        if not (kind.mandatory or data.get(f"on-{kind.code}")):
            continue
        params = {}
        for name in kind.params:
            try:
                params[name] = int(data.get(f"{kind.code}-{name}", ""))
            except ValueError:
                raise RuleFormError(
                    _("Give whole numbers for the rule “%(rule)s”.", rule=kind.describe(kind.params))
                ) from None
        bodies = tuple(body for body in data.getlist(f"body-{kind.code}") if body in BODIES)
        settings.append(RuleSetting(kind.code, params, bodies))
    return settings


def read_verdicts(data, pairs) -> list[tuple[str, str, bool, str]]:
    """(rule, body, passed, reason) for each ``verdict-<rule>-<body>`` set to pass or fail."""
    chosen = []
    for rule_code, body in pairs:
        verdict = data.get(f"verdict-{rule_code}-{body}", "")
        if verdict in ("pass", "fail"):
            chosen.append((rule_code, body, verdict == "pass", data.get(f"reason-{rule_code}-{body}", "")))
    return chosen
