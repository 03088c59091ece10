"""The people-facing languages: Babel's gettext catalogs in ``oversight/locale`` (one catalog
for the site and the e-mails), and the marks that put a string in them.

The catalogs are compiled at install (``make setup`` runs ``pybabel compile``); a catalog whose
``.po`` is newer than its ``.mo`` (or has none) is compiled in memory at first use instead, so a
checkout never serves stale words.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent.parent / "locale"
DOMAIN = "messages"
#: The languages people are answered in, the first the default (and the catalogs' source).
LANGUAGES = ("en", "es")


def N_(message: str) -> str:  # noqa: N802  (gettext's name for "mark, translate later")
    """Mark a string for the catalogs; it is translated where it is shown."""
    return message


def C_(context: str, message: str) -> str:  # noqa: N802
    """Mark a string whose words depend on where it is used (``pgettext`` translates it)."""
    return message


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalog of ``language`` (English is the source: no catalog); an unknown
    language is answered in English."""
    if language not in LANGUAGES[1:]:
        return NullTranslations()
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as compiled:
            return Translations(compiled, domain=DOMAIN)
    with po.open("rb") as source:
        catalog = read_po(source, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)
