"""What a clerk submits, read alike from the HTML forms and from a JSON body (scripts).

The forms are plain HTML with {{ csrf_token() }}: their choice fields follow the motions of
each vote, and CSRFProtect checks the token (form field or X-CSRFToken header) on every POST.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request
from flask_babel import gettext as _

from voting.core.canonical import b64d
from voting.paper.operations import PaperRefused


def choice_field(motion_id: str) -> str:
    """The form field of a motion's choice; prefixed so that no motion id meets another field."""
    return f"choice-{motion_id}"


def wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


@dataclass(frozen=True)
class Entry:
    unit: str | None
    officer_id: str | None
    choices: dict  # motion id -> choice as submitted; read_choices judges it
    scan: bytes | None
    rekey_of: int | None  # a mismatched ballot whose scan is keyed again


def _json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise PaperRefused(_("The request body must be a JSON object."))
    return data


def _paper_id(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: Infinity, which Flask's JSON reads
        raise PaperRefused(_("rekey_of must be the number of a paper ballot.")) from None


def _scan_from_json(value) -> bytes | None:
    if value is None:
        return None
    try:
        return b64d(value)
    except ValueError:
        raise PaperRefused(_("scan must be the file's bytes in base64url without padding.")) from None


def read_entry(motions: list[dict]) -> Entry:
    if request.is_json:
        data = _json_body()
        return Entry(data.get("unit"), data.get("officer_id"), data.get("choices", {}),
                     _scan_from_json(data.get("scan")), _paper_id(data.get("rekey_of")))
    form = request.form
    choices = {
        m["motion_id"]: form.getlist(choice_field(m["motion_id"])) if m["kind"] == "committee"
        else form.get(choice_field(m["motion_id"]), "")
        for m in motions
    }
    upload = request.files.get("scan")
    return Entry(form.get("unit"), form.get("officer_id"), choices, upload.read() if upload else None,
                 _paper_id(form.get("rekey_of")))


def read_public_key():
    return (_json_body() if request.is_json else request.form).get("public_key")


def read_signature() -> tuple:
    """(officer_id, signature) as the clerk's browser posts them."""
    data = _json_body() if request.is_json else request.form
    return data.get("officer_id"), data.get("signature")
