"""Bulletins (通报): a frozen snapshot of the campaign's figures for a period, drafted weekly by beat
or on demand, published once and never regenerated.

Every number in the snapshot is computed from the data when the bulletin is generated: the
headline figures and the progress table come from campaign/figures.py (the same functions the
dashboard calls), "days in red" from the history of the red flags, the notices, criticism and
highlights from their rows. The snapshot is plain JSON, so the page, the print view and the
.xlsx/.docx downloads all render the same frozen figures.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from campaign.models import Campaign
from campaign.people import name_of
from core.dates import check_plausible, day_end, day_start, local_date

from . import criticism as criticism_service
from . import highlights as highlight_service
from . import notify
from .models import Bulletin, Flag, Notice, Severity

SNAPSHOT_VERSION = 1
#: How many projects the "most days in red" list shows.
TOP_RED = 10


class BulletinRefused(ValidationError):
    """A step the bulletin's state does not allow (regenerating or publishing a published one)."""


# --- Days in red --------------------------------------------------------------------------------


def lag_phrase(lag) -> str:
    """A lag in words, as a bulletin says it: behind the plan (滞后2.4个百分点) or, for a negative
    lag, ahead of it (超前1.0个百分点), never "behind by −1.0"."""
    value = Decimal(lag)
    if value < 0:
        return _("%(points)s points ahead") % {"points": -value}
    return _("%(lag)s points behind") % {"lag": value}


def days_in_red(campaign: Campaign, as_of: datetime.date, project_ids=None) -> dict[int, int]:
    """Per project, the number of local calendar days on or before as_of on which a red flag of it
    was open (overlapping red flags of different kinds count a day once). One query."""
    qs = Flag.objects.filter(project__campaign=campaign, severity=Severity.RED,
                             opened_at__date__lte=as_of)
    if project_ids is not None:
        qs = qs.filter(project_id__in=project_ids)
    days: dict[int, set[datetime.date]] = defaultdict(set)
    for project_id, opened_at, resolved_at in qs.values_list("project_id", "opened_at",
                                                            "resolved_at"):
        first = max(local_date(opened_at), campaign.start_date)
        last = as_of if resolved_at is None else min(local_date(resolved_at), as_of)
        day = first
        while day <= last:
            days[project_id].add(day)
            day += datetime.timedelta(days=1)
    return {pk: len(d) for pk, d in days.items()}


# --- Snapshot -----------------------------------------------------------------------------------


def headline(campaign: Campaign, as_of: datetime.date) -> dict:
    """The headline figures of campaign/figures.py, as JSON."""
    from projects.figures import headline_figures

    return plain(headline_figures(campaign, as_of))


def progress_rows(campaign: Campaign, as_of: datetime.date, red_days: dict[int, int]) -> list[dict]:
    """campaign/figures.py's progress table ranked by lag (the most behind first), as JSON, with
    each project's rank and days in red."""
    from projects.figures import progress_table

    table = sorted(progress_table(campaign, as_of), key=lambda r: (-r["lag"], r["code"]))
    rows = []
    for rank, row in enumerate(table, start=1):
        row = plain(row)
        row.update(rank=rank, project_id=row["pk"], label=f"{row['code']} {row['name']}",
                   leader=row["leader_name"], days_in_red=red_days.get(row["pk"], 0))
        rows.append(row)
    return rows


def plain(value):
    """A JSON-ready copy of the figures: Decimals as strings, dates as ISO, models as str."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Model):
        return str(value)
    if isinstance(value, Promise):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def build_snapshot(campaign: Campaign, period_start: datetime.date, period_end: datetime.date,
                   *, now: datetime.datetime | None = None) -> tuple[dict, list, list]:
    """The frozen figures of a bulletin, with the criticism and highlights it lists."""
    now = now or timezone.now()
    as_of = min(period_end, local_date(now))
    red_days = days_in_red(campaign, as_of)
    figures = headline(campaign, as_of)
    progress = progress_rows(campaign, as_of, red_days)

    notices = list(
        Notice.objects.filter(campaign=campaign, issued_at__lte=day_end(period_end))
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=day_start(period_start)))
        .select_related("project", "issued_to__profile").order_by("issued_at", "pk")
    )
    notice_rows = [{
        "number": n.number, "project": str(n.project), "leader": name_of(n.issued_to),
        "reason": n.reason, "respond_by": plain(n.respond_by), "status": n.status,
        "status_label": str(n.get_status_display()),
        "issued_on": plain(local_date(n.issued_at)),
        "closed_on": plain(local_date(n.closed_at)) if n.closed_at else None,
        "overdue": n.is_overdue(as_of),
        "days_overdue": (as_of - n.respond_by).days if n.is_overdue(as_of) else 0,
    } for n in notices]

    criticisms = list(criticism_service.awaiting_bulletin(campaign, period_end))
    highlights = list(highlight_service.awaiting_bulletin(campaign, period_end))
    top_red = sorted(((d, pk) for pk, d in red_days.items() if d), key=lambda t: (-t[0], t[1]))
    names = {row["project_id"]: row for row in progress}
    snapshot = {
        "version": SNAPSHOT_VERSION,
        "campaign": campaign.name,
        "unit": str(campaign.unit),
        "period_start": period_start.isoformat(),
        "period_end": period_end.isoformat(),
        "as_of": as_of.isoformat(),
        "generated_at": plain(now),
        "headline": figures,
        "progress": progress,
        "red": [row for row in progress if row["health"] == "red"],
        "yellow": [row for row in progress if row["health"] == "yellow"],
        "most_days_in_red": [
            {"project_id": pk, "project": names[pk]["label"] if pk in names else str(pk),
             "leader": names[pk]["leader"] if pk in names else "", "days": d}
            for d, pk in top_red[:TOP_RED]
        ],
        "notices": notice_rows,
        "notice_counts": {
            "in_period": len(notice_rows),
            "issued": sum(1 for n in notices if local_date(n.issued_at) >= period_start),
            "closed": sum(1 for n in notices if n.closed_at is not None),
            "overdue": sum(1 for r in notice_rows if r["overdue"]),
        },
        "overdue_notices": [r for r in notice_rows if r["overdue"]],
        "criticisms": [{
            "project": str(c.project), "person": name_of(c.person), "reason": c.reason,
            "notice": c.notice.number if c.notice_id else None,
            "confirmed_on": plain(local_date(c.confirmed_at)),
        } for c in criticisms],
        "highlights": [{
            "id": h.pk, "kind": h.kind, "kind_label": str(h.get_kind_display()), "title": h.title,
            "body": h.body, "person": h.person_name, "project": str(h.project) if h.project_id else "",
            "has_photo": bool(h.photo),
        } for h in highlights],
    }
    return snapshot, criticisms, highlights


# --- Lifecycle ----------------------------------------------------------------------------------


def default_title(campaign: Campaign, period_start: datetime.date, period_end: datetime.date) -> str:
    return _("%(campaign)s bulletin %(start)s – %(end)s") % {
        "campaign": campaign.name, "start": period_start.isoformat(), "end": period_end.isoformat()}


#: A bulletin covers a week, a month or at most the whole campaign: a period longer than a year
#: is a typo.
MAX_PERIOD_DAYS = 366


def check_period(period_start: datetime.date, period_end: datetime.date) -> None:
    """Field errors for a period that ends before it starts, lies outside core.dates'
    plausible range, or is longer than MAX_PERIOD_DAYS."""
    check_plausible({"period_start": period_start, "period_end": period_end})
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period must end on or after its start.")})
    if (period_end - period_start).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationError({"period_end": _("A bulletin covers at most %(days)d days.")
                               % {"days": MAX_PERIOD_DAYS}})


@transaction.atomic
def generate_bulletin(campaign: Campaign, period_start: datetime.date, period_end: datetime.date,
                      *, title: str = "", now: datetime.datetime | None = None) -> Bulletin:
    """Draft (or redraft) the bulletin of a period with fresh figures.

    A published bulletin of the same period is never regenerated: BulletinRefused.
    """
    check_period(period_start, period_end)
    now = now or timezone.now()
    bulletin = (Bulletin.objects.select_for_update()
                .filter(campaign=campaign, period_start=period_start, period_end=period_end).first())
    if bulletin is not None and bulletin.status == Bulletin.Status.PUBLISHED:
        raise BulletinRefused(_("The bulletin of this period is published and can no longer change."))
    snapshot, criticisms, highlights = build_snapshot(campaign, period_start, period_end, now=now)
    title = title.strip() or (bulletin.title if bulletin else default_title(campaign, period_start,
                                                                             period_end))
    created = False
    if bulletin is None:
        try:
            with transaction.atomic():
                bulletin = Bulletin.objects.create(
                    campaign=campaign, period_start=period_start, period_end=period_end,
                    title=title, snapshot=snapshot, generated_at=now)
            created = True
        except IntegrityError:
            # Drafted at the same moment by another request (bulletin_one_per_period): its
            # INSERT committed first; redraft that one, as a second click would.
            bulletin = Bulletin.objects.select_for_update().get(
                campaign=campaign, period_start=period_start, period_end=period_end)
            if bulletin.status == Bulletin.Status.PUBLISHED:
                raise BulletinRefused(
                    _("The bulletin of this period is published and can no longer change.")) from None
    if not created:
        bulletin.title, bulletin.snapshot, bulletin.generated_at = title, snapshot, now
        bulletin.save(update_fields=["title", "snapshot", "generated_at"])
    bulletin.criticisms.set(criticisms)
    bulletin.highlights.set(highlights)
    return bulletin


def readers_of(campaign: Campaign):
    """Everyone who can read the campaign: users of its town and the units in and above it."""
    unit = campaign.unit
    unit_ids = unit.descendant_ids() | {u.pk for u in unit.ancestors()}
    return get_user_model().objects.filter(is_active=True, profile__unit_id__in=unit_ids)


@transaction.atomic
def publish_bulletin(bulletin: Bulletin, actor, *, now: datetime.datetime | None = None) -> Bulletin:
    """Publish a draft: its snapshot is frozen from now on, and everyone is notified."""
    now = now or timezone.now()
    won = Bulletin.objects.filter(pk=bulletin.pk, status=Bulletin.Status.DRAFT).update(
        status=Bulletin.Status.PUBLISHED, published_at=now, published_by=actor)
    if won != 1:
        raise BulletinRefused(_("The bulletin is already published."))
    bulletin.refresh_from_db()
    notify.notify(readers_of(bulletin.campaign).values_list("pk", flat=True),
                  kind="bulletin_published", title=_("Bulletin published: %(title)s")
                  % {"title": bulletin.title},
                  url=f"/supervision/bulletins/{bulletin.pk}/", campaign=bulletin.campaign_id,
                  dedupe_key=f"bulletin-published:{bulletin.pk}")
    return bulletin


def last_week(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Monday to Sunday of the week before the one containing today."""
    monday = today - datetime.timedelta(days=today.weekday())
    return monday - datetime.timedelta(days=7), monday - datetime.timedelta(days=1)


def draft_weekly_bulletins(now: datetime.datetime | None = None) -> list[int]:
    """Draft last week's bulletin for every active campaign that has none yet (safe to rerun:
    an existing draft or published bulletin of the week is left alone). Returns the new ids."""
    now = now or timezone.now()
    start, end = last_week(local_date(now))
    made = []
    for campaign in Campaign.objects.filter(status=Campaign.Status.ACTIVE, start_date__lte=end):
        if Bulletin.objects.filter(campaign=campaign, period_start=start, period_end=end).exists():
            continue
        period_start = max(start, campaign.start_date)
        if period_start != start and Bulletin.objects.filter(
                campaign=campaign, period_start=period_start, period_end=end).exists():
            continue
        made.append(generate_bulletin(campaign, period_start, end, now=now).pk)
    return made
