"""Every kind of input the forms draw is styled like a text box (site.css), not left to the
browser's defaults: a number or a date must be as large and as easy to hit as a name."""

import importlib
import pkgutil
import re

from flask_wtf import FlaskForm
from wtforms.fields.core import UnboundField

import voting
from tests.conftest import REPO_ROOT

NOT_A_BOX = {"checkbox", "radio", "hidden", "submit", "button"}


def input_types() -> set[str]:
    """The input types of every field of every form in voting/*/forms.py."""
    found = set()
    for package in pkgutil.iter_modules(voting.__path__):
        try:
            module = importlib.import_module(f"voting.{package.name}.forms")
        except ModuleNotFoundError:
            continue
        for form in vars(module).values():
            if isinstance(form, type) and issubclass(form, FlaskForm):
                for value in vars(form).values():
                    if isinstance(value, UnboundField):
                        input_type = getattr(value.field_class.widget, "input_type", None)
                        if input_type:
                            found.add(input_type)
    return found


def test_number_and_date_inputs_are_styled_like_text_inputs():
    css = (REPO_ROOT / "voting" / "static" / "site.css").read_text()
    rule = next(r for r in re.findall(r"([^{}]+)\{([^}]*)\}", css) if "input[type=text]" in r[0] and "border" in r[1])
    styled = set(re.findall(r"input\[type=([a-z-]+)\]", rule[0]))
    wanted = input_types() - NOT_A_BOX
    assert {"number", "date", "datetime-local"} <= wanted  # what the forms draw today
    assert wanted <= styled, wanted - styled
