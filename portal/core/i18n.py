"""Languages, time zones and locale formats (Flask-Babel).

The portal speaks English, French and German. A reader's language is, in order: the one chosen in
their profile (signed in), the one chosen with the switcher (kept in the session, for visitors),
their browser's Accept-Language, English. Their time zone is the profile's, else the one their
browser reported (the `tz` cookie site.js sets), else UTC. Emails and PDFs are rendered under the
recipient's locale with `as_reader(user)` / Flask-Babel's `force_locale`.

Catalogs: every folder under `portal/translations/` is one catalog (`<catalog>/<lang>/LC_MESSAGES/
messages.po` and its compiled `.mo`); Flask-Babel merges them. `scripts/translations.sh` extracts,
updates and compiles them; tests/core/test_translations.py fails on a partner-facing string that is
not marked or lacks a French or German translation, and on a `.mo` older than its `.po`.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import unicodedata
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.numbers import format_decimal
from flask import Flask, has_request_context, request, session
from flask.globals import _cv_app
from flask_babel import Babel, Domain, force_locale, get_locale, get_timezone
from flask_login import current_user

LANGUAGES: dict[str, str] = {"en": "English", "fr": "Français", "de": "Deutsch"}
DEFAULT_LANGUAGE = "en"
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
TZ_COOKIE = "tz"
# Endpoints that never need the viewer: no user is loaded for them (the health check must not
# depend on a session cookie a probe might carry); they are read in the default language.
SESSIONLESS_ENDPOINTS = frozenset({None, "static", "main.healthz", "main.brand_css"})


class _ReaderDomain(Domain):
    """Flask-Babel's message domain, finding the translations of the locale being rendered in one
    dictionary look-up. Flask-Babel's own path looks the request's state up through `g` three times
    and formats the locale's name on every `_()`: about a hundred proxy look-ups per page. The locale
    is read on every call, so `force_locale` (emails, PDFs) and `refresh()` still switch it."""

    def __init__(self) -> None:
        super().__init__()
        self._by_locale: dict[Locale, Any] = {}

    def get_translations(self) -> Any:
        context = _cv_app.get(None)
        state = context.g.__dict__.get("_flask_babel") if context is not None else None
        locale = getattr(state, "babel_locale", None)
        if locale is None or getattr(state, "babel_domain", self) is not self:
            return super().get_translations()
        try:
            return self._by_locale[locale]
        except KeyError:
            translations = self._by_locale[locale] = super().get_translations()
            return translations


babel = Babel()
babel.domain_instance = _ReaderDomain()  # what Flask-Babel's gettext, lazy_gettext and _() use


def catalog_directories() -> list[str]:
    if not TRANSLATIONS.is_dir():
        return []
    return sorted(str(path) for path in TRANSLATIONS.iterdir() if path.is_dir())


def language_or_none(value: object) -> str | None:
    text = str(value or "").strip().lower()[:2]
    return text if text in LANGUAGES else None


def zone_or_none(value: object) -> str | None:
    """An IANA time zone name this system knows, else None (a cookie or form may carry anything)."""
    name = str(value or "").strip()
    if not name or len(name) > 64 or name not in _zones():
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def time_zone_choices() -> list[tuple[str, str]]:
    """Every time zone of a country, named in the reader's language as "country — city"
    (`Deutschland — Berlin`, `Japon — Tokyo`), sorted by that name; UTC first."""
    return list(_zone_choices(current_language()))


@functools.lru_cache(maxsize=len(LANGUAGES))
def _zone_choices(language: str) -> tuple[tuple[str, str], ...]:
    from babel.core import get_global
    from babel.dates import get_timezone, get_timezone_location

    locale = Locale.parse(language)
    territories = get_global("zone_territories")
    named = []
    for zone in _zones():
        if "/" not in zone:
            continue
        code = territories.get(zone, "")
        territory = locale.territories.get(code) if code not in ("", "ZZ", "001") else None
        if not territory:  # Etc/GMT+5, old aliases: kept (a browser may report one), by their id
            named.append((zone, zone.replace("_", " ")))
            continue
        city = get_timezone_location(get_timezone(zone), locale=locale, return_city=True)
        named.append((zone, territory if city == territory else f"{territory} — {city}"))
    named.sort(key=lambda pair: unicodedata.normalize("NFKD", pair[1]).casefold())
    return (("UTC", "UTC"), *named)


def _viewer() -> Any:
    if request.endpoint in SESSIONLESS_ENDPOINTS:
        return None
    user = current_user
    return user if user and getattr(user, "is_authenticated", False) else None


def select_locale() -> str | None:
    if not has_request_context():
        return None
    user = _viewer()
    chosen = language_or_none(getattr(user, "locale", None)) or language_or_none(session.get("locale"))
    return chosen or request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT_LANGUAGE)


def select_timezone() -> str | None:
    if not has_request_context():
        return None
    user = _viewer()
    cookie = unquote(request.cookies.get(TZ_COOKIE) or "")  # site.js encodes the "/" of Europe/Paris
    return zone_or_none(getattr(user, "time_zone", None)) or zone_or_none(cookie)


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else DEFAULT_LANGUAGE


@contextlib.contextmanager
def as_reader(user: Any) -> Iterator[None]:
    """Render for `user` (an email, a PDF): their language and time zone, not the current request's.
    An account with no saved language (staff, older accounts) reads English; someone with no account
    (an invitee) the current request's language; with no request (a job), English."""
    if user is None:
        language = current_language()
    else:
        language = language_or_none(getattr(user, "locale", None)) or DEFAULT_LANGUAGE
    zone = zone_or_none(getattr(user, "time_zone", None))
    with force_locale(language), _forced_zone(zone):
        yield


_reader_lookups: list[Callable[[str], Any]] = []


def register_reader_lookup(lookup: Callable[[str], Any]) -> None:
    """The area that owns accounts tells core how to find the reader of an email address."""
    _reader_lookups.append(lookup)


def reader_of(address: str) -> Any:
    for lookup in _reader_lookups:
        reader = lookup(address)
        if reader is not None:
            return reader
    return None


# The zone `as_reader` renders in: per thread and context (the mail courier renders emails in its
# own thread while requests render pages), never shared between them.
_forced_zone_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "liaison_reader_zone", default=None
)


@contextlib.contextmanager
def _forced_zone(zone: str | None) -> Iterator[None]:
    token = _forced_zone_var.set(zone or "UTC")
    try:
        yield
    finally:
        _forced_zone_var.reset(token)


def reader_zone() -> ZoneInfo:
    forced = _forced_zone_var.get()
    if forced:
        return ZoneInfo(forced)
    return ZoneInfo(str(get_timezone() or "UTC"))


FORMAT_LOCALES = {"en": "en_GB"}  # English dates and numbers as written in Europe: 1 Dec 2026


def _locale() -> Locale:
    locale = get_locale() or Locale.parse(DEFAULT_LANGUAGE)
    if locale.territory is None and locale.language in FORMAT_LOCALES:
        return _format_locale(locale.language)
    return locale


@functools.cache
def _format_locale(language: str) -> Locale:
    return Locale.parse(FORMAT_LOCALES[language])


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def format_when(value: datetime | date, with_time: bool = True) -> str:
    """One format for every date and time a reader sees: the locale's medium date (and short time) in
    the reader's time zone, with the zone's abbreviation. A calendar date (an invoice's due date) is
    shown as it is, in no time zone."""
    if not isinstance(value, datetime):
        return babel_format_date(value, format="medium", locale=_locale())
    local = _aware(value).astimezone(reader_zone())
    if not with_time:
        return babel_format_date(local.date(), format="medium", locale=_locale())
    day = babel_format_date(local.date(), format="medium", locale=_locale())
    clock = babel_format_time(local.time(), format="short", locale=_locale())
    return f"{day}, {clock} {local.strftime('%Z')}"


def format_count(value: int) -> str:
    """A whole number as the reader writes it: 2,000 / 2 000 / 2.000."""
    return format_decimal(value, locale=_locale())


def month_name(month: int) -> str:
    """The month's name in the reader's language, as in a date ("February", "février", "Februar")."""
    return _locale().months["format"]["wide"][month]


def format_utc(value: datetime) -> str:
    return _aware(value).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def format_amount(cents: int, currency: str) -> str:
    """Money per locale: `EUR 25,000.00` in English, `25 000,00 EUR` in French, `25.000,00 EUR` in
    German; the ISO code, never a symbol that could mean several currencies."""
    locale = _locale()
    number = format_decimal(Decimal(abs(cents)) / 100, format="#,##0.00", locale=locale)
    sign = "-" if cents < 0 else ""
    pattern = locale.currency_formats["standard"].pattern
    if pattern.lstrip().startswith("¤"):
        return f"{sign}{currency} {number}"
    return f"{sign}{number} {currency}"


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "UTC")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(catalog_directories()) or "translations"
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.policies["ext.i18n.trimmed"] = True  # {% trans %} text as extracted (one line)
    domain = babel.domain_instance  # as Flask-Babel installs them, without its three look-ups of `g`
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: domain.get_translations().ugettext(s),
        ngettext=lambda s, p, n: domain.get_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: domain.get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: domain.get_translations().unpgettext(c, s, p, n),
    )

    @app.before_request
    def _settle_reader() -> None:
        """Chosen once, at the start: Flask-Babel keeps the answer for the request, so a view that
        commits (which expires the signed-in user) and formats afterwards does not load them again."""
        if request.endpoint not in SESSIONLESS_ENDPOINTS:
            get_locale()
            get_timezone()

    @app.context_processor
    def _languages() -> dict:
        return {"languages": LANGUAGES, "current_language": current_language()}
