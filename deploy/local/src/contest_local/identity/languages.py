"""The language of the sign-in page, and the message catalogs of the three languages, the
way the portal does it (`contest_portal.languages`): the `.po` files under `locales/` are
the sources, compiled in memory at start (a broken catalog stops the start)."""

from __future__ import annotations

import gettext
import io
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from contest_contracts.common import Language

LANGUAGES = (Language.KK, Language.RU, Language.EN)
"""In the order the language switch shows them."""

NAMES = {Language.KK: "Қазақша", Language.RU: "Русский", Language.EN: "English"}
"""Each language named in itself, as a language switch should."""

DEFAULT = Language.RU
DOMAIN = "messages"
_SPOKEN = {language.value for language in LANGUAGES}


def chosen_language(ui_locales: str | None, accept_language: str | None) -> Language:
    """The first of the client's `ui_locales` the provider speaks, else the best of
    Accept-Language (by quality, then order), else Russian."""
    for tag in (ui_locales or "").split()[:16]:
        if (primary := tag.split("-")[0].lower()) in _SPOKEN:
            return Language(primary)
    for tag in _by_preference(accept_language or ""):
        if (primary := tag.split("-")[0]) in _SPOKEN:
            return Language(primary)
    return DEFAULT


def _by_preference(header: str) -> list[str]:
    """Language tags of an Accept-Language header, most wanted first, refused ones left out."""
    weighed: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:32]):
        tag, _, parameters = part.strip().partition(";")
        quality = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            weighed.append((-quality, position, tag.strip().lower()))
    return [tag for _, _, tag in sorted(weighed)]


def catalogs() -> dict[Language, gettext.GNUTranslations]:
    """Every language's catalog, compiled from its `.po` file."""
    return {language: compiled(language) for language in LANGUAGES}


def compiled(language: Language) -> gettext.GNUTranslations:
    """The `.po` catalog of ``language``, compiled in memory."""
    source = resources.files("contest_local.identity").joinpath(
        "locales", language.value, "LC_MESSAGES", f"{DOMAIN}.po"
    )
    with source.open("rb") as po:
        catalog = read_po(po, locale=language.value, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)
