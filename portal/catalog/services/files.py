"""A listing's files: images (public, with the teaser) and dossier documents (under NDA).

Every upload is checked by its content, never by its name or the browser's content type:
- images: PNG, JPEG or WebP, at most IMAGE_MAX bytes; the magic bytes name the type and Pillow
  must parse the image as that type (an `.exe` renamed `.png` fails the first, a truncated or
  doctored image the second); SVG is refused (it can carry scripts);
- dossier documents: PDF, DOCX or XLSX, at most DOSSIER_MAX bytes. A PDF starts with `%PDF-`
  and ends with `%%EOF`; DOCX and XLSX are Office Open XML zips with `[Content_Types].xml` and
  `word/` or `xl/` parts, read entry by entry with limits on the entry count, the total
  uncompressed size and the compression ratio (zip bombs are refused without being inflated).

A refused file raises `DomainError` (the message goes on the form under the `file` field) and
nothing is stored. An accepted one is stored through `core.storage` under a random key, with a
`TechnologyFile` row (the detected content type, the sanitised name, size and SHA-256). The bytes
are written before the row: when the transaction then rolls back (a failed flush or commit, an
error later in the request), the bytes are deleted by the session hook below, so storage never
keeps a file without its row. A removed file's bytes go only once the removal is committed.

Readers (the console's download, the partner pages' image and dossier routes) call `open_file`
or `read_file`, which check the stored bytes against the recorded SHA-256.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ...core import audit
from ...core.errors import DomainError
from ...core.i18n import format_count
from ...core.storage import Storage, StorageError, get_storage
from ...extensions import db
from ..models import FileKind, Technology, TechnologyFile

MB = 1024 * 1024
IMAGE_MAX = 5 * MB
DOSSIER_MAX = 20 * MB
MAX_FILES_PER_LISTING = 50
# Office documents: what a real DOCX/XLSX needs, far above it, far below a bomb.
ZIP_MAX_ENTRIES = 2000
ZIP_MAX_TOTAL = 200 * MB  # uncompressed
ZIP_MAX_RATIO = 100  # uncompressed / compressed, for the whole archive
IMAGE_MAX_PIXELS = 50_000_000


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str
    extensions: tuple[str, ...]


PNG = FileType("image/png", ".png", (".png",))
JPEG = FileType("image/jpeg", ".jpg", (".jpg", ".jpeg"))
WEBP = FileType("image/webp", ".webp", (".webp",))
PDF = FileType("application/pdf", ".pdf", (".pdf",))
DOCX = FileType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", (".docx",)
)
XLSX = FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", (".xlsx",))


def _megabytes(size: int) -> str:
    return format_count(size // MB)


def _too_large(kind: FileKind) -> DomainError:
    limit = IMAGE_MAX if kind is FileKind.IMAGE else DOSSIER_MAX
    return DomainError(
        _("The file is larger than %(size)s MB; nothing was saved.", size=_megabytes(limit)), "file"
    )


# --- images -------------------------------------------------------------------------------------


def looks_like_svg(head: bytes) -> bool:
    text = head[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return (
        text.startswith(b"<svg") or (text.startswith(b"<?xml") and b"<svg" in text) or b"<svg" in text[:512]
    )


def detect_image(data: bytes) -> FileType:
    """The image's type by its magic bytes, confirmed by a full parse; DomainError otherwise."""
    if looks_like_svg(data):
        raise DomainError(
            _("SVG images are not accepted (they can contain scripts). Upload a PNG, JPEG or WebP image."),
            "file",
        )
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        kind, pillow_format = PNG, "PNG"
    elif data.startswith(b"\xff\xd8\xff"):
        kind, pillow_format = JPEG, "JPEG"
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kind, pillow_format = WEBP, "WEBP"
    else:
        raise DomainError(_("This file is not a PNG, JPEG or WebP image."), "file")
    if not _complete(data, kind) or not _parses_as(data, pillow_format):
        raise DomainError(_("This image is damaged or incomplete and cannot be read."), "file")
    return kind


def _complete(data: bytes, kind: FileType) -> bool:
    """The file's own end marker is where it should be. Checked by hand because Pillow may be told
    to accept truncated images process-wide (WeasyPrint sets `LOAD_TRUNCATED_IMAGES`)."""
    if kind is PNG:
        return data.rstrip(b"\x00")[-12:] == b"\x00\x00\x00\x00IEND\xaeB`\x82"
    if kind is JPEG:
        return data.rstrip(b"\x00")[-2:] == b"\xff\xd9"
    return int.from_bytes(data[4:8], "little") + 8 in (len(data), len(data) - 1)  # WebP: RIFF size


def _parses_as(data: bytes, pillow_format: str) -> bool:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
            width, height = image.size
            if width < 1 or height < 1 or width * height > IMAGE_MAX_PIXELS:
                return False
            image.load()  # decodes every pixel: a truncated file fails here
        return True
    except Exception:
        return False


# --- dossier documents ---------------------------------------------------------------------------


def detect_document(data: bytes) -> FileType:
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-1024:]:
            raise DomainError(_("This PDF is incomplete (it has no end). Upload the whole file."), "file")
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return _office_type(data)
    if looks_like_svg(data):
        raise DomainError(_("This file is not a PDF, Word (DOCX) or Excel (XLSX) document."), "file")
    raise DomainError(_("This file is not a PDF, Word (DOCX) or Excel (XLSX) document."), "file")


def _office_type(data: bytes) -> FileType:
    not_office = DomainError(_("This file is not a PDF, Word (DOCX) or Excel (XLSX) document."), "file")
    bomb = DomainError(
        _("This document expands to far more than its size (a compressed archive bomb) and is refused."),
        "file",
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise not_office from None
    if len(entries) > ZIP_MAX_ENTRIES:
        raise bomb
    declared = sum(e.file_size for e in entries)
    if declared > ZIP_MAX_TOTAL or declared > ZIP_MAX_RATIO * max(len(data), 1):
        raise bomb
    names = {e.filename for e in entries}
    if "[Content_Types].xml" not in names:
        raise not_office
    if any(n.startswith("word/") for n in names):
        kind = DOCX
    elif any(n.startswith("xl/") for n in names):
        kind = XLSX
    else:
        raise not_office
    # The declared sizes may lie: inflate each entry, counting, and stop at the limit.
    budget = min(ZIP_MAX_TOTAL, ZIP_MAX_RATIO * max(len(data), 1))
    try:
        for entry in entries:
            with archive.open(entry) as stream:
                while chunk := stream.read(64 * 1024):
                    budget -= len(chunk)
                    if budget < 0:
                        raise bomb
    except DomainError:
        raise
    except Exception:
        raise not_office from None
    return kind


# --- names ---------------------------------------------------------------------------------------

_UNSAFE = re.compile(r'[\x00-\x1f\x7f"*:<>?|\\/]+')


def sanitise_filename(name: str, kind: FileType) -> str:
    """The uploaded name without its folders, control and reserved characters, at most 200
    characters, ending in an extension of the detected type (`report.exe` as a PDF: `report.exe.pdf`)."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = " ".join(_UNSAFE.sub(" ", name).split()).strip(" .")
    stem, dot, ext = name.rpartition(".")
    if not dot or f".{ext.lower()}" not in kind.extensions:
        stem = name
        ext = kind.extension[1:]
    stem = stem[: 200 - len(ext) - 1].rstrip(" .") or "file"
    return f"{stem}.{ext.lower()}"


# --- the session hook: no bytes without a row, no row without bytes -------------------------------

_STORED = "catalog_files_stored"  # (storage, key) written in this transaction
_REMOVED = "catalog_files_removed"  # (storage, key) to delete once committed


@sa.event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(_STORED, None)
    for storage, key in session.info.pop(_REMOVED, []):
        with contextlib.suppress(StorageError):  # the row is gone; a stray file would be harmless
            storage.delete(key)


@sa.event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    """The outermost transaction ended without a commit (rollback, close): its files go."""
    if transaction.parent is not None or transaction.nested:
        return
    session.info.pop(_REMOVED, None)
    for storage, key in session.info.pop(_STORED, []):
        with contextlib.suppress(StorageError):
            storage.delete(key)


# --- use cases -----------------------------------------------------------------------------------


def read_upload(stream: BinaryIO, kind: FileKind) -> bytes:
    """At most the limit plus one byte of an upload stream (more is refused, unread)."""
    limit = IMAGE_MAX if kind is FileKind.IMAGE else DOSSIER_MAX
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise _too_large(kind)
    return data


def add_file(technology: Technology, kind: FileKind, filename: str, data: bytes, *, actor) -> TechnologyFile:
    """Check and store one file of `technology`; DomainError (on `file`) when refused."""
    limit = IMAGE_MAX if kind is FileKind.IMAGE else DOSSIER_MAX
    if len(data) > limit:
        raise _too_large(kind)
    if not data:
        raise DomainError(_("The file is empty."), "file")
    detected = detect_image(data) if kind is FileKind.IMAGE else detect_document(data)
    count = db.session.scalar(
        sa.select(sa.func.count(TechnologyFile.id)).where(TechnologyFile.technology_id == technology.id)
    )
    if (count or 0) >= MAX_FILES_PER_LISTING:
        raise DomainError(
            _("A listing has at most %(count)s files; remove one first.", count=MAX_FILES_PER_LISTING), "file"
        )
    storage = get_storage()
    key = storage.save(data, suffix=detected.extension, max_size=limit)
    session = db.session()
    session.info.setdefault(_STORED, []).append((storage, key))
    record = TechnologyFile(
        technology_id=technology.id,
        kind=kind,
        storage_key=key,
        filename=sanitise_filename(filename, detected),
        content_type=detected.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=getattr(actor, "id", None),
    )
    db.session.add(record)
    db.session.flush()
    _update_image_key(technology)
    audit.record(
        "technology.file_added",
        actor=actor,
        target=technology,
        kind=kind.value,
        filename=record.filename,
        size=record.size,
        sha256=record.sha256,
    )
    return record


def remove_file(record: TechnologyFile, *, actor) -> None:
    """Delete the row now and the bytes once that is committed."""
    technology = db.session.get(Technology, record.technology_id)
    db.session.info.setdefault(_REMOVED, []).append((get_storage(), record.storage_key))
    filename, kind = record.filename, record.kind
    db.session.delete(record)
    db.session.flush()
    if technology is not None:
        db.session.expire(technology, ["files"])
        _update_image_key(technology)
        audit.record(
            "technology.file_removed", actor=actor, target=technology, kind=kind.value, filename=filename
        )


def _update_image_key(technology: Technology) -> None:
    """The listing's image is its first image (by upload order), or none."""
    technology.image_key = db.session.scalar(
        sa.select(TechnologyFile.storage_key)
        .where(TechnologyFile.technology_id == technology.id, TechnologyFile.kind == FileKind.IMAGE)
        .order_by(TechnologyFile.id)
        .limit(1)
    )
    db.session.flush()


class FileDamaged(StorageError):
    """The stored bytes do not match the recorded SHA-256."""


def _storage() -> Storage:
    return get_storage()


def read_file(record: TechnologyFile) -> bytes:
    """The file's bytes, checked against the recorded hash (FileDamaged otherwise);
    `core.storage.StorageFileNotFound` when the bytes are missing."""
    data = _storage().read(record.storage_key)
    if hashlib.sha256(data).hexdigest() != record.sha256:
        raise FileDamaged(record.storage_key)
    return data


def stream_file(record: TechnologyFile, chunk: int = 64 * 1024) -> Iterator[bytes]:
    """The file in chunks (for a streamed response); the hash is checked as it goes, and a
    mismatch raises FileDamaged at the end (the response is then cut short)."""
    digest = hashlib.sha256()
    with _storage().open(record.storage_key) as f:
        while data := f.read(chunk):
            digest.update(data)
            yield data
    if digest.hexdigest() != record.sha256:
        raise FileDamaged(record.storage_key)


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback and the RFC 6266 / 5987 UTF-8 name."""
    from urllib.parse import quote

    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode() or "file"
    fallback = re.sub(r'["\\;\r\n]', "_", fallback)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
