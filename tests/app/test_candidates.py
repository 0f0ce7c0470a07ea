"""Candidates for the owners' committee, from nomination to the committee motion of a vote:
each rule refuses what it should with a clear message, every change is audited, and the
public sees masked data only."""

from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from tests.app.test_prep import NOW, OWNERS, english, estate_roster, formed_group, owner_id, propose_valid_group
from tests.factories import resident_id
from voting.audit.models import AuditEvent
from voting.auth.access import reviewer_bodies
from voting.auth.models import Role
from voting.candidates.lists import (
    RuleSetting,
    change_settings,
    configure_rules,
    create_list,
    needed_candidates,
    rule_bodies,
)
from voting.candidates.models import CandidateError, ListKind, ListState, Nominee
from voting.candidates.motion import add_committee_motion, lists_ready
from voting.candidates.nominations import (
    NominationRejected,
    Profile,
    nominate_by_community,
    nominate_jointly,
    nominate_self,
    withdraw_nominee,
)
from voting.candidates.objections import answer_objection, lodge_objection, record_paper_objection
from voting.candidates.publication import publish_list, published_list
from voting.candidates.review import list_report, record_review, reopen_nominations, start_review
from voting.elections.operations import create_election
from voting.estates.operations import change_rules_profile
from voting.extensions import db
from voting.objections.models import ObjectionError
from voting.prep.operations import CompositionRejected, confirm_group, propose_member, propose_removal


def profile(number: int, **extra) -> Profile:
    """The profile of OWNERS[number - 1], as the group keys it from the nomination form."""
    return Profile(name=OWNERS[number - 1][0], id_number=owner_id(number), occupation="教师", **extra)


def pass_all(actor, nominee, bodies, *, except_rule=None):
    """Every verdict these bodies owe the nominee: pass (the exception fails)."""
    for rule in nominee.candidate_list.rules:
        for body in rule_bodies(rule):
            if body in bodies:
                failing = (rule.code, body) == except_rule
                record_review(
                    actor, nominee, rule.code, body, not failing, "有记录" if failing else "", bodies, now=NOW
                )


def test_needed_candidates_is_the_ceiling_of_the_margin():
    assert [needed_candidates(seats, 20) for seats in (1, 3, 5, 7)] == [2, 4, 6, 9]
    assert needed_candidates(5, 0) == 5 and needed_candidates(5, 1) == 6


def test_the_whole_path_from_the_group_to_the_committee_motion(app, factory):
    estate = factory.estate(roster=estate_roster())
    officer = factory.staff(Role.STREET_OFFICE, estate)
    community = factory.staff(Role.COMMUNITY, estate)
    member = "zhou1"  # an owner representative in the preparation group
    with english():
        propose_valid_group(estate, officer, officer.username)
        developer = propose_member(officer.username, estate, name="钱经理", role="developer")
        with pytest.raises(CompositionRejected, match="The group would have 6 members; it needs an odd number."):
            confirm_group(officer.username, estate, now=NOW)
        propose_removal(officer.username, developer, "")
        confirm_group(officer.username, estate, now=NOW)
        db.session.commit()

        candidates = create_list(
            member, estate, "业主委员会委员补选", 3, kind=ListKind.BY_ELECTION, min_joint_households=3
        )

        # Self-nominations, checked against the roll.
        wu = nominate_self(member, candidates, profile(2, party_member=True, statement="愿为业主服务"))
        assert (wu.gender, wu.birth_date.isoformat(), wu.unit_labels) == ("F", "1975-05-05", "1幢-1-102")
        with pytest.raises(CandidateError, match="李四 is not an owner of this estate according to the roll"):
            nominate_self(member, candidates, Profile(name="李四", id_number=resident_id(97)))
        with pytest.raises(CandidateError, match=r"吴二 is already nominated \(number 1\)."):
            nominate_self(member, candidates, profile(2))
        jiang = nominate_self(member, candidates, profile(9))
        yang = nominate_self(member, candidates, profile(12))  # born 1950: too old for the default rule
        db.session.commit()  # as each request does; a refused one rolls back to here

        # A joint recommendation: every line an owner, each household once.
        signatures = "\n".join(
            [
                f"陈六 {owner_id(6)}",
                f"陈六 {owner_id(6)}",
                f"李四 {resident_id(97)}",
                f"孔甲 {resident_id(21, '19781111')}",
                f"曹乙 {resident_id(22, '19790202')}",  # co-owns 孔甲's flat: the same household
                f"冯五 {owner_id(5)}",
            ]
        )
        with pytest.raises(NominationRejected) as rejected:
            nominate_jointly(member, candidates, profile(5), signatures)
        assert rejected.value.faults == [
            "Line 2 (陈六 **************" + owner_id(6)[-4:] + "): this owner already signed on line 1.",
            "Line 3 (李四 **************" + resident_id(97)[-4:] + "): no owner of this estate has this ID number.",
            "Line 5 (曹乙 **************"
            + resident_id(22, "19790202")[-4:]
            + "): this household already signed on line 4.",
            "Line 6 (冯五 **************" + owner_id(5)[-4:] + "): the nominee cannot sign their own recommendation.",
        ]
        db.session.rollback()
        with pytest.raises(
            NominationRejected, match="Owner households that signed: 2; a joint recommendation needs at least 3."
        ):
            nominate_jointly(member, candidates, profile(5), f"陈六 {owner_id(6)}\n{owner_id(7)}")
        db.session.rollback()
        feng = nominate_jointly(
            member, candidates, profile(5), f"陈六 {owner_id(6)}\n{owner_id(7)}\n孔甲，{resident_id(21, '19781111')}"
        )
        assert sorted(s.household_code for s in feng.signatures) == ["v00006", "v00007", "v00013"]

        shen = nominate_by_community(member, candidates, profile(10), "测试社区党委")
        chu = nominate_self(member, candidates, profile(7))
        assert [n.number for n in (wu, jiang, yang, feng, shen, chu)] == [1, 2, 3, 4, 5, 6]

        # Joint review: the community for its rules, the street office keys the others' replies.
        with pytest.raises(CandidateError, match="Verdicts are recorded while the list is under review."):
            record_review(community.username, wu, "fee_arrears", "community", True, "", ("community",))
        start_review(member, candidates)
        with pytest.raises(CandidateError, match="Nominations are closed for this list."):
            nominate_self(member, candidates, profile(11))
        with pytest.raises(CandidateError, match="You cannot record verdicts for the Police station."):
            record_review(community.username, wu, "criminal_record", "police", True, "", reviewer_bodies(community))
        with pytest.raises(CandidateError, match="Give the reason for the fail."):
            record_review(community.username, wu, "fee_arrears", "community", False, " ", reviewer_bodies(community))
        for nominee in (wu, jiang, yang, feng, shen, chu):
            pass_all(community.username, nominee, reviewer_bodies(community))
            pass_all(
                officer.username,
                nominee,
                ("street_office", "police", "organisation"),
                except_rule=("criminal_record", "police") if nominee is chu else None,
            )

        report = list_report(candidates, now=NOW)
        assert {row.nominee.name: row.status for row in report.rows} == {
            "吴二": "passed",
            "蒋九": "passed",
            "杨二": "failed",
            "冯五": "passed",
            "沈十": "passed",
            "褚七": "failed",
        }
        yang_age = next(v for v in report.rows[2].verdicts if v.rule_code == "age")
        assert (yang_age.state, yang_age.reason) == ("fail", "aged 76")
        chu_police = next(v for v in report.rows[5].verdicts if v.body == "police")
        assert (chu_police.state, chu_police.reason, chu_police.recorded_by) == ("fail", "有记录", officer.username)
        assert (report.party_members.count, report.party_members.total, report.party_members.percent) == (1, 4, 25)
        assert (report.women.count, report.women.percent) == (2, 50)  # 吴二 and 沈十
        assert [share.count for _label, share in report.age_groups] == [0, 3, 1, 0]
        assert (report.needed, report.competitive_fault) == (4, None)

        publish_list(member, candidates, now=NOW)
        public = published_list(candidates, now=NOW + timedelta(days=1))
        assert [n.name for n in public.nominees] == ["吴二", "蒋九", "冯五", "沈十"]  # in full: whom to object to
        assert public.open_for_objections and public.ends_at == NOW + timedelta(days=7)

        # Objections: an owner from the phone, another on paper through the group.
        with pytest.raises(ObjectionError, match="No owner of unit 1幢-1-106 has an ID number ending in these four"):
            lodge_objection(candidates, "1幢-1-106", "0000", "不同意", feng, now=NOW + timedelta(days=1))
        online = lodge_objection(
            candidates, "1幢-1-106", owner_id(6)[-4:], "冯五拖欠物业费", feng, now=NOW + timedelta(days=1)
        )
        paper = record_paper_objection(
            member,
            candidates,
            "1幢-1-108",
            owner_id(8),
            "名单公示不充分",
            received_at=NOW + timedelta(days=2),
            now=NOW + timedelta(days=3),
        )
        with pytest.raises(ObjectionError, match="That person is not on the published list."):
            lodge_objection(candidates, "1幢-1-106", owner_id(6)[-4:], "x", chu, now=NOW + timedelta(days=1))
        with pytest.raises(ObjectionError, match="Objections are accepted during the publication period only"):
            lodge_objection(candidates, "1幢-1-106", owner_id(6)[-4:], "晚了", None, now=NOW + timedelta(days=7))

        election = create_election(member, estate, "首次业主大会", NOW + timedelta(days=30), NOW + timedelta(days=40))
        with pytest.raises(CandidateError, match="The list is published until"):
            add_committee_motion(member, election, candidates, 3, now=NOW + timedelta(days=3))
        with pytest.raises(CandidateError, match="Objections still awaiting a written answer: 2."):
            add_committee_motion(member, election, candidates, 3, now=NOW + timedelta(days=8))
        answer_objection(member, online, "经核实，冯五无欠费记录。", now=NOW + timedelta(days=4))
        with pytest.raises(CandidateError, match="Objections still awaiting a written answer: 1."):
            add_committee_motion(member, election, candidates, 3, now=NOW + timedelta(days=8))
        answer_objection(member, paper, "公示已在公告栏张贴七日。", now=NOW + timedelta(days=5))
        with pytest.raises(
            CandidateError,
            match=r"Candidates: 4, seats: 4. A competitive election needs at least 5 "
            r"candidates \(20% more than the seats\).",
        ):
            add_committee_motion(member, election, candidates, 4, now=NOW + timedelta(days=8))

        motion = add_committee_motion(member, election, candidates, 3, now=NOW + timedelta(days=8))
        with pytest.raises(CandidateError, match="This list is already on a ballot."):
            add_committee_motion(member, election, candidates, 3, now=NOW + timedelta(days=8))
        with pytest.raises(CandidateError, match="The list is already on a ballot"):
            withdraw_nominee(member, jiang, "本人申请", now=NOW + timedelta(days=9))
    db.session.commit()
    assert (motion.kind, motion.seats, motion.title) == ("committee", 3, "业主委员会委员补选")
    assert [c.name for c in motion.candidates] == ["吴二", "蒋九", "冯五", "沈十"]
    assert (candidates.state, candidates.motion_id) == ("adopted", motion.id)

    events = db.session.scalars(select(AuditEvent).where(AuditEvent.estate_id == estate.id)).all()
    actions = [e.action for e in events]
    for action in (
        "prep.propose_member",
        "prep.drop_proposal",
        "prep.confirm",
        "candidates.create",
        "candidates.nominate_self",
        "candidates.nominate_joint",
        "candidates.nominate_community",
        "candidates.review_start",
        "candidates.review",
        "candidates.publish",
        "candidates.objection",
        "candidates.answer",
        "election.motion",
        "candidates.adopt",
    ):
        assert action in actions, action
    assert actions.count("candidates.review") == 6 * 7  # six nominees, seven attested verdicts each
    assert {e.actor for e in events if e.action == "candidates.objection"} == {"owner:1幢-1-106", member}
    assert {e.actor for e in events if e.action.startswith("prep.")} == {officer.username}
    assert all(e.at is not None and e.actor for e in events)


def test_each_step_of_a_list_is_refused_out_of_its_state_and_the_stored_states_stay_the_same(app, factory):
    """nominating → reviewing → published → adopted: each step only from the state before it,
    with the message people read; the column holds the same words as before, and only those."""
    estate, officer = formed_group(factory)
    election = create_election("zhou1", estate, "换届", NOW + timedelta(days=20), NOW + timedelta(days=21))

    def stored() -> str:
        return db.session.scalar(text("SELECT state FROM candidate_list WHERE id = :id"), {"id": candidates.id})

    with english():
        candidates = create_list(
            "zhou1", estate, "补选", 1, kind=ListKind.BY_ELECTION, margin_percent=0, publication_days=7
        )
        nominee = nominate_self("zhou1", candidates, profile(2))
        for step, message in [
            (lambda: publish_list("zhou1", candidates, now=NOW), "Only a reviewed list can be published."),
            (lambda: reopen_nominations("zhou1", candidates), "Only a list under review can reopen nominations."),
            (
                lambda: add_committee_motion("zhou1", election, candidates, 1, now=NOW),
                "Only a vetted and published list can become a committee motion.",
            ),
        ]:
            with pytest.raises(CandidateError, match=message):
                step()
        db.session.flush()
        assert stored() == "nominating"

        start_review("zhou1", candidates)
        db.session.flush()
        assert stored() == "reviewing"
        with pytest.raises(CandidateError, match="Only a list taking nominations can go to review."):
            start_review("zhou1", candidates)
        with pytest.raises(CandidateError, match="The rules are fixed once the review has begun."):
            configure_rules("zhou1", candidates, [])
        pass_all(officer.username, nominee, reviewer_bodies(officer))

        publish_list("zhou1", candidates, now=NOW)
        db.session.flush()
        assert stored() == "published" and candidates.publication_ends_at == NOW + timedelta(days=7)
        with pytest.raises(CandidateError, match="Only a reviewed list can be published."):
            publish_list("zhou1", candidates, now=NOW)
        with pytest.raises(CandidateError, match="The settings are fixed once the list is published."):
            change_settings("zhou1", candidates, seats=1, margin_percent=0, publication_days=7, min_joint_households=10)
        with pytest.raises(CandidateError, match="Nominations are closed for this list."):
            nominate_self("zhou1", candidates, profile(4))
        assert lists_ready(estate, now=NOW) == []
        assert lists_ready(estate, now=NOW + timedelta(days=7)) == [candidates]

        with pytest.raises(
            CandidateError, match="A by-election fills the seats a committee left unfilled: from 1 to 10"
        ):
            add_committee_motion("zhou1", election, candidates, 11, now=NOW + timedelta(days=7))
        add_committee_motion("zhou1", election, candidates, 1, now=NOW + timedelta(days=7))
        db.session.flush()
        assert stored() == "adopted" and candidates.state == ListState.ADOPTED and candidates.on_ballot
        with pytest.raises(CandidateError, match="This list is already on a ballot."):
            add_committee_motion("zhou1", election, candidates, 1, now=NOW + timedelta(days=8))
        with pytest.raises(
            CandidateError, match="The list is already on a ballot; the candidates can no longer change."
        ):
            withdraw_nominee("zhou1", nominee, "本人申请", now=NOW + timedelta(days=8))
        assert nominee.withdrawn_at is None and lists_ready(estate, now=NOW + timedelta(days=8)) == []


def test_the_database_refuses_a_list_state_it_does_not_know(app, factory):
    estate, _officer = formed_group(factory)
    candidates = create_list("zhou1", estate, "补选", 1, kind=ListKind.BY_ELECTION)
    db.session.flush()
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE candidate_list SET state = 'vetting' WHERE id = :id"), {"id": candidates.id})


def test_the_database_refuses_a_list_kind_it_does_not_know(app, factory):
    estate, _officer = formed_group(factory)
    candidates = create_list("zhou1", estate, "补选", 1, kind=ListKind.BY_ELECTION)
    db.session.flush()
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE candidate_list SET kind = 'recall' WHERE id = :id"), {"id": candidates.id})


# --- seats: a full committee is an odd number within the profile, a by-election fills fewer ---


@pytest.mark.parametrize("seats", [2, 4, 12, 3, 13])
def test_a_full_election_refuses_seats_other_than_an_odd_number_from_5_to_11(app, factory, seats):
    estate, _officer = formed_group(factory)
    message = (
        f"Seats on the committee: {seats}. A committee has an odd number of members from 5 to 11 "
        r"\(the estate's rules\), so a full election has an odd number of seats from 5 to 11."
    )
    with english():
        with pytest.raises(CandidateError, match=message):
            create_list("zhou1", estate, "第一届业主委员会委员选举", seats)
        candidates = create_list("zhou1", estate, "第一届业主委员会委员选举", 5)
        with pytest.raises(CandidateError, match=message):
            change_settings(
                "zhou1", candidates, seats=seats, margin_percent=20, publication_days=7, min_joint_households=10
            )
    assert candidates.seats == 5


@pytest.mark.parametrize("seats", [5, 7, 11])
def test_a_full_election_takes_an_odd_number_of_seats_from_5_to_11(app, factory, seats):
    estate, _officer = formed_group(factory)
    candidates = create_list("zhou1", estate, "第一届业主委员会委员选举", seats)
    assert (candidates.kind, candidates.seats) == (ListKind.ELECTION, seats)


def test_a_by_election_fills_fewer_seats_than_the_largest_committee(app, factory):
    estate, _officer = formed_group(factory)
    assert create_list("zhou1", estate, "补选", 2, kind=ListKind.BY_ELECTION).seats == 2
    with (
        english(),
        pytest.raises(
            CandidateError,
            match="Seats on the committee: 11. A by-election fills the seats a committee left unfilled: from 1 to 10, "
            "fewer than its largest size of 11.",
        ),
    ):
        create_list("zhou1", estate, "补选", 11, kind=ListKind.BY_ELECTION)


def test_the_seats_of_a_full_election_follow_the_profile(app, factory):
    estate, _officer = formed_group(factory)
    change_rules_profile("test", estate, {"committee_min_members": 7, "committee_max_members": 9})
    with english(), pytest.raises(CandidateError, match="Seats on the committee: 5. .* from 7 to 9"):
        create_list("zhou1", estate, "第一届业主委员会委员选举", 5)
    assert create_list("zhou1", estate, "第一届业主委员会委员选举", 9).seats == 9
    with english(), pytest.raises(CandidateError, match="from 1 to 8"):
        create_list("zhou1", estate, "补选", 9, kind=ListKind.BY_ELECTION)


def test_a_failing_body_keeps_a_candidate_off_the_list_and_too_few_refuse_publication(app, factory):
    estate, officer = formed_group(factory)
    with english():
        candidates = create_list("zhou1", estate, "补选", 1, kind=ListKind.BY_ELECTION)
        first = nominate_self("zhou1", candidates, profile(2))
        second = nominate_self("zhou1", candidates, profile(4))
        start_review("zhou1", candidates)
        pass_all(officer.username, first, reviewer_bodies(officer))
        pass_all(
            officer.username, second, reviewer_bodies(officer), except_rule=("illegal_construction", "street_office")
        )
        assert list_report(candidates, now=NOW).counts == {"passed": 1, "failed": 1, "pending": 0, "withdrawn": 0}
        with pytest.raises(
            CandidateError, match="Candidates: 1, seats: 1. A competitive election needs at least 2 candidates"
        ):
            publish_list("zhou1", candidates, now=NOW)


def test_publication_waits_for_every_verdict(app, factory):
    estate, officer = formed_group(factory)
    with english():
        candidates = create_list("zhou1", estate, "补选", 1, kind=ListKind.BY_ELECTION, margin_percent=0)
        nominee = nominate_self("zhou1", candidates, profile(2))
        start_review("zhou1", candidates)
        record_review(officer.username, nominee, "criminal_record", "police", True, "", reviewer_bodies(officer))
        with pytest.raises(CandidateError, match="The review is not complete; verdicts are missing for 吴二."):
            publish_list("zhou1", candidates, now=NOW)


def test_the_rules_are_chosen_per_list_from_the_catalogue(app, factory):
    estate, officer = formed_group(factory)
    with english():
        candidates = create_list("zhou1", estate, "补选", 1, kind=ListKind.BY_ELECTION, margin_percent=0)
        configure_rules(
            "zhou1",
            candidates,
            [
                RuleSetting("owner", {}, ()),
                RuleSetting("age", {"min_age": 18, "max_age": 75}, ()),
                RuleSetting("criminal_record", {"years": 5}, ("police", "street_office")),
            ],
        )
        assert [(r.code, r.bodies) for r in candidates.rules] == [
            ("owner", ""),
            ("age", ""),
            ("criminal_record", "street_office police"),
        ]
        with pytest.raises(CandidateError, match="The rule “Owner of an exclusive part of the estate” always applies."):
            configure_rules("zhou1", candidates, [RuleSetting("age", {"min_age": 18, "max_age": 75}, ())])
        with pytest.raises(CandidateError, match="Choose who attests the rule “Owes no property fees”."):
            configure_rules("zhou1", candidates, [RuleSetting("owner", {}, ()), RuleSetting("fee_arrears", {}, ())])
        yang = nominate_self("zhou1", candidates, profile(12))  # aged 76
        start_review("zhou1", candidates)
        with pytest.raises(CandidateError, match="The rules are fixed once the review has begun."):
            configure_rules("zhou1", candidates, [RuleSetting("owner", {}, ())])
        with pytest.raises(CandidateError, match="On this list, the Community does not attest that rule."):
            record_review(officer.username, yang, "fee_arrears", "community", True, "", reviewer_bodies(officer))
        pass_all(officer.username, yang, reviewer_bodies(officer))
    (row,) = list_report(candidates, now=NOW).rows
    assert row.status == "failed" and [v.rule_code for v in row.verdicts if v.state == "fail"] == ["age"]


def test_a_nominee_without_a_resident_id_gives_birth_date_and_gender(app, factory):
    from datetime import date

    from tests.factories import roster_csv
    from voting.roster.operations import import_roster

    estate, _officer = formed_group(factory)
    import_roster(
        "test",
        estate,
        roster_csv(
            [
                ["1幢", "1", f"{100 + n}", "住宅", "90.00", "登记", name, owner_id(n), "", "已交付"]
                for n, (name, _born) in enumerate(OWNERS, start=1)
            ]
            + [["3幢", "", "301", "住宅", "80.00", "登记", "史密斯", "E12345678", "", "已交付"]]
        ),
        "roster.csv",
    )
    with english():
        candidates = create_list("zhou1", estate, "补选", 1, kind=ListKind.BY_ELECTION)
        smith = Profile(name="史密斯", id_number="E12345678")
        with pytest.raises(CandidateError, match="This ID number shows no date of birth"):
            nominate_self("zhou1", candidates, smith)
        smith.birth_date, smith.gender = date(1970, 3, 1), "M"
        assert nominate_self("zhou1", candidates, smith).unit_labels == "3幢-301"
        with pytest.raises(CandidateError, match="Date of birth and gender must match the resident ID number."):
            nominate_self("zhou1", candidates, profile(2, gender="M"))
        with pytest.raises(CandidateError, match="The photo must be a JPEG or PNG image."):
            nominate_self("zhou1", candidates, profile(2, photo=b"GIF89a"))


def test_nominations_need_a_formed_group(app, factory):
    estate = factory.estate(roster=estate_roster())
    with english(), pytest.raises(CandidateError, match="Form the preparation group first"):
        create_list("someone", estate, "选举", 3)


def test_a_withdrawal_can_make_the_list_too_small(app, factory):
    estate, officer = formed_group(factory)
    with english():
        candidates = create_list("zhou1", estate, "补选", 1, kind=ListKind.BY_ELECTION, publication_days=1)
        first, second = (nominate_self("zhou1", candidates, profile(n)) for n in (2, 4))
        start_review("zhou1", candidates)
        for nominee in (first, second):
            pass_all(officer.username, nominee, reviewer_bodies(officer))
        publish_list("zhou1", candidates, now=NOW)
        with pytest.raises(CandidateError, match="Give the reason for the withdrawal"):
            withdraw_nominee("zhou1", second, "  ", now=NOW)
        withdraw_nominee("zhou1", second, "本人因工作调动申请退出", now=NOW + timedelta(hours=2))
        assert published_list(candidates).nominees[1].withdrawal_reason == "本人因工作调动申请退出"
        election = create_election("zhou1", estate, "大会", NOW + timedelta(days=20), NOW + timedelta(days=30))
        with pytest.raises(
            CandidateError, match="Candidates: 1, seats: 1. A competitive election needs at least 2 candidates"
        ):
            add_committee_motion("zhou1", election, candidates, 1, now=NOW + timedelta(days=2))
    assert db.session.scalar(select(Nominee.withdrawn_by).where(Nominee.id == second.id)) == "zhou1"
