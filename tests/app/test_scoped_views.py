"""The views' declared access (voting.auth.access.scoped) on real routes: an object another estate
(or another list) owns answers 404 even to a user who may see it where it belongs, and a role
without the declared permission gets 403."""

from tests.elections_kit import open_vote
from tests.factories import login, resident_id, small_roster
from voting.auth.models import Role
from voting.candidates.lists import create_list
from voting.candidates.models import ListKind
from voting.candidates.nominations import Profile, nominate_self
from voting.extensions import db


def test_a_vote_is_found_only_under_its_own_estate(app, factory):
    mine = factory.estate(roster=small_roster())
    neighbour = factory.estate(office=mine.community.street_office, roster=small_roster())
    theirs = open_vote(neighbour).election
    officer = login(app.test_client(), factory.staff(Role.STREET_OFFICE, mine))  # sees both estates

    assert officer.get(f"/estates/{neighbour.code}/elections/{theirs.id}/").status_code == 200
    assert officer.get(f"/estates/{mine.code}/elections/{theirs.id}/").status_code == 404


def test_a_nominee_is_found_only_under_its_own_list(app, factory):
    estate = factory.estate(roster=small_roster())
    group = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))  # forms the group
    first, second = (
        create_list("test", estate, title, 1, kind=ListKind.BY_ELECTION) for title in ("业委会委员", "业委会候补委员")
    )
    nominee = nominate_self("test", second, Profile(name="赵六", id_number=resident_id(4)))
    db.session.commit()
    base = f"/estates/{estate.code}/candidates"

    assert group.get(f"{base}/{second.id}/nominees/{nominee.id}").status_code == 200
    assert group.get(f"{base}/{first.id}/nominees/{nominee.id}").status_code == 404


def test_a_role_without_the_declared_permission_is_refused(app, factory):
    estate = factory.estate(roster=small_roster())
    election = open_vote(estate).election
    community = login(app.test_client(), factory.staff(Role.COMMUNITY, estate))
    base = f"/estates/{estate.code}/elections/{election.id}"

    assert community.get(f"{base}/turnout").status_code == 200  # VIEW_ELECTION
    assert community.get(f"{base}/canvass").status_code == 403  # MANAGE_ELECTION
    # Only an officer of the estate's own street office witnesses its log (its script posts to the API).
    assert community.post(f"/api{base}/witness/checkpoint", json={}).status_code == 403
