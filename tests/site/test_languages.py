"""Every word the site shows has its Spanish: the catalog template is what the code marks today,
and the Spanish catalog translates every message of it, plural forms included."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from oversight.core import language
from oversight.site import i18n
from oversight.site.words import WORDS

POT = language.LOCALE_DIR / "messages.pot"
SPANISH = language.LOCALE_DIR / "es" / "LC_MESSAGES" / "messages.po"
CONFIG = language.LOCALE_DIR / "babel.cfg"


def ids(path: Path) -> set[object]:
    with path.open("rb") as source:
        return {message.id for message in read_po(source) if message.id}


def test_the_template_is_what_the_code_marks(tmp_path: Path) -> None:
    """A string marked in a template or with N_ but missing from messages.pot: run make messages."""
    extracted = tmp_path / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "-q",
            "extract",
            "-F",
            str(CONFIG),
            "-k",
            "N_",
            "-k",
            "C_:1c,2",
            "--no-location",
            "--omit-header",
            "-o",
            str(extracted),
            str(CONFIG.parent.parent),
        ],
        check=True,
    )
    assert ids(extracted) == ids(POT), "run `make messages` and translate what it adds"


def test_every_message_has_its_spanish() -> None:
    with SPANISH.open("rb") as source:
        catalog = read_po(source, locale="es")
    untranslated = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings) or len(strings) not in (1, catalog.num_plurals):
            untranslated.append(message.id)
    assert untranslated == []
    assert ids(SPANISH) >= ids(POT)


def test_the_record_s_vocabularies_are_translated() -> None:
    spanish = i18n.translations("es")
    same = [words for words in WORDS.values() if spanish.gettext(words) == words]
    assert same == ["No"]  # the one word that is the same in both


def test_the_spanish_catalog_is_the_one_served() -> None:
    assert i18n.translations("es").gettext("Bring a concern") == "Presentar una queja"
    assert i18n.translations("es").ngettext("%(num)s comment", "%(num)s comments", 5) == (
        "%(num)s comentarios"
    )
