"""Subscribers: what judging does when other services (and judging itself) announce things."""
