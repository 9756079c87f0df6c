"""Each staff member's tasks as an iCalendar feed (RFC 5545) behind a secret address.

The address carries a random token; only its SHA-256 is stored, so the address is shown once,
when it is made. Rotating makes a new one (the old address answers 404 at once); revoking
turns the feed off. The feed lists every open task as an all-day VEVENT on its due date (calendar
applications show events more widely than VTODOs), with text escaped and lines folded at 75
octets as RFC 5545 requires.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from ...auth import tokens
from ...auth.models import User
from ...core import audit
from ...core.types import utcnow
from ...extensions import db
from ..models import CalendarFeed, Task


def feed_of(user: User) -> CalendarFeed | None:
    return db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def issue_feed(actor: User) -> str:
    """A new secret address for the actor's own feed (made, or rotated: the old one stops
    working). Returns the token, which is not stored."""
    token, token_hash = tokens.random_token()
    feed = feed_of(actor)
    if feed is None:
        feed = CalendarFeed(user_id=actor.id, token_hash=token_hash)
        db.session.add(feed)
        action = "calendar_feed.created"
    else:
        action = "calendar_feed.rotated" if feed.token_hash else "calendar_feed.created"
        feed.token_hash = token_hash
        feed.rotated_at = utcnow()
        feed.revoked_at = None
    db.session.flush()
    audit.record(action, actor=actor, target=actor)
    return token


def revoke_feed(actor: User) -> bool:
    feed = feed_of(actor)
    if feed is None or feed.token_hash is None:
        return False
    feed.token_hash = None
    feed.revoked_at = utcnow()
    db.session.flush()
    audit.record("calendar_feed.revoked", actor=actor, target=actor)
    return True


def user_for_token(token: str) -> User | None:
    """The active staff member whose live feed this token opens; None for anything else."""
    if not token or len(token) > 100:
        return None
    user = db.session.scalar(
        sa.select(User)
        .join(CalendarFeed, CalendarFeed.user_id == User.id)
        .where(CalendarFeed.token_hash == tokens.sha256(token), CalendarFeed.revoked_at.is_(None))
    )
    if user is None or not user.active or not user.is_staff:
        return None
    return user


# --- RFC 5545 -------------------------------------------------------------------------------------


def escape_text(value: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11): backslash, semicolon, comma, and newlines as \\n."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\n", "\\n")


def fold(line: str) -> str:
    """Content lines longer than 75 octets are split with CRLF and one space (3.1), never inside
    a UTF-8 character."""
    out: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size, limit = "", 0, 74  # continuation lines start with a space
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


def _date(value: date) -> str:
    return value.strftime("%Y%m%d")


def _stamp(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%SZ")


def render_feed(
    user: User, tasks: Iterable[Task], *, host: str, url_for_task, now: datetime | None = None
) -> str:
    """The VCALENDAR text (CRLF line ends). `url_for_task(task)` gives each task's console address."""
    now = now or utcnow()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Liaison//CRM tasks//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(f'Tasks of {user.full_name}')}",
    ]
    for task in tasks:
        about = []
        if task.organisation is not None:
            about.append(task.organisation.display_name)
        if task.challenge is not None:
            about.append(f"{task.challenge.reference} {task.challenge.title}")
        description = "\n".join([*about, task.notes] if task.notes else about)
        lines += [
            "BEGIN:VEVENT",
            f"UID:task-{task.id}@{host}",
            f"DTSTAMP:{_stamp(now)}",
            f"DTSTART;VALUE=DATE:{_date(task.due_on)}",
            f"DTEND;VALUE=DATE:{_date(task.due_on + timedelta(days=1))}",
            f"SUMMARY:{escape_text(task.title)}",
        ]
        if description:
            lines.append(f"DESCRIPTION:{escape_text(description)}")
        lines += [f"URL:{url_for_task(task)}", "TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
