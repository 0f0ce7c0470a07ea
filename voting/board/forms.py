from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from voting.board.models import KIND_LABELS
from voting.confirmation import confirmed_field


class AnnouncementForm(FlaskForm):
    kind = SelectField(
        _l("Kind"), choices=[(k, KIND_LABELS[k]) for k in ("meeting_notice", "committee_filing", "prep_group", "other")]
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    text = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=20000)])
    signed_by = StringField(_l("Issued by"), validators=[DataRequired(), Length(max=100)])
    published_from = DateTimeLocalField(_l("Posted from (Beijing time)"), validators=[DataRequired()])
    published_until = DateTimeLocalField(_l("Posted until (Beijing time; empty: stays up)"), validators=[Optional()])


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Reason for withdrawing (stays visible)"), validators=[DataRequired(), Length(max=2000)])


class PublishResultsForm(FlaskForm):
    """Publishing a counted vote's results and minutes, on the page that says what goes public."""

    scrutineers = StringField(
        _l("Scrutineers (names, separated by commas)"), validators=[DataRequired(), Length(max=500)]
    )
    confirmed = confirmed_field()

    def scrutineer_names(self) -> list[str]:
        return [name.strip() for name in self.scrutineers.data.replace("，", ",").split(",") if name.strip()]
