"""Jinja filters: exact areas, Shanghai time, translated import faults, masked names."""

from flask import Flask
from flask_babel import gettext

from voting.audit.wording import actor_name
from voting.auth.access import may_withdraw
from voting.core.rules import threshold
from voting.elections.models import (
    INVALID_REASON_NAMES,
    INVALID_RULE_NAMES,
    KIND_NAMES,
    STATE_NAMES,
    THRESHOLD_NAMES,
    item_label,
)
from voting.formatting import format_area, format_date, format_datetime
from voting.officer_keys import officer_key_data
from voting.privacy import mask_name
from voting.tally.operations import STANDING_NAMES, THRESHOLD_SHARES


def translate_fault(fault) -> str:
    """A parser fault (template + params) in the reader's language."""
    return gettext(fault.template, **fault.params)


def motion_kind(motion: dict) -> str:
    """A frozen motion's key in KIND_NAMES: its threshold, which follows from its art. 278 item,
    for a question; its kind for a committee election or a choice."""
    return motion["kind"] if motion["kind"] in ("committee", "choice") else threshold(motion["item"])


def register_filters(app: Flask) -> None:
    app.jinja_env.globals.update(
        officer_key_data=officer_key_data,
        state_names=STATE_NAMES,
        kind_names=KIND_NAMES,
        item_label=item_label,
        motion_kind=motion_kind,
        motion_threshold=threshold,
        threshold_names=THRESHOLD_NAMES,
        standing_names=STANDING_NAMES,
        threshold_shares=THRESHOLD_SHARES,
        may_withdraw=may_withdraw,
        actor_name=actor_name,
        invalid_reason_names=INVALID_REASON_NAMES,
        invalid_rule_names=INVALID_RULE_NAMES,
    )
    app.jinja_env.filters.update(
        area=format_area, date=format_date, datetime=format_datetime, fault=translate_fault, mask_name=mask_name
    )
