"""Celery entry points: thin wrappers over the supervision services, found by the worker's
autodiscovery. Nothing imports this module: producers enqueue by task name (core.queue), so the
names below are a contract with queued messages and the beat schedule — keep them.

Tasks take ids, are safe to run twice and are enqueued on commit. Outcomes live in PostgreSQL
(flags, notices, deliveries), so results are ignored. Only the delivery task retries, and only on
transient errors, with exponential backoff and a cap; the periodic sweep picks up any delivery
whose task was lost (broker down at enqueue time).
"""

import datetime

from celery import shared_task
from django.utils import timezone

from campaign.models import Campaign
from core.queue import enqueue_now

from .bulletins import draft_weekly_bulletins
from .hazards import announce_awaiting_review
from .notices import urge_overdue_notices
from .notify import TransientDeliveryError, backoff, deliver, due_deliveries
from .reminders import send_reminders
from .scan import campaign_batches, scan_campaigns, scan_project


def _moment(now_iso: str | None):
    return datetime.datetime.fromisoformat(now_iso) if now_iso else timezone.now()


@shared_task(name="supervision.scan_project")
def scan_project_task(project_id: int) -> None:
    scan_project(project_id)


@shared_task(name="supervision.announce_hazard_review")
def announce_hazard_review_task(hazard_id: int) -> int:
    return announce_awaiting_review(hazard_id)


@shared_task(name="supervision.scan_campaigns")
def scan_campaigns_task(campaign_ids: list[int], now_iso: str | None = None,
                        changed_only: bool = False) -> None:
    """Scan one batch of campaigns (one transaction); with changed_only, leave out those where
    nothing can have changed since their last scan."""
    scan_campaigns(campaign_ids, now=_moment(now_iso), changed_only=changed_only)


@shared_task(name="supervision.scan_all")
def scan_all_task() -> int:
    """Beat: fan the active campaigns where something can have changed (scanstate) out in
    batches, one task per batch, all as of this moment."""
    now = timezone.now()
    batches = campaign_batches(now=now, changed_only=True)
    for batch in batches:
        enqueue_now("supervision.scan_campaigns", batch, now.isoformat(), True)
    return len(batches)


@shared_task(name="supervision.urge_notices")
def urge_notices_task() -> None:
    """Beat, daily: urge overdue notices and escalate the long-overdue ones, per campaign."""
    now = timezone.now()
    for campaign in Campaign.objects.filter(status=Campaign.Status.ACTIVE).order_by("pk"):
        urge_overdue_notices(campaign, now)


@shared_task(name="supervision.send_reminders")
def send_reminders_task() -> None:
    send_reminders(timezone.now())


@shared_task(name="supervision.deliver", bind=True, max_retries=8, acks_late=True)
def deliver_task(self, delivery_id: int) -> str:
    """Send one e-mail or webhook delivery; retried only on transient errors."""
    try:
        return deliver(delivery_id)
    except TransientDeliveryError as exc:
        raise self.retry(exc=exc, countdown=backoff(self.request.retries + 1)) from exc


@shared_task(name="supervision.deliver_due")
def deliver_due_task() -> int:
    """Beat, every few minutes: deliveries whose task was lost or whose retry time has come."""
    ids = due_deliveries()
    for pk in ids:
        enqueue_now("supervision.deliver", pk)
    return len(ids)


@shared_task(name="supervision.draft_weekly_bulletins")
def draft_weekly_bulletins_task() -> list[int]:
    """Beat, Mondays: draft last week's bulletin of every active campaign that has none yet."""
    return draft_weekly_bulletins()
