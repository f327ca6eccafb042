"""`python -m contest_voting`: run the voting service."""

from __future__ import annotations

from contest_runtime.service import serve
from contest_voting.app import NAME, create_app
from contest_voting.settings import VotingSettings


def main() -> None:
    """Serve the voting API (and its consumers) until stopped."""
    settings = VotingSettings()
    serve(create_app(settings), settings, NAME)


if __name__ == "__main__":
    main()
