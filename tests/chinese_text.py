"""What a Chinese reader should not meet on a page: English left untranslated, half-width
punctuation beside Chinese, times written as machines write them. Used by the route walk
(tests/app/test_chinese_pages.py) and the browser journey (its screenshots)."""

import re
from html.parser import HTMLParser

# Text not meant to be read as words: proofs, keys and code, the language menu's own names.
SKIPPED_ELEMENTS = {"script", "style", "code", "pre", "kbd", "samp", "template", "svg"}
READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
HTML_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

ENGLISH_RUN = re.compile(r"\b[A-Za-z][a-z'’]+(?:[ \-][A-Za-z][A-Za-z'’]+)+\b")
CJK = "\u3400-\u4dbf\u4e00-\u9fff"
HALF_WIDTH_BESIDE_CHINESE = re.compile(rf"[{CJK}] ?[,:;!?()]|[,:;!?()] ?[{CJK}]")
MACHINE_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:[+-]\d{2}:?\d{2}|Z)?)?\b")
# Written the same in a Chinese text: names of products and standards.
ALLOWED_ENGLISH = {"Gongzhi", "WeChat", "Safari", "Chrome", "Firefox", "Ed25519", "WebCrypto", "English"}


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._open: list[bool] = []  # per open element: is what is inside skipped?

    def _skipping(self) -> bool:
        return bool(self._open) and self._open[-1]

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        skipped = (
            self._skipping()
            or tag in SKIPPED_ELEMENTS
            or names.get("translate") == "no"
            or (names.get("lang") or "").startswith("en")
        )
        if not skipped:
            self.texts += [names[name] for name in READ_ATTRIBUTES if names.get(name)]
            if tag == "input" and names.get("type") in ("submit", "button") and names.get("value"):
                self.texts.append(names["value"])
        if tag not in HTML_VOID:
            self._open.append(skipped)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in HTML_VOID:
            self._open.pop()

    def handle_endtag(self, tag):
        if tag not in HTML_VOID and self._open:
            self._open.pop()

    def handle_data(self, data):
        if not self._skipping() and data.strip():
            self.texts.append(" ".join(data.split()))


def readable_texts(html: str) -> list[str]:
    """The page's text as a reader meets it: text nodes and the attributes read out or shown."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.texts


def faults_for_chinese_reader(texts: list[str]) -> list[str]:
    """Each text that a Chinese reader should not meet, with what is wrong with it."""
    faults = []
    for text in texts:
        english = [run for run in ENGLISH_RUN.findall(text) if not set(run.split()) <= ALLOWED_ENGLISH]
        if english:
            faults.append(f"English {english!r} in {text!r}")
        if HALF_WIDTH_BESIDE_CHINESE.search(text):
            faults.append(f"half-width punctuation in {text!r}")
        if MACHINE_TIME.search(text):
            faults.append(f"machine-written time in {text!r}")
    return faults
