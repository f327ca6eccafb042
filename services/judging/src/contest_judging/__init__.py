"""The judging service: commissions, assignment, scoring, finalists and awards."""
