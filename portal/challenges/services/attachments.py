"""Attachments: PDF, DOCX, XLSX, PNG and JPEG up to 20 MB, checked by their content with the
catalog's upload validation (catalog/services/files.py: magic bytes, a full parse, zip bombs
refused, SVG refused), a PDF parsed as well; stored through core.storage under random keys and
served only through permission-checked views. A refused or failed upload leaves no file and no row.

The name a browser sends is only a label: the catalog's `sanitise_filename` keeps its last path
segment, drops control and reserved characters and gives it the extension of the real type.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import IO

from flask_babel import gettext as _

from ...auth.models import User
from ...catalog.services import files as catalog_files
from ...core import audit
from ...core.errors import DomainError
from ...core.storage import FileTooLarge, get_storage
from ...extensions import db
from ..models import Challenge, ChallengeAttachment, ChallengeStatus

MAX_BYTES = 20 * 1024 * 1024
MAX_ATTACHMENTS = 20

PDF, DOCX, XLSX, PNG, JPEG = "pdf", "docx", "xlsx", "png", "jpeg"
KINDS = {
    "application/pdf": PDF,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": XLSX,
    "image/png": PNG,
    "image/jpeg": JPEG,
}
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


def check(stream: IO[bytes], filename: str) -> tuple[Checked, bytes]:
    """The upload's type by content, its safe name, size and hash; `Refused` with a clear message.
    The catalog's validation (`catalog.services.files`: magic bytes, a full image parse, the Office
    zip limits against bombs, SVG refused) decides the type; a PDF is also parsed here."""
    data = _read_limited(stream)
    try:
        if data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"RIFF")) or catalog_files.looks_like_svg(data):
            found = catalog_files.detect_image(data)
        else:
            found = catalog_files.detect_document(data)
    except DomainError as exc:
        raise Refused(exc.message) from None
    kind = KINDS.get(found.content_type)
    if kind is None:  # a WebP image: the catalog takes it, challenges do not
        raise refused_type()
    if kind == PDF:
        _check_pdf(data)
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
            catalog_files.sanitise_filename(filename, found),
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
