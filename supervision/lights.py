"""Which warnings make a project's light.

A project's light is the most severe of its open warnings (supervision.rules.light_of; the scan
stores both, so the light and the flags never disagree). These helpers read the open flags and say
them in words, with the figures and the threshold crossed (notices.describe_flag), for the project
page, the dashboard, My projects and the bulletin. One query each.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Q

from core import prepared
from core.dates import local_date

from .models import Flag, Severity
from .notices import describe_flag

#: The kinds in the order a project's warnings are listed after severity.
KIND_ORDER = {kind: i for i, (kind, _label) in enumerate(Flag.Kind.choices)}


def _open_at(qs, at: datetime.datetime | None):
    if at is None:
        return qs.filter(resolved_at__isnull=True)
    return qs.filter(opened_at__lte=at).filter(Q(resolved_at__isnull=True) | Q(resolved_at__gt=at))


def _item(kind, severity, details, labels, as_of=None) -> dict:
    """The days overdue are counted to as_of (today when None) from the dates stored."""
    return {"kind": kind, "severity": severity, "label": labels.get(kind, kind),
            "text": describe_flag(kind, severity, details or {}, labels=labels, as_of=as_of)}


def _sort(items: list[dict]) -> list[dict]:
    items.sort(key=lambda w: (w["severity"] != Severity.RED, KIND_ORDER.get(w["kind"], 99)))
    return items


def describe_open(flags) -> list[dict]:
    """The open ones of these Flag rows in words (as warnings_by_project), red first."""
    labels = {kind: str(label) for kind, label in Flag.Kind.choices}
    return _sort([_item(f.kind, f.severity, f.details, labels) for f in flags
                  if f.resolved_at is None])


def warnings_by_project(*, project_ids=None, campaign_id=None,
                        at: datetime.datetime | None = None) -> dict[int, list[dict]]:
    """Per project, its warnings open now (or at the moment ``at``), red first: each a dict of
    ``kind``, ``severity``, ``label`` (the kind in words) and ``text`` (the sentence)."""
    labels = {kind: str(label) for kind, label in Flag.Kind.choices}
    as_of = local_date(at) if at is not None else None
    if project_ids is None and campaign_id is not None and at is None:  # the dashboard's
        rows = _OPEN_FLAGS_OF_CAMPAIGN(campaign_id=campaign_id)
    else:
        rows = _open_at(_flags(project_ids, campaign_id), at).values_list(
            "project_id", "kind", "severity", "details")
    out: dict[int, list[dict]] = defaultdict(list)
    for pid, kind, severity, details in rows:
        out[pid].append(_item(kind, severity, details, labels, as_of))
    return {pid: _sort(items) for pid, items in out.items()}


def _flags(project_ids=None, campaign_id=None):
    qs = Flag.objects.order_by()
    if project_ids is not None:
        qs = qs.filter(project_id__in=list(project_ids))
    if campaign_id is not None:
        qs = qs.filter(project__campaign_id=campaign_id)
    return qs


#: The open flags of a campaign, built once (core.prepared).
_OPEN_FLAGS_OF_CAMPAIGN = prepared.Statement(
    lambda campaign_id: _open_at(_flags(campaign_id=campaign_id), None).values_list(
        "project_id", "kind", "severity", "details"), campaign_id=int)
