"""The official PDFs of a counted vote: results announcement, minutes with annex, certification.

Everything is checked on the PDF itself: text extracted by poppler, fonts listed by pdffonts,
glyphs looked up in the embedded font programs, QR codes decoded from the rendered pages.
"""

import io
import json
import re
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
import zxingcpp
from flask_babel import gettext as _
from flask_babel import ngettext
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PdfReader
from weasyprint import HTML

from tests.elections_kit import NOW, open_vote
from tests.factories import resident_id, roster_csv
from voting.ballots.log import final_tree_head
from voting.ballots.operations import cast_online
from voting.core import record_v2, signing
from voting.core.canonical import format_time
from voting.elections.models import item_label
from voting.elections.operations import (
    ElectionError,
)
from voting.extensions import db
from voting.pdf.documents import (
    ANNEX_COLUMN_LIMIT,
    ANNEX_LINES_PER_BLOCK,
    AnnexRow,
    BallotHolder,
    annex_text,
    certification_pdf,
    display_width,
    minutes_pdf,
    paper_ballot_pdf,
    results_pdf,
)

BOARD_URL = "https://gongzhi.example.cn/board/ES-1/notices/42"
# Candidates with rare characters: 𠮷 (Extension B), 堃 and 昇 are in Noto CJK; 𪚥 (U+2A6A5) is
# not, and must come from the HanaMin fallback (Debian fonts-hanazono).
CANDIDATES = ["吉𠮷", "王堃", "李昇", "张𪚥"]
# Five delivered flats of one owner each; the three of 100.00 m² make the committee tie below.
FLATS = [("101", "100.00"), ("102", "100.00"), ("103", "100.00"), ("104", "87.65"), ("105", "95.43")]
UNIT = {room: f"1幢-1-{room}" for room, _area in FLATS}
# Four of five owners vote (105 does not); 102 changes the ballot and the last one counts.
# Committee, 3 seats: each ballot leaves out one candidate, so every candidate has 3 heads;
# 张𪚥 (left out by 104) leads on area, 300.00; the other three share 287.65 at the last seat:
# a tie, so only 张𪚥 is elected and 2 seats go to a by-election.
BALLOTS = [
    ("101", {"m1": "yes", "m2": "yes", "m3": ["c3-2", "c3-3", "c3-4"]}),
    ("102", {"m1": "yes", "m2": "yes", "m3": ["c3-1", "c3-3", "c3-4"]}),
    ("103", {"m1": "yes", "m3": ["c3-1", "c3-2", "c3-4"]}),  # m2 left blank: abstains
    ("104", {"m1": "yes", "m2": "no", "m3": ["c3-1", "c3-2", "c3-3"]}),
    ("102", {"m1": "no", "m2": "yes", "m3": ["c3-1", "c3-3", "c3-4"]}),  # replaces 102's first ballot
]


def counted_vote(factory, ballots=BALLOTS, candidates=CANDIDATES, **options):
    """A tallied vote of these ballots; returns the election and each room's voter id."""
    estate = factory.estate(
        name="阳光花园",
        roster=roster_csv(
            [
                ["1幢", "1", room, "住宅", area, "登记", f"业主{room}", resident_id(int(room)), "", "已交付"]
                for room, area in FLATS
            ]
        ),
    )
    vote = open_vote(
        estate,
        title="2026年第一次业主大会",
        motions=(
            (4, "选聘物业服务企业"),
            (8, "改变小区会所用途开设便民超市"),
            (3, "选举第一届业主委员会", 3, candidates),
        ),
        **options,
    )
    election = vote.election
    voter_of = {room: vote.ids[f"v{number:05d}"] for number, (room, _area) in enumerate(FLATS, start=1)}
    for minute, (room, choices) in enumerate(ballots):
        ballot, signature = vote.signed(voter_of[room], choices)
        cast_online(election, ballot, signature, now=NOW + timedelta(minutes=minute))
        db.session.commit()
    vote.count()
    return election, voter_of


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def poppler(*command) -> str:
    return subprocess.run([str(part) for part in command], check=True, capture_output=True, text=True).stdout


def layout_text(pdf: Path) -> str:
    return poppler("pdftotext", "-layout", pdf, "-")


def flat(text: str) -> str:
    """Without whitespace: Chinese lines wrap anywhere, and pdftotext spaces columns out."""
    return re.sub(r"\s+", "", text)


def qr_codes(pdf: Path, tmp_path: Path) -> list[str]:
    """Every QR code on every page, from the pages rendered at 150 dpi."""
    prefix = tmp_path / f"{pdf.stem}-page"
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(prefix)], check=True)
    return [
        code.text
        for image in sorted(tmp_path.glob(f"{prefix.name}-*.png"))
        for code in zxingcpp.read_barcodes(Image.open(image), formats=zxingcpp.BarcodeFormat.QRCode)
    ]


def page_count(pdf: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", poppler("pdfinfo", pdf), re.M)[1])


def embedded_fonts(pdf: Path) -> list[list[str]]:
    """pdffonts' rows as columns: name, type…, emb, sub, uni, object, generation."""
    return [line.split() for line in poppler("pdffonts", pdf).splitlines()[2:]]


def glyph_lookup(pdf: Path) -> dict[str, bool]:
    """Each character drawn -> whether its glyph is a real one of the embedded font.

    WeasyPrint writes glyph ids (Identity) and keeps their numbers when it subsets; a character
    no font has is drawn with Pango's unknown glyph (0xFFFF, beyond the font) or .notdef (0).
    """
    found: dict[str, bool] = {}
    reader = PdfReader(pdf)
    for page in reader.pages:
        for font_ref in page["/Resources"]["/Font"].values():
            font = font_ref.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            program = (descriptor.get("/FontFile3") or descriptor.get("/FontFile2")).get_object().get_data()
            glyph_count = TTFont(io.BytesIO(program))["maxp"].numGlyphs
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            assert "bfrange" not in cmap  # WeasyPrint maps glyph by glyph
            pairs = "".join(re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S))
            for glyph, utf16 in re.findall(r"<([0-9a-f]{4})>\s*<([0-9a-f]+)>", pairs, re.I):
                text = bytes.fromhex(utf16).decode("utf-16-be")
                real = 0 < int(glyph, 16) < glyph_count
                found[text] = found.get(text, True) and real
    return found


def section(text: str, start: str, end: str | None) -> str:
    """The text from ``start`` up to ``end`` (or to the end)."""
    begin = text.index(start)
    return text[begin : text.index(end, begin) if end else len(text)]


def figures_in(block: str, label: str) -> tuple[int, int]:
    """(area in 0.01 m², heads) of a figures row: label, area, %, heads, %."""
    match = re.search(rf"^\s*{re.escape(label)}\s+(\d+)\.(\d\d)\s+\S+%\s+(\d+)\s+\S+%", block, re.M)
    assert match, f"no figures row {label!r} in:\n{block}"
    return int(match[1]) * 100 + int(match[2]), int(match[3])


def candidate_in(block: str, name: str) -> tuple[int, int]:
    match = re.search(rf"^\s*(?:\d+|—)\s+{re.escape(name)}\s+(\d+)\.(\d\d)\s+\S+%\s+(\d+)\s", block, re.M)
    assert match, f"no candidate row {name!r} in:\n{block}"
    return int(match[1]) * 100 + int(match[2]), int(match[3])


def motion_headings(election) -> list[str]:
    return [
        f"{position}. {motion['title']}"
        for position, motion in enumerate(json.loads(election.definition_json)["motions"], start=1)
    ]


def test_the_results_show_every_figure_of_the_tally_exactly(app, factory, tmp_path):
    election, _voters = counted_vote(factory)
    tally = json.loads(election.tally_json)
    pdf = write(tmp_path, "results.pdf", results_pdf(election, BOARD_URL))
    text = layout_text(pdf)

    headings = motion_headings(election)
    labels = {"participation": _("Taking part"), "yes": _("Yes"), "no": _("No"), "abstain": _("Abstain")}
    for position, motion in enumerate(tally["motions"]):
        block = section(text, headings[position], headings[position + 1] if position + 1 < len(headings) else None)
        if motion["kind"] == "committee":
            names = {f"c3-{i}": name for i, name in enumerate(CANDIDATES, start=1)}
            for candidate in motion["candidates"]:
                assert candidate_in(block, names[candidate["candidate_id"]]) == (candidate["area"], candidate["heads"])
            continue
        for key, label in labels.items():
            assert figures_in(block, label) == (motion[key]["area"], motion[key]["heads"]), (motion["motion_id"], key)

    # Each motion names its item of art. 278: hiring the property manager, changing the use of
    # common parts, electing the committee.
    for position, item in enumerate((4, 8, 3)):
        block = section(text, headings[position], headings[position + 1] if position + 1 < len(headings) else None)
        assert flat(item_label(item)) in flat(block)

    # The figures are the ones worked out by hand in BALLOTS, and the outcome follows from them.
    first, second, _committee = tally["motions"]
    assert (first["participation"], first["yes"], first["no"]) == (
        {"area": 38765, "heads": 4},
        {"area": 28765, "heads": 3},
        {"area": 10000, "heads": 1},
    )
    assert (first["result"], second["result"], second["abstain"]) == ("passed", "failed", {"area": 10000, "heads": 1})
    words = flat(text)
    assert flat(_("Passed.")) in flat(section(text, headings[0], headings[1]))
    not_passed = _("Not passed: the yes votes fall short of the threshold below.")
    assert flat(not_passed) in flat(section(text, headings[1], headings[2]))
    for figure in ("387.65", "483.08", "287.65", "87.65"):
        assert figure in words
    tree = final_tree_head(election)
    assert tree["size"] == len(BALLOTS)
    for value in (election.election_hash, tree["root"]):
        assert value in words
    assert flat(f"{_('Voters counted')} {tally['counted']}") in words and tally["counted"] == 4


def test_a_committee_tie_and_the_unfilled_seats_are_stated_in_words(app, factory, tmp_path):
    election, _voters = counted_vote(factory)
    committee = json.loads(election.tally_json)["motions"][2]
    assert (committee["elected"], committee["tied"], committee["unfilled"]) == (["c3-4"], ["c3-1", "c3-2", "c3-3"], 2)
    text = flat(layout_text(write(tmp_path, "results.pdf", results_pdf(election, BOARD_URL))))

    assert flat(_("Elected: %(names)s.", names="张𪚥")) in text
    assert (
        flat(
            ngettext(
                "%(num)d seat is unfilled and goes to a by-election.",
                "%(num)d seats are unfilled and go to a by-election.",
                2,
            )
        )
        in text
    )
    assert (
        flat(
            _(
                "Tie: %(names)s have equal heads and equal area at the last seat, so none of them is elected; "
                "that seat is filled by a by-election.",
                names="吉𠮷、王堃、李昇",
            )
        )
        in text
    )


def annex_rows(text: str) -> list[list[str]]:
    """The annex's rows: number, voter id, then one column per motion."""
    annex = text[text.index(_("Annex: the counted ballots")) :]
    return [line.split()[1:] for line in annex.splitlines() if re.match(r"^\s*\d+\s", line) and len(line.split()) == 5]


def test_the_minutes_annex_lists_each_counted_ballot_by_voter_id_never_by_unit(app, factory, tmp_path):
    # Even where the owners may see how each unit voted: the minutes go on the public board.
    election, voter_of = counted_vote(factory, publish_units=True)
    pdf = write(
        tmp_path, "minutes.pdf", minutes_pdf(election, BOARD_URL, scrutineers=["赵监票", "钱监票"], clerks=["孙计票"])
    )
    text = layout_text(pdf)

    no, yes, abstain = _("No"), _("Yes"), _("Abstain")
    expected = {
        voter_of["101"]: [yes, yes, "王堃、李昇、张𪚥"],
        voter_of["102"]: [no, yes, "吉𠮷、李昇、张𪚥"],  # the last ballot, not the first
        voter_of["103"]: [yes, abstain, "吉𠮷、王堃、张𪚥"],
        voter_of["104"]: [yes, no, "吉𠮷、王堃、李昇"],
    }
    assert [[cell.replace(" ", "") for cell in row] for row in annex_rows(text)] == [
        [voter_id, *choices] for voter_id, choices in sorted(expected.items())
    ]
    assert voter_of["105"] not in text  # did not vote
    assert not any(label in flat(text) for label in UNIT.values())
    words = flat(text)
    for expected in (
        "赵监票、钱监票",
        "孙计票",
        "2026年12月4日10:00",
        "2026年12月12日10:00",
        _("The assembly adopts “%(title)s”.", title="选聘物业服务企业"),
        _("The assembly does not adopt “%(title)s”.", title="改变小区会所用途开设便民超市"),
        _("Counted: %(online)d online, %(paper)d on paper.", online=4, paper=0),
    ):
        assert flat(expected) in words, expected


def test_the_annex_columns_line_up_in_a_cjk_monospaced_font():
    rows = [
        AnnexRow("1幢-1-101", ("同意", "反对", "张三")),
        AnnexRow("地下车库-B1-003、1幢-1-102", ("弃权", "同意", "—")),
        *[AnnexRow(f"2-{number}", ("反对", "弃权", "李四、王五")) for number in range(10)],
    ]
    annex = annex_text(["序号", "房号", "1", "2", "3"], rows)
    lines = [annex.heading, *"\n".join(annex.blocks).split("\n")]
    assert len(lines) == 13 and lines[1].startswith("   1  1幢-1-101 ") and lines[-1].startswith("  12  2-9 ")
    # Each column starts at the same display column on every line: two per Chinese character.
    for line, cells in zip(lines, [["房号", "1", "2", "3"], *[[row.reference, *row.choices] for row in rows]]):
        starts = [display_width(line[: line.index(cell)]) for cell in cells]
        assert starts == [6, 34, 40, 46], line
    # A cell wider than ANNEX_COLUMN_LIMIT runs on; the rest of its row goes on, in its columns.
    developer = AnnexRow("、".join(f"地下车库-B1-{number:03d}" for number in range(1, 9)), ("同意", "反对", "—"))
    annex = annex_text(["序号", "房号", "1", "2", "3"], [rows[0], developer])
    first, second, third = annex.blocks[0].split("\n")
    assert second == "   2  " + developer.reference
    assert third.strip() == "同意  反对  —"
    assert display_width(first[: first.index("同意")]) == display_width(third[: third.index("同意")])
    assert display_width(first[: first.index("同意")]) == 4 + 2 + ANNEX_COLUMN_LIMIT + 2
    # Laid out in blocks of ANNEX_LINES_PER_BLOCK lines, all of them there, in order.
    blocks = annex_text(["序号", "房号", "1", "2", "3"], rows * 10).blocks
    assert [block.count("\n") + 1 for block in blocks] == [
        min(ANNEX_LINES_PER_BLOCK, 120 - start) for start in range(0, 120, ANNEX_LINES_PER_BLOCK)
    ]
    assert [line.split()[0] for line in "\n".join(blocks).split("\n")] == [str(n) for n in range(1, 121)]


def test_the_fonts_are_embedded_cjk_fonts_that_draw_rare_characters(app, factory, tmp_path):
    election, _voters = counted_vote(factory)
    pdf = write(tmp_path, "results.pdf", results_pdf(election, BOARD_URL))

    fonts = embedded_fonts(pdf)
    assert fonts and all(row[-5:-2] == ["yes", "yes", "yes"] for row in fonts), fonts  # embedded subsets, unicode
    assert all("CJK" in row[0] or "HanaMin" in row[0] for row in fonts), fonts
    text = layout_text(pdf)
    glyphs = glyph_lookup(pdf)
    for name in CANDIDATES:
        assert name in text
        assert all(glyphs.get(character) for character in name), {c: glyphs.get(c) for c in name}
    assert all(glyphs.values()), [character for character, real in glyphs.items() if not real]

    # The check sees a character that no font has (an unassigned code point).
    unassigned = "\U0003fffd"
    missing = write(tmp_path, "missing.pdf", HTML(string=f"<p>甲{unassigned}</p>").write_pdf())
    assert glyph_lookup(missing)[unassigned] is False


def test_each_document_carries_a_qr_code_of_its_board_entry_and_numbered_pages(app, factory, tmp_path):
    election, _voters = counted_vote(factory)
    officer_seed, _public_key = signing.generate_keypair()
    body = record_v2.certification_body(
        final_tree_head(election),
        json.loads(election.tally_json),
        election.election_hash,
        "street_office-li-1",
        format_time(NOW + timedelta(days=9)),
    )
    signature = record_v2.sign_certification(signing.private_key_from_seed(officer_seed), body)["signature"]
    printed = NOW + timedelta(days=10)  # 2026-12-15 10:00 in Beijing
    documents = {
        "results": results_pdf(election, BOARD_URL + "/results", now=printed),
        "minutes": minutes_pdf(
            election, BOARD_URL + "/minutes", scrutineers=["赵监票"], clerks=["孙计票"], now=printed
        ),
        "certification": certification_pdf(
            election,
            officer_name="李昇",
            street_office="测试街道办事处",
            body=body,
            signature=signature,
            board_url=BOARD_URL + "/certification",
            now=printed,
        ),
    }
    for name, data in documents.items():
        pdf = write(tmp_path, f"{name}.pdf", data)
        assert qr_codes(pdf, tmp_path) == [f"{BOARD_URL}/{name}"], name
        text = flat(layout_text(pdf))
        assert f"{BOARD_URL}/{name}" in text  # printed under the code, for those who cannot scan
        pages = page_count(pdf)
        footers = [flat(_("Page %(page)s of %(pages)s", page=page, pages=pages)) for page in range(1, pages + 1)]
        assert all(footer in text for footer in footers), name
        assert text.count(flat(_("Printed %(time)s (Beijing time)", time="2026年12月15日 10:00"))) == pages, name


def test_the_certification_sheet_shows_the_signed_body_and_who_signed_it(app, factory, tmp_path):
    election, _voters = counted_vote(factory)
    officer_seed, _public_key = signing.generate_keypair()
    body = record_v2.certification_body(
        final_tree_head(election),
        json.loads(election.tally_json),
        election.election_hash,
        "street_office-li-1",
        "2026-12-14T09:30:00+08:00",
    )
    signature = record_v2.sign_certification(signing.private_key_from_seed(officer_seed), body)["signature"]
    text = flat(
        layout_text(
            write(
                tmp_path,
                "certification.pdf",
                certification_pdf(
                    election,
                    officer_name="李昇",
                    street_office="测试街道办事处",
                    body=body,
                    signature=signature,
                    board_url=BOARD_URL,
                ),
            )
        )
    )

    for value in (
        body["election_hash"],
        body["tree_root"],
        body["tally_hash"],
        body["officer_id"],
        signature,
        "2026年12月14日09:30",
        "李昇",
        "测试街道办事处",
    ):
        assert value in text, value
    statement = _(
        "%(office)s checked the election record of this vote with the record verifier and certifies, "
        "by the signature of its officer below, the ballot log of %(size)d entries with the tree root "
        "below and the tally with the hash below, counted from that log under Civil Code art. 278. "
        "%(counted)d voters were counted.",
        office="测试街道办事处",
        size=len(BALLOTS),
        counted=4,
    )
    assert flat(statement) in text
    assert flat(_("elected: %(names)s", names="张𪚥")) in text


def test_a_vote_nobody_took_part_in_is_announced_as_not_quorate(app, factory, tmp_path):
    election, _voters = counted_vote(factory, ballots=[])
    results = flat(layout_text(write(tmp_path, "results.pdf", results_pdf(election, BOARD_URL))))
    minutes = flat(
        layout_text(write(tmp_path, "minutes.pdf", minutes_pdf(election, BOARD_URL, scrutineers=[], clerks=[])))
    )

    for text in (results, minutes):
        assert (
            flat(
                _(
                    "The quorum was not met: owners holding at least two thirds of the total area and of the "
                    "heads did not take part, so no motion is decided and nobody is elected."
                )
            )
            in text
        )
    assert flat(_("Not decided: the quorum was not met, so nobody is elected.")) in results
    assert flat(_("not approved")) not in results
    assert flat(_("no decision: the vote did not reach the participation required")) in results
    assert flat(_("No resolution on “%(title)s”: the quorum was not met.", title="选聘物业服务企业")) in minutes
    assert (
        flat(
            _(
                "A motion left blank counts as abstaining; where an owner voted more than once, only the ballot "
                "counted is listed. %(count)d in all.",
                count=0,
            )
        )
        in minutes
    )


def test_documents_need_a_counted_vote_and_a_certification_of_this_vote(app, factory):
    election, _voters = counted_vote(factory)
    body = record_v2.certification_body(
        final_tree_head(election),
        json.loads(election.tally_json),
        election.election_hash,
        "street_office-li-1",
        "2026-12-14T09:30:00+08:00",
    )
    with pytest.raises(ElectionError):
        certification_pdf(
            election,
            officer_name="李昇",
            street_office="测试街道办事处",
            body=body | {"election_hash": "x" * 43},
            signature="s",
            board_url=BOARD_URL,
        )
    election.state = "closed"  # as before the tally
    with pytest.raises(ElectionError) as refused:
        results_pdf(election, BOARD_URL)
    assert str(refused.value) == _("This vote is %(state)s; that is not possible now.", state=_("Closed"))
    db.session.rollback()


def test_the_paper_ballot_has_every_motion_each_candidate_in_full_and_the_owners_signature(app, factory, tmp_path):
    election, _voters = counted_vote(factory)
    blank = write(tmp_path, "blank.pdf", paper_ballot_pdf(election, None))
    assert page_count(blank) == 1
    text = flat(layout_text(blank))
    for expected in (
        "阳光花园业主大会",
        "表决票",
        "2026年第一次业主大会",
        "1选聘物业服务企业",
        "2改变小区会所用途开设便民超市",
        "3选举第一届业主委员会",
        "以下4名候选人中最多选3名",
        *CANDIDATES,
        "同意反对弃权",
        "回执号J-",
        "业主签名：",
        "日期：",
        "受托人代为签名",
        "《业主大会和业主委员会指导规则》第二十二条",
        "如何交票",
        "以最后一次投票为准",
    ):
        assert expected in text, expected
    glyphs = glyph_lookup(blank)
    assert all(glyphs.get(character) for name in CANDIDATES for character in name)
    assert all(glyphs.values()), [character for character, real in glyphs.items() if not real]
    for field in ("房屋", "业主", "面积"):  # blank lines for any voter
        assert re.search(rf"^\s*{field}\s*$", layout_text(blank), re.M), field

    # A voter's: their units (the first few of many), masked names, area, and only their motions.
    units = [f"商业-S{number:02d}" for number in range(1, 13)]
    holder = BallotHolder(units=units, owners=["业*", "建设单位（开发商）"], area=123456, motion_ids=["m1", "m3"])
    mine = flat(layout_text(write(tmp_path, "mine.pdf", paper_ballot_pdf(election, holder))))
    assert "、".join(units[:8]) + "等，另有4处（共12处）" in mine and "商业-S09" not in mine
    assert "业*、建设单位（开发商）" in mine and "1234.56m²" in mine
    assert "选聘物业服务企业" in mine and "选举第一届业主委员会" in mine and "改变小区会所用途" not in mine
    assert "业主签名：" in mine and "回执号J-" in mine


@pytest.mark.parametrize("more", [11, 12, 13, 14])
def test_the_last_page_of_the_results_is_not_only_the_address_and_the_seal(app, factory, tmp_path, more):
    """The end of the announcement (how to check it, its address, the seal) stays together: a
    last page of a URL and a seal line alone reads as a loose sheet. With 15 to 18 candidates the
    committee's table ends low on the third page, where that end used to break."""
    others = [f"{surname}某" for surname in "赵钱孙周吴郑冯陈褚卫蒋沈韩杨"[:more]]
    election, _voters = counted_vote(factory, candidates=CANDIDATES + others)
    reader = PdfReader(write(tmp_path, "results.pdf", results_pdf(election, BOARD_URL)))
    last = flat(reader.pages[-1].extract_text())
    seal = flat(_("%(estate)s Owners' Assembly Preparation Group (seal)", estate="阳光花园"))
    assert seal in last and BOARD_URL in last
    rest = last.replace(seal, "").replace(BOARD_URL, "")
    rest = re.sub(r"\d{4}年\d{1,2}月\d{1,2}日|\d+/\d+|第\d+页|共\d+页", "", rest)  # the date and page number
    assert flat(_("Election hash")) in rest and election.election_hash in rest
