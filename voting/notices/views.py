"""Voting notices (表决通知书): rendered in the background, downloaded once, reissued when lost."""

from flask import Blueprint

blueprint = Blueprint("notices", __name__, url_prefix="/estates/<code>/elections/<int:election_id>/notices")
