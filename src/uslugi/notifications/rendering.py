"""Templates of notifications: the shipped defaults, the admin's versions, rendering.

Texts are Django templates rendered by an engine of their own: no HTML escaping (every
channel is plain text; the inbox page escapes on display), no template loaders (so
`{% include %}` and `{% extends %}` find nothing), only the built-in tags and filters.
The context may hold only plain values (text, numbers, dates, lists and dicts of them),
so a template edited in the admin cannot reach into a model object.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog
import yaml
from django.conf import settings
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.utils import translation

from uslugi.notifications import events
from uslugi.notifications.constants import Channel

log = structlog.get_logger(__name__)

SHIPPED_FILE = Path(__file__).resolve().parent / "data" / "templates.yaml"
_PLAIN = (str, int, float, bool, decimal.Decimal, dt.date, dt.datetime, dt.time, type(None))
# An SMS longer than this is cut (about three concatenated Cyrillic SMS parts).
SMS_MAX_CHARS = 200


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    #: The NotificationTemplate version used, or None for the shipped default.
    template_id: Any = None


@functools.cache
def _engine() -> Engine:
    return Engine(autoescape=False, loaders=[], debug=False)


@functools.cache
def shipped() -> dict[tuple[str, str, str], Text]:
    """The default texts shipped with the portal, by (event, channel, language)."""
    data = yaml.safe_load(SHIPPED_FILE.read_text(encoding="utf-8"))
    texts: dict[tuple[str, str, str], Text] = {}
    for event, channels in data.items():
        for channel, languages in channels.items():
            if channel == "context":
                continue
            for language, text in languages.items():
                texts[event, channel, language] = Text(
                    subject=text.get("subject", ""), body=text["body"]
                )
    return texts


@functools.cache
def sample_context(event: str) -> dict[str, Any]:
    """Example values of an event's context (admin checks and previews)."""
    data = yaml.safe_load(SHIPPED_FILE.read_text(encoding="utf-8"))
    return dict(data.get(event, {}).get("context") or {})


def check_context(value: Any, *, path: str = "context") -> None:
    """Refuse anything but plain values (TypeError), at any depth."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{path}: keys must be strings")
            check_context(item, path=f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            check_context(item, path=f"{path}[{index}]")
    elif not isinstance(value, _PLAIN):
        raise TypeError(f"{path}: {type(value).__name__} is not a plain value")


def compile_text(source: str) -> Template:
    """Compile a template text (TemplateSyntaxError if it is not valid)."""
    return Template(source, engine=_engine())


def render_text(source: str, context: dict[str, Any], language: str) -> str:
    with translation.override(language):
        return compile_text(source).render(Context(context, autoescape=False))


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _tidy(text: str) -> str:
    """Trailing spaces off, at most one empty line in a row (conditional blocks leave gaps)."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def _finish(channel: str, subject: str, body: str) -> tuple[str, str]:
    if channel == Channel.SMS:
        body = _one_line(body)
        if len(body) > SMS_MAX_CHARS:
            body = body[: SMS_MAX_CHARS - 1].rstrip() + "…"
        return "", body
    return _one_line(subject), _tidy(body)


def _languages(language: str) -> list[str]:
    return list(dict.fromkeys([language, settings.LANGUAGE_CODE, "en"]))


def render(*, event: str, channel: str, language: str, context: dict[str, Any]) -> Rendered | None:
    """The subject and text of a notification, from the newest template version in the
    language (else the portal's default language), else the shipped default; None when
    there is no text for this channel. A version that fails to render (it was checked on
    saving, so only an unexpected context does that) falls back to the shipped text."""
    from uslugi.notifications.models import NotificationTemplate

    for lang in _languages(language):
        template = (
            NotificationTemplate.objects.filter(event=event, channel=channel, language=lang)
            .order_by("-version")
            .first()
        )
        if template is None:
            continue
        try:
            subject = render_text(template.subject, context, lang)
            body = render_text(template.body, context, lang)
        except Exception as exc:  # noqa: BLE001 - never break the caller's transaction
            log.error(
                "notifications.template_failed",
                template=str(template.pk),
                error=type(exc).__name__,
            )
            break
        return Rendered(*_finish(channel, subject, body), template_id=template.pk)
    for lang in _languages(language):
        text = shipped().get((event, channel, lang))
        if text is not None:
            return Rendered(
                *_finish(
                    channel,
                    render_text(text.subject, context, lang),
                    render_text(text.body, context, lang),
                )
            )
    return None


def validate(*, event: str, subject: str, body: str) -> None:
    """Check a template text compiles and renders with the event's sample context
    (TemplateSyntaxError with the reason)."""
    events.get(event)
    for source in (subject, body):
        try:
            render_text(source, {**sample_context(event), "link": "https://example.test/"}, "ru")
        except TemplateSyntaxError:
            raise
        except Exception as exc:  # noqa: BLE001 - e.g. {% include %}: nothing to include
            raise TemplateSyntaxError(f"{type(exc).__name__}: {exc}") from None


def templates_load(model: Any = None) -> int:
    """Store each shipped text as version 1 where the database has no version of it yet.

    Returns how many were added. `model` lets a migration pass its historical model.
    """
    if model is None:
        from uslugi.notifications.models import NotificationTemplate as model
    added = 0
    for (event, channel, language), text in shipped().items():
        exists = model.objects.filter(event=event, channel=channel, language=language).exists()
        if not exists:
            model.objects.create(
                event=event,
                channel=channel,
                language=language,
                version=1,
                subject=text.subject,
                body=text.body,
                note="Shipped with the portal",
            )
            added += 1
    return added


__all__ = [
    "Rendered",
    "TemplateSyntaxError",
    "check_context",
    "render",
    "sample_context",
    "shipped",
    "templates_load",
    "validate",
]
