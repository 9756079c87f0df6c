"""Countries by ISO 3166-1 alpha-2 code: names, choices for a select, validation."""

from __future__ import annotations

from functools import lru_cache

import pycountry


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code) if code else None
    return getattr(country, "common_name", None) or getattr(country, "name", code)


@lru_cache(maxsize=1)
def _choices() -> tuple[tuple[str, str], ...]:
    return tuple(
        sorted(
            ((c.alpha_2, getattr(c, "common_name", c.name)) for c in pycountry.countries),
            key=lambda pair: pair[1],
        )
    )


def country_choices() -> list[tuple[str, str]]:
    return list(_choices())


def is_country_code(code: str) -> bool:
    return len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None
