"""One log line format for every process (web, gunicorn's own lines, Celery worker and beat):
`time=2026-12-04T12:00:00.123+08:00 level=INFO logger=name message`, the time always in the site's
zone (TIME_ZONE), whatever TZ the process was started with (gunicorn's master and Celery log before
Django has set TZ; systemd starts them in UTC)."""

import datetime
import logging
import logging.config
import zoneinfo

#: The site's zone; settings.TIME_ZONE is this value (config.settings reads it from here).
SITE_TIME_ZONE = "Asia/Shanghai"

FORMAT = "time=%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"


class KeyValueFormatter(logging.Formatter):
    """FORMAT with an ISO 8601 time with its offset, in SITE_TIME_ZONE."""

    def __init__(self, fmt=FORMAT, datefmt=None, style="%", **kwargs):
        super().__init__(fmt=fmt, datefmt=datefmt, style=style, **kwargs)
        self.zone = zoneinfo.ZoneInfo(SITE_TIME_ZONE)

    def format(self, record):
        # One line per event, a traceback or a warning's source line included: the journal and
        # log shippers split on newlines.
        return super().format(record).replace("\n", "\\n")

    def formatTime(self, record, datefmt=None):  # noqa: N802 (logging's name)
        moment = datetime.datetime.fromtimestamp(record.created, tz=self.zone)
        return moment.isoformat(timespec="milliseconds")


def logging_config(level: str = "INFO", extra_loggers: dict | None = None) -> dict:
    """A dictConfig for one stderr handler with KeyValueFormatter."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"keyvalue": {"()": KeyValueFormatter}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "keyvalue"}},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": extra_loggers or {},
    }


def configure(config: dict) -> None:
    """settings.LOGGING_CONFIG: Django's dictConfig, and Python's warnings as log lines too (a
    warning printed raw would be the one line of the log not in the format)."""
    logging.config.dictConfig(config)
    logging.captureWarnings(True)
