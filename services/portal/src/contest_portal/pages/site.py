"""What every page handler holds: the services' readers, the renderer and the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from contest_contracts.common import Language
from contest_portal.languages import LANGUAGES
from contest_portal.pages.rendering import Renderer
from contest_portal.services import Services
from contest_portal.services.identity import IdentityProvider
from contest_portal.sessions import Sessions
from contest_portal.signins import SignIns
from contest_portal.tally_feeds import TallyFeeds


@dataclass(frozen=True)
class Site:
    """The running portal, as its pages see it."""

    services: Services
    renderer: Renderer
    clock: Callable[[], datetime]
    sessions: Sessions
    tallies: TallyFeeds
    """Live tallies, one stream of voting's per contest for every reader."""
    signins: SignIns
    exhibition_page_size: int = 24
    identity: IdentityProvider | None = None
    """The provider people sign in at; ``None`` where this site has no sign-in."""
    public_url: str | None = None
    """The address people reach the portal at, when it is not the request's own."""
    document_fonts: Path = Path("/usr/share/fonts/truetype/dejavu")
    """Where the PDF documents' Unicode font is (:mod:`contest_portal.documents`)."""


def site(request: Request) -> Site:
    """FastAPI dependency: the portal serving the request."""
    current: Site = request.app.state.site
    return current


def page_language(lang: str) -> Language:
    """FastAPI dependency: the language a page's address names; 404 for anything else."""
    for language in LANGUAGES:
        if language.value == lang:
            return language
    raise HTTPException(404)


CurrentSite = Annotated[Site, Depends(site)]
PageLanguage = Annotated[Language, Depends(page_language)]
