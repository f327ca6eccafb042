"""The intake service: contest definitions, applications and the submission window."""
