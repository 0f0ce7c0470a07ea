"""Command line for operators and scripted checks: ``flask --app voting …``."""

import getpass
import json
import sys
from pathlib import Path

import click
from flask import Flask
from sqlalchemy import select

from voting.elections.models import Election
from voting.elections.operations import ElectionError, export_record
from voting.estates.models import Community, Estate
from voting.estates.operations import create_estate
from voting.extensions import db
from voting.roster.operations import RosterRejected, import_roster, roll_summary


def cli_actor() -> str:
    return f"cli:{getpass.getuser()}"


def _estate_or_exit(code: str) -> Estate:
    estate = db.session.scalar(select(Estate).where(Estate.code == code))
    if estate is None:
        click.echo(f"no estate with code {code}", err=True)
        sys.exit(1)
    return estate


@click.group("roster", help="Import and inspect owner rolls.")
def roster_cli():
    pass


@roster_cli.command("import")
@click.argument("estate_code")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", help="Estate name, used when the estate is new.")
@click.option("--community", "community_code", help="Community code to place a new estate in.")
def roster_import(estate_code: str, file: Path, name: str | None, community_code: str | None):
    """Replace ESTATE_CODE's roll with FILE (.xlsx or .csv); all or nothing."""
    estate = db.session.scalar(select(Estate).where(Estate.code == estate_code))
    if estate is None:
        community = None
        if community_code:
            community = db.session.scalar(select(Community).where(Community.code == community_code))
            if community is None:
                click.echo(f"no community with code {community_code}", err=True)
                sys.exit(1)
        estate = create_estate(cli_actor(), estate_code, name or estate_code, community)
    try:
        summary = import_roster(cli_actor(), estate, file.read_bytes(), file.name)
    except RosterRejected as rejected:
        db.session.rollback()
        for error in rejected.errors:
            click.echo(str(error))
        sys.exit(1)
    db.session.commit()
    click.echo(json.dumps(summary, ensure_ascii=False))


@roster_cli.command("summary")
@click.argument("estate_code")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def roster_summary(estate_code: str, as_json: bool):
    """Print the roll's totals for ESTATE_CODE."""
    summary = roll_summary(_estate_or_exit(estate_code))
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
    else:
        for key, value in summary.items():
            click.echo(f"{key}: {value}")


@click.group("election", help="Votes: export the public record.")
def election_cli():
    pass


@election_cli.command("export")
@click.argument("election_id")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def election_export(election_id: str, output: Path):
    """Write the election record (gongzhi-record/1) of a counted vote to OUTPUT."""
    election = db.session.scalar(select(Election).where(Election.public_id == election_id))
    if election is None:
        click.echo(f"no election {election_id}", err=True)
        sys.exit(1)
    try:
        document = export_record(election)
    except ElectionError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    output.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    click.echo(f"{output}: {len(document['log'])} ballots")


def register_cli(app: Flask) -> None:
    from voting.audit.cli import audit_cli
    from voting.demo import demo_cli

    app.cli.add_command(roster_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(election_cli)
    app.cli.add_command(demo_cli)
