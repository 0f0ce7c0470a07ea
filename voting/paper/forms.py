"""What a clerk submits, read alike from the HTML forms and from a JSON body (scripts).

The forms are plain HTML with {{ csrf_token() }}: their choice fields follow the motions of
each vote, and CSRFProtect checks the token (form field or X-CSRFToken header) on every POST.
"""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from voting.core.canonical import b64d
from voting.paper.operations import PaperEntry, PaperRefused


def choice_field(motion_id: str) -> str:
    """The form field of a motion's choice; prefixed so that no motion id meets another field."""
    return f"choice-{motion_id}"


def invalid_field(motion_id: str) -> str:
    """The form field of the reason a motion's choice is invalid (废票), blank if it is not."""
    return f"invalid-{motion_id}"


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


def _file_from_json(data: dict, name: str) -> bytes | None:
    if data.get(name) is None:
        return None
    try:
        return b64d(data[name])
    except (TypeError, ValueError):
        raise PaperRefused(_("%(field)s must be the file's bytes in base64url without padding.", field=name)) from None


def _upload(name: str) -> bytes | None:
    upload = request.files.get(name)
    return upload.read() if upload else None


def read_entry(motions: list[dict]) -> PaperEntry:
    if request.is_json:
        data = _json_body()
        return PaperEntry(
            data.get("unit"),
            data.get("officer_id"),
            data.get("choices", {}),
            data.get("invalid", {}),
            data.get("unsigned") is True,
            data.get("handin"),
            _file_from_json(data, "scan"),
            _file_from_json(data, "proxy_scan"),
            _paper_id(data.get("rekey_of")),
        )
    form = request.form
    choices = {
        m["motion_id"]: form.getlist(choice_field(m["motion_id"]))
        if m["kind"] == "committee"
        else form.get(choice_field(m["motion_id"]), "")
        for m in motions
    }
    invalid = {m["motion_id"]: form.get(invalid_field(m["motion_id"]), "") for m in motions}
    return PaperEntry(
        form.get("unit"),
        form.get("officer_id"),
        choices,
        invalid,
        form.get("unsigned") == "1",
        form.get("handin"),
        _upload("scan"),
        _upload("proxy_scan"),
        _paper_id(form.get("rekey_of")),
    )


def read_handin_request() -> tuple[str, bool, bool]:
    """(unit, sealed box, identity checked) as the desk's form asks for a hand-in to sign."""
    return (
        request.args.get("unit", "").strip(),
        request.args.get("sealed_box") == "1",
        request.args.get("identity_checked") == "1",
    )


def read_signed_body() -> tuple:
    """(officer_id, body, signature) as officer_keys.js posts a body it signed."""
    data = _json_body()
    return data.get("officer_id"), data.get("body"), data.get("signature")


def read_public_key():
    return (_json_body() if request.is_json else request.form).get("public_key")


def read_signature() -> tuple:
    """(officer_id, signature) as the clerk's browser posts them."""
    data = _json_body() if request.is_json else request.form
    return data.get("officer_id"), data.get("signature")
