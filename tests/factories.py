"""Small builders for test data: places, staff, rosters."""

import csv
import io
from itertools import count

from voting.auth.models import Role
from voting.auth.operations import create_staff
from voting.estates.operations import create_community, create_estate, create_street_office
from voting.extensions import db
from voting.prep.models import PrepGroup, PrepMember
from voting.prep.operations import group_of
from voting.roster.operations import import_roster
from voting.roster.parsing import uscc_check_char
from voting.timeutil import utcnow

PASSWORD = "correct horse battery"
HEADERS = ["楼栋", "单元", "室号", "用途", "专有部分面积", "面积来源", "权利人", "证件号码", "联系电话", "房屋状态"]


def resident_id(serial: int, birth: str = "19800101") -> str:
    """A valid 18-digit resident ID (GB 11643 check digit) for a test person."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    body = f"330282{birth}{serial % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(body, weights))
    return body + "10X98765432"[total % 11]


def credit_code(serial: int) -> str:
    """A valid unified social credit code (GB 32100 check character) for a test company."""
    body = f"91330282MA2{serial % 1_000_000:06d}"
    return body + uscc_check_char(body)


def roster_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def small_roster() -> bytes:
    """Five units: a couple co-owning one flat, a buyer of two, the developer's unsold shop."""
    return roster_csv(
        [
            [
                "1幢",
                "1",
                "101",
                "住宅",
                "89.56",
                "登记",
                "张三、李四",
                f"{resident_id(1)}、{resident_id(2)}",
                "",
                "已交付",
            ],
            ["1幢", "1", "102", "住宅", "90.00", "登记", "王五", resident_id(3), "13800000000", "已交付"],
            ["1幢", "1", "201", "住宅", "90.00", "实测", "王五", resident_id(3), "", "已交付"],
            ["1幢", "2", "101", "住宅", "120.25", "合同", "赵六", resident_id(4), "", "已交付"],
            ["商业", "", "S01", "商业", "200.00", "登记", "", "", "", "未售"],
        ]
    )


def titles_roster(developer: str) -> bytes:
    """张三 alone, 张三+李四, 李四+王五, 赵六; a flat delivered to the developer itself, an unsold shop."""
    zhang, li, wang, zhao = (resident_id(n) for n in range(1, 5))
    return roster_csv(
        [
            ["1幢", "", "101", "住宅", "90", "登记", "张三", zhang, "", "已交付"],
            ["1幢", "", "102", "住宅", "90", "登记", "张三、李四", f"{zhang}、{li}", "", "已交付"],
            ["1幢", "", "201", "住宅", "90", "登记", "李四、王五", f"{li}、{wang}", "", "已交付"],
            ["1幢", "", "202", "住宅", "90", "登记", "赵六", zhao, "", "已交付"],
            ["1幢", "", "301", "住宅", "90", "登记", "某某置业有限公司", developer, "", "已交付"],
            ["商业", "", "S01", "商业", "200", "登记", "", "", "", "未售"],
        ]
    )


class Factory:
    def __init__(self):
        self._serial = count(1)
        self._person = count(1)

    def _code(self, prefix: str) -> str:
        return f"{prefix}-{next(self._serial)}"

    def estate(self, *, office=None, community=None, roster: bytes | None = None, name="测试小区"):
        """An estate in its own community and street office unless told otherwise."""
        if community is None:
            office = office or create_street_office("test", self._code("SO"), "测试街道")
            community = create_community("test", office, self._code("CO"), "测试社区")
        estate = create_estate("test", self._code("ES"), name, community)
        if roster is not None:
            import_roster("test", estate, roster, "roster.csv")
        db.session.commit()
        return estate

    def staff(self, role: Role, estate=None, *, id_number: str | None = None, group_member: bool = True, **scope):
        """An account of this role scoped to the estate's office, community or the estate; a
        person of its own (born 1970, unlike the rosters' owners) unless given an ID number.
        A preparation-group account of an estate is a member of its confirmed group (which it
        needs to act) unless ``group_member`` is false."""
        if estate is not None:
            scope = {
                Role.PLATFORM_ADMIN: {},
                Role.STREET_OFFICE: {"street_office_id": estate.community.street_office_id},
                Role.COMMUNITY: {"community_id": estate.community_id},
                Role.PREP_GROUP: {"estate_id": estate.id},
                Role.CLERK: {"estate_id": estate.id},
            }[role]
        username = self._code(role.value).replace("_", "")
        if id_number is None:
            id_number = resident_id(next(self._person), "19700101")
        staff = create_staff("test", username, "测试员", PASSWORD, role, id_number=id_number, **scope)
        if role is Role.PREP_GROUP and estate is not None and group_member:
            self.group_member(estate, staff)
        db.session.commit()
        return staff

    def group_member(self, estate, staff) -> PrepMember:
        """The account's holder as a confirmed member of the estate's preparation group (made
        confirmed here, without the composition rules that tests/app/test_prep.py covers)."""
        group, now = group_of(estate), utcnow()
        if group is None:
            group = PrepGroup(estate=estate, created_by="test", formed_at=now, published_at=now)
            db.session.add(group)
        member = PrepMember(
            group=group,
            name=staff.display_name,
            role="other",
            organisation="测试",
            staff=staff,
            proposed_by="test",
            proposed_at=now,
            joined_at=now,
        )
        db.session.add(member)
        return member


def login(client, staff):
    response = client.post("/login", data={"username": staff.username, "password": PASSWORD})
    assert response.status_code == 302, response.data
    return client
