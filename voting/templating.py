"""Jinja filters: exact areas, Shanghai time, translated import faults, masked names."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from voting.elections.models import STATE_NAMES, THRESHOLD_NAMES, item_label
from voting.elections.operations import frozen_item
from voting.formatting import format_area
from voting.privacy import mask_name

SHANGHAI = ZoneInfo("Asia/Shanghai")


def format_datetime(value: datetime) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def translate_fault(fault) -> str:
    """A parser fault (template + params) in the reader's language."""
    return gettext(fault.template, **fault.params)


KIND_NAMES = {
    "ordinary": _l("ordinary matter"),
    "major": _l("major matter"),
    "committee": _l("committee election"),
}


def register_filters(app: Flask) -> None:
    app.jinja_env.globals.update(state_names=STATE_NAMES, kind_names=KIND_NAMES, item_label=item_label,
                                 frozen_item=frozen_item, threshold_names=THRESHOLD_NAMES)
    app.jinja_env.filters.update(
        area=format_area, datetime=format_datetime, fault=translate_fault, mask_name=mask_name
    )
