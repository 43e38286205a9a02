"""Cross-cutting protections the app installs at start: PII-free log lines, where they go, and CORS.

Log redaction is a LogRecord factory rather than a handler filter because handlers are
configured by whoever runs the app (uvicorn, pytest's caplog, a deployment's logging config);
a record is redacted once, when it is created, whatever handler later writes it.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from api.redact import redact_with_flag

# Loggers whose lines may carry a citizen's words or sender id (ours and the web server's).
REDACTED_LOGGER_PREFIXES = ("api", "actions", "catalog", "uvicorn", "rasa_sdk", "fastapi", "wechatpy")

_installed_factory: Callable[..., logging.LogRecord] | None = None


def _covered(logger_name: str) -> bool:
    return any(logger_name == prefix or logger_name.startswith(prefix + ".") for prefix in REDACTED_LOGGER_PREFIXES)


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Replace ID-card and mobile numbers in the rendered message; untouched records keep their args."""
    if not _covered(record.name):
        return record
    try:
        message = record.getMessage()
    except Exception:  # a bad format string is logging's error to report, not ours
        return record
    hidden = redact_with_flag(message)
    if hidden.changed:
        record.msg, record.args = hidden.text, None
    return record


def install_log_redaction() -> None:
    """Idempotent: wraps the current LogRecord factory once per process."""
    global _installed_factory
    current = logging.getLogRecordFactory()
    if _installed_factory is not None and current is _installed_factory:
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return redact_record(current(*args, **kwargs))

    _installed_factory = factory
    logging.setLogRecordFactory(factory)


LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"
# Libraries that log every request at INFO, the address with Rasa's token in it among them.
QUIET_LOGGERS = ("httpx", "httpcore")


def install_logging(level: str) -> None:
    """Our loggers' lines at ``level`` on stderr, unless logging has handlers already (uvicorn sets up
    only its own loggers): without this the actions' 「rule=…」 lines and the gateway's never show."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    if logging.getLogger().handlers:
        return
    logging.basicConfig(level=level, format=LOG_FORMAT)


def install_cors(app: FastAPI, origins: list[str]) -> None:
    """Only the configured widget hosts may call the API from a browser; none when unset.

    No credentials (cookies) are allowed: the widget sends none, the agent token is a header.
    """
    if not origins:
        return
    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "X-Agent-Token"],
        allow_credentials=False,
        max_age=600,
    )
