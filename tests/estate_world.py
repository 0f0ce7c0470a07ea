"""One estate in use, with an object behind every route: for walks over every page (escaping,
security headers, the Chinese interface), each with its own wording of what people typed."""

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from tests.elections_kit import PASSPHRASE, add_witness, count_vote, notice_secrets
from tests.factories import PASSWORD, Factory, login, resident_id, roster_csv
from voting.auth.access import reviewer_bodies
from voting.auth.models import Role
from voting.auth.operations import create_staff
from voting.ballots.operations import cast_online
from voting.board.models import BoardNotice
from voting.board.results import publish_results
from voting.candidates.lists import create_list, rule_bodies
from voting.candidates.models import ListKind
from voting.candidates.motion import add_committee_motion
from voting.candidates.nominations import Profile, nominate_by_community, nominate_self
from voting.candidates.objections import answer_objection, lodge_objection
from voting.candidates.publication import publish_list
from voting.candidates.review import record_review, start_review
from voting.certification.operations import refuse
from voting.core import record_v2, signing
from voting.core.canonical import b64e
from voting.credentials.operations import prepare_request, sign_request
from voting.demo import announce_as_of
from voting.elections.documents import attach_document
from voting.elections.operations import add_motion, create_election, open_election, register_officer
from voting.estates.operations import create_community, create_estate, create_street_office
from voting.extend.operations import propose_extension
from voting.extensions import db
from voting.paper.operations import PaperEntry, find_voter, handin_body, key_ballot, record_handin
from voting.prep.models import PrepMember
from voting.prep.operations import confirm_group, propose_member
from voting.roster.objections import answer_roll_objection, lodge_roll_objection
from voting.roster.operations import import_roster, publish_roll, stage_upload
from voting.timeutil import utcnow

OWNERS = 8


@dataclass(frozen=True)
class Wording:
    """What people typed: ``text(n)`` for the n-th field, and the roll's building, entrance,
    rooms and owners' names (its columns are short: building 40, entrance 20, room 40)."""

    text: Callable[[int], str]
    building: str
    entrance: str
    room: Callable[[int], str]
    owner_name: Callable[[int], str]

    def unit_label(self, number: int) -> str:
        return f"{self.building}-{self.entrance}-{self.room(number)}"

    def roster(self) -> bytes:
        return roster_csv(
            [
                [
                    self.building,
                    self.entrance,
                    self.room(n),
                    "住宅",
                    "90.00",
                    "登记",
                    self.owner_name(n),
                    resident_id(n),
                    "",
                    "已交付",
                ]
                for n in range(1, OWNERS + 1)
            ]
        )


SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨"
# As a preparation group writes: Chinese text, each field its own.
CHINESE = Wording(
    text=lambda n: f"金山花园第{n + 1}项说明",
    building="1幢",
    entrance="2单元",
    room=lambda n: f"{n}01",
    owner_name=lambda n: f"{SURNAMES[n]}建国",
)


class EstateWorld:
    """An estate in use, every typed field written by ``wording``: a confirmed preparation group,
    a published candidate list with an answered objection, the published roll with an answered
    objection, two votes (one counted, its results on the board and its certification refused;
    one open, with two clerks' keys, a paper ballot and a credential request) and the notice
    board (one notice up, one withdrawn)."""

    def __init__(self, app, factory: Factory, wording: "Wording", name: str = "X"):
        """``name`` tells worlds apart in one database: their codes, user names and staff."""
        now = utcnow()
        self.wording = wording
        self.fields: dict[str, str] = {}
        office = create_street_office("test", f"SO-{name}", self.field("street office"))
        community = create_community("test", office, f"CO-{name}", self.field("community"))
        self.estate = estate = create_estate("test", f"ES-{name}", self.field("estate"), community)
        import_roster("test", estate, wording.roster(), "roll.csv")

        people = itertools.count(1 + 100 * (ord(name) - ord("X")))
        own = "" if name == "X" else f"{name.lower()}-"  # the first world's user names as they were

        def account(role: Role, username: str, **scope):
            return create_staff(
                "test",
                username,
                self.field(f"staff {username}"),
                PASSWORD,
                role,
                id_number=resident_id(next(people), "19700101"),
                **scope,
            )

        self.admin = account(Role.PLATFORM_ADMIN, f"admin-{name.lower()}")
        self.officer = account(Role.STREET_OFFICE, f"officer-{name.lower()}", street_office_id=office.id)
        self.group = account(Role.PREP_GROUP, f"group-{name.lower()}", estate_id=estate.id)
        self.clerks = [account(Role.CLERK, f"{own}clerk-{n}", estate_id=estate.id) for n in (1, 2)]
        self.community_staff = account(Role.COMMUNITY, f"community-{name.lower()}", community_id=community.id)
        self.upload = stage_upload(estate, wording.roster(), f"{self.field('file name')}.csv", self.group.id)
        db.session.commit()

        actor = self.officer.username
        published = now - timedelta(days=10)
        propose_member(
            actor, estate, name=self.field("leader"), role="street_office", leader=True, account=self.officer
        )
        propose_member(
            actor,
            estate,
            name=self.field("community member"),
            role="community",
            organisation=self.field("organisation"),
            account=self.group,
        )
        for number in (1, 2, 3):
            propose_member(actor, estate, name=wording.owner_name(number), role="owner", id_number=resident_id(number))
        confirm_group(actor, estate, now=published - timedelta(days=5))
        self.candidates = create_list(actor, estate, self.field("list title"), 1, kind=ListKind.BY_ELECTION)
        profile = {"occupation": self.field("occupation"), "statement": self.field("statement")}
        nominees = [
            nominate_self(
                actor,
                self.candidates,
                Profile(
                    name=wording.owner_name(4),
                    id_number=resident_id(4),
                    photo=b"\x89PNG\r\n\x1a\n" + b"photo",
                    **profile,
                ),
            ),
            nominate_by_community(
                actor,
                self.candidates,
                Profile(name=wording.owner_name(5), id_number=resident_id(5), **profile),
                self.field("recommended by"),
            ),
            nominate_self(actor, self.candidates, Profile(name=wording.owner_name(6), id_number=resident_id(6))),
        ]
        start_review(actor, self.candidates)
        for nominee in nominees:
            for rule in self.candidates.rules:
                for body in rule_bodies(rule):
                    failing = nominee is nominees[2] and rule is self.candidates.rules[0]  # with a reason to show
                    record_review(
                        actor,
                        nominee,
                        rule.code,
                        body,
                        not failing,
                        self.field("review reason") if failing else "",
                        reviewer_bodies(self.officer),
                        now=published,
                    )
        publish_list(actor, self.candidates, now=published)
        self.objection = lodge_objection(
            self.candidates,
            wording.unit_label(7),
            resident_id(7)[-4:],
            self.field("objection"),
            nominees[0],
            now=published + timedelta(days=1),
        )
        answer_objection(actor, self.objection, self.field("answer"), now=published + timedelta(days=2))
        self.nominees = nominees
        db.session.commit()

        # The published roll, with an objection to a unit's area answered before any vote opened on it.
        publish_roll(actor, estate)
        self.roll_objection = lodge_roll_objection(
            estate,
            wording.unit_label(6),
            resident_id(6)[-4:],
            "area",
            wording.unit_label(3),
            self.field("roll objection"),
        )
        answer_roll_objection(actor, self.roll_objection, self.field("roll answer"))
        db.session.commit()

        # The counted vote: ballots in, closed, counted, results on the board, certification refused.
        self.counted = create_election(
            actor, estate, self.field("counted title"), now - timedelta(days=3), now - timedelta(days=1)
        )
        add_motion(actor, self.counted, 9, self.field("ordinary motion"))
        add_committee_motion(actor, self.counted, self.candidates, 1)
        add_witness(self.counted)
        announce_as_of(actor, self.counted)  # the meeting notice printed for real: its title is typed text
        batch = open_election(actor, self.counted, PASSPHRASE)
        seeds = notice_secrets(batch)
        for voter in sorted(seeds)[:3]:
            ballot = {
                "election_hash": self.counted.election_hash,
                "voter_id": voter,
                "channel": "online",
                "nonce": b64e(b"n" * 16 + voter.encode()),
                "choices": {"m1": "yes", "m2": ["c2-1"]},
            }
            cast_online(
                self.counted,
                ballot,
                signing.sign(signing.private_key_from_seed(seeds[voter]), "ballot", ballot, record_v2.VERSION),
                now=now - timedelta(days=2),
            )
        count_vote(self.counted, actor)
        publish_results(actor, self.counted, scrutineers=[self.field("scrutineer")])
        refuse(self.officer, self.counted, self.field("refusal reason"))
        db.session.commit()

        # The open vote, with two clerks' keys registered in its draft.
        self.open = create_election(
            actor, estate, self.field("open title"), now - timedelta(hours=1), now + timedelta(days=1)
        )
        major = add_motion(actor, self.open, 8, self.field("major motion"))
        db.session.flush()
        self.document = attach_document(
            actor, major, self.field("document title"), "draft.pdf", b"%PDF-1.7\n" + self.estate.code.encode()
        )
        seed, public_key = signing.generate_keypair()
        keyer = register_officer(actor, self.open, self.clerks[0], "clerk", public_key)
        register_officer(actor, self.open, self.clerks[1], "clerk", signing.generate_keypair()[1])
        group_seed, group_key = signing.generate_keypair()
        group_officer = register_officer(actor, self.open, self.group, "preparation_group", group_key)
        announce_as_of(actor, self.open)
        open_election(actor, self.open, PASSPHRASE)
        db.session.flush()
        handin = handin_body(self.open, find_voter(self.open, wording.unit_label(8)), identity_checked=False)
        record_handin(
            self.clerks[0],
            self.open,
            keyer.officer_id,
            handin,
            signing.sign(signing.private_key_from_seed(seed), "handin", handin, record_v2.VERSION),
        )
        self.paper = key_ballot(
            self.clerks[0],
            self.open,
            PaperEntry(
                unit=wording.unit_label(8),
                officer_id=keyer.officer_id,
                choices={"m1": "yes"},
                invalid={},
                unsigned=False,
                handin=handin["desk_receipt"],
                scan=b"\x89PNG\r\n\x1a\n" + b"scan",
                proxy_scan=b"\x89PNG\r\n\x1a\n" + b"proxy",
                rekey_of=None,
            ),
        )
        self.desk_receipt = handin["desk_receipt"]
        self.credential_request = prepare_request(
            self.group, self.open, wording.unit_label(7), "revoke", "lost", "https://vote.test"
        ).request
        # Signed by its requester: it waits for another person's approval.
        sign_request(
            self.group,
            self.open,
            self.credential_request.id,
            group_officer.officer_id,
            signing.sign(
                signing.private_key_from_seed(group_seed),
                "credential",
                self.credential_request.body(),
                record_v2.VERSION,
            ),
        )
        # An extension proposed, not yet signed: its pages too.
        self.extension_request = propose_extension(
            self.group, self.open, self.open.closes_at + timedelta(days=7), self.field("extension reason")
        )
        db.session.commit()

        # The notice board, through its form: one notice stays up, one is withdrawn with a reason.
        client = login(app.test_client(), self.group)
        start = datetime.now(timezone(timedelta(hours=8))) - timedelta(hours=1)
        for title in ("notice title", "withdrawn title"):
            posted = client.post(
                f"/estates/{estate.code}/board/",
                data={
                    "kind": "other",
                    "title": self.field(title),
                    "text": self.field(f"{title} text"),
                    "signed_by": self.field(f"{title} signed by"),
                    "published_from": start.strftime("%Y-%m-%dT%H:%M"),
                },
            )
            assert posted.status_code == 302, posted.get_data(as_text=True)
        self.notices = db.session.scalars(
            select(BoardNotice).where(BoardNotice.estate_id == estate.id).order_by(BoardNotice.id)
        ).all()
        withdrawn = self.notices[-1]
        assert (
            client.post(
                f"/estates/{estate.code}/board/{withdrawn.id}/withdraw",
                data={"reason": self.field("withdrawal reason")},
            ).status_code
            == 302
        )

    def field(self, name: str) -> str:
        """The value typed into the named field, told apart from the others by its number."""
        self.fields[name] = self.wording.text(len(self.fields))
        return self.fields[name]


def world_values(world: EstateWorld) -> dict[str, list]:
    """Every value of the world's estate each URL argument can take."""
    return {
        "code": [world.estate.code],
        "election_id": [world.counted.id, world.open.id],
        "public_id": [world.counted.public_id, world.open.public_id],
        "list_id": [world.candidates.id],
        "nominee_id": [nominee.id for nominee in world.nominees],
        "objection_id": [world.objection.id],
        "roll_objection_id": [world.roll_objection.id],
        "ref": [world.objection.ref, world.roll_objection.ref],
        "upload_id": [world.upload.id],
        "paper_id": [world.paper.id],
        "desk_receipt": [world.desk_receipt],
        "request_id": [world.credential_request.id],
        "extension_id": [world.extension_request.id],
        "notice_id": [notice.id for notice in world.notices],
        "member_id": [db.session.scalar(select(PrepMember.id).order_by(PrepMember.id).limit(1))],
        "staff_id": [world.clerks[1].id],
        "document_id": [world.document.id],
        "sha256": [world.document.sha256],
        "lang": ["en"],
        "filename": ["site.css"],
    }


def route_urls(app, world: EstateWorld) -> list[tuple[str, str]]:
    """(method, URL) for every route and method, with every value of the estate each argument can take."""
    values = world_values(world)
    urls = []
    for rule in app.url_map.iter_rules():
        arguments = sorted(rule.arguments)
        assert set(arguments) <= values.keys(), f"{rule}: give the walk a value for {set(arguments) - values.keys()}"
        for combination in itertools.product(*(values[name] for name in arguments)):
            url = rule.build(dict(zip(arguments, combination)), append_unknown=False)[1]
            urls += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return urls


def staff_clients(app, world: EstateWorld) -> dict:
    return {
        staff.username: login(app.test_client(), staff)
        for staff in (world.admin, world.officer, world.group, world.clerks[0], world.community_staff)
    }
