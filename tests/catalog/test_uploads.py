"""Issue 11, point 9: images and dossier documents are checked by content; a refused file (or a
failed transaction) leaves nothing behind: no row and no file in storage."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
import sqlalchemy as sa
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from portal.catalog.models import FileKind, Technology, TechnologyFile
from portal.catalog.services import files
from portal.core.errors import DomainError
from portal.core.models import AuditEvent
from portal.extensions import db

from ..support.browser import Browser, location, text
from ..support.factories import commit
from .conftest import stored_files


def image_bytes(fmt: str = "PNG", size=(32, 24)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 90)).save(buffer, format=fmt)
    return buffer.getvalue()


PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def office_bytes(part: str = "word/document.xml", body: bytes = b"<w:document/>") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, body)
    return buffer.getvalue()


def file_rows(technology_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(TechnologyFile.id)).where(TechnologyFile.technology_id == technology_id)
    )


# --- the checks ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "content_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")]
)
def test_real_images_are_stored_with_their_detected_type_and_hash(
    ctx, storage, technology, staff, fmt, content_type
):
    data = image_bytes(fmt)
    record = files.add_file(technology, FileKind.IMAGE, "../../etc/Photo of lab.bin", data, actor=staff)
    commit()
    assert record.content_type == content_type
    assert record.sha256 == hashlib.sha256(data).hexdigest() and record.size == len(data)
    assert "/" not in record.filename and record.filename.startswith("Photo of lab.bin.")
    assert stored_files(storage) == [record.storage_key]
    assert files.read_file(record) == data
    assert db.session.get(Technology, technology.id).image_key == record.storage_key


@pytest.mark.parametrize(
    ("kind", "name", "data", "message"),
    [
        (
            FileKind.IMAGE,
            "setup.png",
            b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 4000,
            "not a PNG, JPEG or WebP",
        ),
        (
            FileKind.IMAGE,
            "logo.svg",
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "SVG images are not accepted",
        ),
        (
            FileKind.IMAGE,
            "big.png",
            b"\x89PNG\r\n\x1a\n" + b"\x00" * (files.IMAGE_MAX - 7),
            "larger than 5 MB",
        ),
        (FileKind.IMAGE, "cut.png", image_bytes("PNG", (400, 300))[:200], "damaged or incomplete"),
        (
            FileKind.DOSSIER,
            "big.pdf",
            b"%PDF-" + b"0" * (files.DOSSIER_MAX - 10) + b"%%EOF\n",
            "larger than 20 MB",
        ),
        (FileKind.DOSSIER, "cut.pdf", PDF[:40], "This PDF is incomplete"),
        (FileKind.DOSSIER, "bomb.docx", office_bytes(body=b"\x00" * (60 * 1024 * 1024)), "archive bomb"),
        (FileKind.DOSSIER, "plain.zip", office_bytes(part="other/x.xml"), "not a PDF, Word (DOCX) or Excel"),
        (FileKind.DOSSIER, "run.exe.pdf", b"MZ\x90\x00" * 100, "not a PDF, Word (DOCX) or Excel"),
    ],
    ids=[
        "exe-as-png",
        "svg-script",
        "image-1-byte-over",
        "truncated-png",
        "pdf-1-byte-over",
        "truncated-pdf",
        "zip-bomb-docx",
        "zip-not-office",
        "exe-as-pdf",
    ],
)
def test_refused_files_leave_no_row_and_no_file(ctx, storage, technology, staff, kind, name, data, message):
    if "1-byte-over" in name or name.startswith("big"):
        limit = files.IMAGE_MAX if kind is FileKind.IMAGE else files.DOSSIER_MAX
        assert len(data) == limit + 1
    with pytest.raises(DomainError) as refused:
        files.add_file(technology, kind, name, data, actor=staff)
    db.session.rollback()
    assert message in refused.value.message and refused.value.field == "file"
    assert file_rows(technology.id) == 0
    assert stored_files(storage) == []


def test_a_document_of_exactly_the_limit_is_accepted(ctx, storage, technology, staff):
    data = b"%PDF-" + b"0" * (files.DOSSIER_MAX - 11) + b"%%EOF\n"
    assert len(data) == files.DOSSIER_MAX
    record = files.add_file(technology, FileKind.DOSSIER, "max.pdf", data, actor=staff)
    commit()
    assert record.size == files.DOSSIER_MAX and stored_files(storage) == [record.storage_key]


def test_documents_of_each_kind_are_accepted(ctx, storage, technology, staff):
    pdf = files.add_file(technology, FileKind.DOSSIER, "Dossier.PDF", PDF, actor=staff)
    docx = files.add_file(technology, FileKind.DOSSIER, "brief.docx", office_bytes(), actor=staff)
    xlsx = files.add_file(technology, FileKind.DOSSIER, "data", office_bytes("xl/workbook.xml"), actor=staff)
    commit()
    assert (pdf.content_type, pdf.filename) == ("application/pdf", "Dossier.pdf")
    assert docx.content_type.endswith("wordprocessingml.document")
    assert (xlsx.content_type.endswith("spreadsheetml.sheet"), xlsx.filename) == (True, "data.xlsx")
    assert len(stored_files(storage)) == 3
    assert db.session.get(Technology, technology.id).image_key is None  # documents are not the image


def test_a_transaction_that_fails_after_the_upload_leaves_no_file(ctx, storage, technology, staff):
    files.add_file(technology, FileKind.IMAGE, "a.png", image_bytes(), actor=staff)
    assert len(stored_files(storage)) == 1  # written before the row ...
    db.session.rollback()  # ... and gone with the transaction
    assert stored_files(storage) == []
    assert file_rows(technology.id) == 0


def test_removing_a_file_deletes_row_and_bytes_once_committed_and_moves_the_image(
    ctx, storage, technology, staff
):
    first = files.add_file(technology, FileKind.IMAGE, "first.png", image_bytes(), actor=staff)
    second = files.add_file(technology, FileKind.IMAGE, "second.jpg", image_bytes("JPEG"), actor=staff)
    commit()
    first_key, second_key = first.storage_key, second.storage_key
    assert db.session.get(Technology, technology.id).image_key == first_key
    files.remove_file(first, actor=staff)
    db.session.rollback()  # a removal that is not committed keeps the file
    assert len(stored_files(storage)) == 2
    files.remove_file(db.session.get(TechnologyFile, first.id), actor=staff)
    commit()
    assert stored_files(storage) == [second_key]
    assert db.session.get(Technology, technology.id).image_key == second_key
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.target_id == technology.id)
    ).all()
    assert actions.count("technology.file_added") == 2 and "technology.file_removed" in actions


def test_a_damaged_stored_file_is_not_served(ctx, storage, technology, staff):
    record = files.add_file(technology, FileKind.DOSSIER, "d.pdf", PDF, actor=staff)
    commit()
    storage.path(record.storage_key).write_bytes(PDF.replace(b"Catalog", b"Katalog"))
    with pytest.raises(files.FileDamaged):
        files.read_file(record)


# --- through the console -----------------------------------------------------------------------


@pytest.fixture
def browser(app, staff):
    browser = Browser(app)
    browser.login_staff(staff)
    return browser


def upload(browser, technology, kind: str, name: str, data: bytes):
    """The multipart body is built in memory (the test client would spool a large one to a
    temporary file it never closes)."""
    values = {
        "csrf_token": browser.csrf_token(),
        "kind": kind,
        "file": FileStorage(io.BytesIO(data), filename=name, content_type="application/octet-stream"),
    }
    boundary, body = encode_multipart(values)
    return browser.request(
        "POST",
        f"/admin/technologies/{technology.id}/files",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_the_console_upload_refuses_with_a_message_on_the_form(app, storage, technology, browser):
    response = upload(browser, technology, "image", "holiday.png", b"MZ" + b"\x00" * 500)
    assert response.status_code == 400
    assert "This file is not a PNG, JPEG or WebP image." in text(response)
    response = upload(browser, technology, "dossier", "huge.pdf", b"%PDF-" + b"0" * files.DOSSIER_MAX)
    assert response.status_code == 400  # a form answer, not the 413 page: this upload may be 20 MB
    assert "larger than 20 MB; nothing was saved" in text(response)
    db.session.expire_all()
    assert file_rows(technology.id) == 0 and stored_files(storage) == []


def test_the_console_upload_download_and_removal(app, storage, technology, browser):
    data = image_bytes()
    response = upload(browser, technology, "image", "Lab photo.png", data)
    assert response.status_code == 302 and location(response) == f"/admin/technologies/{technology.id}"
    record = db.session.scalar(sa.select(TechnologyFile).where(TechnologyFile.technology_id == technology.id))
    download = browser.get(f"/admin/technologies/{technology.id}/files/{record.id}")
    assert download.status_code == 200 and download.data == data
    assert download.headers["Content-Disposition"].startswith('attachment; filename="Lab photo.png"')
    assert download.headers["Cache-Control"] == "no-store"
    assert download.headers["Content-Type"] == "image/png"
    assert browser.get(f"/admin/technologies/{technology.id + 1}/files/{record.id}").status_code == 404
    removed = browser.post(f"/admin/technologies/{technology.id}/files/remove", {"file_id": str(record.id)})
    assert removed.status_code == 302
    db.session.expire_all()
    assert file_rows(technology.id) == 0 and stored_files(storage) == []
    assert db.session.get(Technology, technology.id).image_key is None


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_a_truncated_image_is_refused_even_when_pillow_accepts_truncated_files(
    ctx, storage, technology, staff, monkeypatch, fmt
):
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)  # what WeasyPrint sets process-wide
    data = image_bytes(fmt, (300, 200))
    with pytest.raises(DomainError, match="damaged or incomplete"):
        files.add_file(technology, FileKind.IMAGE, "cut", data[: len(data) // 2], actor=staff)
    db.session.rollback()
    assert file_rows(technology.id) == 0 and stored_files(storage) == []
