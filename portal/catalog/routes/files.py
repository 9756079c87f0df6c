"""A listing's files: its public image (any reader who may see the listing) and its dossier
documents (only at Level.DOSSIER: a tier that allows dossiers and the current NDA accepted).
Anything else answers 404, as if the file did not exist. Bytes come from core.storage."""

from __future__ import annotations

import hashlib
import unicodedata
from urllib.parse import quote

import sqlalchemy as sa
from flask import Response, abort
from flask_login import current_user

from ...core.storage import StorageError, get_storage
from ...core.web import security_event
from ...extensions import db
from .. import services as catalog
from ..models import FileKind, Technology, TechnologyFile
from .blueprint import bp

# Served inline only as raster images (never SVG or HTML, which could carry script).
IMAGE_TYPES = {"image/png", "image/jpeg", "image/webp", "image/gif"}
IMAGE_MAX_AGE = 3600


def _file_or_404(slug: str, file_id: int, kind: FileKind, needed: catalog.Level) -> TechnologyFile:
    viewer = catalog.viewer_context(current_user)
    row = db.session.execute(
        sa.select(Technology, TechnologyFile)
        .join(TechnologyFile, TechnologyFile.technology_id == Technology.id)
        .where(Technology.slug == slug[:120], TechnologyFile.id == file_id, TechnologyFile.kind == kind)
    ).first()
    if row is None:
        abort(404)
    technology, file = row
    if catalog.level_of(viewer, technology) < needed:
        abort(404)
    return file


def _read(file: TechnologyFile) -> bytes:
    try:
        return get_storage().read(file.storage_key)
    except (StorageError, ValueError):
        abort(404)


def content_disposition(filename: str) -> str:
    """RFC 6266: an ASCII fallback and the UTF-8 name (`filename*`)."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    ascii_name = "".join(c if c.isalnum() or c in " ._-()" else "_" for c in ascii_name).strip() or "document"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


@bp.route("/technologies/<slug>/images/<int:file_id>")
def image(slug: str, file_id: int):
    file = _file_or_404(slug, file_id, FileKind.IMAGE, catalog.Level.TEASER)
    if file.content_type not in IMAGE_TYPES:
        abort(404)
    response = Response(_read(file), mimetype=file.content_type)
    response.headers["Cache-Control"] = f"public, max-age={IMAGE_MAX_AGE}"
    response.set_etag(file.sha256)
    return response


@bp.route("/technologies/<slug>/dossier/<int:file_id>")
def dossier_file(slug: str, file_id: int):
    file = _file_or_404(slug, file_id, FileKind.DOSSIER, catalog.Level.DOSSIER)
    data = _read(file)
    if hashlib.sha256(data).hexdigest() != file.sha256:
        security_event("dossier.integrity_failure", file_id=file.id)
        abort(500)
    response = Response(data, mimetype=file.content_type or "application/octet-stream")
    response.headers["Content-Disposition"] = content_disposition(file.filename)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
