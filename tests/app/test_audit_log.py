"""The audit log as a street office reads it: who by name and role, what in words, the exact
codes, hashes and login names folded under 「技术细节」."""

from datetime import timedelta

from tests.chinese_text import faults_for_chinese_reader, readable_texts
from tests.factories import login
from voting.audit.operations import record_event
from voting.auth.models import Role
from voting.elections.operations import add_motion, create_election
from voting.extensions import db
from voting.timeutil import utcnow

ZH = {"Accept-Language": "zh-CN"}


def test_the_log_names_people_acts_and_kinds_in_words(app, factory):
    estate = factory.estate()
    group = factory.staff(Role.PREP_GROUP, estate)
    group.display_name = "黄建"
    opens = utcnow() + timedelta(days=20)
    election = create_election(group.username, estate, "屋面维修", opens, opens + timedelta(days=7))
    add_motion(group.username, election, 5, "动用维修资金维修1幢屋面")
    record_event(
        group.username,
        "board.publish",
        "board:1",
        estate_id=estate.id,
        kind="minutes",
        title="会议记录及决议",
        sha256="ab" * 32,
    )
    record_event(
        "test",
        "prep.propose_member",
        "prep_member:1",
        estate_id=estate.id,
        name="李红",
        role="owner",
        leader=False,
        account="lihong-login",
    )
    db.session.commit()
    officer = factory.staff(Role.STREET_OFFICE, estate)

    page = login(app.test_client(), officer).get(f"/estates/{estate.code}/audit", headers=ZH).get_data(as_text=True)
    first, *folds = page.split("<details")
    shown = first + "".join(fold.split("</details>", 1)[1] for fold in folds)
    folded = "".join(fold.split("</details>", 1)[0] for fold in folds)

    assert "黄建（筹备组成员）" in shown and group.username not in shown
    assert "会议记录" in shown and "minutes" not in shown  # the board notice's kind in words
    assert "使用建筑物及其附属设施的维修资金" in shown  # the motion's art. 278 item in words
    assert "一般事项" in shown  # its threshold, not the code "ordinary"
    assert "李红" in shown and "lihong-login" not in shown and "lihong-login" in folded
    assert "ab" * 32 not in shown and "{" not in shown
    assert faults_for_chinese_reader(readable_texts(page)) == []
