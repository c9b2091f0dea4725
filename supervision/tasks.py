"""Celery tasks: thin wrappers over the supervision services. Tasks take ids, are safe to run
twice and are enqueued on commit."""

import logging

from celery import shared_task
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnavailable

log = logging.getLogger("gongjian.tasks")


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send task once the current transaction commits; nothing if it rolls back.

    If the broker is down the write that asked for the task has already committed; we log and
    carry on — the hourly scan catches up — instead of failing the user's request.
    """

    def send():
        try:
            task.apply_async(args=args, kwargs=kwargs, retry=False)
        except (BrokerUnavailable, ConnectionError, OSError) as exc:
            log.warning("broker unavailable, task=%s args=%s deferred to the next scan: %s",
                        task.name, args, exc)

    transaction.on_commit(send)


def enqueue_project_scan(project_id: int) -> None:
    enqueue_on_commit(scan_project_task, project_id)


@shared_task(name="supervision.scan_project")
def scan_project_task(project_id: int) -> None:
    from .scan import scan_project

    scan_project(project_id)
