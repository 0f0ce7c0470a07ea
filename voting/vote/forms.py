from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from voting.vote.operations import MAX_REQUEST_BYTES


class ReceiptForm(FlaskForm):
    receipt = TextAreaField(
        _l("Receipt"),
        validators=[DataRequired(), Length(max=MAX_REQUEST_BYTES)],
        description=_l("Paste the text of the receipt file here, exactly as it was saved."),
    )
