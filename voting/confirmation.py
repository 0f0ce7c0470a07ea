"""The second step before an act that cannot be undone (opening a vote, certifying its result,
publishing it): the page states the consequence, and the act goes ahead only with the box
「我已核对以上内容」 ticked. The server checks the tick, not just the browser."""

from flask import flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms.validators import DataRequired

CHECKED_LABEL = _l("I have checked the above")
NOT_CONFIRMED = _l("Tick “I have checked the above” to confirm. Nothing has been changed.")


def confirmed_field() -> BooleanField:
    """The required tick of a confirmation form; templates/_confirm.html renders it."""
    return BooleanField(CHECKED_LABEL, validators=[DataRequired(message=NOT_CONFIRMED)])


def confirmed_in(data: dict) -> bool:
    """Whether a JSON request carries the tick: exactly true, nothing merely truthy."""
    return data.get("confirmed") is True


def flash_form_errors(form) -> None:
    """Say why a confirmation form (or any other) was refused: each field by name, except the
    unticked box, whose message says everything itself."""
    fields = {name: errors for name, errors in form.errors.items() if name != "csrf_token"}
    if not fields:
        flash(_("The form expired; please try again."), "error")
    for name, errors in fields.items():
        text = " ".join(map(str, errors))
        flash(
            text if name == "confirmed" else _("%(field)s: %(problem)s", field=form[name].label.text, problem=text),
            "error",
        )
