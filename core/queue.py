"""Background work enqueued by its registered Celery task name, after the transaction commits.

Producers never import the task modules (only Celery's worker and beat do): they name the task,
as Zulip's queue_event_on_commit does. The Celery app is the one the process configured
(config.celery), found through Celery's current_app.
"""

from __future__ import annotations

import logging

from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnavailable

log = logging.getLogger("gongjian.tasks")


def enqueue_now(task_name: str, *args, **kwargs) -> bool:
    """Send the task now; False (logged) when the broker cannot be reached.

    With CELERY_TASK_ALWAYS_EAGER (a development shell) the task runs in this process, as
    apply_async would run it."""
    app = current_app
    try:
        if app.conf.task_always_eager:
            app.tasks[task_name].apply(args=args, kwargs=kwargs)
        else:
            app.send_task(task_name, args=args, kwargs=kwargs, retry=False)
    except (BrokerUnavailable, ConnectionError, OSError) as exc:
        log.warning("broker unavailable, task=%s args=%s deferred to the next sweep: %s",
                    task_name, args, exc)
        return False
    return True


def enqueue_on_commit(task_name: str, *args, **kwargs) -> None:
    """Send the task once the current transaction commits; nothing if it rolls back.

    If the broker is down the write that asked for the task has already committed; we log and
    carry on (the periodic sweeps catch up) instead of failing the user's request."""
    transaction.on_commit(lambda: enqueue_now(task_name, *args, **kwargs))
