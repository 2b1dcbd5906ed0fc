"""structlog set-up shared by the services: `domain.action.outcome` events plus fields."""

from __future__ import annotations

import logging
import re

import structlog

# Libraries that tell every job or request at INFO: only their warnings, unless DEBUG.
QUIET_LIBRARIES = ("procrastinate", "httpx", "httpcore")


SECRET_QUERY = re.compile(r"(?i)\b(code|state|access_token|refresh_token)=[^&\s]*")


class RedactSecrets(logging.Filter):
    """uvicorn's access log prints the full path: hide the OAuth callback's single-use
    `code` and `state` (and any token) in the query string."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3:
            args = list(record.args)
            if isinstance(args[2], str):
                args[2] = SECRET_QUERY.sub(r"\1=…", args[2])
                record.args = tuple(args)
        return True


def configure_logging(level: str = "INFO", *, json: bool = False) -> None:
    logging.basicConfig(level=level.upper(), format="%(message)s")
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactSecrets) for f in access.filters):
        access.addFilter(RedactSecrets())
    if level.upper() != "DEBUG":
        for name in QUIET_LIBRARIES:
            logging.getLogger(name).setLevel(logging.WARNING)
    # Tracebacks as Python prints them: rich's pretty tracebacks (with every local) ran to
    # 15,000 lines for one database error and blocked the event loop for seconds.
    renderers: list[structlog.types.Processor] = (
        [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
        if json
        else [
            structlog.dev.ConsoleRenderer(
                colors=False, exception_formatter=structlog.dev.plain_traceback
            )
        ]
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            *renderers,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        cache_logger_on_first_use=True,
    )
