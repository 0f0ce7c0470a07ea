"""A member of staff changes their own password: every other login of the account ends on the
server, this one goes on; a wrong current password or a mistyped repetition changes nothing."""

from sqlalchemy import select

from tests.factories import PASSWORD, login
from voting.audit.models import AuditEvent
from voting.auth.models import Role, Staff
from voting.auth.operations import authenticate
from voting.extensions import db

NEW = "a new password, long enough"
FORM = {"current_password": PASSWORD, "new_password": NEW, "confirmation": NEW}


def opens_estate(client, estate) -> bool:
    return client.get(f"/estates/{estate.code}").status_code == 200  # else to the login page


def test_a_new_password_ends_the_other_logins_and_keeps_this_one(app, factory, english):
    estate = factory.estate()
    staff = factory.staff(Role.PREP_GROUP, estate)
    here, elsewhere = login(app.test_client(), staff), login(app.test_client(), staff)
    copied = app.test_client()  # this browser's cookie as it was before the change
    copied.set_cookie("session", here.get_cookie("session").value)
    assert opens_estate(here, estate) and opens_estate(elsewhere, estate) and opens_estate(copied, estate)

    assert "/password" in here.get("/").get_data(as_text=True)  # in the staff navigation
    changed = here.post("/password", data=FORM)
    assert changed.status_code == 302 and changed.location == "/"

    assert opens_estate(here, estate)
    assert not opens_estate(elsewhere, estate) and not opens_estate(copied, estate)
    assert authenticate(staff.username, NEW) is not None and authenticate(staff.username, PASSWORD) is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "staff.password"))
    assert (event.actor, event.target, event.estate_id) == (staff.username, f"staff:{staff.username}", estate.id)
    log = here.get(f"/estates/{estate.code}/audit").get_data(as_text=True)
    assert "Password changed by its holder" in log


def test_a_wrong_current_password_or_a_mistyped_repetition_changes_nothing(app, factory, english):
    estate = factory.estate()
    staff = factory.staff(Role.PREP_GROUP, estate)
    token = staff.session_token
    here, elsewhere = login(app.test_client(), staff), login(app.test_client(), staff)
    same = {"new_password": PASSWORD, "confirmation": PASSWORD}
    attempts = {
        "The current password is not right.": FORM | {"current_password": "not my password"},
        "The new password typed a second time differs from the first.": FORM | {"confirmation": NEW + "!"},
        "The new password must have at least 10 characters.": FORM | {"new_password": "short", "confirmation": "short"},
        "The new password must differ from the current one.": FORM | same,
    }
    for message, form in attempts.items():
        refused = here.post("/password", data=form)
        assert refused.status_code in (200, 422) and message in refused.get_data(as_text=True), message
    db.session.expire_all()
    assert db.session.get(Staff, staff.id).session_token == token
    assert opens_estate(here, estate) and opens_estate(elsewhere, estate)
    assert authenticate(staff.username, PASSWORD) is not None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "staff.password")) is None


def test_the_page_needs_a_login(app):
    response = app.test_client().get("/password")
    assert response.status_code == 302 and "/login" in response.location
