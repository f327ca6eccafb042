"""Judging's pure logic: assignment, scoring, ranking, finalists and awards (no I/O)."""
