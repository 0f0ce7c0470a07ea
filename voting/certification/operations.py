"""Certification (spec v2 §8): a street-office officer of the estate's own street office signs,
in their browser with a key registered before the vote opened, that this tree head and this
tally are the result. The server checks the signature; it cannot make one."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from voting.audit.operations import record_event
from voting.auth.access import own_street_office_officer
from voting.auth.models import Staff
from voting.ballots.log import final_tree_head
from voting.certification.models import CertificationDecision
from voting.core import record_v2, signing
from voting.core.canonical import canon, format_time, parse_time
from voting.elections.models import Election, Officer, State
from voting.elections.operations import (
    ElectionError,
    officer_keys,
    published_record,
    register_browser_key,
)
from voting.errors import Refusal
from voting.extensions import db
from voting.timeutil import utcnow

# How long a prepared certification body may wait for its signature.
SIGNING_WINDOW = timedelta(minutes=30)


class CertificationRefused(Refusal):
    status = 400


def _require_undecided(election: Election) -> None:
    """The street office decides once: a second certification or a refusal after one is refused."""
    if decisions(election):
        raise CertificationRefused(_("The street office has already decided on this vote."), 409)


def _require_own_officer(staff: Staff, election: Election) -> None:
    """Only a street-office officer of the street office the estate belongs to."""
    if not own_street_office_officer(staff, election.estate):
        raise CertificationRefused(_("Only an officer of this estate's street office can certify its votes."), 403)


def register_certifying_key(staff: Staff, election: Election, public_key) -> Officer:
    _require_own_officer(staff, election)
    try:
        return register_browser_key(staff, election, "street_office", public_key)
    except ElectionError as refusal:
        raise CertificationRefused(str(refusal), refusal.status) from None


def certifying_keys(election: Election, staff: Staff) -> list[Officer]:
    return officer_keys(election, staff, "street_office")


def verifier_verdict(election: Election) -> str | None:
    """None when the exported record verifies; otherwise the verifier's fault. The verifier runs
    once per state of the record, not on every look at the certification page."""
    return published_record(election).fault


def body_to_sign(election: Election, officer: Officer, now: datetime | None = None) -> dict:
    """The certification body for this officer to sign now."""
    return record_v2.certification_body(
        final_tree_head(election),
        election.tally,
        election.election_hash,
        officer.officer_id,
        format_time(now or utcnow()),
    )


def _require_certifiable(staff: Staff, election: Election) -> None:
    """This officer may certify this vote now: counted, undecided, and its record verifies."""
    _require_own_officer(staff, election)
    if election.state != State.TALLIED:
        raise CertificationRefused(_("Only a counted vote can be certified."), 409)
    _require_undecided(election)
    verdict = verifier_verdict(election)
    if verdict:
        raise CertificationRefused(_("The record does not verify: %(fault)s", fault=verdict), 409)


def body_to_certify(staff: Staff, election: Election) -> dict:
    """The body this officer is asked to confirm and sign, once every check before signing holds."""
    _require_certifiable(staff, election)
    keys = certifying_keys(election, staff)
    if not keys:
        raise CertificationRefused(
            _("Your account registered no certifying key for this vote; keys are made before the vote opens."), 403
        )
    return body_to_sign(election, keys[0])


def certify(staff: Staff, election: Election, officer_id, body, signature, now: datetime | None = None):
    """Store a certification the officer's browser signed, after checking every field."""
    _require_certifiable(staff, election)
    officer = next((o for o in certifying_keys(election, staff) if o.officer_id == officer_id), None)
    if officer is None:
        raise CertificationRefused(
            _("This browser holds no certifying key registered to your account for this vote."), 403
        )
    now = now or utcnow()
    try:
        signed_at = parse_time(body["certified_at"])
    except (TypeError, KeyError, ValueError):
        raise CertificationRefused(_("The certification is not complete.")) from None
    expected = body_to_sign(election, officer, signed_at)
    if body != expected or not (now - SIGNING_WINDOW <= signed_at <= now + timedelta(minutes=1)):
        raise CertificationRefused(
            _("The certification does not match this vote's record; reload the page and sign again.")
        )
    if not signing.verify(officer.public_key, "certification", body, signature, record_v2.VERSION):
        raise CertificationRefused(_("The signature does not match the certification."))
    decision = CertificationDecision(
        election_id=election.id,
        staff_id=staff.id,
        decision="certified",
        officer_id=officer.officer_id,
        body_json=canon(body).decode(),
        signature=signature,
    )
    db.session.add(decision)
    record_event(
        staff.username,
        "election.certify",
        f"election:{election.public_id}",
        estate_id=election.estate_id,
        officer_id=officer.officer_id,
        tally_hash=body["tally_hash"],
    )
    return decision


def refuse(staff: Staff, election: Election, reason: str) -> CertificationDecision:
    _require_own_officer(staff, election)
    if election.state != State.TALLIED:
        raise CertificationRefused(_("Only a counted vote can be certified or refused."), 409)
    _require_undecided(election)
    if not reason or not reason.strip():
        raise CertificationRefused(_("Write the reason for refusing."))
    decision = CertificationDecision(
        election_id=election.id, staff_id=staff.id, decision="refused", reason=reason.strip()
    )
    db.session.add(decision)
    record_event(
        staff.username,
        "election.refuse_certification",
        f"election:{election.public_id}",
        estate_id=election.estate_id,
        reason=reason.strip(),
    )
    return decision


def decisions(election: Election) -> list[CertificationDecision]:
    return list(
        db.session.scalars(
            select(CertificationDecision)
            .where(CertificationDecision.election_id == election.id)
            .order_by(CertificationDecision.id)
        )
    )
