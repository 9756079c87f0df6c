"""Template globals and filters: branding, dates, status badges."""

from __future__ import annotations

import re
from datetime import date, datetime

from flask import Flask, current_app, request
from markupsafe import Markup, escape

from .money import format_money

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{3,8}$")
DEFAULT_COLOURS = {"BRAND_PRIMARY": "#0b4f6c", "BRAND_ACCENT": "#e4572e"}


def brand_colour(name: str) -> str:
    """A configured brand colour (BRAND_PRIMARY / BRAND_ACCENT) if it is a hex colour, else the default:
    it goes into CSS and email styles, so nothing else may pass."""
    value = current_app.config.get(name) or ""
    return value if HEX_COLOUR.match(value) else DEFAULT_COLOURS[name]


_LINKISH = re.compile(r"(?<=[.@])(?=\w)|(?<=:)(?=//)")


def inert(value: object) -> str:
    """A name shown as data in an email, sent from the institution's address: on one line, with a
    zero-width space after each dot, @ and scheme colon, so that no mail client turns `evil.example`
    or `x@y.z` inside a company or person name into a link."""
    return _LINKISH.sub("\u200b", " ".join(str(value or "").split()))


def register_template_helpers(app: Flask) -> None:
    from .widgets import install_fast_html_params

    install_fast_html_params()

    @app.context_processor
    def _brand() -> dict:
        cfg = current_app.config
        return {
            "brand": {
                "portal": cfg["PORTAL_NAME"],
                "programme": cfg["PROGRAMME_NAME"],
                "institution": cfg["INSTITUTION_NAME"],
                "contact": cfg["CONTACT_EMAIL"],
                "logo": cfg["LOGO_PATH"],
                "primary": cfg["BRAND_PRIMARY"],
                "accent": cfg["BRAND_ACCENT"],
            }
        }

    # Money, registered once: {{ cents|money(currency) }} or format_money(cents, currency).
    app.add_template_global(format_money, "format_money")
    app.add_template_filter(format_money, "money")
    app.add_template_filter(inert, "inert")

    @app.template_filter("datetime")
    def _datetime(value: datetime | None, with_time: bool = True) -> Markup:
        """A date (and time) in the reader's language and time zone inside <time>, the absolute UTC
        time on hover."""
        from .i18n import format_utc, format_when

        if value is None:
            return Markup('<span class="text-body-secondary">—</span>')
        iso = value.isoformat()
        text = format_when(value, with_time)
        return Markup(  # noqa: S704 - every interpolated value is escaped
            f'<time datetime="{escape(iso)}" title="{escape(format_utc(value))}">{escape(text)}</time>'
        )

    @app.template_filter("when")
    def _when(value: datetime | None, with_time: bool = True) -> str:
        """The same, as plain text (emails, PDFs)."""
        from .i18n import format_when

        return "—" if value is None else format_when(value, with_time)

    @app.template_filter("date")
    def _date(value: date | datetime | None) -> str:
        """A calendar date in the reader's language: `1 Dec 2026`, `1 déc. 2026`, `01.12.2026`."""
        from .i18n import format_when

        return "—" if value is None else format_when(value, with_time=False)

    @app.template_filter("isodate")
    def _isodate(value: str | None) -> date | None:
        """A stored ISO date (`2026-08-25`, as snapshots keep them) back to a date, for `|date`."""
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            return None

    @app.template_filter("language_name")
    def _language_name(code: str | None) -> str:
        """A language code as the reader says it: `en` is "English", "anglais" or "Englisch"."""
        from babel import Locale, UnknownLocaleError

        from .i18n import current_language

        try:
            return Locale.parse(code or "").get_display_name(current_language()) or (code or "")
        except (ValueError, UnknownLocaleError):
            return code or ""

    @app.template_filter("count_format")
    def _count(value: int) -> str:
        """A whole number in the reader's language: `2,000`, `2 000`, `2.000`."""
        from .i18n import format_count

        return format_count(value)

    @app.template_global()
    def page_url(page: int) -> str:
        args = request.args.to_dict()
        args["page"] = str(page)
        from urllib.parse import urlencode

        return f"{request.path}?{urlencode(args)}"

    @app.template_global()
    def is_active(*prefixes: str) -> str:
        return "active" if any(request.path.startswith(p) for p in prefixes) else ""
