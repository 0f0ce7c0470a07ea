"""A demo street office, community and estate with staff logins, for ./scripts/run."""

from pathlib import Path

import click
from sqlalchemy import select

from voting.auth.models import Role, Staff
from voting.auth.operations import create_staff
from voting.estates.models import Estate
from voting.estates.operations import change_help_desk, create_community, create_estate, create_street_office
from voting.extensions import db
from voting.roster.generate import staff_resident_id
from voting.roster.operations import import_roster

DEMO_ROSTER = Path(__file__).parent / "roster" / "demo" / "demo-roster.xlsx"
DEMO_ESTATE = "DEMO-001"
# Demo passwords are printed by ./scripts/run; a real install creates its own accounts.
# Two clerks, two people: a paper ballot needs one to key it and another to check it.
DEMO_ACCOUNTS = (
    ("admin", "平台管理员", Role.PLATFORM_ADMIN),
    ("jiedao", "街道办 王主任", Role.STREET_OFFICE),
    ("shequ", "社区 李书记", Role.COMMUNITY),
    ("choubei", "筹备组 张组长", Role.PREP_GROUP),
    ("jipiao", "计票人 陈", Role.CLERK),
    ("jipiao2", "计票人 林", Role.CLERK),
)
DEMO_PASSWORD = "gongzhi-demo"


def load_demo() -> bool:
    """Create the demo data once; returns False when it is already there."""
    if db.session.scalar(select(Estate.id).where(Estate.code == DEMO_ESTATE)) is not None:
        return False
    actor = "demo"
    office = create_street_office(actor, "330282-001", "浒山街道办事处")
    community = create_community(actor, office, "330282-001-01", "金山社区")
    estate = create_estate(actor, DEMO_ESTATE, "金色家园", community)
    import_roster(actor, estate, DEMO_ROSTER.read_bytes(), DEMO_ROSTER.name)
    change_help_desk(actor, estate, "物业服务中心（3幢1楼）", "每天 9:00–11:30、14:00–17:00")
    scopes = {
        Role.PLATFORM_ADMIN: {},
        Role.STREET_OFFICE: {"street_office_id": office.id},
        Role.COMMUNITY: {"community_id": community.id},
        Role.PREP_GROUP: {"estate_id": estate.id},
        Role.CLERK: {"estate_id": estate.id},
    }
    for serial, (username, name, role) in enumerate(DEMO_ACCOUNTS, start=1):
        create_staff(actor, username, name, DEMO_PASSWORD, role, id_number=staff_resident_id(serial), **scopes[role])
    return True


@click.group("demo", help="Demo data for trying Gongzhi out.")
def demo_cli():
    pass


@demo_cli.command("load")
def demo_load():
    """Load the demo estate and staff accounts (once) and print the logins."""
    if load_demo():
        db.session.commit()
        click.echo("Loaded the demo estate 金色家园 (DEMO-001).")
    click.echo("Demo logins (password for all: %s):" % DEMO_PASSWORD)
    for username, name, role in DEMO_ACCOUNTS:
        if db.session.scalar(select(Staff.id).where(Staff.username == username)) is not None:
            click.echo(f"  {username:10} {role.value:15} {name}")
