"""The language of the sign-in page, and the message catalogs of the three languages, by the
portal's own means (`contest_portal.languages`): the `.po` files under `locales/` are the
sources, compiled in memory at start (a broken catalog stops the start)."""

from __future__ import annotations

import gettext

from contest_contracts.common import Language
from contest_portal.languages import DEFAULT, LANGUAGES, by_preference, compiled
from contest_portal.pages.rendering import LANGUAGE_NAMES as NAMES

__all__ = ["LANGUAGES", "NAMES", "catalogs", "chosen_language"]

_SPOKEN = {language.value for language in LANGUAGES}


def chosen_language(ui_locales: str | None, accept_language: str | None) -> Language:
    """The first of the client's `ui_locales` the provider speaks, else the best of
    Accept-Language (by quality, then order), else Russian."""
    for tag in (ui_locales or "").split()[:16]:
        if (primary := tag.split("-")[0].lower()) in _SPOKEN:
            return Language(primary)
    for tag in by_preference(accept_language or ""):
        if (primary := tag.split("-")[0]) in _SPOKEN:
            return Language(primary)
    return DEFAULT


def catalogs() -> dict[Language, gettext.GNUTranslations]:
    """Every language's catalog, compiled from its `.po` file."""
    return {language: compiled(language, "contest_local.identity") for language in LANGUAGES}
