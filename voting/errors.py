"""Refusals: one base exception for every step an operation refuses, and the one answer to it.

An operation raises a :class:`Refusal` (each feature has its own subclass) with a message for
people and an HTTP status. The app's handler (:func:`answer_refusal`, registered in
``voting.app``) rolls the request's changes back and answers ``{"error": message}`` on the JSON
API (everything under ``/api/``, voting.api), or flashes the message and sends a browser back to
the page it came from. HTTP errors (404, 403, a bad CSRF token, 429) get the same two kinds of
answer: a page in the reader's language, or JSON on the API.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from voting.extensions import db

# Where the JSON API answers (voting.api): phones' and browsers' scripts, never a page.
API_PREFIX = "/api"


class Refusal(ValueError):
    """A step that cannot be taken; the message says why, for the person who asked. Nothing of
    the request is kept but what :meth:`record` writes after the rollback."""

    status = 422  # the request was understood; the state or rules of what it acts on forbid it
    page: str | None = None  # the endpoint a refused browser goes to, where the refusal decides it

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        if status is not None:
            self.status = status

    @property
    def messages(self) -> list[str]:
        """What a page shows, one message each (a rejected composition lists every fault)."""
        return [str(self)]

    def record(self) -> None:
        """What stays written of the refused step once the rest is rolled back: nothing, unless a
        subclass audits the refusal itself."""


class EveryFault(Refusal):
    """A refusal that lists every fault it found, each shown as a message of its own."""

    def __init__(self, faults: list[str]):
        super().__init__(" ".join(faults))
        self.faults = faults

    @property
    def messages(self) -> list[str]:
        return self.faults


def answers_json() -> bool:
    """JSON for every request to the API, also one that names no route of it (a mistyped path);
    a page for every other, whatever it sent or asked for: the pages take forms only."""
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


def returns_to(endpoint: str, *kept_args: str):
    """Names the page a browser goes back to when this view refuses (the URL's values carry over,
    and the query arguments named in ``kept_args``). Without it a refused form post goes back to
    the form's own page, and anything else to the estate's page."""

    def mark(view):
        view.refusal_page = (endpoint, kept_args)
        return view

    return mark


def _values_for(endpoint: str) -> dict:
    rule = next(current_app.url_map.iter_rules(endpoint))
    return {name: value for name, value in (request.view_args or {}).items() if name in rule.arguments}


def page_before(refusal: Refusal) -> str:
    """Where a refused browser request goes back to (always this site's page)."""
    if refusal.page is not None:
        return url_for(refusal.page, **_values_for(refusal.page))
    view = current_app.view_functions.get(request.endpoint)
    declared = getattr(view, "refusal_page", None)
    if declared is not None:
        endpoint, kept_args = declared
        kept = {name: request.args[name] for name in kept_args if name in request.args}
        return url_for(endpoint, **_values_for(endpoint), **kept)
    if request.method != "GET" and request.url_rule is not None and "GET" in request.url_rule.methods:
        return url_for(request.endpoint, **(request.view_args or {}))
    if "code" in (request.view_args or {}):
        return url_for("estates.estate", code=request.view_args["code"])
    return url_for("estates.dashboard")


def answer_refusal(refusal: Refusal):
    """The app's one answer to a refused step: nothing of it is kept (but its own record)."""
    db.session.rollback()
    refusal.record()
    db.session.commit()
    if answers_json():
        return jsonify(error=str(refusal)), refusal.status
    for message in refusal.messages:
        flash(message, "error")
    return redirect(page_before(refusal))


def form_again(refusal: Refusal, page: Callable[[], str]) -> tuple[str, int]:
    """A form's page shown again after its step was refused, keeping what was typed: the refusal's
    messages flashed above it, and its status, which keeps nothing of the request
    (voting.transactions)."""
    for message in refusal.messages:
        flash(message, "error")
    return page(), refusal.status


# --- HTTP errors: a page in the reader's language, or JSON for phones and scripts ----------


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
        401: (_("Not allowed"), _("Please log in to open this page.")),  # the API's: pages send to the login
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
