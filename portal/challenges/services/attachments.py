"""Attachments: PDF, DOCX, XLSX, PNG and JPEG up to 20 MB, checked by their content (magic bytes,
then a parse; zip bombs refused), stored through core.storage under random keys, served only
through permission-checked views. A refused or failed upload leaves no file and no row.

The name a browser sends is only a label: `safe_filename` keeps its last path segment, drops
control and reserved characters and gives it the extension of the type the content really is.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO

from flask_babel import gettext as _

from ...auth.models import User
from ...core import audit
from ...core.errors import DomainError
from ...core.storage import FileTooLarge, get_storage
from ...extensions import db
from ..models import Challenge, ChallengeAttachment, ChallengeStatus

MAX_BYTES = 20 * 1024 * 1024
MAX_ATTACHMENTS = 20
# Zip containers (DOCX, XLSX): limits on what they unpack to.
MAX_MEMBERS = 2000
MAX_UNPACKED = 200 * 1024 * 1024
MAX_RATIO = 200  # unpacked / packed, per member

PDF, DOCX, XLSX, PNG, JPEG = "pdf", "docx", "xlsx", "png", "jpeg"
CONTENT_TYPES = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    PNG: "image/png",
    JPEG: "image/jpeg",
}
EXTENSIONS = {PDF: (".pdf",), DOCX: (".docx",), XLSX: (".xlsx",), PNG: (".png",), JPEG: (".jpg", ".jpeg")}


class Refused(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")


@dataclass(frozen=True)
class Checked:
    kind: str
    content_type: str
    suffix: str
    filename: str
    size: int
    sha256: str


def refused_type() -> Refused:
    return Refused(_("Attach a PDF, Word (.docx), Excel (.xlsx), PNG or JPEG file."))


def _read_limited(stream: IO[bytes]) -> bytes:
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise Refused(
            _("The file is larger than 20 MB. Attach a smaller file or a link in the conversation.")
        )
    if not data:
        raise Refused(_("The file is empty."))
    return data


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def _check_pdf(data: bytes) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise Refused(_("The PDF is password-protected. Attach it without a password."))
        if len(reader.pages) < 1:
            raise Refused(_("The PDF has no pages."))
    except Refused:
        raise
    except (PdfReadError, Exception):  # pypdf raises many kinds for a broken file; all mean the same
        raise Refused(
            _("The PDF could not be read: it may be damaged. Save it again and attach it.")
        ) from None


def _check_image(data: bytes, kind: str) -> None:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            if (image.format or "").lower() not in {kind, "jpeg" if kind == JPEG else kind}:
                raise refused_type()
            width, height = image.size
            if width * height > 60_000_000:
                raise Refused(_("The image is too large (more than 60 megapixels)."))
            image.verify()
    except Refused:
        raise
    except Exception:  # Pillow raises many kinds for a broken image; all mean the same here
        raise Refused(_("The image could not be read: it may be damaged.")) from None


def _check_office(data: bytes) -> str:
    """DOCX or XLSX: an OOXML package whose members unpack within the limits (read, not trusted)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise Refused(_("The document could not be read: it may be damaged.")) from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise Refused(_("The document contains too many parts to be safe to open."))
        names = {m.filename for m in members}
        if "[Content_Types].xml" not in names:
            raise refused_type()
        if "word/document.xml" in names:
            kind = DOCX
        elif "xl/workbook.xml" in names:
            kind = XLSX
        else:
            raise refused_type()
        total = 0
        for member in members:
            if member.flag_bits & 0x1:
                raise Refused(_("The document is encrypted. Attach it without a password."))
            declared_ratio = member.file_size / max(member.compress_size, 1)
            if declared_ratio > MAX_RATIO:
                raise bomb()
            try:
                with archive.open(member) as f:
                    unpacked = 0
                    while chunk := f.read(64 * 1024):
                        unpacked += len(chunk)
                        total += len(chunk)
                        if total > MAX_UNPACKED or unpacked > MAX_RATIO * max(member.compress_size, 1) + 1024:
                            raise bomb()
            except Refused:
                raise
            except (
                zipfile.BadZipFile,
                zipfile.LargeZipFile,
                NotImplementedError,
                EOFError,
                OSError,
                ValueError,
            ):
                raise Refused(_("The document could not be read: it may be damaged.")) from None
    return kind


def bomb() -> Refused:
    return Refused(_("The document unpacks to far more than its size (a “zip bomb”) and was refused."))


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*;]')


def safe_filename(name: str, kind: str) -> str:
    """The last segment of what the browser sent, without reserved or control characters, with the
    extension of the real type: "../../etc/passwd.pdf" -> "passwd.pdf"."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    if "." + ext.lower() not in EXTENSIONS[kind]:
        stem = name  # "report.exe" stays visible as such: "report.exe.pdf"
    stem = stem.strip(" ._")[:150] or "attachment"
    return f"{stem}{EXTENSIONS[kind][0]}"


def check(stream: IO[bytes], filename: str) -> tuple[Checked, bytes]:
    """The upload's type by content, its safe name, size and hash; `Refused` with a clear message."""
    data = _read_limited(stream)
    kind = _sniff(data)
    if kind is None:
        raise refused_type()
    if kind == PDF:
        _check_pdf(data)
    elif kind in (PNG, JPEG):
        _check_image(data, kind)
    else:
        kind = _check_office(data)
    extension = "." + (filename or "").rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    if extension and extension not in EXTENSIONS[kind]:
        raise Refused(
            _(
                "The file is named “%(ext)s” but its content is a %(kind)s file. "
                "Rename it or attach the right file.",
                ext=extension,
                kind=kind.upper(),
            )
        )
    return (
        Checked(
            kind,
            CONTENT_TYPES[kind],
            EXTENSIONS[kind][0],
            safe_filename(filename, kind),
            len(data),
            hashlib.sha256(data).hexdigest(),
        ),
        data,
    )


def add_attachment(
    actor: User, challenge: Challenge, stream: IO[bytes], filename: str
) -> ChallengeAttachment:
    """Check, store, record. The file is written last, after every check, and removed again if the
    row cannot be written; the caller removes it if its commit fails (`discard`)."""
    if challenge.status in (ChallengeStatus.WITHDRAWN, ChallengeStatus.DECLINED, ChallengeStatus.CLOSED):
        raise Refused(_("This challenge is closed: no more files can be attached."))
    if len(challenge.attachments) >= MAX_ATTACHMENTS:
        raise Refused(_("A challenge holds at most %(count)s files.", count=MAX_ATTACHMENTS))
    checked, data = check(stream, filename)
    storage = get_storage()
    try:
        key = storage.save(data, suffix=checked.suffix, max_size=MAX_BYTES)
    except FileTooLarge:
        raise Refused(_("The file is larger than 20 MB.")) from None
    try:
        attachment = ChallengeAttachment(
            challenge=challenge,
            organisation_id=challenge.organisation_id,
            storage_key=key,
            filename=checked.filename,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by_id=actor.id,
        )
        db.session.add(attachment)
        db.session.flush()
        audit.record("challenge.file_attached", actor=actor, target=challenge, filename=checked.filename)
    except BaseException:
        storage.delete(key)
        raise
    return attachment


def discard(attachment: ChallengeAttachment) -> None:
    """Remove the stored bytes of an attachment whose row was not committed."""
    get_storage().delete(attachment.storage_key)


def remove_attachment(actor: User, challenge: Challenge, attachment: ChallengeAttachment) -> str:
    """Delete the row (the caller deletes the file after commit with the returned key)."""
    if challenge.status is not ChallengeStatus.DRAFT and not actor.is_staff:
        raise DomainError(_("Files stay once the challenge is submitted."))
    challenge.attachments.remove(attachment)
    audit.record("challenge.file_removed", actor=actor, target=challenge, filename=attachment.filename)
    return attachment.storage_key
