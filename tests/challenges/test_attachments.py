"""The upload corpus: only real PDF, DOCX, XLSX, PNG and JPEG files up to 20 MB go in; everything
else is refused with a clear message, and nothing is stored (no row, no file)."""

from __future__ import annotations

import gc
import io

import pytest
import sqlalchemy as sa

from portal.catalog.services.files import PDF, PNG, sanitise_filename
from portal.challenges.models import ChallengeAttachment
from portal.challenges.services.attachments import MAX_BYTES
from portal.extensions import db

from ..support.browser import text
from ..support.factories import commit
from .helpers import docx_bytes, entitled, pdf_bytes, png_bytes, stored_files, submitted, zip_bomb_docx

HOSTILE = {
    "exe renamed pdf": (b"MZ\x90\x00\x03" + b"\x00" * 500, "setup.pdf", "This file is not a PDF, Word"),
    "html named pdf": (
        b"<!doctype html><script>alert(1)</script>",
        "report.pdf",
        "This file is not a PDF, Word",
    ),
    "svg with script": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "drawing.svg",
        "SVG images are not accepted",
    ),
    "svg renamed png": (
        b'<svg xmlns="http://www.w3.org/2000/svg"/>',
        "drawing.png",
        "SVG images are not accepted",
    ),
    "zip bomb docx": (None, "bomb.docx", "archive bomb"),
    "pdf header only": (b"%PDF-1.7\n garbage", "broken.pdf", "This PDF is incomplete"),
    "png named pdf": (None, "image.pdf", "its content is a PNG"),
    "plain zip as docx": (None, "archive.docx", "This file is not a PDF, Word"),
    "too large": (None, "big.pdf", "larger than 20 MB"),
    "empty": (b"", "empty.pdf", "empty"),
}


def _content(name: str, content: bytes | None) -> bytes:
    if content is not None:
        return content
    if name == "zip bomb docx":
        return zip_bomb_docx()
    if name == "png named pdf":
        return png_bytes()
    if name == "plain zip as docx":
        import zipfile

        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            z.writestr("readme.txt", "hello")
        return out.getvalue()
    if name == "too large":
        return pdf_bytes() + b"\n%" + b"0" * (MAX_BYTES + 1 - len(pdf_bytes()) - 2)
    raise AssertionError(name)


@pytest.fixture(autouse=True)
def own_storage(app, tmp_path):
    """A storage folder of this test's own (other workers write theirs meanwhile)."""
    from portal.core.storage import LocalStorage

    before = app.extensions.get("storage")
    app.extensions["storage"] = LocalStorage(tmp_path / "storage")
    yield
    app.extensions["storage"] = before


@pytest.fixture
def partner_and_challenge(app, ctx, browser):
    partner = entitled()
    challenge = submitted(partner)
    commit()
    browser.login(partner.email)
    return partner, challenge


# The test client spools a request body over 500 KB to a temporary file it does not close; collected
# at the end of the test that made it, its ResourceWarning is that test's, not a later one's.
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_files_are_refused_with_a_clear_message_and_nothing_is_stored(
    browser, partner_and_challenge, case
):
    _partner, challenge = partner_and_challenge
    content, filename, message = HOSTILE[case]
    data = _content(case, content)
    if case == "too large":
        assert len(data) == MAX_BYTES + 1
    files_before = stored_files()
    response = browser.post(f"/challenges/{challenge.id}/files", {"file": (io.BytesIO(data), filename)})
    assert response.status_code == 302
    page = text(browser.get(response.headers["Location"]))
    assert message in page, page[:2000]
    db.session.expire_all()
    count = db.session.scalar(
        sa.select(sa.func.count(ChallengeAttachment.id)).where(
            ChallengeAttachment.challenge_id == challenge.id
        )
    )
    assert count == 0
    assert stored_files() == files_before
    del response, data
    gc.collect()


@pytest.mark.parametrize(
    ("content", "filename", "stored_as", "content_type"),
    [
        (pdf_bytes, "../../etc/passwd.pdf", "passwd.pdf", "application/pdf"),
        (png_bytes, "photo.PNG", "photo.png", "image/png"),
        (
            docx_bytes,
            "spec<script>.docx",
            "spec script.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (pdf_bytes, "..\\..\\boot.ini.pdf", "boot.ini.pdf", "application/pdf"),
    ],
)
def test_good_files_are_stored_under_random_keys_with_safe_names(
    browser, partner_and_challenge, content, filename, stored_as, content_type
):
    _partner, challenge = partner_and_challenge
    before = stored_files()
    response = browser.post(f"/challenges/{challenge.id}/files", {"file": (io.BytesIO(content()), filename)})
    assert response.status_code == 302
    db.session.expire_all()
    attachment = db.session.scalar(
        sa.select(ChallengeAttachment).where(ChallengeAttachment.challenge_id == challenge.id)
    )
    assert attachment.filename == stored_as and attachment.content_type == content_type
    new = stored_files() - before
    assert new == {attachment.storage_key} and filename not in attachment.storage_key
    download = browser.get(f"/challenges/{challenge.id}/files/{attachment.id}")
    assert download.data == content() or content is docx_bytes


def test_a_failed_commit_leaves_no_file(app, ctx, browser, partner_and_challenge, monkeypatch):
    _partner, challenge = partner_and_challenge
    before = stored_files()

    def broken_commit():
        raise RuntimeError("database went away")

    monkeypatch.setattr(db.session, "commit", broken_commit)
    try:
        response = browser.post(
            f"/challenges/{challenge.id}/files", {"file": (io.BytesIO(pdf_bytes()), "a.pdf")}
        )
        assert response.status_code == 500
    except RuntimeError:
        pass
    monkeypatch.undo()
    assert stored_files() == before


def test_names_keep_only_their_last_segment_and_the_real_extension():
    assert sanitise_filename("../../../x.pdf", PDF) == "x.pdf"
    assert sanitise_filename("report.exe", PDF) == "report.exe.pdf"
    assert sanitise_filename("..", PDF) == "file.pdf"
    assert sanitise_filename("C:\\Users\\me\\photo.PNG", PNG) == "photo.png"
