"""A staff member's tasks as an iCalendar feed, at a secret address a calendar application
subscribes to (no session: the token is the credential). A revoked, rotated or unknown token
answers 404, as if there were nothing there."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, abort, current_app

from ...core.links import link
from ...extensions import limiter
from ..services import calendar, tasks
from .blueprint import bp


def _console_url(task) -> str:
    """Where the task is worked on: its challenge's tasks, its organisation, or "my tasks"."""
    if task.challenge_id:
        return link("admin.crm_challenge_tasks", challenge_id=task.challenge_id)
    if task.organisation_id:
        return link("admin.organisation_detail", organisation_id=task.organisation_id)
    return link("admin.crm_tasks")


@bp.route("/calendar/<feed_token>.ics")
@limiter.limit("60 per minute")
def task_feed(feed_token: str):
    user = calendar.user_for_token(feed_token)
    if user is None:
        abort(404)
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "liaison"
    body = calendar.render_feed(
        user,
        tasks.open_tasks_of_user(user.id),
        host=host,
        url_for_task=_console_url,
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="tasks.ics"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
