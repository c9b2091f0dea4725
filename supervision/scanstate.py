"""The scan's watermark: which campaigns the hourly scan can skip (see ScanState).

Writers bump a campaign's inputs_version on commit (through the models' signals, or
``inputs_changed`` for a queryset ``update()``); a full scan reads the version before it reads the
data and records it with the moment it looked from and the moment its answers stop holding. The
hourly scan (``changed_only``) then leaves out every campaign where the version is the same and
the clock has not reached that moment. The skip never decides an answer: a forced scan evaluates
everything, and ``valid_until`` is never later than the next local midnight, so a write that went
around the signals (raw SQL) is caught by the first scan of the next day.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.db import DatabaseError, connection, transaction
from django.db.models import F, Min, Q
from django.db.models.signals import post_delete, post_save

from campaign.models import Campaign
from projects.models import (
    Hazard,
    Milestone,
    Obstacle,
    PlanVersion,
    ProgressReport,
    Project,
    SafetyCheck,
)

from .models import Notice, ScanState

log = logging.getLogger("gongjian.scan")


# --- Writers: bump on commit ---------------------------------------------------------------------


def inputs_changed(campaign_ids: Iterable[int | None]) -> None:
    """What the rules read of these campaigns changes with the current transaction: bump their
    inputs_version once it commits (nothing if it rolls back)."""
    ids = {pk for pk in campaign_ids if pk is not None}
    if not ids:
        return
    pending = getattr(connection, "_gongjian_scan_bumps", None)
    if pending is None:
        pending = connection._gongjian_scan_bumps = set()
    pending.update(ids)
    # One callback per call; the first to run flushes what is pending, the others find it empty.
    # Ids left over by a rolled-back transaction are bumped by the next commit: one scan too many,
    # never one too few.
    transaction.on_commit(_flush)


def _flush() -> None:
    pending = getattr(connection, "_gongjian_scan_bumps", None)
    if not pending:
        return
    ids = sorted(pending)  # one order for every writer: no deadlock between two bumps
    pending.clear()
    table = ScanState._meta.db_table
    campaigns = ScanState._meta.get_field("campaign").related_model._meta.db_table
    placeholders = ", ".join(["%s"] * len(ids))
    try:
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {table} (campaign_id, inputs_version) "  # nosec B608  # model names; values are parameters
                f"SELECT id, 1 FROM {campaigns} WHERE id IN ({placeholders}) ORDER BY id "
                f"ON CONFLICT (campaign_id) DO UPDATE SET inputs_version = "
                f"{table}.inputs_version + 1", ids)
    except DatabaseError as exc:
        # The write itself has committed; the campaign is rescanned by next midnight at the latest.
        log.error("scan watermark bump lost campaigns=%s error=%s", ids, exc)


def _changed(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return
    inputs_changed([campaign_of(instance)])


def connect() -> None:
    """Bump on every save and delete of what the rules read."""
    # A plan version is written with every change of a plan (its moved dates go by update()).
    for model in (Campaign, Project, Milestone, PlanVersion, ProgressReport, Obstacle, SafetyCheck,
                  Hazard, Notice):
        for signal in (post_save, post_delete):
            signal.connect(_changed, sender=model,
                           dispatch_uid=f"gj-scan-{model.__name__}-{signal is post_save}")


def campaign_of(instance) -> int | None:
    """The campaign a saved or deleted row belongs to; a row that needs a query to tell keeps the
    answer, so the query is made once."""

    if isinstance(instance, Campaign):
        return instance.pk
    if hasattr(instance, "campaign_id"):  # a project, meeting or notice
        return instance.campaign_id
    # Kept with the foreign key it was found from: a row moved to another project asks again.
    via = getattr(instance, "check_record_id", None) or instance.project_id
    known = getattr(instance, "_gongjian_campaign_of", None)
    if known is None or known[0] != via:
        known = instance._gongjian_campaign_of = (via, _campaign_by_project(instance))
    return known[1]


def _campaign_by_project(instance) -> int | None:
    if isinstance(instance, Hazard):
        return Project.objects.filter(safety_checks__pk=instance.check_record_id).values_list(
            "campaign_id", flat=True).first()
    if instance.project_id is None:  # an action item of a meeting, not of a project
        return None
    if type(instance).project.is_cached(instance):
        return instance.project.campaign_id
    return Project.objects.filter(pk=instance.project_id).values_list(
        "campaign_id", flat=True).first()


# --- The scan: read before, record after ---------------------------------------------------------


def skippable_filter(now: datetime.datetime) -> Q:
    """Campaigns (as a Campaign queryset filter) that a scan at now can leave out: the rule of
    ScanState.skippable, in SQL for the beat's one query (test_scanstate checks both)."""
    return Q(scan_state__scanned_version=F("scan_state__inputs_version"),
             scan_state__scanned_at__lte=now, scan_state__valid_until__gt=now)


def read(campaign_ids: list[int]) -> dict[int, ScanState]:
    """The states of these campaigns (made where missing), read before the scan reads any data."""
    states = {s.campaign_id: s for s in ScanState.objects.filter(campaign_id__in=campaign_ids)}
    missing = [pk for pk in campaign_ids if pk not in states]
    if missing:
        ScanState.objects.bulk_create([ScanState(campaign_id=pk) for pk in missing],
                                      ignore_conflicts=True)
        states = {s.campaign_id: s for s in
                  ScanState.objects.filter(campaign_id__in=campaign_ids)}
    return states


def record(states: dict[int, ScanState], now, valid_until: dict[int, datetime.datetime]) -> None:
    """After a full scan of these campaigns at now: the version it read holds until valid_until.

    A scan of an earlier moment (an --as-of in the past) leaves a later record as it is.
    """
    changed = []
    for pk, state in states.items():
        if state.scanned_at is not None and state.scanned_at > now:
            continue
        state.scanned_version, state.scanned_at = state.inputs_version, now
        state.valid_until = valid_until[pk]
        changed.append(state)
    if not changed:
        return
    # Only these three columns: inputs_version may have been bumped meanwhile and must stay so.
    if connection.vendor != "postgresql":
        ScanState.objects.bulk_update(changed, ["scanned_version", "scanned_at", "valid_until"],
                                      batch_size=500)
        return
    # On PostgreSQL one statement over arrays: bulk_update's CASE per row costs more in Python
    # than the scan of the batch's projects.
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {ScanState._meta.db_table} s SET scanned_version = t.version, "  # nosec B608  # model names; values are parameters
            "scanned_at = %s, valid_until = t.until "
            "FROM unnest(%s::bigint[], %s::bigint[], %s::timestamptz[]) AS t(pk, version, until) "
            "WHERE s.campaign_id = t.pk",
            [now, [x.campaign_id for x in changed], [x.scanned_version for x in changed],
             [x.valid_until for x in changed]])


def future_moments(campaign_ids: list[int], now) -> dict[int, datetime.datetime]:
    """Per campaign, the earliest report or obstacle dated after now: the scan leaves it out,
    and its moment comes without any write."""
    found: dict[int, datetime.datetime] = {}
    for model, field in ((ProgressReport, "reported_at"), (Obstacle, "raised_at")):
        rows = (model.objects.order_by().filter(project__campaign_id__in=campaign_ids,
                                               **{f"{field}__gt": now})
                .values("project__campaign_id").annotate(first=Min(field))
                .values_list("project__campaign_id", "first"))
        for pk, moment in rows:
            found[pk] = min(moment, found.get(pk, moment))
    return found
