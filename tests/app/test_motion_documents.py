"""A motion's full text (the draft 管理规约, a contract) attached as a PDF: its SHA-256 goes into the
record when the vote opens, and owners read the very bytes the record names from their voting page."""

import io
from datetime import timedelta

import pytest
from weasyprint import HTML

from tests.elections_kit import add_witness, count_vote, opened
from tests.factories import login, small_roster
from voting.auth.models import Role
from voting.core import record_v2
from voting.core.canonical import H, b64e
from voting.elections.operations import add_motion, create_election, export_record
from voting.extensions import db
from voting.timeutil import utcnow


def _pdf(text: str) -> bytes:
    return HTML(string=f"<p>{text}</p>").write_pdf()


def _draft(factory):
    estate = factory.estate(roster=small_roster())
    now = utcnow()
    election = create_election("test", estate, "业主大会表决", now - timedelta(days=1), now + timedelta(days=7), "last")
    add_motion("test", election, 2, "审议《管理规约》")
    add_motion("test", election, 4, "选聘物业服务企业")
    db.session.commit()
    return estate, election


def _attach(client, estate, election, motion, title: str, content: bytes, filename: str = "draft.pdf"):
    return client.post(
        f"/estates/{estate.code}/elections/{election.id}/documents",
        data={"motion": str(motion.id), "title": title, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_the_record_names_the_text_owners_read(app, factory):
    estate, election = _draft(factory)
    client = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))
    client.post("/lang/en")
    covenant = _pdf("管理规约（草案）第一条")
    page = _attach(client, estate, election, election.motions[0], "管理规约（草案）", covenant).get_data(as_text=True)
    assert "Document attached" in page and b64e(H(covenant)) in page
    public_url = f"/p/{estate.code}/elections/{election.public_id}/documents/{b64e(H(covenant))}.pdf"
    # A draft's motions are not public, its documents neither, though the address is the right one.
    assert app.test_client().get(public_url).status_code == 404

    opened(election, add_witness(election))
    documents = [motion["documents"] for motion in election.definition["motions"]]
    assert documents == [[{"title": "管理规约（草案）", "sha256": b64e(H(covenant))}], []]

    served = app.test_client().get(public_url)
    assert served.status_code == 200 and served.mimetype == "application/pdf"
    assert b64e(H(served.data)) == documents[0][0]["sha256"]
    ballot_page = app.test_client().get(f"/v/{election.public_id}").get_data(as_text=True)
    assert public_url in ballot_page
    # The verifier accepts the record that states the document (spec v2 §3.1), and it binds it.
    tally = count_vote(election)
    record = export_record(election)
    assert record_v2.verify(record) == tally
    record["election"]["motions"][0]["documents"][0]["sha256"] = b64e(H(b"another text"))
    with pytest.raises(record_v2.RecordInvalid):
        record_v2.verify(record)


def test_refusals_name_the_fault_and_change_nothing(app, factory):
    estate, election = _draft(factory)
    client = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))
    client.post("/lang/en")
    motion = election.motions[0]
    text = _attach(client, estate, election, motion, "合同", b"not a pdf at all", "contract.pdf").get_data(as_text=True)
    assert "“contract.pdf” is not a PDF file." in text
    word = _attach(client, estate, election, motion, "合同", b"PK\x03\x04", "contract.docx").get_data(as_text=True)
    assert "Only PDF files." in word
    untitled = _attach(client, estate, election, motion, "", _pdf("x")).get_data(as_text=True)
    assert "Document title" in untitled
    db.session.refresh(motion)
    assert motion.documents == []

    # Removing a wrong file while the vote is a draft; after opening, nothing may change.
    _attach(client, estate, election, motion, "旧稿", _pdf("旧稿"))
    _attach(client, estate, election, motion, "新稿", _pdf("新稿"))
    db.session.refresh(motion)
    old, new = motion.documents
    client.post(f"/estates/{estate.code}/elections/{election.id}/documents/{old.id}/remove")
    db.session.refresh(motion)
    assert [d.title for d in motion.documents] == ["新稿"]
    opened(election, add_witness(election))
    late = _attach(client, estate, election, motion, "第三稿", _pdf("第三稿")).get_data(as_text=True)
    removed = client.post(
        f"/estates/{estate.code}/elections/{election.id}/documents/{new.id}/remove", follow_redirects=True
    ).get_data(as_text=True)
    db.session.refresh(motion)
    assert [d.title for d in motion.documents] == ["新稿"]
    assert "This vote is Open; that is not possible now." in late
    assert "This vote is Open; that is not possible now." in removed
