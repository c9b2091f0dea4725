"""Celery tasks: thin wrappers over the supervision services. Tasks take ids, are safe to run
twice and are enqueued on commit.

Outcomes live in PostgreSQL (flags, notices, deliveries), so results are ignored. Only the
delivery task retries, and only on transient errors, with exponential backoff and a cap; the
periodic sweep picks up any delivery whose task was lost (broker down at enqueue time).
"""

import datetime
import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

log = logging.getLogger("gongjian.tasks")


def enqueue_now(task, *args, **kwargs) -> bool:
    """Send a task now; False (logged) when the broker cannot be reached."""
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=False)
    except (BrokerUnavailable, ConnectionError, OSError) as exc:
        log.warning("broker unavailable, task=%s args=%s deferred to the next sweep: %s",
                    task.name, args, exc)
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send task once the current transaction commits; nothing if it rolls back.

    If the broker is down the write that asked for the task has already committed; we log and
    carry on — the hourly scan catches up — instead of failing the user's request.
    """
    transaction.on_commit(lambda: enqueue_now(task, *args, **kwargs))


def enqueue_project_scan(project_id: int) -> None:
    enqueue_on_commit(scan_project_task, project_id)


def _moment(now_iso: str | None):
    return datetime.datetime.fromisoformat(now_iso) if now_iso else timezone.now()


@shared_task(name="supervision.scan_project")
def scan_project_task(project_id: int) -> None:
    from .scan import scan_project

    scan_project(project_id)


@shared_task(name="supervision.scan_campaigns")
def scan_campaigns_task(campaign_ids: list[int], now_iso: str | None = None,
                        changed_only: bool = False) -> None:
    """Scan one batch of campaigns (one transaction); with changed_only, leave out those where
    nothing can have changed since their last scan."""
    from .scan import scan_campaigns

    scan_campaigns(campaign_ids, now=_moment(now_iso), changed_only=changed_only)


@shared_task(name="supervision.scan_all")
def scan_all_task() -> int:
    """Beat: fan the active campaigns where something can have changed (scanstate) out in
    batches, one task per batch, all as of this moment."""
    from .scan import campaign_batches

    now = timezone.now()
    batches = campaign_batches(now=now, changed_only=True)
    for batch in batches:
        enqueue_now(scan_campaigns_task, batch, now.isoformat(), True)
    return len(batches)


@shared_task(name="supervision.urge_notices")
def urge_notices_task() -> None:
    """Beat, daily: urge overdue notices and escalate the long-overdue ones, per campaign."""
    from campaign.models import Campaign

    from .notices import urge_overdue_notices

    now = timezone.now()
    for campaign in Campaign.objects.filter(status=Campaign.Status.ACTIVE).order_by("pk"):
        urge_overdue_notices(campaign, now)


@shared_task(name="supervision.send_reminders")
def send_reminders_task() -> None:
    from .reminders import send_reminders

    send_reminders(timezone.now())


@shared_task(name="supervision.deliver", bind=True, max_retries=8, acks_late=True)
def deliver_task(self, delivery_id: int) -> str:
    """Send one e-mail or webhook delivery; retried only on transient errors."""
    from .notify import TransientDeliveryError, backoff, deliver

    try:
        return deliver(delivery_id)
    except TransientDeliveryError as exc:
        raise self.retry(exc=exc, countdown=backoff(self.request.retries + 1)) from exc


@shared_task(name="supervision.deliver_due")
def deliver_due_task() -> int:
    """Beat, every few minutes: deliveries whose task was lost or whose retry time has come."""
    from .notify import due_deliveries

    ids = due_deliveries()
    for pk in ids:
        enqueue_now(deliver_task, pk)
    return len(ids)
