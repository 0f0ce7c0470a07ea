"""`flask --app voting audit verify`: recompute the audit log's hash chain."""

import sys

import click

from voting.audit.operations import audit_chain_head, verify_audit_chain


@click.group("audit", help="The audit log's hash chain.")
def audit_cli():
    pass


@audit_cli.command("verify")
def audit_verify():
    """Check every event's hash and link; exit 1 naming the first event that does not fit."""
    broken = verify_audit_chain()
    if broken is not None:
        click.echo(
            f"audit log broken at event {broken}: it, or the event before it, was edited, inserted or deleted", err=True
        )
        sys.exit(1)
    count, head = audit_chain_head()
    click.echo(f"audit log intact: {count} events, head {head}")
