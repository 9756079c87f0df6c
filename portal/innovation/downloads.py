"""Serving a disclosure's file: always a download, never cached, with an RFC 6266 filename. The
views check who may have it before calling this."""

from __future__ import annotations

from flask import Response

from ..catalog.services.files import content_disposition
from ..core.storage import get_storage
from .models import DisclosureAttachment


def attachment_response(attachment: DisclosureAttachment) -> Response:
    data = get_storage().read(attachment.storage_key)
    response = Response(data, mimetype=attachment.content_type)
    response.headers["Content-Disposition"] = content_disposition(attachment.filename)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
