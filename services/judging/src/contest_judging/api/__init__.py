"""Judging's HTTP API: every route states who may call it."""
