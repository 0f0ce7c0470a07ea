"""The app's answer to an HTTP error: a page in the reader's language, or JSON for phones and
scripts. The app factory registers these handlers; a blueprint with its own handler (paper)
falls back to the same page."""

from flask import jsonify, render_template
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from voting.errors import answers_json
from voting.extensions import db


def too_many_requests(error):
    """A limit's own message where it has one (error_message), else the general one."""
    if isinstance(error, RateLimitExceeded) and error.limit.error_message:
        message = error.description
    else:
        message = _("Too many requests from your network. Please wait a minute and try again.")
    if answers_json():
        return jsonify(error=message), 429
    return render_template("errors/too_many_requests.html", message=message), 429


def http_error_message(code: int) -> tuple[str, str]:
    """A page's title and plain explanation for an HTTP error, in the reader's language."""
    messages = {
        400: (
            _("Bad request"),
            _(
                "The page could not use what your browser sent. If you were filling in a form, "
                "the form may have expired: go back, reload the page and try again."
            ),
        ),
        403: (_("Not allowed"), _("Your account may not open this page.")),
        404: (
            _("Page not found"),
            _(
                "There is no page at this address. If you typed it from a notice, check it "
                "character by character, or scan the QR code again."
            ),
        ),
        405: (_("Not allowed"), _("This page cannot be used this way.")),
        413: (_("Too large"), _("What your browser sent is too large.")),
        500: (_("Something went wrong"), _("The server could not answer. Please try again in a moment.")),
    }
    return messages.get(code) or (_("Error %(code)d", code=code), _("The page could not be shown."))


def http_error(error: HTTPException):
    """Every HTTP error but 429 (too_many_requests): one page in the reader's language with the
    phone's viewport and a way home, instead of Werkzeug's English page; JSON for JSON requests.
    A description given on purpose (abort(403, description=...)) is shown; Werkzeug's and
    Flask-WTF's English ones are not."""
    db.session.rollback()  # whatever the view did before it was stopped
    title, message = http_error_message(error.code)
    werkzeugs = {getattr(cls, "description", None) for cls in type(error).__mro__}
    own = None if isinstance(error, CSRFError) or error.description in werkzeugs else error.description
    if answers_json():
        return jsonify(error=own or message), error.code
    return render_template("errors/http.html", code=error.code, title=title, message=message, detail=own), error.code
