"""What the objection pages share: the forms an owner's objection comes in by, the group's
answer, and the limit on an owner's failed attempts."""

from datetime import datetime, time

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from voting.extensions import limiter
from voting.formatting import SHANGHAI
from voting.objections.operations import MAX_OBJECTION_CHARS


class OnlineObjectionForm(FlaskForm):
    """An owner's objection from the phone; a feature's form adds what it is about."""

    unit_label = StringField(
        _l("Your unit, as on your voting notice or the roll (e.g. 1幢-1-101)"),
        validators=[DataRequired(), Length(max=120)],
    )
    id_last4 = StringField(
        _l("Last four characters of your ID number"), validators=[DataRequired(), Length(min=4, max=4)]
    )
    text = TextAreaField(_l("Your objection"), validators=[DataRequired(), Length(max=MAX_OBJECTION_CHARS)])


class PaperObjectionForm(FlaskForm):
    """An objection handed to the group on paper; a feature's form adds what it is about."""

    unit_label = StringField(_l("Unit of the owner"), validators=[DataRequired(), Length(max=120)])
    id_number = StringField(
        _l("Owner's ID number (checked against the roll, not stored)"), validators=[DataRequired(), Length(max=30)]
    )
    received_on = DateField(_l("Received on"), validators=[DataRequired()])
    text = TextAreaField(_l("Objection"), validators=[DataRequired(), Length(max=MAX_OBJECTION_CHARS)])

    @property
    def received_at(self) -> datetime:
        """The start of the day it was received, in Beijing."""
        return datetime.combine(self.received_on.data, time(), SHANGHAI)


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Written answer"), validators=[DataRequired(), Length(max=4000)])


def limit_objections(view):
    """A public page's objection form: a refused objection shows the form again (422), and counts
    against its unit, few a day, so that the ID ending cannot be guessed; the owner can still
    hand the objection in on paper."""
    per_unit = limiter.limit(
        "10 per day",
        methods=["POST"],
        deduct_when=lambda response: response.status_code == 422,
        key_func=lambda: (
            request.form.get("unit_label", "").strip()
            and f"{request.view_args['code']}:{request.form['unit_label'].strip()}"
        ),
        error_message=_l(
            "Too many failed attempts for this unit today. Please try again tomorrow, "
            "or hand your objection to the preparation group on paper."
        ),
    )
    return limiter.limit("10 per minute", methods=["POST"])(per_unit(view))
