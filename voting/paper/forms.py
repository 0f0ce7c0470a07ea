"""What a clerk submits on the paper pages' HTML forms (the JSON API reads its own: voting.api.paper).

The forms are plain HTML with {{ csrf_token() }}: their choice fields follow the motions of
each vote, and CSRFProtect checks the token on every POST.
"""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from voting.paper.operations import PaperEntry, PaperRefused


def choice_field(motion_id: str) -> str:
    """The form field of a motion's choice; prefixed so that no motion id meets another field."""
    return f"choice-{motion_id}"


def invalid_field(motion_id: str) -> str:
    """The form field of the reason a motion's choice is invalid (废票), blank if it is not."""
    return f"invalid-{motion_id}"


def read_paper_id(value) -> int | None:
    """The paper ballot keyed again (rekey_of), as a form or a JSON body gives it."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: Infinity, which Flask's JSON reads
        raise PaperRefused(_("rekey_of must be the number of a paper ballot.")) from None


def _upload(name: str) -> bytes | None:
    upload = request.files.get(name)
    return upload.read() if upload else None


def read_entry(motions: list[dict]) -> PaperEntry:
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
        read_paper_id(form.get("rekey_of")),
    )


def read_handin_request() -> tuple[str, bool, bool]:
    """(unit, sealed box, identity checked) as the desk's form asks for a hand-in to sign."""
    return (
        request.args.get("unit", "").strip(),
        request.args.get("sealed_box") == "1",
        request.args.get("identity_checked") == "1",
    )
