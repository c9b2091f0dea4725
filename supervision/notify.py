"""Notifications: an in-app row per user, and an outbox of deliveries (e-mail, group robot).

- `notify` / `notify_many` write Notification rows (a dedupe key makes a re-run send nothing
  twice: the database's partial unique constraint drops the duplicate) and one Delivery row per
  channel, and enqueue the sending once the transaction commits.
- `deliver` sends one Delivery, healthchecks' sendalerts style: the row is claimed with a
  conditional UPDATE (one winner even when the task runs twice), sent, and marked. Only transient
  errors are retried, with backoff, up to MAX_ATTEMPTS; a claim older than STALE_CLAIM belongs to a
  worker that died and may be taken again.
"""

from __future__ import annotations

import datetime
import http.client
import json
import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from campaign.models import Campaign
from core import pagecache, webhooks
from core.bulk import insert_rows
from core.links import absolute
from core.lookups import Ids
from core.queue import enqueue_on_commit

from .models import Delivery, Notification

log = logging.getLogger("gongjian.notify")

MAX_ATTEMPTS = 6
#: Delay before attempt n+1 is BACKOFF_BASE * 4**(n-1) seconds, capped at BACKOFF_CAP.
BACKOFF_BASE = 30
BACKOFF_CAP = 60 * 60
#: Above the task hard time limit: a claim this old was left by a worker that died.
STALE_CLAIM = datetime.timedelta(minutes=15)
WEBHOOK_TIMEOUT = 5


class TransientDeliveryError(Exception):
    """Worth retrying: the server was down, busy or slow."""


class PermanentDeliveryError(Exception):
    """Retrying would not help: a bad address, a refused request."""


@dataclass(frozen=True)
class Message:
    user_id: int
    kind: str
    title: str
    body: str = ""
    url: str = ""
    dedupe_key: str = ""
    campaign_id: int | None = None


def notify(users: Iterable, *, kind: str, title: str, body: str = "", url: str = "",
           campaign=None, dedupe_key: str = "") -> int:
    """Notify each user once (per dedupe_key, when given); returns how many rows were new."""
    user_ids = {getattr(u, "pk", u) for u in users if u is not None}
    campaign_id = getattr(campaign, "pk", campaign)
    return notify_many([
        Message(uid, kind, str(title), str(body), url, dedupe_key, campaign_id)
        for uid in sorted(user_ids)
    ])


def notify_many(messages: list[Message]) -> int:
    """Write many notifications in a few queries (the scan and reminders notify in bulk).

    Rows whose (user, dedupe_key) exists already are skipped by the database. Returns how many
    notifications were new; their deliveries are sent after commit.
    """
    if not messages:
        return 0
    stamp = timezone.now()
    rows = [(m.user_id, m.campaign_id, m.kind, m.title[:200], m.body, m.url[:300], m.dedupe_key)
            for m in messages]
    with transaction.atomic():
        insert_rows(Notification, ["user", "campaign", "kind", "title", "body", "url",
                                   "dedupe_key"], rows, also={"created_at": stamp},
                    ignore_conflicts=True)
        # The rows this call inserted carry its exact stamp; a duplicate kept its older one.
        user_ids = {m.user_id for m in messages}
        new = list(
            Notification.objects.filter(created_at=stamp, user_id__in_ids=Ids(user_ids))
            .order_by("pk").values_list("pk", "user_id", "campaign_id", "kind", "title", "body")
        )
        if not new:
            return 0
        pagecache.bump_users({row[1] for row in new})  # their bells
        with_email = set(
            get_user_model().objects.filter(pk__in={row[1] for row in new}, is_active=True)
            .exclude(email="").values_list("pk", flat=True)
        )
        hooked = set(
            Campaign.objects.filter(pk__in={row[2] for row in new if row[2]})
            .exclude(webhook_url="").values_list("pk", flat=True)
        )
        deliveries = []  # (notification, channel)
        posted = set()  # one group chat per campaign: the same text is posted to it once
        for pk, user_id, campaign_id, kind, title, body in new:
            if user_id in with_email:
                deliveries.append((pk, Delivery.Channel.EMAIL))
            if campaign_id in hooked and (campaign_id, kind, title, body) not in posted:
                posted.add((campaign_id, kind, title, body))
                deliveries.append((pk, Delivery.Channel.WEBHOOK))
        # New notifications have no deliveries yet: a plain insert, which returns the ids.
        for key in insert_rows(Delivery, ["notification", "channel"], deliveries,
                               also={"next_attempt_at": stamp}):
            enqueue_on_commit("supervision.deliver", key)
    return len(new)


# --- Sending ----------------------------------------------------------------------------------


def backoff(attempts: int) -> int:
    """Seconds to wait after the given number of failed attempts."""
    return min(BACKOFF_CAP, BACKOFF_BASE * 4 ** max(0, attempts - 1))


def claim(delivery_id: int, now=None) -> Delivery | None:
    """Take the delivery for sending, or None when it is sent, failed or someone else has it."""
    now = now or timezone.now()
    claimable = Q(status=Delivery.Status.PENDING) | Q(
        status=Delivery.Status.SENDING, claimed_at__lt=now - STALE_CLAIM)
    won = Delivery.objects.filter(claimable, pk=delivery_id).update(
        status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if won != 1:
        return None
    return Delivery.objects.select_related("notification__user", "notification__campaign").get(
        pk=delivery_id)


def deliver(delivery_id: int, now=None) -> str:
    """Send one delivery. Returns the outcome ("sent", "skipped", "failed") or raises
    TransientDeliveryError after pushing the row forward, so the caller may retry it later."""
    now = now or timezone.now()
    delivery = claim(delivery_id, now)
    if delivery is None:
        return "skipped"
    try:
        if delivery.channel == Delivery.Channel.EMAIL:
            send_email(delivery.notification)
        else:
            send_webhook(delivery.notification)
    except TransientDeliveryError as exc:
        if delivery.attempts >= MAX_ATTEMPTS:
            _mark(delivery, Delivery.Status.FAILED, error=str(exc))
            return "failed"
        _mark(delivery, Delivery.Status.PENDING, error=str(exc),
              next_attempt_at=now + datetime.timedelta(seconds=backoff(delivery.attempts)))
        raise
    except PermanentDeliveryError as exc:
        _mark(delivery, Delivery.Status.FAILED, error=str(exc))
        return "failed"
    _mark(delivery, Delivery.Status.SENT, sent_at=timezone.now())
    return "sent"


def _mark(delivery: Delivery, status: str, *, error: str = "", **fields) -> None:
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
        status=status, last_error=error[:2000], claimed_at=None, **fields)
    log.info("delivery=%s channel=%s status=%s attempts=%s %s", delivery.pk, delivery.channel,
             status, delivery.attempts, error)


def due_deliveries(now=None, limit: int = 500) -> list[int]:
    """Pending deliveries whose time has come, and stale claims (for the sweep)."""
    now = now or timezone.now()
    return list(
        Delivery.objects.filter(
            Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
            | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - STALE_CLAIM)
        ).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    )


def _full_text(notification: Notification) -> str:
    parts = [notification.title, notification.body]
    if notification.url:
        parts.append(absolute(notification.url))
    return "\n".join(p for p in parts if p)


def send_email(notification: Notification) -> None:
    address = notification.user.email
    if not address:
        raise PermanentDeliveryError("the user has no e-mail address")
    try:
        send_mail(notification.title, _full_text(notification), settings.DEFAULT_FROM_EMAIL,
                  [address], fail_silently=False)
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError, TimeoutError) as exc:
        raise TransientDeliveryError(f"{type(exc).__name__}: {exc}") from exc
    except smtplib.SMTPResponseException as exc:
        if 400 <= exc.smtp_code < 500:
            raise TransientDeliveryError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
        raise PermanentDeliveryError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
    except smtplib.SMTPException as exc:
        raise PermanentDeliveryError(f"{type(exc).__name__}: {exc}") from exc


def webhook_payload(notification: Notification) -> dict:
    """A text message in the group-robot format both 企业微信 and 钉钉 accept."""
    return {"msgtype": "text", "text": {"content": _full_text(notification)}}


def send_webhook(notification: Notification) -> None:
    campaign = notification.campaign
    url = campaign.webhook_url if campaign else ""
    if not url:
        raise PermanentDeliveryError("the campaign has no webhook URL")
    data = json.dumps(webhook_payload(notification), ensure_ascii=False).encode("utf-8")
    try:
        status, body = webhooks.post_json(url, data, timeout=WEBHOOK_TIMEOUT)
    except ValidationError as exc:
        # Checked again now: the address may have been edited in the database, or its name may
        # now resolve elsewhere. A name that cannot be found may be a passing DNS failure.
        error = TransientDeliveryError if exc.code == "webhook_dns" else PermanentDeliveryError
        with translation.override("en"):  # last_error is for the operator's log, in one language
            reason = " ".join(str(m) for m in exc.messages)
        raise error(f"webhook refused ({exc.code}): {reason}") from exc
    except webhooks.RefusedAddress as exc:
        raise PermanentDeliveryError(f"webhook refused: {exc}") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise TransientDeliveryError(f"{type(exc).__name__}: {exc}") from exc
    if 300 <= status < 400:
        raise PermanentDeliveryError(f"HTTP {status}: the webhook redirects, and redirects are not "
                                     "followed")
    if status >= 500 or status == 429:
        raise TransientDeliveryError(f"HTTP {status}")
    if status >= 400:
        raise PermanentDeliveryError(f"HTTP {status}")
    try:
        answer = json.loads(body or b"{}")
    except ValueError:
        return
    errcode = answer.get("errcode", 0) if isinstance(answer, dict) else 0
    if errcode == -1:  # "system busy" in both robots' APIs
        raise TransientDeliveryError("robot busy (errcode -1)")
    if errcode:
        raise PermanentDeliveryError(f"robot refused: {answer}")
