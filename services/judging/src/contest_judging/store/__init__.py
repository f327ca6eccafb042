"""Judging's MongoDB collections."""
