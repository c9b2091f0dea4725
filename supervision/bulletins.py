"""Bulletins (通报): a frozen snapshot of the campaign's figures for a period, drafted weekly by beat
or on demand, published once and never regenerated.

Every number in the snapshot is computed from the data when the bulletin is generated, for the
bulletin's own period and as of its end: the headline figures and the progress table come from
projects/figures.py (the same functions the dashboard calls) read on the period's last day, the
reports received are those of the period (campaign/reporting.py's edges), the lights are the flags
open at the period's end (lights_at), "days in red" the history of the red flags up to then, the
notices, criticism and highlights from their rows. The snapshot is plain JSON, so the page, the
print view and the .xlsx/.docx downloads all render the same frozen figures.
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
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from campaign import reporting
from campaign.models import Campaign
from campaign.people import name_of
from core.dates import check_plausible, day_end, day_start, local_date
from core.links import path_to
from projects.figures import HEALTH_ORDER, headline_figures, progress_table
from projects.models import PlanVersion, Project

from . import criticism as criticism_service
from . import highlights as highlight_service
from . import notices as notice_service
from . import notify
from .lights import warnings_by_project
from .models import Bulletin, Flag, Notice, NoticeEvent, Severity

SNAPSHOT_VERSION = 2
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


def light_phrase(row: dict) -> str:
    """Why a bulletin's red or yellow project has its light: its warnings (预警) in words, or, in a
    bulletin made before they were recorded in it, its lag."""
    warnings = row.get("warnings")
    if not warnings:
        return lag_phrase(row["lag"])
    return _("warnings: %(warnings)s") % {"warnings": _("; ").join(w["text"] for w in warnings)}


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


# --- Lights at a moment -------------------------------------------------------------------------

#: The lights no flag gives: a project completed or paused keeps the one the scan stored.
UNFLAGGED = (Project.Health.DONE, Project.Health.PAUSED)


def lights_at(campaign: Campaign, moment: datetime.datetime,
              now: datetime.datetime | None = None) -> dict[int, str]:
    """Per project, its light at moment: for a moment now or later, the light the scan stored
    (what the dashboard shows); for a past moment, from the flag history: red with a red flag
    open then, yellow with a yellow one, green with none (done and paused, which no flag marks,
    are read from the stored light). Two queries, one for the present."""
    stored_lights = dict(Project.objects.filter(campaign=campaign).values_list("pk", "health"))
    if moment >= (now or timezone.now()):
        return stored_lights
    open_then: dict[int, set[str]] = defaultdict(set)
    for project_id, severity in (
            Flag.objects.filter(project__campaign=campaign, opened_at__lte=moment)
            .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gt=moment))
            .values_list("project_id", "severity")):
        open_then[project_id].add(severity)
    lights = {}
    for pk, stored in stored_lights.items():
        if Severity.RED in open_then[pk]:
            lights[pk] = Project.Health.RED.value
        elif Severity.YELLOW in open_then[pk]:
            lights[pk] = Project.Health.YELLOW.value
        elif stored in UNFLAGGED:
            lights[pk] = stored
        else:
            lights[pk] = Project.Health.GREEN.value
    return lights


# --- Snapshot -----------------------------------------------------------------------------------


def headline(campaign: Campaign, as_of: datetime.date, period: tuple[datetime.date, datetime.date],
             lights: dict[int, str]) -> dict:
    """The headline figures of projects/figures.py for the period, with the lights of lights_at,
    as JSON."""
    figures = headline_figures(campaign, as_of, period)
    counts = {h.value: 0 for h in HEALTH_ORDER}
    for light in lights.values():
        counts[light] = counts.get(light, 0) + 1
    figures["health_counts"] = counts
    figures["by_health"] = [{"health": h.value, "label": h.label, "count": counts[h.value]}
                            for h in HEALTH_ORDER]
    return plain(figures)


def progress_rows(campaign: Campaign, as_of: datetime.date, red_days: dict[int, int],
                  lights: dict[int, str]) -> list[dict]:
    """projects/figures.py's progress table on as_of ranked by lag (the most behind first), as
    JSON, with each project's rank, light at the period's end, days in red and the warnings open
    at the end of as_of (what makes its light: supervision.lights)."""
    labels = dict(Project.Health.choices)
    table = sorted(progress_table(campaign, as_of), key=lambda r: (-r["lag"], r["code"]))
    warnings = warnings_by_project(campaign_id=campaign.pk, at=day_end(as_of))
    rows = []
    for rank, row in enumerate(table, start=1):
        row = plain(row)
        health = lights.get(row["pk"], row["health"])
        row.update(rank=rank, project_id=row["pk"], label=f"{row['code']} {row['name']}",
                   leader=row["leader_name"], days_in_red=red_days.get(row["pk"], 0),
                   health=health, health_label=str(labels.get(health, health)),
                   warnings=warnings.get(row["pk"], []))
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


def _notice_row(n: Notice, stood: notice_service.Standing, closed: bool) -> dict:
    # Overdue that evening: its date then and the days past it. Answered late in the period (and
    # since returned with a new date, or closed): the date it missed and by how many days.
    late = stood.days_overdue or stood.most_days_late
    return {
        "number": n.number, "project": str(n.project), "leader": name_of(n.issued_to),
        "reason": n.reason,
        "respond_by": plain(stood.respond_by if stood.days_overdue or not late else stood.missed),
        "status": stood.status, "status_label": str(Notice.Status(stood.status).label),
        "issued_on": plain(local_date(n.issued_at)),
        "closed_on": plain(local_date(n.closed_at)) if closed else None,
        "overdue": stood.days_overdue > 0,
        "days_overdue": late,
        "answered_late": bool(late) and not stood.days_overdue,
    }


def build_snapshot(campaign: Campaign, period_start: datetime.date, period_end: datetime.date,
                   *, now: datetime.datetime | None = None) -> tuple[dict, list, list]:
    """The frozen figures of a bulletin, with the criticism and highlights it lists."""
    now = now or timezone.now()
    as_of = min(period_end, local_date(now))
    _after, until = reporting.period_bounds(campaign, period_start, period_end)
    lights = lights_at(campaign, min(until, now), now)
    red_days = days_in_red(campaign, as_of)
    figures = headline(campaign, as_of, (period_start, period_end), lights)
    progress = progress_rows(campaign, as_of, red_days, lights)

    notices = list(
        Notice.objects.filter(campaign=campaign, issued_at__lte=day_end(period_end))
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=day_start(period_start)))
        .select_related("project", "issued_to__profile").order_by("issued_at", "pk")
    )
    # As each notice stood at the end of the period, with the lateness it reached in it (from
    # its steps): a notice answered late, then returned with a new date, was overdue this week.
    steps = defaultdict(list)
    for notice_id, *step in (NoticeEvent.objects
                             .filter(notice__in=notices, action__in=notice_service.STANDING_STEPS)
                             .order_by("at", "pk")
                             .values_list("notice_id", "action", "at", "respond_by")):
        steps[notice_id].append(step)
    stood = {n.pk: notice_service.standing(n, steps[n.pk], period_start, as_of) for n in notices}
    closed_by_then = {n.pk for n in notices if stood[n.pk].status == Notice.Status.CLOSED}
    notice_rows = [_notice_row(n, stood[n.pk], n.pk in closed_by_then) for n in notices]

    plan_changes = [{
        "project": str(v.project), "kind": v.kind, "kind_label": str(v.get_kind_display()),
        "in_force_from": v.in_force_from.isoformat(), "planned_end": v.planned_end.isoformat(),
        "reason": v.reason, "by": name_of(v.created_by) if v.created_by_id else "",
    } for v in PlanVersion.objects.filter(
        project__campaign=campaign, in_force_from__gte=period_start, in_force_from__lte=period_end)
        .exclude(kind=PlanVersion.Kind.ORIGINAL)
        .select_related("project", "created_by__profile").order_by("in_force_from", "pk")]

    criticisms = list(criticism_service.awaiting_bulletin(campaign, period_end))
    highlights = list(highlight_service.awaiting_bulletin(campaign, period_end))
    top_red = sorted(((d, pk) for pk, d in red_days.items() if d), key=lambda t: (-t[0], t[1]))
    names = {row["project_id"]: row for row in progress}
    snapshot = {
        "version": SNAPSHOT_VERSION,
        "campaign": campaign.name,
        "unit": str(campaign.unit),
        "issuer": campaign.issuer,
        "issuer_short": campaign.issuer_short,
        "recipients": campaign.recipients,
        "contact_person": campaign.contact_person,
        "contact_phone": campaign.contact_phone,
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
            "closed": len(closed_by_then),
            "overdue": sum(1 for r in notice_rows if r["overdue"]),
            "answered_late": sum(1 for r in notice_rows if r["answered_late"]),
        },
        "overdue_notices": [r for r in notice_rows if r["days_overdue"]],
        "plan_changes": plan_changes,
        "criticisms": [{
            # The documents end the sentence with 。: a reason typed with its own is not doubled.
            "project": str(c.project), "person": name_of(c.person),
            "reason": c.reason.strip().rstrip("。.．"),
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


def chinese_date(day: datetime.date) -> str:
    """A date as official documents write it: 2026年12月2日."""
    return f"{day.year}年{day.month}月{day.day}日"


def default_title(campaign: Campaign, period_start: datetime.date, period_end: datetime.date) -> str:
    """关于…重点项目推进情况的通报, with the period in Chinese dates (the title is the
    document's, in Chinese whatever the reader's language)."""
    return (f"关于{chinese_date(period_start)}至{chinese_date(period_end)}"
            f"{campaign.name}重点项目推进情况的通报")


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
    # The snapshot's labels are the document's, in Chinese whoever drafts it.
    with translation.override("zh-hans"):
        snapshot, criticisms, highlights = build_snapshot(campaign, period_start, period_end,
                                                          now=now)
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
    # The campaign's row lock serialises publications, so 第N期 follows the last one without a
    # gap; the unique constraint refuses a duplicate, a rollback gives the number back.
    Campaign.objects.select_for_update().filter(pk=bulletin.campaign_id).first()
    last = (Bulletin.objects.filter(campaign_id=bulletin.campaign_id, issue_number__isnull=False)
            .order_by("-issue_number").values_list("issue_number", flat=True).first()) or 0
    won = Bulletin.objects.filter(pk=bulletin.pk, status=Bulletin.Status.DRAFT).update(
        status=Bulletin.Status.PUBLISHED, published_at=now, published_by=actor,
        issue_number=last + 1)
    if won != 1:
        raise BulletinRefused(_("The bulletin is already published."))
    bulletin.refresh_from_db()
    notify.notify(readers_of(bulletin.campaign).values_list("pk", flat=True),
                  kind="bulletin_published", title=_("Bulletin published: %(title)s")
                  % {"title": bulletin.title},
                  url=path_to("bulletin_detail", bulletin.pk), campaign=bulletin.campaign_id,
                  dedupe_key=f"bulletin-published:{bulletin.pk}")
    return bulletin


def draft_weekly_bulletins(now: datetime.datetime | None = None) -> list[int]:
    """Draft the bulletin of the reporting week that has just closed (campaign/reporting.py) for
    every active campaign that has none yet (safe to rerun: an existing draft or published
    bulletin of the week is left alone). Returns the new ids."""
    now = now or timezone.now()
    made = []
    for campaign in Campaign.objects.filter(status=Campaign.Status.ACTIVE,
                                            start_date__lte=local_date(now)):
        week = reporting.last_closed_week(campaign, now)
        if week.end < campaign.start_date:
            continue
        period_start = max(week.start, campaign.start_date)
        if Bulletin.objects.filter(campaign=campaign, period_start=period_start,
                                   period_end=week.end).exists():
            continue
        made.append(generate_bulletin(campaign, period_start, week.end, now=now).pk)
    return made
