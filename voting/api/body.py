"""What an API route reads from the body: one JSON object."""

from flask import request
from flask_babel import gettext as _

from voting.errors import Refusal


class BodyRefused(Refusal):
    """A body that is not the JSON object the route reads."""

    status = 400


def json_object() -> dict:
    """The request's JSON object (Flask parses a body once and keeps it for the request)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BodyRefused(_("The request body must be a JSON object."))
    return data
