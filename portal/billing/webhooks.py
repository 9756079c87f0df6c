"""POST /billing/webhook: Stripe's events. The only CSRF-exempt route; authenticated by signature.

A webhook is an entry point like a route: it may call a higher area's services (membership.card).

Raw body -> verified signature (400 otherwise) -> event id inserted with ON CONFLICT DO NOTHING in
the same transaction as its effect -> commit -> 200. A duplicate answers 200 without effect. If the
database or Stripe fails, 5xx, nothing is kept, and Stripe delivers again later.
"""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request
from sqlalchemy.exc import SQLAlchemyError

from ..core.web import security_event
from ..extensions import csrf, db
from ..membership import card
from . import events, gateway

log = logging.getLogger("liaison.billing")
bp = Blueprint("billing", __name__)


@bp.route("/billing/webhook", methods=["POST"])
@csrf.exempt
def webhook():
    if not gateway.enabled():
        return jsonify(error="card payments are not configured"), 404
    try:
        event = gateway.verify_event(request.get_data(), request.headers.get("Stripe-Signature"))
    except gateway.BadSignature as exc:
        security_event("stripe_webhook_rejected", reason=str(exc)[:120])
        return jsonify(error="invalid signature"), 400
    try:
        events.check_shape(event)
    except events.MalformedEvent as exc:
        log.warning("stripe event refused as malformed: %s", exc)
        return jsonify(error=f"malformed event: {exc}"), 400
    ignored = None
    try:
        fresh = events.record_event(event)
        if fresh:
            ignored = card.handle_event(event)
        db.session.commit()
    except gateway.PaymentsUnavailable:
        db.session.rollback()
        log.warning("stripe event %s deferred: Stripe unreachable", event["id"])
        return jsonify(error="temporarily unavailable"), 503
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("stripe event %s not processed", event["id"])
        return jsonify(error="not processed"), 500
    answer = {"received": True, "duplicate": not fresh}
    if ignored:
        answer["ignored"] = ignored  # acknowledged, so Stripe stops retrying; nothing to do
    return jsonify(answer)
