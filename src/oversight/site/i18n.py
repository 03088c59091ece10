"""The site's languages: the one a request is answered in, and the Jinja2 environments that
render in it (gettext from ``core.language``'s catalogs; dates and numbers formatted by Babel)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.core import negotiate_locale
from babel.dates import format_date, format_datetime, format_skeleton, format_time
from babel.numbers import format_currency, format_decimal, format_percent
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.responses import Response

# The site reads the catalogs through here (re-exported).
from oversight.core.language import LANGUAGES as LANGUAGES
from oversight.core.language import translations as translations

STATIC = Path(__file__).parent / "static"
NAMES = {"en": "English", "es": "Español"}
COOKIE = "lang"
#: How long the language chosen is remembered (a year).
REMEMBERED = 365 * 24 * 3600
#: The currency budgets are shown in.
CURRENCY = "USD"
#: The time zone dates are shown in, until commissions set their own.
TIMEZONE = "America/Los_Angeles"


def remember(response: Response, language: str) -> None:
    """The browser answers in ``language`` from now on."""
    response.set_cookie(COOKIE, language, max_age=REMEMBERED, httponly=True, samesite="lax")


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The language a request is answered in: the remembered choice, else the browser's
    preference (``Accept-Language``, by quality), else English."""
    if cookie in LANGUAGES:
        return cookie
    preferred: list[tuple[float, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and quality > 0:
            preferred.append((-quality + position * 1e-6, tag.strip().replace("-", "_")))
    chosen = negotiate_locale([tag for _, tag in sorted(preferred)], LANGUAGES, sep="_")
    return chosen or LANGUAGES[0]


def filesize(size: int, language: str) -> str:
    """A file's size as people read it: "2.4 MB", "2,4 MB", "730 kB"."""
    if size < 1_000_000:
        return f"{format_decimal(max(size / 1000, 1), '#,##0', locale=language)} kB"
    return f"{format_decimal(size / 1_000_000, '#,##0.#', locale=language)} MB"


def _formatters(language: str) -> dict[str, Callable[..., str]]:
    locale = Locale.parse(language)
    return {
        "date": lambda value, form="long": format_date(value, form, locale=locale),
        "datetime": lambda value, form="long": format_datetime(
            value, form, tzinfo=ZoneInfo(TIMEZONE), locale=locale
        ),
        # A meeting's day and hour, as people write them: "jueves, 17 de diciembre de 2026, 10:00".
        "when": lambda value: (
            f"{format_date(value.astimezone(ZoneInfo(TIMEZONE)), 'full', locale=locale)}, "
            f"{format_time(value, 'short', tzinfo=ZoneInfo(TIMEZONE), locale=locale)}"
        ),
        "number": lambda value: format_decimal(Decimal(str(value)), locale=locale),
        # A month of the record ("2026-03") as people write it: "March 2026", "marzo de 2026".
        "month": lambda value: format_skeleton(
            "yMMMM", date.fromisoformat(f"{value}-01"), locale=locale
        ),
        "filesize": lambda value: filesize(value, language),
        "money": lambda value: format_currency(Decimal(str(value)), CURRENCY, locale=locale),
        "percent": lambda value: format_percent(
            Decimal(str(value)) / 100, "#,##0.0%", locale=locale
        ),
    }


@cache
def environment(language: str) -> Environment:
    """The Jinja2 environment that renders in ``language``: autoescaped, gettext installed."""
    env = Environment(
        loader=PackageLoader("oversight.site", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(_formatters(language))
    env.globals.update(language=language, languages=LANGUAGES, language_names=NAMES)
    return env
