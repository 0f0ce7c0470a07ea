from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired


class RosterUploadForm(FlaskForm):
    file = FileField(
        _l("Roster file (.xlsx or .csv)"),
        validators=[FileRequired(), FileAllowed(["xlsx", "csv"], _l("Only .xlsx and .csv files."))],
    )


class ConfirmForm(FlaskForm):
    """A bare form: the CSRF token is all a confirmation needs."""
