"""Serving a stored attachment: always a download (never shown inline), never cached, with an
RFC 6266 filename. The views check who may have it before calling this."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response

from ..core.storage import get_storage
from .models import ChallengeAttachment


def attachment_response(attachment: ChallengeAttachment) -> Response:
    data = get_storage().read(attachment.storage_key)
    response = Response(data, mimetype=attachment.content_type)
    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\;' else "_" for c in attachment.filename)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(attachment.filename, safe='')}"
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
