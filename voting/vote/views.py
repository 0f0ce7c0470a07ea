"""Owners vote here from the QR code on their notice: no login, the phone's signature is the proof."""

from flask import Blueprint

blueprint = Blueprint("vote", __name__, url_prefix="/v")
