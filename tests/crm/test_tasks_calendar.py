"""Issue 13, item 4: each staff member's tasks as an iCalendar feed behind a revocable secret
address. The feed is read with a strict RFC 5545 parser written here (CRLF line ends, lines of at
most 75 octets folded with one space, balanced components, required properties, TEXT escapes and
nothing unescaped); unknown, rotated and revoked addresses answer 404."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from portal.core.models import AuditEvent
from portal.crm.models import CalendarFeed, TaskStatus
from portal.crm.services import calendar
from portal.extensions import db

from ..support.browser import Browser, location, text
from ..support.factories import commit, make_organisation, make_staff
from ..support.world_relations import make_challenge, make_task

NAME = re.compile(r"^[A-Za-z0-9-]+$")
TEXT_PROPERTIES = {"SUMMARY", "DESCRIPTION", "X-WR-CALNAME"}


class ICalError(AssertionError):
    pass


def unescape_text(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        char = value[i]
        if char == "\\":
            if i + 1 >= len(value):
                raise ICalError(f"dangling backslash in {value!r}")
            nxt = value[i + 1]
            if nxt in "\\;,":
                out.append(nxt)
            elif nxt in "nN":
                out.append("\n")
            else:
                raise ICalError(f"bad escape \\{nxt} in {value!r}")
            i += 2
            continue
        if char in ";,":
            raise ICalError(f"unescaped {char!r} in TEXT {value!r}")
        out.append(char)
        i += 1
    return "".join(out)


def parse_ical(raw: bytes) -> list[dict]:
    """The VEVENTs (and VTODOs) of a VCALENDAR, each a dict of property -> (params, value)."""
    body = raw.decode("utf-8")
    if not body.endswith("\r\n"):
        raise ICalError("the last line must end with CRLF")
    physical = body[:-2].split("\r\n")
    for line in physical:
        if "\n" in line or "\r" in line:
            raise ICalError(f"bare LF or CR in {line!r}")
        if len(line.encode("utf-8")) > 75:
            raise ICalError(f"line longer than 75 octets: {line!r}")
    logical: list[str] = []
    for line in physical:
        if line.startswith((" ", "\t")):
            if not logical:
                raise ICalError("continuation before any line")
            logical[-1] += line[1:]
        else:
            logical.append(line)
    stack: list[str] = []
    components: list[dict] = []
    calendar_props: dict = {}
    for line in logical:
        head, sep, value = line.partition(":")
        if not sep:
            raise ICalError(f"no colon in {line!r}")
        name, *params = head.split(";")
        if not NAME.match(name):
            raise ICalError(f"bad property name {name!r}")
        param_map = {}
        for param in params:
            key, eq, pvalue = param.partition("=")
            if not eq or not NAME.match(key):
                raise ICalError(f"bad parameter {param!r}")
            param_map[key.upper()] = pvalue
        name = name.upper()
        if name == "BEGIN":
            stack.append(value)
            if value in ("VEVENT", "VTODO"):
                components.append({"_type": value})
            continue
        if name == "END":
            if not stack or stack.pop() != value:
                raise ICalError(f"unbalanced END:{value}")
            continue
        if not stack:
            raise ICalError(f"property outside VCALENDAR: {line!r}")
        if name in TEXT_PROPERTIES:
            value = unescape_text(value)
        target = components[-1] if stack[-1] in ("VEVENT", "VTODO") else calendar_props
        if name in target:
            raise ICalError(f"{name} twice")
        target[name] = (param_map, value)
    if stack:
        raise ICalError(f"unclosed {stack}")
    if logical[0] != "BEGIN:VCALENDAR" or logical[-1] != "END:VCALENDAR":
        raise ICalError("not one VCALENDAR")
    if calendar_props.get("VERSION", ({}, ""))[1] != "2.0" or "PRODID" not in calendar_props:
        raise ICalError("VERSION:2.0 and PRODID are required")
    for component in components:
        for required in ("UID", "DTSTAMP"):
            if required not in component:
                raise ICalError(f"{component['_type']} without {required}")
        if not re.fullmatch(r"\d{8}T\d{6}Z", component["DTSTAMP"][1]):
            raise ICalError("DTSTAMP must be UTC date-time")
        if component["_type"] == "VEVENT":
            params, start = component["DTSTART"]
            if params.get("VALUE") != "DATE" or not re.fullmatch(r"\d{8}", start):
                raise ICalError("all-day DTSTART expected")
    return components


def test_the_strict_parser_refuses_what_rfc_5545_forbids():
    good = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nEND:VCALENDAR\r\n"
    assert parse_ical(good) == []
    for bad in (
        good.replace(b"\r\n", b"\n"),
        good.replace(b"PRODID:x", b"PRODID:" + b"x" * 80),
        good.replace(b"PRODID:x", b"X-WR-CALNAME:a,b\r\nPRODID:x"),
        good.replace(b"END:VCALENDAR", b"END:VEVENT"),
    ):
        with pytest.raises(ICalError):
            parse_ical(bad)


def test_escaping_and_folding_helpers():
    assert calendar.escape_text("a\\b;c,d\r\ne") == "a\\\\b\\;c\\,d\\ne"
    folded = calendar.fold("SUMMARY:" + "é" * 100)
    lines = folded.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    assert "".join([lines[0], *(line[1:] for line in lines[1:])]) == "SUMMARY:" + "é" * 100


@pytest.fixture
def officer(ctx):
    user = make_staff(email="oscar@tto.example", full_name="Oscar Officer")
    commit()
    return user


@pytest.fixture
def console(app, officer):
    browser = Browser(app)
    browser.login_staff(officer)
    return browser


def issue(console) -> str:
    response = console.post("/admin/calendar-feed/issue")
    assert response.status_code == 200
    url = re.search(r'id="feed-url" type="text" readonly value="([^"]+)"', text(response)).group(1)
    return urlsplit(url).path


def test_the_feed_lists_open_tasks_and_parses(app, console, officer):
    organisation = make_organisation(legal_name="Kumo, Materials; K.K.")
    challenge = make_challenge(organisation, title="Coatings")
    tricky = 'Call back, then; write \\ "offer"\nnext line — ' + "ü" * 60
    make_task(
        officer, date(2027, 1, 15), title=tricky, organisation_id=organisation.id, notes="Line 1\nLine 2"
    )
    make_task(
        officer,
        date(2027, 1, 20),
        title="Challenge task",
        organisation_id=organisation.id,
        challenge_id=challenge.id,
    )
    make_task(officer, date(2027, 1, 2), title="Done task", status=TaskStatus.DONE)
    make_task(make_staff(), date(2027, 1, 3), title="Someone else's")
    commit()
    path = issue(console)
    anonymous = Browser(app)  # a calendar application: no session
    response = anonymous.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    events = parse_ical(response.data)
    assert [e["SUMMARY"][1] for e in events] == [tricky, "Challenge task"]
    first, second = events
    assert first["DTSTART"][1] == "20270115" and first["DTEND"][1] == "20270116"
    assert first["DESCRIPTION"][1] == "Kumo, Materials; K.K.\nLine 1\nLine 2"
    assert second["DESCRIPTION"][1] == f"Kumo, Materials; K.K.\n{challenge.reference} Coatings"
    assert first["UID"][1] != second["UID"][1]
    assert first["URL"][1].startswith("http")


def test_the_address_is_stored_hashed_and_shown_once(console, officer):
    path = issue(console)
    token = path.rsplit("/", 1)[-1].removesuffix(".ics")
    feed = db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.user_id == officer.id))
    assert feed.token_hash != token and len(feed.token_hash) == 64
    assert token not in text(console.get("/admin/calendar-feed"))
    assert "Your feed is" in text(console.get("/admin/calendar-feed"))


def test_rotated_revoked_and_unknown_addresses_answer_404(app, console, officer):
    make_task(officer, date(2027, 1, 15), title="Anything")
    commit()
    reader = Browser(app)
    old = issue(console)
    assert reader.get(old).status_code == 200
    new = issue(console)  # rotate
    assert new != old
    assert reader.get(old).status_code == 404
    assert reader.get(new).status_code == 200
    response = console.post("/admin/calendar-feed/revoke")
    assert location(response) == "/admin/calendar-feed"
    assert reader.get(new).status_code == 404
    assert reader.get("/calendar/not-a-token.ics").status_code == 404
    assert reader.get("/calendar/" + "x" * 300 + ".ics").status_code == 404
    again = issue(console)  # turned on again: a fresh address works
    assert reader.get(again).status_code == 200
    officer.active = False
    commit()
    assert reader.get(again).status_code == 404  # a deactivated account's feed is gone too
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.action.like("calendar_feed.%")).order_by(AuditEvent.id)
    ).all()
    assert actions == [
        "calendar_feed.created",
        "calendar_feed.rotated",
        "calendar_feed.revoked",
        "calendar_feed.created",
    ]


def test_a_partner_has_no_feed_page(app, officer):
    from ..support.factories import make_partner

    partner = make_partner()
    commit()
    browser = Browser(app)
    browser.login(partner.email)
    assert browser.get("/admin/calendar-feed").status_code == 403
    assert browser.post("/admin/calendar-feed/issue").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(CalendarFeed.id))) == 0
