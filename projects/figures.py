"""The campaign's figures, read the same way by the dashboard and the supervision bulletin.

Every function takes a campaign and ``as_of`` (a local date in Asia/Shanghai) and runs a fixed,
small number of queries whatever the number of projects; the lateness arithmetic is the pure
rules of projects/plan.py. The dict keys documented below are a contract: keep them stable.

Reports "on or before as_of" means reported before the end of that local day, so a figure for a
past date does not see later reports (the bulletin of a period reads the period's own numbers).
The light (``health``) is the stored ``Project.health`` written by the scan.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext

from campaign import reporting
from core import prepared
from core.dates import day_end, local_date, local_zone

from . import plan, plans
from .models import Milestone, ProgressReport, Project
from .plan import HUNDRED, ONE_PLACE, ZERO

CENT = Decimal("0.01")

#: The lights in the order they are shown (the worst first).
HEALTH_ORDER = [Project.Health.RED, Project.Health.YELLOW, Project.Health.GREEN,
                Project.Health.DONE, Project.Health.PAUSED]
LEVEL_ORDER = [Project.Level.CITY, Project.Level.COUNTY, Project.Level.TOWN]


def level_name(level: str, listed_by_name: str | None = None) -> str:
    """A project's level as every page and document names it, one way: by the unit that listed
    it, 福州市级 (as the higher offices' form does); by the level alone, 市级, only without one."""
    if listed_by_name:
        return gettext("%(unit)s level") % {"unit": listed_by_name}
    return str(dict(Project.Level.choices).get(level, level))


def _rate(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part ÷ whole as a percent with one decimal place; None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def _decimal(value, places: Decimal) -> Decimal:
    """A subquery's number as a Decimal (SQLite hands back floats), 0 for None."""
    if value is None:
        return ZERO.quantize(places)
    return Decimal(str(value)).quantize(places, rounding=ROUND_HALF_UP)


def report_period(campaign, as_of: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The dates of the reporting week that contains as_of (campaign/reporting.py: Saturday to
    Friday for Friday reports), the start clamped to the campaign's start: the dashboard's 本期.
    Before the campaign starts, its first reporting week."""
    week = reporting.week_of(campaign, max(as_of, campaign.start_date))
    return max(week.start, campaign.start_date), week.end


def headline_figures(campaign, as_of: datetime.date,
                     period: tuple[datetime.date, datetime.date] | None = None) -> dict:
    """The figures the dashboard and the bulletin lead with. Three queries: projects grouped by
    level, listing unit and light, milestones due by as_of, reports of the period (a bulletin's
    own period, or by default the reporting week containing as_of, see report_period).

    Keys:
      - ``as_of`` (date), ``day_number`` (day N, 1 on the start date, clamped to 0…length),
        ``length_days`` (100), ``days_left``, ``days_to_start`` (0 once started);
      - ``project_count`` (counted from the data), ``declared_count`` (Campaign.
        declared_project_count, may be None), ``count_mismatch`` (bool: declared and counted differ);
      - ``by_level``: list of ``{"level", "label", "count"}`` in LEVEL_ORDER, levels with projects,
        one entry per listing unit, named by level_name (福州市级);
      - ``by_health``: list of ``{"health", "label", "count"}`` in HEALTH_ORDER, every light;
      - ``health_counts``: ``{health code: count}``;
      - ``started_count``, ``started_rate`` (开工率, % of projects not "not started", or None);
      - ``planned_investment``, ``investment_done`` (万元, Decimal), ``investment_rate`` (投资完成率);
      - ``milestones_due``, ``milestones_on_time``, ``on_time_rate`` (按期完成率: milestones due on
        or before as_of completed by their due date, or None with none due);
      - ``period_start``, ``period_end`` (the period, by default the reporting week),
        ``reports_received`` (reports in the period up to as_of, its edges read by
        campaign.reporting.period_bounds), ``projects_reported`` (those of the projects
        expected with at least one of them, so it never exceeds the next),
        ``projects_expected`` (projects not completed nor paused with an approved reason).

    The lights, counts and starts are those stored now; the investment done is as of as_of.
    """
    rows = list(
        Project.objects.filter(campaign=campaign).order_by().values("level", "listed_by__name",
                                                                    "health")
        .annotate(
            n=Count("pk"),
            started=Count("pk", filter=~Q(status=Project.Status.NOT_STARTED)),
            completed=Count("pk", filter=Q(status=Project.Status.COMPLETED)),
            paused=Count("pk", filter=Project.paused_with_reason_q()),
            planned=Sum("planned_investment"),
            done=Sum("investment_done"),
        )
    )
    due = Milestone.objects.filter(project__campaign=campaign, due_date__lte=as_of).aggregate(
        due=Count("pk"),
        on_time=Count("pk", filter=Q(completed_on__isnull=False, completed_on__lte=F("due_date"))),
    )
    return _headline(campaign, as_of, period, rows, due)


def _headline(campaign, as_of, period, rows, due, received=None) -> dict:
    """headline_figures from the projects grouped by level, listing unit and light (``rows``)
    and the milestones due (``due``); the reports of the period (``received``: n, projects) are
    read unless given (one query)."""
    level_counts: dict[tuple[str, str | None], int] = defaultdict(int)
    health_counts: dict[str, int] = {h.value: 0 for h in HEALTH_ORDER}
    started = completed = paused = total = 0
    planned_inv = done_inv = ZERO
    for row in rows:
        level_counts[row["level"], row["listed_by__name"]] += row["n"]
        health_counts[row["health"]] = health_counts.get(row["health"], 0) + row["n"]
        total += row["n"]
        started += row["started"]
        completed += row["completed"]
        paused += row["paused"]
        planned_inv += row["planned"] or ZERO
        done_inv += row["done"] or ZERO
    if as_of < local_date():
        # The stored figure is today's: for a past date, each project's latest report by then.
        done_inv = _investment_done_on(campaign, as_of)

    period_start, period_end = period or report_period(campaign, as_of)
    after, until = reporting.period_bounds(campaign, period_start, period_end)
    # The projects counted in projects_expected: neither completed nor paused with a reason.
    paused_q = Q(project__status=Project.Status.SUSPENDED, project__pause_approved=True) & ~Q(
        project__pause_reason="")
    owing = ~Q(project__status=Project.Status.COMPLETED) & ~paused_q
    if received is None:
        received = ProgressReport.objects.filter(
            project__campaign=campaign,
            reported_at__gt=after, reported_at__lte=min(until, day_end(as_of)),
        ).aggregate(n=Count("pk"), projects=Count("project_id", distinct=True, filter=owing))

    declared = campaign.declared_project_count
    return {
        "as_of": as_of,
        "day_number": campaign.day_number(as_of),
        "length_days": campaign.length_days,
        "days_left": campaign.days_left(as_of),
        "days_to_start": campaign.days_to_start(as_of),
        "project_count": total,
        "declared_count": declared,
        "count_mismatch": declared is not None and declared != total,
        "by_level": [{"level": level, "label": level_name(level, unit), "count": n}
                     for (level, unit), n in sorted(level_counts.items(), key=_in_level_order)
                     if n],
        "by_health": [{"health": h.value, "label": h.label, "count": health_counts[h.value]}
                      for h in HEALTH_ORDER],
        "health_counts": health_counts,
        "started_count": started,
        "started_rate": _rate(started, total),
        "planned_investment": planned_inv,
        "investment_done": done_inv,
        "investment_rate": _rate(done_inv, planned_inv),
        "milestones_due": due["due"],
        "milestones_on_time": due["on_time"],
        "on_time_rate": _rate(due["on_time"], due["due"]),
        "period_start": period_start,
        "period_end": period_end,
        "reports_received": received["n"],
        "projects_reported": received["projects"],
        "projects_expected": total - completed - paused,
    }


def _in_level_order(item) -> tuple:
    """by_level's order: LEVEL_ORDER, then the listing unit's name."""
    (level, unit), _n = item
    return (LEVEL_ORDER.index(level) if level in LEVEL_ORDER else len(LEVEL_ORDER), unit or "")


def _latest_report_by(until: datetime.datetime):
    """The project's (OuterRef("pk")) reports up to until, the latest first."""
    return ProgressReport.objects.filter(
        project=OuterRef("pk"), reported_at__lte=until).order_by("-reported_at", "-pk")


def _investment_done_on(campaign, as_of: datetime.date) -> Decimal:
    latest = _latest_report_by(day_end(as_of))
    return sum((done or ZERO for done in Project.objects.filter(campaign=campaign).order_by()
                .annotate(done=Subquery(latest.values("investment_done")[:1]))
                .values_list("done", flat=True)), ZERO)


def _milestones_by_project(project_ids) -> dict[int, list[plan.MilestoneFact]]:
    """The points of each project's current plan: its milestones and the points of its justified
    pauses (projects.plans). Two queries."""
    return _facts(_milestone_rows(project_ids), plans.current_pause_facts(project_ids))


def progress_table(campaign, as_of: datetime.date, projects=None) -> list[dict]:
    """One row per project of the campaign (or of ``projects``, a queryset of them), by code.

    Two queries: the projects with their leader's name and their latest report on or before
    as_of (correlated subqueries), then their milestones.

    Keys of each row:
      - ``pk``, ``code``, ``name``, ``level`` (code), ``level_label``, ``listed_by_name`` (the
        unit that listed it: 福州市 for 福州市级), ``owner``, ``category``,
        ``status``, ``status_label``;
      - ``leader_id``, ``leader_name`` (Profile.full_name, else the username);
      - ``planned_investment``, ``investment_done`` (万元, Decimal; done from the latest report,
        0 without one), ``investment_rate`` (% or None);
      - ``progress`` (the latest report's %, 0 without one), ``planned_percent`` (the plan read on
        ``measured_on`` = plan.measurement_date of the latest report), ``measured_on``,
        ``lag`` (points behind, negative when ahead), ``plan_today`` (the plan read on as_of) —
        these three shown to one decimal (plan.shown), the lag from the exact plan;
      - ``health`` (stored light), ``health_label``;
      - ``last_reported_at`` (aware datetime or None), ``report_age_days`` (days from the latest
        report to as_of, or None);
      - ``problems``, ``next_steps``, ``needs_coordination``, ``work_done`` (of the latest report,
        "" without one).
    """
    qs = Project.objects.filter(campaign=campaign) if projects is None else projects
    rows = _table_rows(qs, as_of)
    ids = [r["pk"] for r in rows]
    return _build_table(rows, _facts(_milestone_rows(ids), plans.current_pause_facts(ids)), as_of)


def _milestone_rows(project_ids) -> list[tuple]:
    """(project id, due date, planned %, completed on) of the projects' milestones: one query."""
    return list(Milestone.objects.filter(project_id__in=project_ids).order_by().values_list(
        "project_id", "due_date", "planned_percent", "completed_on"))


def _facts(milestone_rows, pauses: dict[int, list]) -> dict[int, list[plan.MilestoneFact]]:
    """The points of each project's current plan from its milestone rows and the pause points
    of its justified pauses (projects.plans.current_pause_facts)."""
    facts: dict[int, list[plan.MilestoneFact]] = defaultdict(list)
    for pid, due, pct, done in milestone_rows:
        facts[pid].append(plan.MilestoneFact(due, pct, done))
    for pid, points in pauses.items():
        facts[pid].extend(points)
    return facts


def _table_rows(qs, as_of: datetime.date, **extra) -> list[dict]:
    """The projects of qs by code with their latest report on or before as_of (and the
    ``extra`` annotations): one query."""
    return list(_table_query(qs, day_end(as_of), **extra))


def _table_query(qs, until: datetime.datetime, **extra):
    """_table_rows' queryset: the projects with their latest report up to until."""
    latest = _latest_report_by(until)
    return (
        qs.order_by("code").annotate(**extra).annotate(
            r_at=Subquery(latest.values("reported_at")[:1]),
            r_percent=Subquery(latest.values("percent")[:1]),
            r_investment=Subquery(latest.values("investment_done")[:1]),
            r_problems=Subquery(latest.values("problems")[:1]),
            r_next=Subquery(latest.values("next_steps")[:1]),
            r_coordination=Subquery(latest.values("needs_coordination")[:1]),
            r_work=Subquery(latest.values("work_done")[:1]),
        ).values(
            "pk", "code", "name", "level", "listed_by__name", "owner", "category", "status", "planned_start",
            "planned_end", "planned_investment", "health", "leader_id", "leader__username",
            "leader__profile__full_name", "r_at", "r_percent", "r_investment", "r_problems",
            "r_next", "r_coordination", "r_work", "pause_approved", "pause_reason",
            "investment_done", "review_at", *extra,
        )
    )


def _dashboard_query(campaign_id: int, until: datetime.datetime, period_after: datetime.datetime,
                     period_until: datetime.datetime):
    """dashboard_figures' projects: _table_query with each project's number of reports in the
    period (period_after, period_until]."""
    in_period = ProgressReport.objects.filter(
        project=OuterRef("pk"), reported_at__gt=period_after, reported_at__lte=period_until,
    ).order_by().values("project").annotate(n=Count("pk")).values("n")[:1]
    return _table_query(Project.objects.filter(campaign_id=campaign_id), until,
                        r_period=Coalesce(Subquery(in_period), 0))


#: The dashboard's reads, each built once (core.prepared): building their SQL cost more than
#: running it.
_DASHBOARD_ROWS = prepared.Statement(
    _dashboard_query, campaign_id=int, until=datetime.datetime,
    period_after=datetime.datetime, period_until=datetime.datetime)
_CAMPAIGN_MILESTONES = prepared.Statement(
    lambda campaign_id: Milestone.objects.filter(project__campaign_id=campaign_id).order_by()
    .values_list("project_id", "due_date", "planned_percent", "completed_on"), campaign_id=int)


def _build_table(rows: list[dict], milestones, as_of: datetime.date) -> list[dict]:
    """progress_table's rows from the projects' rows and the points of their plans."""
    statuses, lights = dict(Project.Status.choices), dict(Project.Health.choices)
    table = []
    for r in rows:
        facts = milestones.get(r["pk"], [])
        reported_on = local_date(r["r_at"]) if r["r_at"] else None
        measured_on = plan.measurement_date(reported_on, as_of)
        planned = plan.planned_percent(measured_on, r["planned_start"], r["planned_end"], facts)
        # Exact for the lag, shown to one decimal (the light is the scan's, on the exact values).
        progress = _decimal(r["r_percent"], ONE_PLACE)
        done = _decimal(r["r_investment"], CENT)
        table.append({
            "pk": r["pk"],
            "code": r["code"],
            "name": r["name"],
            "level": r["level"],
            "level_label": level_name(r["level"], r["listed_by__name"]),
            "listed_by_name": r["listed_by__name"],
            "owner": r["owner"],
            "category": r["category"],
            "status": r["status"],
            "status_label": statuses.get(r["status"], r["status"]),
            "leader_id": r["leader_id"],
            "leader_name": r["leader__profile__full_name"] or r["leader__username"],
            "planned_investment": r["planned_investment"],
            "investment_done": done,
            "investment_rate": _rate(done, r["planned_investment"]),
            "progress": progress,
            "planned_percent": plan.shown(planned),
            "measured_on": measured_on,
            "plan_today": plan.shown(
                plan.planned_percent(as_of, r["planned_start"], r["planned_end"], facts)),
            "lag": plan.shown(plan.lag(planned, progress)),
            "health": r["health"],
            "health_label": lights.get(r["health"], r["health"]),
            "last_reported_at": r["r_at"],
            "report_age_days": (as_of - reported_on).days if reported_on else None,
            "problems": r["r_problems"] or "",
            "next_steps": r["r_next"] or "",
            "needs_coordination": r["r_coordination"] or "",
            "work_done": r["r_work"] or "",
        })
    return table


def curve_dates(start: datetime.date, end: datetime.date, as_of: datetime.date) -> list[datetime.date]:
    """Weekly sample dates from start to end, with as_of (inside the period) and end included."""
    days = [start + datetime.timedelta(days=7 * i) for i in range((end - start).days // 7 + 1)]
    if start <= as_of <= end:
        days.append(as_of)
    days.append(end)
    return sorted(set(days))


def plan_vs_actual_curve(campaign, as_of: datetime.date) -> dict:
    """The whole campaign's plan against its reports: the mean over projects of the planned % and
    of the latest reported %, sampled weekly over the campaign. Three queries: projects,
    milestones, reports (three columns each) up to as_of.

    Keys:
      - ``start``, ``end``, ``as_of`` (dates);
      - ``points``: list of ``{"date", "planned", "actual"}`` (Decimal %, one place); ``actual``
        is None for dates after as_of;
      - ``project_count``.
    """
    projects = list(Project.objects.filter(campaign=campaign).order_by()
                    .values_list("pk", "planned_start", "planned_end"))
    milestones = _milestones_by_project([p[0] for p in projects])
    return _curve(campaign, as_of, projects, milestones, _daily_percents(campaign, as_of))


def _daily_percents(campaign, as_of: datetime.date) -> dict[int, list[tuple[datetime.date, Decimal]]]:
    """Per project, (local day, % of the day's last report) up to as_of, by day: one query.

    On PostgreSQL one row per project and day (DISTINCT ON), so it is bounded by the campaign's
    length, not by the number of reports; elsewhere (SQLite in development) every report."""
    reports: dict[int, list[tuple[datetime.date, Decimal]]] = defaultdict(list)
    if connection.vendor == "postgresql":
        for pid, day, pct in _DAILY_PERCENTS(campaign_id=campaign.pk, until=day_end(as_of)):
            reports[pid].append((day, pct))
        return reports
    qs = ProgressReport.objects.filter(project__campaign=campaign, reported_at__lte=day_end(as_of))
    for pid, at, pct in qs.order_by("reported_at", "pk").values_list("project_id", "reported_at",
                                                                     "percent"):
        reports[pid].append((local_date(at), pct))
    return reports


#: A report's local date (Asia/Shanghai), in SQL: the day a report counts for on the charts.
REPORT_DAY = TruncDate("reported_at", tzinfo=local_zone())

_DAILY_PERCENTS = prepared.Statement(
    lambda campaign_id, until: ProgressReport.objects.filter(
        project__campaign_id=campaign_id, reported_at__lte=until)
    .annotate(day=REPORT_DAY)
    .order_by("project_id", "day", "-reported_at", "-pk")
    .distinct("project_id", "day").values_list("project_id", "day", "percent"),
    campaign_id=int, until=datetime.datetime)


def _curve(campaign, as_of, projects, milestones, reports) -> dict:
    """plan_vs_actual_curve from (pk, planned start, planned end) of the projects, the points
    of their plans and their daily percents (_daily_percents)."""
    points = []
    n = len(projects)
    # Each project's plan once, and where its reports have been read up to (the days ascend).
    curves = [plan.plan_curve(start, end, milestones.get(pid, [])) for pid, start, end in projects]
    daily = [reports.get(pid, ()) for pid, _start, _end in projects]
    seen = [0] * n
    for day in curve_dates(campaign.start_date, campaign.end_date, as_of):
        planned = actual = ZERO
        for i in range(n):
            planned += plan.read_curve(curves[i], day)
            if day <= as_of:
                days, k = daily[i], seen[i]
                while k < len(days) and days[k][0] <= day:
                    k += 1
                seen[i] = k
                actual += days[k - 1][1] if k else ZERO
        points.append({
            "date": day,
            "planned": (planned / n).quantize(ONE_PLACE, rounding=ROUND_HALF_UP) if n else ZERO,
            "actual": ((actual / n).quantize(ONE_PLACE, rounding=ROUND_HALF_UP) if n else ZERO)
            if day <= as_of else None,
        })
    return {"start": campaign.start_date, "end": campaign.end_date, "as_of": as_of,
            "points": points, "project_count": n}


def _paused_with_reason(row: dict) -> bool:
    """Project.paused_with_reason_q on a row of _table_rows."""
    return (row["status"] == Project.Status.SUSPENDED and bool(row["pause_approved"])
            and row["pause_reason"] != "")


def dashboard_figures(campaign, as_of: datetime.date) -> dict:
    """The dashboard's ``table`` (progress_table), ``curve`` (plan_vs_actual_curve),
    ``headline`` (headline_figures of the reporting week) and ``review_at`` (each project's next
    review moment, by id) from one read of each source, the same values as the functions:
    4 queries (5 for a past as_of) whatever the number of projects and reports — 1 the projects
    with their latest report and their number of reports in the period, 2 their milestones, 3
    the pause points, 4 each project's last % per day (the curve)."""
    after, until = reporting.period_bounds(campaign, *report_period(campaign, as_of))
    rows = _DASHBOARD_ROWS(campaign_id=campaign.pk, until=day_end(as_of), period_after=after,
                           period_until=min(until, day_end(as_of)))
    milestone_rows = _CAMPAIGN_MILESTONES(campaign_id=campaign.pk)
    facts = _facts(milestone_rows, plans.current_pause_facts(campaign_id=campaign.pk))
    curve = _curve(campaign, as_of, [(r["pk"], r["planned_start"], r["planned_end"]) for r in rows],
                   facts, _daily_percents(campaign, as_of))
    grouped: dict[tuple[str, str], dict] = {}
    for r in rows:
        g = grouped.setdefault((r["level"], r["listed_by__name"], r["health"]), {
            "level": r["level"], "listed_by__name": r["listed_by__name"], "health": r["health"],
            "n": 0, "started": 0, "completed": 0, "paused": 0, "planned": ZERO, "done": ZERO})
        g["n"] += 1
        g["started"] += r["status"] != Project.Status.NOT_STARTED
        g["completed"] += r["status"] == Project.Status.COMPLETED
        g["paused"] += _paused_with_reason(r)
        g["planned"] += r["planned_investment"] or ZERO
        g["done"] += r["investment_done"] or ZERO
    # headline_figures' reports of the period, from each project's count: every report, and
    # the projects expected (neither completed nor paused with a reason) with one.
    received = {"n": sum(r["r_period"] for r in rows), "projects": sum(
        1 for r in rows if r["r_period"] and r["status"] != Project.Status.COMPLETED
        and not _paused_with_reason(r))}
    due = [(d, done) for _pid, d, _pct, done in milestone_rows if d <= as_of]
    on_time = sum(1 for d, done in due if done is not None and done <= d)
    return {
        "table": _build_table(rows, facts, as_of),
        # When each light is next due for review (Project.review_at): a page assesses the ones
        # due before it shows them.
        "review_at": {r["pk"]: r["review_at"] for r in rows},
        "curve": curve,
        "headline": _headline(campaign, as_of, None, list(grouped.values()),
                              {"due": len(due), "on_time": on_time}, received),
    }


def report_form_figures(project, now: datetime.datetime) -> dict:
    """What the weekly report form shows before a report is made: three queries (the project with
    its latest report, its milestones, its pause points), whatever its number of reports.

    Keys:
      - ``due``: the deadline (aware) of the reporting week a report made now counts for
        (campaign.reporting.week_containing: after Friday 18:00 it is next Friday's);
      - ``plan_today``: the plan in force read today, shown (plan.shown) — what a report made now
        is measured against (plan.measurement_date of a report of today is today), the
        dashboard's ``plan_today``;
      - ``last_percent`` (Decimal, or None without a report), ``last_reported_at``, ``lag`` (the
        project's lag now, as the dashboard shows it) of the latest report;
      - ``plan_tenths`` (⌊10 × the exact plan today⌋) and ``plan_half`` (−1, 0 or 1: the exact
        plan's remainder below, at or above half a tenth), from which the page's script works out,
        in whole numbers, the lag a typed percent would give exactly as the rules and plan.shown
        do (static/js/gongjian.js);
      - ``yellow_points``, ``red_points``: the campaign's thresholds.
    """
    as_of = local_date(now)
    rows = _table_rows(Project.objects.filter(pk=project.pk), as_of)
    facts = _facts(_milestone_rows([project.pk]), plans.current_pause_facts([project.pk]))
    row = _build_table(rows, facts, as_of)[0]
    r = rows[0]
    exact = plan.planned_percent(as_of, r["planned_start"], r["planned_end"], facts.get(project.pk, []))
    tenths = math.floor(exact * 10)
    remainder = exact * 10 - tenths - Decimal("0.5")
    campaign = project.campaign
    return {
        "due": reporting.week_containing(campaign, now).closes_at,
        "plan_today": row["plan_today"],
        "last_percent": row["progress"] if row["last_reported_at"] else None,
        "last_reported_at": row["last_reported_at"],
        "lag": row["lag"],
        "plan_tenths": tenths,
        "plan_half": (remainder > 0) - (remainder < 0),
        "yellow_points": campaign.yellow_lag_points,
        "red_points": campaign.red_lag_points,
    }
