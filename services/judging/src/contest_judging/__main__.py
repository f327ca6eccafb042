"""`python -m contest_judging`: run the judging service."""

from __future__ import annotations

from contest_judging.app import NAME, create_app
from contest_judging.settings import JudgingSettings
from contest_runtime.service import serve


def main() -> None:
    """Serve the judging API (and its consumers) until stopped."""
    settings = JudgingSettings()
    serve(create_app(settings), settings, NAME)


if __name__ == "__main__":
    main()
