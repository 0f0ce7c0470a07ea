"""The street office certifies a counted result (DOMAIN.md: it checks the record and confirms the
count, and receives the committee's filing, 备案); it has no power to approve (核准) an owners'
assembly's decision. The Chinese wording must not suggest one."""

from babel.messages.pofile import read_po
from flask_babel import force_locale
from flask_babel import gettext as _

from tests.conftest import REPO_ROOT


def catalog():
    with open(REPO_ROOT / "translations" / "zh" / "LC_MESSAGES" / "messages.po", "rb") as source:
        return read_po(source)


def test_no_chinese_text_calls_the_street_office_act_an_approval():
    approving = [
        message.id
        for message in catalog()
        if message.id
        and any("核准" in text for text in (message.string if isinstance(message.string, tuple) else (message.string,)))
    ]
    assert approving == []
    templates = [path for path in (REPO_ROOT / "templates").rglob("*.html") if "核准" in path.read_text()]
    assert templates == []


def test_the_certification_is_a_confirmation(app):
    with force_locale("zh"):
        assert _("Certification of the voting results") == "表决结果确认书"
        assert (
            _("Certification by the street office: %(title)s", title="首次业主大会") == "街道办事处确认：首次业主大会"
        )
        assert _("Refuse to certify") == "不予确认"
