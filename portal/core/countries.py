"""Countries by ISO 3166-1 alpha-2 code: names, choices for a select, validation.

`country_name` is the English name (it is snapshotted into invoices and agreements, as data);
`country_choices` and `local_country_name` name the countries in the reader's language (pycountry's
own ISO 3166 translations), sorted as a reader of that language expects."""

from __future__ import annotations

import gettext
import unicodedata
from functools import lru_cache

import pycountry


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code) if code else None
    return getattr(country, "common_name", None) or getattr(country, "name", code)


def _english_name(country) -> str:
    return getattr(country, "common_name", None) or country.name


@lru_cache(maxsize=4)
def _translator(language: str):
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)


def _sort_key(name: str) -> str:
    """Accents do not move a name to the end of the list (Émirats arabes unis among the E)."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


@lru_cache(maxsize=4)
def _choices(language: str) -> tuple[tuple[str, str], ...]:
    translate = _translator(language).gettext if language != "en" else str
    return tuple(
        sorted(
            ((c.alpha_2, translate(_english_name(c))) for c in pycountry.countries),
            key=lambda pair: _sort_key(pair[1]),
        )
    )


def country_choices() -> list[tuple[str, str]]:
    from .i18n import current_language

    try:
        language = current_language()
    except RuntimeError:  # no application context: English
        language = "en"
    return list(_choices(language))


def local_country_name(code: str) -> str:
    """The country's name in the reader's language, for pages (never for a stored snapshot)."""
    from .i18n import current_language

    try:
        language = current_language()
    except RuntimeError:  # no application context: English
        language = "en"
    return dict(_choices(language)).get((code or "").upper(), country_name(code))


def is_country_code(code: str) -> bool:
    return len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None
