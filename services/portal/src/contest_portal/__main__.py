"""`python -m contest_portal`: serve the portal's pages."""

from __future__ import annotations

import uvicorn

from contest_portal.app import NAME, create_app
from contest_portal.settings import PortalSettings
from contest_runtime.logs import configure_logging


def main() -> None:
    """Serve the pages until stopped."""
    settings = PortalSettings()  # from the environment
    configure_logging(NAME, settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_graceful_shutdown=10,
    )


if __name__ == "__main__":
    main()
