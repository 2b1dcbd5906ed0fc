"""Logs never show OAuth codes, states or tokens."""

import logging

from shared.logging import RedactSecrets


def test_access_log_hides_the_callback_code_and_state() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        (
            "127.0.0.1:5000",
            "GET",
            "/api/v1/integration/oauth/callback?code=abc123&state=xyz789&x=1",
            "1.1",
            200,
        ),
        None,
    )
    assert RedactSecrets().filter(record)
    message = record.getMessage()
    assert "abc123" not in message
    assert "xyz789" not in message
    assert "code=…&state=…&x=1" in message
