"""`python -m contest_intake`: run the intake service."""

from __future__ import annotations

from contest_intake.app import NAME, create_app
from contest_intake.settings import IntakeSettings
from contest_runtime.service import serve


def main() -> None:
    """Serve the intake API (and its consumers) until stopped."""
    settings = IntakeSettings()
    serve(create_app(settings), settings, NAME)


if __name__ == "__main__":
    main()
