"""Keep members' words out of the ASGI server's own log, which the LOGGING setting does not configure."""
import logging

# uvicorn hands its logger to the websockets library, which logs every frame at DEBUG.
SERVER_LOGGER = "uvicorn.error"


class FramePayloadFilter(logging.Filter):
    """Drops the websockets library's per-frame records ("< TEXT '{"type": "message", "body": ...'"):
    with `--log-level debug` they print the start and end of every room frame, members' words
    included. Its connection events ("= connection is OPEN") still log."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        return not any(type(arg).__module__.startswith("websockets") for arg in args)


def server_log_filters_install() -> None:
    """Called from asgi.py: the logger is uvicorn's, so a handler of our LOGGING setting would miss
    it, and configuring it there would drop the handlers uvicorn or gunicorn gave it."""
    logger = logging.getLogger(SERVER_LOGGER)
    if not any(isinstance(existing, FramePayloadFilter) for existing in logger.filters):
        logger.addFilter(FramePayloadFilter())
