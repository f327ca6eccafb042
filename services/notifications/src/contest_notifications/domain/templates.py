"""Message templates: one file per template and language, ``<template>.<language>.txt``.

A file starts with a ``Subject:`` line (used by email), a blank line, then the body, with
``$name`` placeholders filled from the request's parameters, worded in the message's
language (``domain.wording``: plurals, numbers, dates, stage names). The recipient's language is
used when the template exists in it, else the first of the fallback order that exists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from string import Template

from contest_contracts.common import Language
from contest_notifications.domain.wording import worded


class TemplateProblem(ValueError):
    """A template is missing, malformed, or lacks a parameter."""


@dataclass(frozen=True)
class Message:
    """A rendered message."""

    language: Language
    subject: str
    body: str
    opt_out_url: str | None = None
    """Where the recipient can opt out of such messages (email's ``List-Unsubscribe``);
    None for essential ones, which are sent whatever the opt-outs."""


@dataclass(frozen=True)
class MessageTemplate:
    """One template in one language."""

    subject: Template
    body: Template

    @classmethod
    def parse(cls, text: str) -> MessageTemplate:
        """Read a template file's text."""
        head, separator, body = text.partition("\n\n")
        if not head.startswith("Subject:") or not separator:
            raise TemplateProblem("a template starts with 'Subject:' and a blank line")
        return cls(Template(head.removeprefix("Subject:").strip()), Template(body.strip()))


class Templates:
    """Every template in every language it is written in."""

    def __init__(self, files: Mapping[tuple[str, Language], str]) -> None:
        self.templates = {key: MessageTemplate.parse(text) for key, text in files.items()}

    @classmethod
    def packaged(cls) -> Templates:
        """The templates shipped in ``contest_notifications/templates``."""
        directory = resources.files("contest_notifications").joinpath("templates")
        files: dict[tuple[str, Language], str] = {}
        for entry in directory.iterdir():
            name, _, language = entry.name.removesuffix(".txt").rpartition(".")
            if entry.name.endswith(".txt") and language in Language.__members__.values():
                files[(name, Language(language))] = entry.read_text(encoding="utf-8")
        return cls(files)

    def names(self) -> set[str]:
        """Every template name."""
        return {name for name, _ in self.templates}

    def languages(self, name: str) -> set[Language]:
        """The languages a template is written in."""
        return {language for n, language in self.templates if n == name}

    def render(
        self,
        name: str,
        language: Language,
        fallback: Sequence[Language],
        parameters: Mapping[str, str],
    ) -> Message:
        """``name`` in the recipient's language, or the first fallback it exists in."""
        for candidate in _in_order(language, fallback):
            template = self.templates.get((name, candidate))
            if template is not None:
                words = worded(parameters, candidate)
                try:
                    return Message(
                        candidate,
                        template.subject.substitute(words),
                        template.body.substitute(words),
                    )
                except (KeyError, ValueError) as error:
                    raise TemplateProblem(f"{name}.{candidate}: missing {error}") from error
        raise TemplateProblem(f"no template {name!r} in {language} or {list(fallback)}")


def _in_order(language: Language, fallback: Iterable[Language]) -> list[Language]:
    return list(dict.fromkeys([language, *fallback]))
