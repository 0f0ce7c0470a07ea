"""Staff pages for votes: draft, open, close, tally, export."""

from flask import Blueprint

blueprint = Blueprint("elections", __name__, url_prefix="/estates/<code>/elections")
