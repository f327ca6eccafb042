"""Intake's pure logic: identifiers, contest definitions, applications. No I/O here."""
