"""Structured logging: structlog JSON (or console in development) with the request id.

Django configures logging through LOGGING, whose formatter is built here; that is also
the moment structlog itself gets configured, so both stdlib and structlog loggers end up
in the same renderer with the same context (request id, bound per request).
"""

from __future__ import annotations

import logging
import re
from collections.abc import MutableMapping
from typing import Any

import structlog

# Keys whose values must never reach a log line, whatever the caller passed.
_SENSITIVE_KEY = re.compile(
    r"pass|secret|token|key|snils|inn|passport|document|birth|address|code|cookie|authorization",
    re.I,
)
REDACTED = "[redacted]"


def redact_sensitive(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Replace the values of keys that may carry secrets or personal data."""
    for key in list(event_dict):
        if key not in {"event", "request_id", "level", "logger", "timestamp", "status_code"} and (
            _SENSITIVE_KEY.search(key)
        ):
            event_dict[key] = REDACTED
    return event_dict


SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    redact_sensitive,
]


def build_formatter(fmt: str = "json") -> logging.Formatter:
    """The LOGGING formatter factory (also configures structlog once)."""
    renderer: Any = (
        structlog.dev.ConsoleRenderer(colors=False)
        if fmt == "console"
        else structlog.processors.JSONRenderer(ensure_ascii=False)
    )
    structlog.configure(
        processors=[
            *SHARED_PROCESSORS,
            structlog.processors.format_exc_info,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    return structlog.stdlib.ProcessorFormatter(
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        foreign_pre_chain=SHARED_PROCESSORS,
    )


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
