"""The scan: every flag kind of every project of a batch of campaigns, as of a moment.

Set-based: a fixed handful of queries per batch whatever the number of projects —

1. the campaigns, locked (two scans of a campaign queue instead of racing), (the hourly scan:
   the projects of these due for review),
2. the projects (with the first report dated after now), 3. their milestones and the versions
   of their plans (the plan in force on the date assessed), 4. the latest report and the latest
   of the fourth-latest report day (the two ends of the pace),
5. open obstacles, 6. open hazards (those overdue, and the next dates ahead) and 7. notices not
   closed, each aggregated per project,
8. the open flags (9 queries in all) —

then the rules of supervision/rules.py in Python, and the writes in bulk: new flags (a flag open
already is a no-op by the database constraint), changed details, resolved flags, the projects'
health and next review moment, draft notices and the leaders' notifications. On PostgreSQL the
rows with values of their own go as arrays (INSERT … SELECT FROM unnest, UPDATE … FROM unnest:
core.bulk), one statement per 10,000 rows; no bulk_update's CASE per row. A batch is one
transaction, and a campaign is never split across batches, so every campaign moves from one
consistent state to the next.

Three steps, each its own function: read_inputs() (the queries, into ScanInputs of named rows),
decide() (pure: a Decision — flags to open, change, resolve, health changes, notices to draft,
leaders to tell), apply() (the writes). The decision can be looked at without any write.

A scan is a pure function of the data and the moment: run twice, the second run changes nothing.

The next review moment: each project assessed stores the earliest moment its answer can change
with no new input (rules.next_change, and the day a yellow light is old enough for a notice);
every write to its inputs makes it due (Project.review_now). The hourly scan (changed_only)
assesses only the projects whose moment has passed, found with one indexed query; a forced scan
assesses every project, and counts the answers that changed before their moment (``early``: 0
when the review moments are right; the nightly re-evaluation logs it).
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import gc
import json
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import Count, F, Min, Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone, translation
from django.utils.translation import gettext

from campaign.models import Campaign
from core.bulk import ROW_VERSION, insert_rows, update_rows
from core.dates import day_end, day_start, local_zone
from core.links import path_maker, path_to
from core.lookups import Ids
from core.pagecache import bump_campaigns
from projects import plans
from projects.models import Hazard, Milestone, Obstacle, PlanVersion, ProgressReport, Project

from . import rules
from .models import Flag, Notice
from .notices import auto_respond_by, draft_notices_from_scan
from .notify import Message, notify_many

log = logging.getLogger("gongjian.scan")

Kind = Flag.Kind
RED, YELLOW = "red", "yellow"

#: A project yellow this long, with no notice, gets a draft notice.
YELLOW_NOTICE_DAYS = 7

#: Campaigns are scanned in batches of about this many projects (memory stays bounded).
BATCH_PROJECTS = 20_000

#: A project whose answer cannot change by the clock alone (done, paused) is looked at again
#: after this long at the latest: earlier than needed is always safe.
REVIEW_AT_THE_LATEST = datetime.timedelta(days=366)


@dataclass
class ScanResult:
    campaigns: int = 0
    projects: int = 0
    opened: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    resolved: Counter = field(default_factory=Counter)
    health_changed: int = 0
    notices_drafted: int = 0
    notices_issued: int = 0
    #: Projects whose answer changed although their review moment had not come (and no write
    #: made them due): 0 when the review moments are right.
    early: int = 0

    def merge(self, other: ScanResult) -> ScanResult:
        self.campaigns += other.campaigns
        self.projects += other.projects
        self.opened.update(other.opened)
        self.updated.update(other.updated)
        self.resolved.update(other.resolved)
        self.health_changed += other.health_changed
        self.notices_drafted += other.notices_drafted
        self.notices_issued += other.notices_issued
        self.early += other.early
        return self

    @property
    def changed(self) -> bool:
        return bool(self.outputs_changed)

    @property
    def outputs_changed(self) -> int:
        """How many outputs the scan changed: flags opened, changed, resolved, lights, notices."""
        return (sum(self.opened.values()) + sum(self.updated.values())
                + sum(self.resolved.values()) + self.health_changed + self.notices_drafted)


def scan_moment(as_of: datetime.date | None = None, now: datetime.datetime | None = None):
    """The moment a scan "as of" a local date looks from: the end of that day in Asia/Shanghai
    for any date, today included (so the same date gives the same answer whenever it is run);
    now without a date."""
    if as_of is None:
        return now or timezone.now()
    return day_end(as_of)


# --- Entry points -------------------------------------------------------------------------------


def scan_campaign(campaign_id: int, *, now=None) -> ScanResult:
    return scan_campaigns([campaign_id], now=now)


def scan_project(project_id: int, *, now=None) -> ScanResult:
    """Rescan one project (after a report): its campaign is locked, only its flags change."""
    campaign_id = (Project.objects.filter(pk=project_id)
                   .values_list("campaign_id", flat=True).first())
    if campaign_id is None:
        return ScanResult()
    return scan_campaigns([campaign_id], now=now, project_ids=[project_id])


def due_for_review(now) -> Q:
    """Projects whose review moment has passed at now (NULL: due since a write)."""
    return Q(review_at__isnull=True) | Q(review_at__lte=now)


def is_due(review_at: datetime.datetime | None, now) -> bool:
    """due_for_review of one project's review moment, as read with it."""
    return review_at is None or review_at <= now


#: How long a page waits for its campaign's lock when another scan holds it: a report's rescan
#: holds it for milliseconds, a batch of the hourly scan for longer.
PAGE_LOCK_WAIT_MS = 1000
#: lock_not_available (lock_timeout ran out), deadlock_detected.
_LOCK_BUSY = {"55P03", "40P01"}


def scan_for_page(campaign_id: int, project_ids, *, now=None,
                  wait_ms: int | None = None) -> ScanResult | None:
    """For a page about to show the lights of these projects of one campaign, which it read as
    due for review: those still due assessed now, in the request (the worker's rescan after a
    report comes a moment later; a page must not show a light older than the figures beside it).
    The worker's own scan (changed_only: what a worker assessed meanwhile is not assessed again).

    The campaign's lock is waited for wait_ms (PAGE_LOCK_WAIT_MS) at most: None, nothing
    written, when another scan holds it longer (that scan, or the worker's after it, brings the
    lights up to date; the page shows what is stored and should keep nothing). Otherwise the
    campaign's cached figures are dropped even when no answer changed: they were read with the
    projects due."""
    try:
        with transaction.atomic(), _lock_wait(PAGE_LOCK_WAIT_MS if wait_ms is None else wait_ms):
            result = scan_campaigns([campaign_id], now=now, project_ids=list(project_ids),
                                    changed_only=True)
    except OperationalError as error:
        cause = error.__cause__
        if (getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)) not in _LOCK_BUSY:
            raise
        log.info("page scan skipped campaign=%s: another scan holds it", campaign_id)
        return None
    if not result.changed:  # a change has bumped them already
        bump_campaigns([campaign_id])
    return result


def assess_for_page(projects, now) -> bool | None:
    """The one way a page brings its lights up to date: of `projects` — (campaign id, project
    id, review moment) as the page read them — those due are assessed now, a scan_for_page per
    campaign. True when some were (the page reads its lights again), False when none was due
    (what it read is current), None when every campaign with some due was held by another scan
    past the page's wait (the page shows what is stored and keeps nothing)."""
    due = defaultdict(list)
    for campaign_id, pk, review_at in projects:
        if is_due(review_at, now):
            due[campaign_id].append(pk)
    if not due:
        return False
    assessed = [scan_for_page(campaign_id, ids, now=now) is not None
                for campaign_id, ids in due.items()]
    return True if any(assessed) else None


@contextlib.contextmanager
def _lock_wait(wait_ms: int):
    """lock_timeout for the current transaction (PostgreSQL; SQLite has no row locks), given
    back when the block ends, so a caller's transaction keeps its own."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cur:
        cur.execute("SELECT current_setting('lock_timeout'), set_config('lock_timeout', %s, true)",
                    [f"{int(wait_ms)}ms"])
        before = cur.fetchone()[0]
    try:
        yield
    finally:
        if not connection.needs_rollback:
            with connection.cursor() as cur:
                cur.execute("SELECT set_config('lock_timeout', %s, true)", [before])


def campaign_batches(campaign_ids=None, batch_projects: int = BATCH_PROJECTS, *, now=None,
                     changed_only: bool = False) -> list[list[int]]:
    """Active campaigns (or the given ones) that have projects, grouped so a batch holds about
    batch_projects; with changed_only, only the campaigns with projects due for review at now,
    weighed by those (one query; the review moment is not indexed: see Project.review_at).

    The projects are counted from their own table, grouped by campaign: COUNT(*) over the
    (campaign, code) index reads no project row (a campaign's projects counted through a join
    from the campaigns read each row for its id: 200 against 55 ms for 5,000 campaigns)."""
    qs = Project.objects.all()
    if changed_only:
        qs = qs.filter(due_for_review(now or timezone.now()))
    qs = qs.filter(campaign_id__in_ids=Ids(campaign_ids)) if campaign_ids else qs.filter(
        campaign__status=Campaign.Status.ACTIVE)
    rows = (qs.order_by().values("campaign_id").annotate(n=Count("*"))
            .order_by("campaign_id").values_list("campaign_id", "n"))
    batches, current, size = [], [], 0
    limit = min(500, connection.features.max_query_params or 500)
    for pk, n in rows:
        if current and (size + n > batch_projects or len(current) >= limit):
            batches.append(current)
            current, size = [], 0
        current.append(pk)
        size += n
    if current:
        batches.append(current)
    return batches


def scan_all(*, now=None, campaign_ids=None, batch_projects: int = BATCH_PROJECTS,
             changed_only: bool = False) -> ScanResult:
    """Scan every active campaign (or the given ones) in batches, in this process; with
    changed_only (the hourly beat) only the projects due for review."""
    now = now or timezone.now()
    total = ScanResult()
    for batch in campaign_batches(campaign_ids, batch_projects, now=now,
                                  changed_only=changed_only):
        total.merge(scan_campaigns(batch, now=now, changed_only=changed_only))
    return total


# --- The scan -----------------------------------------------------------------------------------


def _chunks(items: list, size: int | None = None):
    size = size or min(10_000, (connection.features.max_query_params or 10_000) - 10)
    for i in range(0, len(items), size):
        yield items[i:i + size]


PROJECT_FIELDS = ("pk", "campaign_id", "leader_id", "planned_start", "planned_end", "status",
                  "pause_reason", "pause_approved", "resumed_on", "health", "code", "name",
                  "review_at", "entered_on")


class ProjectRow(NamedTuple):
    """A project in scope (PROJECT_FIELDS, pk first) and the two ends of its recent pace."""

    pk: int
    campaign_id: int
    leader_id: int | None
    planned_start: datetime.date
    planned_end: datetime.date
    status: str
    pause_reason: str
    pause_approved: bool
    resumed_on: datetime.date | None
    health: str
    code: str
    name: str
    review_at: datetime.datetime | None
    entered_on: datetime.date | None
    latest: tuple | None  # (reported_at, percent)
    first: tuple | None
    #: The first report dated after now (it comes into view then with no write).
    report_ahead: datetime.datetime | None = None
    #: The row's version as read (core.bulk.ROW_VERSION; None off PostgreSQL).
    version: str | None = None
    #: first and latest as the rules read them (rules.ProjectFacts.reports): one ReportFact
    #: each on its local date, oldest first, one only when first is latest.
    reports: tuple = ()


def _projects_with_reports(campaign_ids, project_ids, now) -> list[ProjectRow]:
    """The projects in scope, each as PROJECT_FIELDS + (latest, first): latest is (reported_at,
    percent) of its latest report on or before now, first that of the latest report of the
    FORECAST_REPORTS-th latest distinct local report day (or of the oldest day when fewer) — the
    two ends of the recent pace (rules.forecast_finish), the very same row as latest when the
    project reported on one day only; both None with no report.

    On PostgreSQL one query: a LATERAL join reads the project's reports up to now from the
    (project, -reported_at) index and keeps the latest of each local day (DISTINCT ON), the last
    FORECAST_REPORTS days. Elsewhere two: the projects, then their reports. Each row also has
    the first report dated after now, if any.
    """
    if connection.vendor == "postgresql":
        return _projects_with_reports_pg(campaign_ids, project_ids, now)
    projects = list(_project_rows(campaign_ids, project_ids))
    reports = _latest_reports(campaign_ids, project_ids, now)
    none = (None, None, None)
    zone = local_zone()
    out = []
    for row in projects:
        latest, first, ahead = reports.get(row[0], none)
        facts = () if latest is None else tuple(
            rules.ReportFact(timezone.localtime(at, zone).date(), pct)
            for at, pct in ((first, latest) if first is not latest else (latest,)))
        out.append(ProjectRow(*row, latest, first, ahead, None, facts))
    return out


def _project_rows(campaign_ids, project_ids):
    in_scope = Q(campaign_id__in=campaign_ids)
    if project_ids:
        in_scope &= Q(pk__in=list(project_ids))
    return Project.objects.filter(in_scope).order_by().values_list(*PROJECT_FIELDS)


def _projects_with_reports_pg(campaign_ids, project_ids, now) -> list[ProjectRow]:
    columns = ", ".join(
        "p." + Project._meta.get_field("id" if f == "pk" else f).column for f in PROJECT_FIELDS)
    scope = "p.campaign_id = ANY(%s)" + (" AND p.id = ANY(%s)" if project_ids else "")
    zone = str(local_zone())
    params = [now, zone, list(campaign_ids)] + (
        [list(project_ids)] if project_ids else [])
    reports = ProgressReport._meta.db_table
    # The latest FORECAST_REPORTS reports (q), one index probe: when they lie on as many local
    # days they are the latest report of each of the last report days. Otherwise (a correction on
    # the same day) a skip scan down the (project, -reported_at) index (f): the latest report,
    # then the latest one before the local midnight that began its day, and so on,
    # FORECAST_REPORTS times, however many reports a day — run only then (a one-time filter).
    # q's arrays keep their own ORDER BY although the subquery's rows come in that order: an
    # aggregate's input order is not guaranteed (PostgreSQL 16 and later sort it for the
    # count(DISTINCT …) — oldest first — and the arrays came out reversed without it).
    sql = f"""
        SELECT {columns}, r.ats[1], r.pcts[1], r.ats[r.n], r.pcts[r.n], r.n,
               (SELECT min(reported_at) FROM {reports}
                WHERE project_id = p.id AND reported_at > z.now),
               {ROW_VERSION.format(table="p")},
               (r.ats[1] AT TIME ZONE z.zone)::date, (r.ats[r.n] AT TIME ZONE z.zone)::date
        FROM {Project._meta.db_table} p
        CROSS JOIN (SELECT %s::timestamptz AS now, %s::text AS zone) z
        CROSS JOIN LATERAL (
            SELECT array_agg(at ORDER BY at DESC, id DESC) AS ats,
                   array_agg(pct ORDER BY at DESC, id DESC) AS pcts, count(*) AS n,
                   count(DISTINCT (at AT TIME ZONE z.zone)::date) AS days
            FROM (SELECT id, reported_at AS at, percent AS pct FROM {reports}
                  WHERE project_id = p.id AND reported_at <= z.now
                  ORDER BY reported_at DESC, id DESC LIMIT {rules.FORECAST_REPORTS}) x
        ) q
        CROSS JOIN LATERAL (
            WITH RECURSIVE d(k, at, pct, midnight) AS (
                (SELECT 1, reported_at, percent,
                        date_trunc('day', reported_at AT TIME ZONE z.zone) AT TIME ZONE z.zone
                 FROM {reports} WHERE project_id = p.id AND reported_at <= z.now
                 ORDER BY reported_at DESC, id DESC LIMIT 1)
                UNION ALL
                SELECT d.k + 1, y.reported_at, y.percent,
                       date_trunc('day', y.reported_at AT TIME ZONE z.zone) AT TIME ZONE z.zone
                FROM d, LATERAL (SELECT reported_at, percent FROM {reports}
                                 WHERE project_id = p.id AND reported_at < d.midnight
                                 ORDER BY reported_at DESC, id DESC LIMIT 1) y
                WHERE d.k < {rules.FORECAST_REPORTS}
            )
            SELECT array_agg(at ORDER BY k) AS ats, array_agg(pct ORDER BY k) AS pcts,
                   count(*) AS n FROM d WHERE q.days < q.n
        ) f
        CROSS JOIN LATERAL (
            SELECT CASE WHEN q.days < q.n THEN f.ats ELSE q.ats END AS ats,
                   CASE WHEN q.days < q.n THEN f.pcts ELSE q.pcts END AS pcts,
                   CASE WHEN q.days < q.n THEN f.n ELSE q.n END AS n
        ) r
        WHERE {scope}"""  # nosec B608  # model names; values are parameters
    out = []
    append = out.append
    width = len(PROJECT_FIELDS)
    fact = rules.ReportFact
    with connection.cursor() as cur:
        cur.execute(sql, params)
        for row in cur.fetchall():
            last_at, last_pct, first_at, first_pct, n, ahead, version, last_on, first_on = \
                row[width:]
            if not n:
                append(ProjectRow(*row[:width], None, None, ahead, version))
            elif n == 1:
                latest = (last_at, last_pct)
                append(ProjectRow(*row[:width], latest, latest, ahead, version,
                                  (fact(last_on, last_pct),)))
            else:
                append(ProjectRow(*row[:width], (last_at, last_pct), (first_at, first_pct), ahead,
                                  version, (fact(first_on, first_pct), fact(last_on, last_pct))))
    return out


def _latest_reports(campaign_ids, project_ids, now) -> dict[int, tuple]:
    """Per project: (latest, first, ahead) as _projects_with_reports gives them, from the reports
    in Python (the portable path: SQLite and the rest)."""
    qs = ProgressReport.objects.filter(project__campaign_id__in=campaign_ids)
    if project_ids:
        qs = qs.filter(project_id__in=project_ids)
    zone = local_zone()
    days: dict[int, dict] = defaultdict(dict)  # project → {local day: (at, percent)}, latest wins
    ahead: dict[int, datetime.datetime] = {}
    for pid, at, pct in qs.order_by("reported_at", "pk").values_list(
            "project_id", "reported_at", "percent"):
        if at > now:
            ahead.setdefault(pid, at)
        else:
            days[pid][timezone.localtime(at, zone).date()] = (at, pct)
    out = {}
    for pid in days.keys() | ahead.keys():
        recent = [days[pid][d] for d in sorted(days[pid])[-rules.FORECAST_REPORTS:]]
        out[pid] = ((recent[-1], recent[0] if len(recent) > 1 else recent[-1]) if recent
                    else (None, None)) + (ahead.get(pid),)
    return out


def scan_campaigns(campaign_ids, *, now=None, project_ids=None,
                   changed_only: bool = False) -> ScanResult:
    """Scan the campaigns (all their projects, or only project_ids) as of now, in one transaction:
    read the inputs, decide (pure: decide() writes nothing), apply the decision.

    With changed_only (the hourly scan), only the projects of these campaigns whose review moment
    has passed at now (one query on its index); without, every project (a forced re-evaluation).
    """
    now = now or timezone.now()
    result = ScanResult()
    with transaction.atomic(), _for_short_queries():
        campaigns = {c.pk: c for c in Campaign.objects.select_for_update()
                     .filter(pk__in=list(campaign_ids)).order_by("pk")}
        if changed_only and campaigns:
            project_ids = _due_projects(list(campaigns), project_ids, now)
            if project_ids == []:
                return result
        if not campaigns:
            return result
        with _no_collection():
            inputs = read_inputs(campaigns, project_ids, now)
            result.campaigns, result.projects = len(campaigns), len(inputs.projects)
            if inputs.projects:
                decision = decide(inputs, now)
                apply(decision, inputs, now, result)

    if result.projects:
        log.info("scan campaigns=%s projects=%s opened=%s updated=%s resolved=%s health=%s "
                 "notices=%s early=%s", result.campaigns, result.projects,
                 sum(result.opened.values()), sum(result.updated.values()),
                 sum(result.resolved.values()), result.health_changed, result.notices_drafted,
                 result.early)
    return result


@contextlib.contextmanager
def _no_collection():
    """The cyclic garbage collector held off for a batch: its rows, facts and answers are
    hundreds of thousands of objects without cycles, which it would walk again and again (6 % of
    a batch's instructions); they go when the batch ends, and the collector runs again then."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _due_projects(campaign_ids, project_ids, now) -> list[int] | None:
    """The projects of these campaigns (of project_ids, if given) due for review at now; None
    when they are most of the campaigns' projects (a Friday evening's deadline): the campaigns are
    then read whole, by their index, rather than through a list of thousands of ids — assessing a
    project not due changes none of its answers. The due ones are picked by the database (of a
    batch's 10,000 projects, a few hundred); the campaigns' projects are counted from their
    (campaign, code) index only when some are due."""
    qs = Project.objects.filter(campaign_id__in=campaign_ids)
    if project_ids:
        qs = qs.filter(pk__in=list(project_ids))
    due = list(qs.filter(due_for_review(now)).order_by().values_list("pk", flat=True))
    if due and not project_ids and len(due) * 2 >= qs.order_by().count():
        return None
    return due


# --- Step 1: read the inputs --------------------------------------------------------------------


class OpenFlag(NamedTuple):
    """An open flag as the scan reads it."""

    pk: int
    severity: str
    details: dict
    opened_at: datetime.datetime


@dataclass
class ScanInputs:
    """Everything a scan of a batch decides from, read in a fixed handful of queries."""

    campaigns: dict[int, Campaign]
    now: datetime.datetime
    projects: list[ProjectRow]
    milestones: dict[int, list[rules.MilestoneFact]]
    #: The plan in force on the date assessed of the projects whose plan changed:
    #: project → (start, end, milestones) (projects.plans).
    in_force: dict[int, tuple]
    obstacles: dict[int, rules.OverdueFact]
    hazards: dict[int, rules.OverdueFact]
    open_notices: dict[int, list[rules.NoticeFact]]
    open_flags: dict[tuple[int, str], OpenFlag]
    #: What lies ahead in the same data (rules.ProjectFacts): per project, the due dates not yet
    #: passed of its open obstacles and hazards, the later dates on which a close-out, a safety
    #: check or a plan version takes effect, the first row dated after now (not a report: those
    #: are on the project's row).
    due_ahead: dict[int, list[datetime.date]] = field(default_factory=lambda: defaultdict(list))
    changes_on: dict[int, list[datetime.date]] = field(
        default_factory=lambda: defaultdict(list))
    visible_from: dict[int, datetime.datetime] = field(default_factory=dict)

    def comes_into_view(self, pid: int, moment: datetime.datetime | None) -> None:
        if moment is not None and (pid not in self.visible_from
                                   or moment < self.visible_from[pid]):
            self.visible_from[pid] = moment


def read_inputs(campaigns: dict[int, Campaign], project_ids, now) -> ScanInputs:
    """The projects of the campaigns (or only project_ids) and what the rules read of them, as of
    now. Reads only."""
    ids = list(campaigns)
    as_of = timezone.localtime(now, local_zone()).date()
    projects = _projects_with_reports(ids, project_ids, now)
    inputs = ScanInputs(campaigns, now, projects, {}, {}, {}, {}, {}, {})
    if not projects:
        return inputs

    # Every other read is scoped to the projects read, by their ids (core.lookups: one array,
    # one index probe each): scoped by campaign, the planner joined each with a scan of the
    # whole projects' table.
    pids = Ids(row.pk for row in projects)  # one array literal for every read below

    def scoped(qs, path="project"):
        return qs.filter(**{f"{path}_id__in_ids": pids})

    # The versions of the plans that changed: the plan in force on as_of (projects.plans).
    versions = list(scoped(PlanVersion.objects.order_by()))
    replanned = {v.project_id for v in versions}
    milestones: dict[int, list] = defaultdict(list)
    completed: dict[int, dict] = defaultdict(dict)  # project → {milestone id: completed_on}
    # Milestones alike are one fact (the rules only read them): made once a batch.
    made: dict[tuple, rules.MilestoneFact] = {}
    for mid, pid, due, pct, done in scoped(Milestone.objects.order_by()).values_list(
            "pk", "project_id", "due_date", "planned_percent", "completed_on"):
        key = (due, pct, done)
        fact = made.get(key)
        if fact is None:
            fact = made[key] = rules.MilestoneFact(due, pct, done)
        milestones[pid].append(fact)
        if pid in replanned:
            completed[pid][mid] = done
    inputs.milestones = milestones
    inputs.in_force = plans.plans_in_force(
        versions, as_of, {row.pk: (row.planned_start, row.planned_end, milestones.get(row.pk, ()))
                          for row in projects if row.pk in replanned}, completed)
    for v in versions:
        if v.in_force_from > as_of:
            inputs.changes_on[v.project_id].append(v.in_force_from)

    # The open obstacles (and hazards), each aggregate over those overdue as of the day assessed,
    # with what lies ahead: the next due date, the next close-out dated later, the next one
    # raised (checked) after now.
    overdue = Q(due_date__lt=as_of, raised_at__lte=now)
    inputs.obstacles = {}
    for row in (scoped(Obstacle.objects.order_by())
                .filter(~Q(status=Obstacle.Status.RESOLVED) | Q(resolved_on__gt=as_of))
                .values("project_id")
                .annotate(n=Count("pk", filter=overdue), oldest=Min("due_date", filter=overdue),
                          due_next=Min("due_date", filter=Q(due_date__gte=as_of,
                                                            raised_at__lte=now)),
                          closes=Min("resolved_on", filter=Q(resolved_on__gt=as_of)),
                          raised_next=Min("raised_at", filter=Q(raised_at__gt=now)))):
        pid = row["project_id"]
        if row["n"]:
            inputs.obstacles[pid] = rules.OverdueFact(row["n"], row["oldest"], 0)
        _ahead(inputs, pid, row["due_next"], row["closes"])
        inputs.comes_into_view(pid, row["raised_next"])
    overdue = Q(rectify_by__lt=as_of, check_record__checked_on__lte=as_of)
    inputs.hazards = {}
    for row in (scoped(Hazard.objects.order_by(), "check_record__project")
                .filter(Q(rectified_on__isnull=True) | Q(rectified_on__gt=as_of))
                .values(pid=F("check_record__project_id"))
                .annotate(n=Count("pk", filter=overdue), oldest=Min("rectify_by", filter=overdue),
                          major=Count("pk", filter=overdue & Q(level=Hazard.Level.MAJOR)),
                          due_next=Min("rectify_by", filter=Q(
                              rectify_by__gte=as_of, check_record__checked_on__lte=as_of)),
                          closes=Min("rectified_on", filter=Q(rectified_on__gt=as_of)),
                          checked_next=Min("check_record__checked_on",
                                           filter=Q(check_record__checked_on__gt=as_of)))):
        pid = row["pid"]
        if row["n"]:
            inputs.hazards[pid] = rules.OverdueFact(row["n"], row["oldest"], row["major"])
        _ahead(inputs, pid, row["due_next"], row["closes"], row["checked_next"])
    open_notices: dict[int, list] = defaultdict(list)
    for pid, status, respond_by, escalated_at, number in (
            scoped(Notice.objects.order_by()).exclude(status=Notice.Status.CLOSED).values_list(
                "project_id", "status", "respond_by", "escalated_at", "number")):
        open_notices[pid].append(rules.NoticeFact(
            status in Notice.AWAITING_RESPONSE, respond_by,
            escalated_at is not None and escalated_at <= now, number))
        if escalated_at is not None and escalated_at > now:
            inputs.comes_into_view(pid, escalated_at)
    inputs.open_notices = open_notices
    # The details as their JSON text, parsed here: through the field's converters the parsing
    # cost twice as much (most projects have an open flag).
    loads = json.loads
    inputs.open_flags = {
        (pid, kind): OpenFlag(pk, severity, None if details is None else loads(details), opened_at)
        for pk, pid, kind, severity, details, opened_at in scoped(Flag.objects.order_by())
        .filter(resolved_at__isnull=True)
        .values_list("pk", "project_id", "kind", "severity",
                     Cast("details", TextField()), "opened_at")
    }
    return inputs


def _ahead(inputs: ScanInputs, pid: int, due_next, *later) -> None:
    if due_next is not None:
        inputs.due_ahead[pid].append(due_next)
    inputs.changes_on[pid].extend(day for day in later if day is not None)


# --- Step 2: decide (pure) ----------------------------------------------------------------------


class FlagToOpen(NamedTuple):
    project_id: int
    kind: str
    severity: str
    details: dict


class FlagChange(NamedTuple):
    """An open flag whose severity or details change."""

    pk: int
    kind: str
    severity: str
    details: dict


class FlagToResolve(NamedTuple):
    pk: int
    kind: str


class NoticeNeed(NamedTuple):
    """A project that deserves a draft notice (supervision.notices.draft_notices_from_scan)."""

    project_id: int
    campaign_id: int
    leader_id: int | None
    code: str
    name: str
    wanted: dict  # {kind: (severity, details)}


class LeaderNews(NamedTuple):
    """New warnings on one project, for its leader."""

    project_id: int
    code: str
    name: str
    kinds: list  # [(kind, severity)]


@dataclass
class Decision:
    """What a scan decided, before any write: apply() acts on it."""

    to_open: list[FlagToOpen] = field(default_factory=list)
    to_update: list[FlagChange] = field(default_factory=list)
    to_resolve: list[FlagToResolve] = field(default_factory=list)
    #: new health → the projects that take it
    health_changes: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    notices: list[NoticeNeed] = field(default_factory=list)
    #: (leader, campaign) → the new warnings on their projects
    leader_news: dict[tuple[int, int], list[LeaderNews]] = field(
        default_factory=lambda: defaultdict(list))
    #: (project, its light, its next review moment, its row's version as read) of every project
    #: whose light or review moment changes
    reviews: list[tuple] = field(default_factory=list)
    #: the projects whose answer changed before their review moment (ScanResult.early)
    early: set[int] = field(default_factory=set)


class _CampaignRules(NamedTuple):
    """What decide() reads of a campaign, once a batch rather than once a project."""

    campaign: Campaign
    thresholds: rules.Thresholds
    weekday: int
    due_time: datetime.time
    #: (obliged_from, obliged_until) → the ReportDuty (projects mostly share one)
    duties: dict


def decide(inputs: ScanInputs, now) -> Decision:
    """The rules applied to every project of the inputs as of now: which flags open, change or
    resolve, which projects change health, which deserve a notice, which leaders hear of what.
    Writes nothing (inputs.open_flags is left as it was)."""
    local_now = timezone.localtime(now, local_zone())
    as_of = local_now.date()
    decision = Decision()
    open_flags = dict(inputs.open_flags)
    per_campaign = {cid: _CampaignRules(c, _thresholds(c), c.report_weekday, c.report_due_time, {})
                    for cid, c in inputs.campaigns.items()}
    milestones, in_force = inputs.milestones, inputs.in_force
    obstacles, hazards, open_notices = inputs.obstacles, inputs.hazards, inputs.open_notices
    due_ahead, changes_on, visible_from = inputs.due_ahead, inputs.changes_on, inputs.visible_from
    completed_status = Project.Status.COMPLETED
    pause_is_justified = Project.pause_is_justified
    is_report_missing, assess, next_change = (rules.is_report_missing, rules.assess,
                                              rules.next_change)
    project_facts, report_duty = rules.ProjectFacts, rules.ReportDuty
    yellow = rules.Health.YELLOW
    for row in inputs.projects:
        pid, cid = row.pk, row.campaign_id
        c = per_campaign[cid]
        campaign = c.campaign
        start, end = row.planned_start, row.planned_end
        plan_milestones = milestones.get(pid, ())
        if pid in in_force:
            start, end, plan_milestones = in_force[pid]
        thresholds = c.thresholds
        obliged = campaign.reporting_window(start, row.resumed_on, row.entered_on)
        duty = c.duties.get(obliged)
        if duty is None:
            duty = c.duties[obliged] = report_duty(c.weekday, c.due_time, *obliged)
        seen_from = visible_from.get(pid)
        if row.report_ahead is not None and (seen_from is None or row.report_ahead < seen_from):
            seen_from = row.report_ahead
        latest = row.latest
        facts = project_facts(
            planned_start=start,
            planned_end=end,
            completed=row.status == completed_status,
            paused_with_reason=pause_is_justified(row.status, row.pause_approved,
                                                  row.pause_reason),
            milestones=plan_milestones,
            reports=row.reports,
            report_missing=is_report_missing(
                latest[0] if latest else None, local_now, c.weekday, c.due_time, *obliged),
            obstacles=obstacles.get(pid),
            hazards=hazards.get(pid),
            notices=open_notices.get(pid, ()),
            reporting=duty,
            due_ahead=due_ahead.get(pid, ()),
            changes_on=changes_on.get(pid, ()),
            visible_from=seen_from,
        )
        assessment = assess(facts, as_of, thresholds)
        wanted = _flags_wanted(assessment, campaign, local_now, latest) \
            if assessment.warnings else {}
        first_opened = None
        new_kinds = []
        changed = False
        for kind, (severity, details) in wanted.items():
            existing = open_flags.pop((pid, kind), None)
            if existing is None:
                decision.to_open.append(FlagToOpen(pid, kind, severity, details))
                new_kinds.append((kind, severity))
                opened_at = now
                changed = True
            else:
                opened_at = existing.opened_at
                if _changed(kind, existing, severity, details):
                    decision.to_update.append(FlagChange(existing.pk, kind, severity, details))
                    changed = True
            first_opened = opened_at if first_opened is None else min(first_opened, opened_at)
        if assessment.health != row.health:
            decision.health_changes[assessment.health].append(pid)
            changed = True
        if new_kinds:
            decision.leader_news[row.leader_id, cid].append(
                LeaderNews(pid, row.code, row.name, new_kinds))

        # The next review moment: the rules' own, or sooner the day a yellow light is old enough
        # for a notice. A draft notice changes no answer of the rules (and the project has no
        # other notice to deserve); one issued at once is overdue the day after its respond-by.
        review_at = next_change(facts, now, thresholds, assessment)
        if not facts.notices:
            if _deserves_notice(row.health, assessment.health, first_opened, now):
                decision.notices.append(
                    NoticeNeed(pid, cid, row.leader_id, row.code, row.name, wanted))
                changed = True
                if campaign.auto_issue_notices:
                    overdue = day_start(auto_respond_by(campaign, as_of)
                                        + datetime.timedelta(days=1))
                    review_at = overdue if review_at is None else min(review_at, overdue)
            elif assessment.health == yellow and first_opened is not None:
                ripe = first_opened + datetime.timedelta(days=YELLOW_NOTICE_DAYS)
                review_at = ripe if review_at is None else min(review_at, ripe)
        if review_at is None:  # never by the clock: any later moment will do (no rewrite)
            review_at = row.review_at if row.review_at is not None and row.review_at > now \
                else now + REVIEW_AT_THE_LATEST
        if changed and row.review_at is not None and row.review_at > now:
            decision.early.add(pid)
        if changed or review_at != row.review_at:
            decision.reviews.append((pid, assessment.health, review_at, row.version))

    # What is left of the open flags is no longer true: resolve it (within the scope).
    decision.to_resolve = [FlagToResolve(flag.pk, kind)
                           for (_pid, kind), flag in open_flags.items()]
    if open_flags:
        reviewed_at = {row.pk: row.review_at for row in inputs.projects}
        decision.early.update(pid for pid, _kind in open_flags
                              if reviewed_at.get(pid) is not None and reviewed_at[pid] > now)
    return decision


# --- Step 3: apply (the writes) -----------------------------------------------------------------


def apply(decision: Decision, inputs: ScanInputs, now, result: ScanResult) -> ScanResult:
    """The writes of a decision, in bulk, inside the scan's transaction; counted into result."""
    for row in decision.to_open:
        result.opened[row.kind] += 1
    for row in decision.to_update:
        result.updated[row.kind] += 1
    for row in decision.to_resolve:
        result.resolved[row.kind] += 1
    if decision.to_open:
        _insert_flags(decision.to_open, now)
    if decision.to_update:
        update_rows(Flag, ["severity", "details"],
                    [(c.pk, c.severity, c.details) for c in decision.to_update],
                    also={"updated_at": now})
    for chunk in _chunks([r.pk for r in decision.to_resolve]):
        Flag.objects.filter(pk__in=chunk, resolved_at__isnull=True).update(
            resolved_at=now, updated_at=now)
    result.health_changed += sum(len(pids) for pids in decision.health_changes.values())
    result.early += len(decision.early)
    # The light and the next review moment in one statement; the moment only where no writer
    # has made the project due since it was read (its row's version).
    update_rows(Project, ["health", "review_at"], decision.reviews,
                unless_rewritten=("review_at",))

    if decision.notices:
        drafted, issued = draft_notices_from_scan(inputs.campaigns, decision.notices, now)
        result.notices_drafted, result.notices_issued = drafted, issued
    if decision.leader_news:
        _notify_leaders(decision.leader_news, now)
    # Cached pages show lights, flags, notices.
    bump_campaigns(list(inputs.campaigns) if result.changed else ())
    return result


#: What _for_short_queries sets, for the scan's transaction only.
SHORT_QUERY_SETTINGS = {"jit": "off", "max_parallel_workers_per_gather": "0",
                        "random_page_cost": "1.1"}


@contextlib.contextmanager
def _for_short_queries():
    """For the scan's queries only: no JIT compilation and no parallel workers. PostgreSQL compiles
    a query whose estimated cost passes jit_above_cost (every query of a batch of thousands of
    projects); for these short queries the compilation costs more than it saves (the reports'
    LATERAL join: 0.29 s to run, 0.15 s more to compile). And scans run side by side, one a
    worker: parallel workers of one batch's query take the cores the other batches are using
    (and cost more CPU in all than one process doing the same). And a random page read costed as
    on an SSD or in memory (random_page_cost 1.1, PostgreSQL's default 4 is a spinning disk's):
    with the default, a batch's 10,000 projects' milestones were read by a scan of the whole
    table (every batch reading every project's milestones: 36 ms a batch on the bench's data,
    9 ms through the index).

    Set as SET LOCAL does (set_config(…, true)): they end with the scan's transaction. A scan
    inside a caller's transaction (seed_demo, a test) gives the caller its own settings back when
    it ends; one that fails needs nothing given back (its savepoint's rollback undoes them)."""
    if connection.vendor != "postgresql":
        yield
        return
    nested = len(connection.atomic_blocks) > 1  # the scan's own atomic is the innermost
    with connection.cursor() as cur:
        if nested:
            cur.execute("SELECT " + ", ".join(["current_setting(%s)"] * len(SHORT_QUERY_SETTINGS)),
                        list(SHORT_QUERY_SETTINGS))
            before = dict(zip(SHORT_QUERY_SETTINGS, cur.fetchone(), strict=True))
        _set_local(cur, SHORT_QUERY_SETTINGS)
    yield
    if nested:
        with connection.cursor() as cur:
            _set_local(cur, before)


def _set_local(cur, values: dict[str, str]) -> None:
    """SET LOCAL each setting named in values, in one statement."""
    cur.execute("SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(values)),
                [x for pair in values.items() for x in pair])


def _insert_flags(rows: list[tuple], now) -> None:
    """Insert the new flags (project_id, kind, severity, details); one open already is left as it
    is (ON CONFLICT DO NOTHING on the one-open-flag-per-kind constraint). On PostgreSQL the rows go
    as arrays through unnest (core.bulk.insert_rows: one statement per 10,000 rows, no model
    instances); elsewhere bulk_create with ignore_conflicts, which means the same."""
    if connection.vendor != "postgresql":
        Flag.objects.bulk_create(
            [Flag(project_id=pid, kind=kind, severity=severity, details=details, opened_at=now,
                  updated_at=now) for pid, kind, severity, details in rows],
            ignore_conflicts=True, batch_size=2000)
        return
    insert_rows(Flag, ["project", "kind", "severity", "details"], rows,
                also={"opened_at": now, "updated_at": now}, ignore_conflicts=True)


_THRESHOLDS: dict[tuple, rules.Thresholds] = {}


def _thresholds(campaign: Campaign) -> rules.Thresholds:
    key = (campaign.yellow_lag_points, campaign.red_lag_points, campaign.milestone_grace_days,
           campaign.escalate_after_days)
    found = _THRESHOLDS.get(key)
    if found is None:
        found = _THRESHOLDS[key] = rules.Thresholds(*key)
    return found


def _flags_wanted(a, campaign, local_now, latest):
    """{kind: (severity, details)} of the flags that are true of the project as of now: the
    assessment's warnings (the rules decide every severity), with the deadline and the last report
    (latest: ProjectRow.latest) added to a missing report's details."""
    wanted = {w.kind: (w.severity, w.details) for w in a.warnings}
    if Kind.REPORT_MISSING in wanted:
        due = rules.report_due_moment(local_now, campaign.report_weekday, campaign.report_due_time)
        wanted[Kind.REPORT_MISSING] = (
            wanted[Kind.REPORT_MISSING][0],
            {"due": due.isoformat(),
             "last_reported": timezone.localtime(latest[0], local_zone()).isoformat()
             if latest else None},
        )
    return wanted


def _changed(kind, existing: OpenFlag, severity, details) -> bool:
    """Whether an open flag must be written again: its severity changed, or what it says apart
    from the day's figures (a new report's percent, another milestone overdue, a new deadline).
    The days overdue are not stored but counted on read (from "since"), so the next day with
    nothing new writes no flag."""
    if existing.severity != severity:
        return True
    return rules.lasting(kind, existing.details or {}) != rules.lasting(kind, details)


def _deserves_notice(old_health, new_health, first_opened, now) -> bool:
    """A project that turns red, or has stayed yellow YELLOW_NOTICE_DAYS, and has no open notice."""
    if new_health == rules.Health.RED:
        return old_health != rules.Health.RED
    if new_health == rules.Health.YELLOW and first_opened is not None:
        return now - first_opened >= datetime.timedelta(days=YELLOW_NOTICE_DAYS)
    return False


def _notify_leaders(leader_news, now) -> None:
    """One message per leader and campaign per scan, listing the new warnings on their projects.

    The campaign is in the message's key: a leader with projects in two campaigns that two
    batches of one scan (one moment) reach gets both messages, not the first twice."""
    messages = []
    project_path = path_maker("project_detail")
    with translation.override(settings.LANGUAGE_CODE):
        _ = functools.cache(gettext)  # thousands of leaders, a handful of messages
        labels = {kind: str(label) for kind, label in Kind.choices}
        severities = {RED: _("red"), YELLOW: _("yellow")}
        for (leader_id, campaign_id), items in leader_news.items():
            # Separators are translated too: Chinese lists use 、 and ；, not ", " and "; ".
            list_sep, item_sep = _(", "), _("; ")
            lines = [
                _("%(code)s %(name)s: %(flags)s") % {"code": code, "name": name, "flags": item_sep.join(
                    _("%(kind)s (%(severity)s)") % {"kind": labels[kind], "severity": severities[sev]}
                    for kind, sev in kinds)}
                for _pid, code, name, kinds in items
            ]
            count = sum(len(kinds) for _p, _c, _n, kinds in items)
            title = (_("New warning on %(project)s: %(kinds)s") % {
                "project": f"{items[0][1]} {items[0][2]}",
                "kinds": list_sep.join(str(labels[k]) for k, _s in items[0][3])}
                if len(items) == 1 else
                _("%(count)s new warnings on %(projects)s of your projects") % {
                    "count": count, "projects": len(items)})
            messages.append(Message(
                user_id=leader_id, kind="flag_opened", title=title, body="\n".join(lines),
                # One project: its page; several: the leader's own list of them.
                url=project_path(items[0][0]) if len(items) == 1
                else path_to("my_projects"),
                dedupe_key=f"flags:{leader_id}:{campaign_id}:{now.isoformat()}",
                campaign_id=campaign_id))
    notify_many(messages)
