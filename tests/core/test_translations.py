"""Three languages (issue 10, points 16 and 17): every partner-facing string marked and translated,
the reader's language and time zone chosen in the right order, and money and dates per locale."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale, gettext

from portal.core import catalogs
from portal.core.i18n import as_reader, format_amount, format_when
from portal.extensions import db

from ..support.browser import Browser, last_email_to, text
from ..support.factories import commit, make_partner


@pytest.mark.parametrize("catalog", sorted(catalogs.CATALOGS))
def test_every_partner_facing_string_is_marked_for_translation(catalog):
    found = catalogs.unmarked([catalog])
    assert not found, f"{len(found)} string(s) not marked for translation:\n" + "\n".join(found[:60])


@pytest.mark.parametrize("catalog", sorted(catalogs.CATALOGS))
def test_every_marked_string_has_a_french_and_a_german_translation(catalog):
    missing = catalogs.untranslated([catalog])
    assert not missing, f"{len(missing)} missing translation(s):\n" + "\n".join(missing[:60])


@pytest.mark.parametrize("catalog", sorted(catalogs.CATALOGS))
def test_the_compiled_catalogs_hold_what_the_po_files_say(catalog):
    assert not catalogs.stale_compiled([catalog]), "run `flask translations compile` and commit the .mo"


def test_the_checks_catch_an_unmarked_string_and_an_untranslated_one(tmp_path):
    """The checks above can fail: literal text, a literal attribute and a literal flash are found."""
    page = tmp_path / "page.html"
    page.write_text(
        '<p>{{ _("Marked") }}</p><p title="Unmarked title">Unmarked text {{ name }}</p>'
        "{% trans %}Marked block{% endtrans %}<span>{{ 42 }} · —</span>"
    )
    found = catalogs.unmarked_in_template(page)
    assert found == ["title='Unmarked title'", "Unmarked text"]
    module = catalogs.PORTAL / "core" / "_probe_for_test.py"
    module.write_text('flash("Saved.")\nflash(_("Saved."))\nStringField("Name")\nStringField(_l("Name"))\n')
    try:
        found = catalogs.unmarked_in_python(module)
    finally:
        module.unlink()
    assert [line.split(": ", 1)[1] for line in found] == ["'Saved.'", "'Name'"]


def _translated(language: str, msgid: str) -> str:
    with force_locale(language):
        result = gettext(msgid)
    assert result != msgid, f"{msgid!r} has no {language} translation"
    return result


def test_the_browser_language_is_used_and_the_switcher_overrides_it(app, ctx):
    visitor = Browser(app, HTTP_ACCEPT_LANGUAGE="de-CH,de;q=0.9,en;q=0.5")
    page = text(visitor.get("/"))
    assert '<html lang="de">' in page
    assert _translated("de", "Verify an agreement") in page

    response = visitor.post("/language", {"language": "fr", "next": "/tiers"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/tiers")
    page = text(visitor.get("/tiers"))
    assert '<html lang="fr">' in page
    assert _translated("fr", "Verify an agreement") in page

    refused = visitor.post("/language", {"language": "xx", "next": "https://evil.example/"})
    assert refused.headers["Location"] in ("/", "http://portal.test/")  # never off-site
    assert '<html lang="fr">' in text(visitor.get("/"))


def test_a_signed_in_users_language_follows_them_to_another_browser_and_into_emails(app, ctx):
    user = make_partner(email="jean@acme.example")
    commit()
    first = Browser(app, HTTP_ACCEPT_LANGUAGE="en")
    first.login(user.email)
    first.post("/language", {"language": "fr", "next": "/dashboard"})
    db.session.expire_all()
    assert db.session.get(type(user), user.id).locale == "fr"

    elsewhere = Browser(app, HTTP_ACCEPT_LANGUAGE="de")
    elsewhere.login(user.email)
    assert '<html lang="fr">' in text(elsewhere.get("/dashboard"))  # the profile wins over the browser

    Browser(app, HTTP_ACCEPT_LANGUAGE="de").post("/reset-password", {"email": user.email})
    email = last_email_to(user.email)
    assert 'lang="fr"' in email.body_html  # the reader's language, not the requester's


def test_preferences_save_language_and_time_zone_and_dates_follow_the_zone(app, ctx):
    user = make_partner(email="aiko@acme.example")
    commit()
    browser = Browser(app)
    browser.login(user.email)
    saved = browser.post("/account/preferences", {"pref-language": "de", "pref-time_zone": "Asia/Tokyo"})
    assert saved.status_code == 302
    db.session.expire_all()
    reloaded = db.session.get(type(user), user.id)
    assert (reloaded.locale, reloaded.time_zone) == ("de", "Asia/Tokyo")

    bad = browser.post("/account/preferences", {"pref-language": "de", "pref-time_zone": "Mars/Olympus"})
    assert bad.status_code == 400 and "Mars/Olympus" not in (reloaded.time_zone or "")

    with as_reader(reloaded):
        shown = format_when(datetime(2026, 12, 1, 23, 30, tzinfo=UTC))
    assert shown.startswith("02.12.2026") and "08:30" in shown  # Tokyo is UTC+9, German dates


def test_the_time_zone_cookie_of_the_browser_is_used_until_a_profile_sets_one(app):
    from flask_babel import get_timezone

    # site.js writes the zone URL-encoded (Europe%2FParis); a bad value is ignored, never an error.
    for cookie, expected in (
        ("Asia%2FTokyo", "Asia/Tokyo"),
        ("Europe/Paris", "Europe/Paris"),
        ("Mars%2FBase", "UTC"),
    ):
        with app.test_request_context("/", headers={"Cookie": f"tz={cookie}"}):
            assert str(get_timezone()) == expected
    visitor = Browser(app)
    visitor.set_cookie("tz", "not a zone")
    assert visitor.get("/").status_code == 200


def test_the_language_picked_before_signing_up_stays_and_emails_follow_the_reader(app, ctx):
    from portal.core.mail import queue_email

    from ..support.factories import make_staff

    visitor = Browser(app, HTTP_ACCEPT_LANGUAGE="en")
    visitor.post("/language", {"language": "fr", "next": "/signup"})
    form = {
        "legal_name": "Lumière Analytique SAS",
        "country": "FR",
        "full_name": "Claire Martin",
        "job_title": "",
        "email": "claire@lumiere.example",
        "password": "Vivid-otter-canal-43",
        "confirm": "Vivid-otter-canal-43",
        "accept": "y",
    }
    assert visitor.post("/signup", form).status_code == 302
    from ..support.browser import link_in

    response = visitor.post(link_in(last_email_to("claire@lumiere.example"), "/verify-email/"))
    assert '<html lang="fr">' in text(visitor.get(response.headers["Location"]))  # signed in, still French
    staff = make_staff(email="officer@tto.example")
    commit()
    # An email set off by an English-speaking staff member's request: the partner reads French, the
    # staff member (no saved language) English, whoever's request sends it.
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        to_partner = queue_email("claire@lumiere.example", "x", "verify_email", user=staff, verify_url="/")
        to_staff = queue_email(staff.email, "x", "verify_email", user=staff, verify_url="/")
    assert 'lang="fr"' in to_partner.body_html
    assert 'lang="en"' in to_staff.body_html


def test_money_and_dates_per_locale(app):
    with app.test_request_context():
        cases = {
            "en": ("EUR 6,050.00", "1 Dec 2026"),
            "fr": ("6\u202f050,00 EUR", "1 déc. 2026"),
            "de": ("6.050,00 EUR", "01.12.2026"),
        }
        for language, (money, day) in cases.items():
            with force_locale(language):
                assert format_amount(605000, "EUR") == money
                assert format_when(date(2026, 12, 1)) in (day, day.replace(" Dec", " Dec."))
        with force_locale("en"):
            assert format_amount(-1250, "CHF") == "-CHF 12.50"


def test_a_reader_zone_set_in_one_thread_is_not_seen_in_another(app):
    """The mail courier renders emails for their readers in its own thread while requests render
    pages: the zone `as_reader` sets belongs to the thread that set it."""
    import threading
    from types import SimpleNamespace

    from portal.core.i18n import reader_zone

    inside, release = threading.Event(), threading.Event()

    def courier():
        with app.app_context(), as_reader(SimpleNamespace(locale="de", time_zone="Asia/Tokyo")):
            assert str(reader_zone()) == "Asia/Tokyo"
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=courier)
    thread.start()
    try:
        assert inside.wait(5)
        with app.test_request_context("/"):
            assert str(reader_zone()) == "UTC"
    finally:
        release.set()
        thread.join(5)


@pytest.mark.parametrize(
    ("language", "berlin", "tokyo"),
    [
        ("en", "Germany — Berlin", "Japan — Tokyo"),
        ("fr", "Allemagne — Berlin", "Japon — Tokyo"),
        ("de", "Deutschland — Berlin", "Japan — Tokio"),
    ],
)
def test_time_zones_are_named_in_the_readers_language_and_none_is_left_out(app, language, berlin, tokyo):
    from zoneinfo import available_timezones

    from portal.core.i18n import time_zone_choices

    with app.test_request_context("/", headers={"Accept-Language": language}):
        choices = dict(time_zone_choices())
    assert choices["Europe/Berlin"] == berlin and choices["Asia/Tokyo"] == tokyo
    assert next(iter(choices)) == "UTC"
    # Every zone a browser may report stays choosable, so saving the form never changes it silently.
    assert {z for z in available_timezones() if "/" in z} <= set(choices)
