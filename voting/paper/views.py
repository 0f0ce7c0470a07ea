"""Paper ballots: keyed by one clerk, re-keyed blind by another, signed by both in their browsers."""

from flask import Blueprint

blueprint = Blueprint("paper", __name__, url_prefix="/estates/<code>/elections/<int:election_id>/paper")
