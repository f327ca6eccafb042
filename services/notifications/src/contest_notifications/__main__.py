"""`python -m contest_notifications`: run the notifications service."""

from __future__ import annotations

from contest_notifications.app import NAME, create_app
from contest_notifications.settings import NotificationsSettings
from contest_runtime.service import serve


def main() -> None:
    """Serve the notifications API (and its consumers) until stopped."""
    settings = NotificationsSettings()
    serve(create_app(settings), settings, NAME)


if __name__ == "__main__":
    main()
