"""Which language a person reads, and the message catalogs of the three languages.

A page's address carries its language (`/kk/...`, `/ru/...`, `/en/...`), so a shared cache
keeps one copy per language without varying on cookies. Where an address has none (`/`),
the language is the person's choice kept in a cookie, else the first of Accept-Language the
portal speaks, else Russian.

The catalogs' sources are the `.po` files under `locales/`; they are compiled in memory when
the app is created (nothing compiled is written or committed), so a broken catalog stops
the start.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from contest_contracts.common import Language

LANGUAGES = (Language.KK, Language.RU, Language.EN)
"""In the order the language switch shows them."""

DEFAULT = Language.RU
COOKIE = "lang"
DOMAIN = "messages"


def chosen_language(cookie: str | None, accept_language: str | None) -> Language:
    """The language of a page whose address names none: the cookie's, else the best of
    Accept-Language the portal speaks (by quality, then order), else Russian."""
    if cookie in {language.value for language in LANGUAGES}:
        return Language(cookie)
    for tag in by_preference(accept_language or ""):
        primary = tag.split("-")[0]
        if primary in {language.value for language in LANGUAGES}:
            return Language(primary)
    return DEFAULT


def by_preference(header: str) -> list[str]:
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


@dataclass(frozen=True)
class Catalogs:
    """The compiled message catalog of each language."""

    translations: Mapping[Language, gettext.GNUTranslations]

    def __getitem__(self, language: Language) -> gettext.GNUTranslations:
        return self.translations[language]

    @classmethod
    def load(cls) -> Catalogs:
        """Compile every language's `.po` file shipped in the package."""
        return cls({language: compiled(language) for language in LANGUAGES})


def compiled(language: Language, package: str = "contest_portal") -> gettext.GNUTranslations:
    """The `.po` catalog of ``language`` shipped in ``package`` (under `locales/`), compiled
    in memory. The local identity provider's pages are translated the same way."""
    source = resources.files(package).joinpath(
        "locales", language.value, "LC_MESSAGES", f"{DOMAIN}.po"
    )
    with source.open("rb") as po:
        catalog = read_po(po, locale=language.value, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)
