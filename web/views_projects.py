"""The pages of a project that show several apps together: My projects (a leader's or team
member's projects with what is due) and the project page (plan, reports, obstacles, hazards,
warnings, notices and history).

Every view reads through projects.access: a project the user may not see is a 404, logged.
"""

import datetime
import json
import logging
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.postgres.expressions import ArraySubquery
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery, TextField, Window
from django.db.models.functions import Cast, JSONObject, RowNumber
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from campaign import access
from campaign.models import Profile, Unit
from core import pagecache, prepared, rowlists
from core.dates import local_date, local_zone
from projects import access as project_access
from projects import figures
from projects.models import (
    ActionItem,
    Assignment,
    Hazard,
    HazardPhoto,
    Meeting,
    Milestone,
    Obstacle,
    ObstaclePhoto,
    PlanVersion,
    ProgressReport,
    Project,
    ReportPhoto,
    SafetyCheck,
)
from projects.views_history import project_history
from supervision import lights, rules, scan
from supervision.models import Finding, Flag, HazardReview, Notice, SpotCheck

log = logging.getLogger("gongjian.access")

REPORTS_PER_PAGE = 10
#: The reports the project page shows; the older ones are on their own pages (project_reports).
LATEST_REPORTS = 5
#: "Due this week" on my projects: things due within this many days, and everything overdue.
DUE_WINDOW_DAYS = 7
OPEN_NOTICE_STATUSES = [Notice.Status.ISSUED, Notice.Status.ACKNOWLEDGED, Notice.Status.RETURNED,
                        Notice.Status.RESPONDED]


def _report_state(project, now) -> dict:
    """Whether this week's report is in, and when the next one is due (the scan's rule)."""
    campaign, last_reported_at = project.campaign, project.last_reported_at
    local_now = timezone.localtime(now, local_zone())
    last_due = rules.report_due_moment(local_now, campaign.report_weekday, campaign.report_due_time)
    next_due = last_due + datetime.timedelta(days=7)
    done = last_reported_at is not None and last_reported_at > last_due
    return {"next_due": next_due, "done": done,
            "missing": rules.is_report_missing(last_reported_at, local_now, campaign.report_weekday,
                                               campaign.report_due_time,
                                               *campaign.reporting_window(project.planned_start,
                                                                        project.resumed_on,
                                                                        project.entered_on))}


@login_required
def my_projects(request):
    """A leader's or team member's projects, with what is due this week.

    Queries: the projects (with their campaigns), per campaign the table (2), then the open
    milestones, obstacles, hazards, notices and the user's action items due in the window.
    """
    user = request.user
    now = timezone.now()
    as_of = local_date()
    horizon = as_of + datetime.timedelta(days=DUE_WINDOW_DAYS)
    mine = project_access.visible_projects(user).filter(project_access.writable_projects_q(user)).distinct()
    projects = list(mine.select_related("campaign").order_by("campaign_id", "code"))
    if _assessed_now(projects, now) is True:  # their lights were due: read again, as assessed
        projects = list(mine.select_related("campaign").order_by("campaign_id", "code"))
    ids = [p.pk for p in projects]
    campaigns = {p.campaign_id: p.campaign for p in projects}
    rows = {}
    for campaign in campaigns.values():
        for row in figures.progress_table(campaign, as_of, projects=Project.objects.filter(
                pk__in=[p.pk for p in projects if p.campaign_id == campaign.pk])):
            rows[row["pk"]] = row

    milestones = Milestone.objects.filter(project_id__in=ids, completed_on__isnull=True,
                                          due_date__lte=horizon)
    obstacles = (Obstacle.objects.filter(project_id__in=ids, due_date__lte=horizon)
                 .exclude(status=Obstacle.Status.RESOLVED).select_related("responsible_unit"))
    hazards = Hazard.objects.filter(Q(rectify_by__lte=horizon) | Q(review_round__gt=0),
                                    check_record__project_id__in=ids,
                                    status=Hazard.Status.OPEN).select_related("check_record")
    notices = Notice.objects.filter(project_id__in=ids, status__in=OPEN_NOTICE_STATUSES)
    items = ActionItem.objects.filter(owner=user, done_on__isnull=True, due_date__lte=horizon)\
        .select_related("meeting", "project")

    due: dict[int, dict[str, list]] = {pid: {"milestones": [], "obstacles": [], "hazards": [],
                                             "notices": []} for pid in ids}
    for m in milestones:
        due[m.project_id]["milestones"].append(m)
    for o in obstacles:
        due[o.project_id]["obstacles"].append(o)
    for h in hazards:
        due[h.check_record.project_id]["hazards"].append(h)
    for n in notices:
        due[n.project_id]["notices"].append(n)

    warnings = lights.warnings_by_project(project_ids=ids)
    cards = []
    for p in projects:
        cards.append({
            "project": p, "row": rows.get(p.pk), "due": due[p.pk],
            "warnings": warnings.get(p.pk, []),
            "report": _report_state(p, now),
            "is_leader": p.leader_id == user.pk,
        })
    return render(request, "projects/my_projects.html", {
        "cards": cards, "action_items": list(items), "as_of": as_of, "horizon": horizon,
    })


@login_required
def project_detail(request, pk):
    """The project page: its latest reports (the older ones on project_reports, its change
    history on project_changes), so its queries are as many whatever the number of reports,
    photos and changes (pinned in tests/projects/test_project_detail.py).

    The page below the menu depends only on the project, the day, whether the reader may write
    (its buttons) and whether they supervise (draft notices), so it comes from the shared cache
    until a write to the campaign changes it (core.pagecache); the whole page, with the reader's
    header, is kept for the reader too."""
    user = request.user
    project, can_write = _project_for_page(user, pk)
    assessed = _assessed_now([project], timezone.now())
    if assessed:  # read again as assessed (and, with the cache, kept under the new version)
        project, can_write = _project_for_page(user, pk)
    supervisor = access.is_supervisor(user)
    as_of = local_date()
    may_review = supervisor and access.may_supervise(user, project.campaign)  # 复核 of hazards
    can_replan = access.is_town_admin(user)  # the office re-plans

    def page(extra, keep=True):
        context = {"project": project, "campaign": project.campaign, "can_write": can_write,
                   "as_of": as_of, "may_review": may_review, "can_replan": can_replan, **extra}

        def body():
            return _project_body(request, project, context, supervisor)

        context["body"] = pagecache.campaign_cached(
            project.campaign_id, "project-body", body,
            project.pk, as_of, can_write, supervisor, can_replan, may_review) if keep else body()
        return render(request, "projects/detail.html", context)

    if assessed is None:
        return page({}, keep=False)  # the light as stored, about to change: kept nowhere
    # The whole page is kept for this reader (core.pagecache.page_cached); its body for every
    # reader with the same rights.
    return pagecache.page_cached(request, project.campaign_id, "project", page, as_of)


def _assessed_now(projects, now) -> bool | None:
    """supervision.scan.assess_for_page of these projects (right after a report, a page shows
    the light of its figures, not the light before it until the worker's rescan)."""
    return scan.assess_for_page(((p.campaign_id, p.pk, p.review_at) for p in projects), now)


@login_required
def project_reports(request, pk):
    """Every report of the project, newest first, REPORTS_PER_PAGE to a page, with their photos
    ("更早的填报" on the project page)."""
    project, _can_write = _project_for_page(request.user, pk,
                                            Project.objects.select_related("campaign"))
    page = Paginator(_reports(project), REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    for report in page:
        report.photo_list = list(report.photos.all())
    return render(request, "projects/reports.html", {
        "project": project, "campaign": project.campaign, "reports_page": page})


@login_required
def project_changes(request, pk):
    """The project's change history: its own records and those of its milestones, team,
    obstacles, hazards and action items, newest first (projects.views_history)."""
    project, _can_write = _project_for_page(request.user, pk,
                                            Project.objects.select_related("campaign"))
    checks = Hazard.objects.filter(check_record__project=project).values_list(
        "check_record_id", flat=True)
    return render(request, "projects/changes.html", {
        "project": project, "campaign": project.campaign,
        "history": project_history(project, list(checks))})


def _reports(project):
    """The project's reports, newest first, each with its reporter and photos."""
    return (_reports_in_order(project.reports.select_related("reported_by__profile"))
            .prefetch_related(Prefetch("photos", queryset=_photos(ReportPhoto.objects))))


def _page_projects():
    """Projects with what the page shows of them besides its lists (_page_lists): the campaign,
    the leader with their profile and the listing unit."""
    return Project.objects.select_related("campaign", "leader__profile", "listed_by")


def _page_lists(pk):
    """The project page's lists as one row of the project pk (core.rowlists, on PostgreSQL):
    its number of reports, milestones, chart points, obstacles and hazards with their photos,
    the hazards' reviews (复核) with their reviewers, flags, action items, spot-check findings,
    team, plan versions, latest reports with their reporters and photos, and its latest
    notices (all of them, and without the drafts)."""
    here = OuterRef("pk")
    return Project.objects.filter(pk=pk).values(
        report_count=Subquery(ProgressReport.objects.filter(project=here).order_by()
                              .values("project").annotate(n=Count("pk")).values("n")[:1]),
        list_milestones=rowlists.as_list(Milestone.objects.filter(project=here).order_by(
            "due_date", "planned_percent", "pk")),
        # One point a local day, the day's latest report (of two on one day the later counts,
        # as in the rules): the chart's size follows the days reported, not the reports.
        list_chart=ArraySubquery(
            ProgressReport.objects.filter(project=here)
            .annotate(nth=Window(RowNumber(), partition_by=[figures.REPORT_DAY],
                                 order_by=[F("reported_at").desc(), F("pk").desc()]))
            .filter(nth=1).order_by("reported_at")
            .annotate(point=JSONObject(day=figures.REPORT_DAY, percent=Cast("percent", TextField())))
            .values("point")),
        list_obstacles=rowlists.as_list(
            _obstacles(Obstacle.objects.filter(project=here)),
            unit_name=F("responsible_unit__name"),
            photos=rowlists.as_list(_photos(ObstaclePhoto.objects.filter(obstacle=OuterRef("pk"))))),
        list_hazards=rowlists.as_list(
            _hazards(Hazard.objects.filter(check_record__project=here)),
            checked_on=F("check_record__checked_on"),
            photos=rowlists.as_list(_photos(HazardPhoto.objects.filter(hazard=OuterRef("pk")))),
            reviews=rowlists.as_list(
                _reviews(HazardReview.objects.filter(hazard=OuterRef("pk"))),
                reviewer_username=F("reviewed_by__username"),
                reviewer_name=F("reviewed_by__profile__full_name"))),
        list_flags=rowlists.as_list(_flags(Flag.objects.filter(project=here))),
        list_action_items=rowlists.as_list(
            _action_items(ActionItem.objects.filter(project=here)),
            meeting_title=F("meeting__title"), owner_username=F("owner__username"),
            owner_name=F("owner__profile__full_name")),
        list_findings=rowlists.as_list(
            _findings(Finding.objects.filter(project=here)),
            spot_check_title=F("spot_check__title"), spot_check_planned_on=F("spot_check__planned_on")),
        list_team=rowlists.as_list(
            _team(Assignment.objects.filter(project=here)),
            username=F("user__username"), full_name=F("user__profile__full_name"),
            phone=F("user__profile__phone"), unit_name=F("unit__name")),
        list_plan_versions=rowlists.as_list(
            _plan_versions(PlanVersion.objects.filter(project=here)),
            username=F("created_by__username"), full_name=F("created_by__profile__full_name")),
        list_reports=rowlists.as_list(
            _reports_in_order(ProgressReport.objects.filter(project=here))[:LATEST_REPORTS],
            username=F("reported_by__username"), full_name=F("reported_by__profile__full_name"),
            photos=rowlists.as_list(_photos(ReportPhoto.objects.filter(report=OuterRef("pk"))))),
        list_notices=rowlists.as_list(_notices(Notice.objects.filter(project=here))),
        list_published_notices=rowlists.as_list(_notices(Notice.objects.filter(project=here).exclude(
            status=Notice.Status.DRAFT))),
    )


#: The lists' statement, built once (core.prepared): most of what the page cost without the
#: page cache was the ORM building this SQL.
_PAGE_LISTS = prepared.Statement(_page_lists, pk=int)


def _team(assignments):
    return assignments.order_by("role", "pk")


def _plan_versions(versions):
    """The original (version 1) and every change."""
    return versions.order_by("number")


def _reports_in_order(reports):
    return reports.order_by("-reported_at", "-pk")


def _notices(notices):
    return notices.order_by("-created_at")[:30]


def _obstacles(obstacles):
    return obstacles.order_by("status", "due_date", "pk")


def _hazards(hazards):
    """In the order of their deadlines; _lists puts the open ones first (HAZARD_RANK)."""
    return hazards.order_by("rectify_by", "pk")


#: Open hazards first, then those awaiting 复核, then the closed ones.
HAZARD_RANK = {Hazard.Status.OPEN: 0, Hazard.Status.AWAITING_REVIEW: 1, Hazard.Status.RECTIFIED: 2}


def _photos(photos):
    return photos.order_by("pk")


def _reviews(reviews):
    return reviews.order_by("reviewed_at", "pk")


def _flags(flags):
    """The open flags first (at most one per kind), then the latest resolved ones."""
    return flags.order_by(F("resolved_at").desc(nulls_first=True), "-opened_at")[:30]


def _action_items(items):
    return items.order_by("done_on", "due_date")


def _findings(findings):
    """The ones not rectified first, by their deadline (整改时限)."""
    return findings.order_by(F("rectified_on").desc(nulls_first=True), "rectify_by", "pk")


def _person(user_id, username, full_name, phone=""):
    """A user as the person filter reads them (the name, else the login name), or None."""
    if user_id is None:
        return None
    user = get_user_model()(pk=user_id, username=username)
    user.profile = Profile(full_name=full_name or "", phone=phone or "")
    return user


def _by_stage(photos, first_stage) -> tuple[list, list]:
    """An item's photos of its first stage (raised, found) and of its close-out."""
    photos = list(photos)
    return ([p for p in photos if p.stage == first_stage],
            [p for p in photos if p.stage != first_stage])


def _lists(project, supervisor: bool, together: bool | None = None) -> dict:
    """The project's lists (see _page_lists), each item as the page shows it: obstacles and
    hazards with their photos (the hazards with their reviews: review_list), reports with theirs
    (photo_list), notices without the drafts unless the reader supervises. ``together``: read
    in one query (_page_lists, PostgreSQL, the default there), else one query each (and one for
    each prefetch)."""
    if together is None:
        together = rowlists.supported()
    if together:
        lists = _lists_from_row(_PAGE_LISTS(pk=project.pk)[0], supervisor)
    else:
        obstacles = list(_obstacles(project.obstacles.select_related("responsible_unit"))
                         .prefetch_related(Prefetch("photos", queryset=_photos(ObstaclePhoto.objects))))
        hazards = list(_hazards(Hazard.objects.filter(check_record__project=project))
                       .select_related("check_record").prefetch_related(
                           Prefetch("photos", queryset=_photos(HazardPhoto.objects)),
                           Prefetch("reviews", queryset=_reviews(HazardReview.objects)
                                    .select_related("reviewed_by__profile"))))
        for o in obstacles:
            o.photo_list = list(o.photos.all())
        for h in hazards:
            h.photo_list, h.review_list = list(h.photos.all()), list(h.reviews.all())
        reports = list(_reports(project)[:LATEST_REPORTS])
        for r in reports:
            r.photo_list = list(r.photos.all())
        notices = Notice.objects.filter(project=project)
        if not supervisor:
            notices = notices.exclude(status=Notice.Status.DRAFT)
        lists = {
            "report_count": project.reports.count(),
            "milestones": list(project.milestones.order_by("due_date", "planned_percent", "pk")),
            "chart": _chart_points(project.reports.order_by("reported_at", "pk").values_list(
                "reported_at", "percent")),
            "obstacles": obstacles, "hazards": hazards,
            "flags": list(_flags(Flag.objects.filter(project=project))),
            "action_items": list(_action_items(project.action_items.select_related(
                "owner__profile", "meeting"))),
            "findings": list(_findings(project.findings.select_related("spot_check"))),
            "team": list(_team(project.assignments.select_related("user__profile", "unit"))),
            "plan_versions": list(_plan_versions(project.plan_versions.select_related(
                "created_by__profile"))),
            "reports": reports,
            "notices": list(_notices(notices)),
        }
    for o in lists["obstacles"]:
        o.raised_photos, o.resolved_photos = _by_stage(o.photo_list, ObstaclePhoto.Stage.RAISED)
    lists["hazards"].sort(key=lambda h: HAZARD_RANK.get(h.status, 0))  # stable: deadlines kept
    for h in lists["hazards"]:
        h.found_photos, h.rectified_photos = _by_stage(h.photo_list, HazardPhoto.Stage.FOUND)
    return lists


def _chart_points(reports) -> list[tuple[datetime.date, Decimal]]:
    """(local date, percent) of the latest report of each day (rules.report_days), from
    (reported_at, percent) in (reported_at, pk) order: the chart's points (_page_lists'
    list_chart on PostgreSQL)."""
    facts = [rules.ReportFact(local_date(at), percent) for at, percent in reports]
    return [tuple(day) for day in rules.report_days(facts, datetime.date.max)]


def _lists_from_row(row: dict, supervisor: bool) -> dict:
    """_lists from the row of _page_lists (core.rowlists)."""
    chart = [(json.loads(p) if isinstance(p, str) else p) for p in row["list_chart"] or []]
    obstacles = rowlists.rows_of(Obstacle, row["list_obstacles"])
    for o in obstacles:
        if o.responsible_unit_id:
            Obstacle.responsible_unit.field.set_cached_value(
                o, Unit(pk=o.responsible_unit_id, name=o.extra["unit_name"]))
        o.photo_list = rowlists.rows_of(ObstaclePhoto, o.extra["photos"])
    hazards = rowlists.rows_of(Hazard, row["list_hazards"])
    for h in hazards:
        Hazard.check_record.field.set_cached_value(h, SafetyCheck(
            pk=h.check_record_id, checked_on=SafetyCheck._meta.get_field("checked_on").to_python(
                h.extra["checked_on"])))
        h.photo_list = rowlists.rows_of(HazardPhoto, h.extra["photos"])
        h.review_list = rowlists.rows_of(HazardReview, h.extra["reviews"])
        for r in h.review_list:
            HazardReview.reviewed_by.field.set_cached_value(r, _person(
                r.reviewed_by_id, r.extra["reviewer_username"], r.extra["reviewer_name"]))
    items = rowlists.rows_of(ActionItem, row["list_action_items"])
    for item in items:
        ActionItem.meeting.field.set_cached_value(item, Meeting(pk=item.meeting_id,
                                                                title=item.extra["meeting_title"]))
        if item.owner_id:
            ActionItem.owner.field.set_cached_value(item, _person(
                item.owner_id, item.extra["owner_username"], item.extra["owner_name"]))
    findings = rowlists.rows_of(Finding, row["list_findings"])
    for f in findings:
        Finding.spot_check.field.set_cached_value(f, SpotCheck(
            pk=f.spot_check_id, title=f.extra["spot_check_title"],
            planned_on=SpotCheck._meta.get_field("planned_on").to_python(
                f.extra["spot_check_planned_on"])))
    team = rowlists.rows_of(Assignment, row["list_team"])
    for a in team:
        Assignment.user.field.set_cached_value(a, _person(
            a.user_id, a.extra["username"], a.extra["full_name"], a.extra["phone"]))
        Assignment.unit.field.set_cached_value(
            a, Unit(pk=a.unit_id, name=a.extra["unit_name"]) if a.unit_id else None)
    versions = rowlists.rows_of(PlanVersion, row["list_plan_versions"])
    for v in versions:
        PlanVersion.created_by.field.set_cached_value(v, _person(
            v.created_by_id, v.extra["username"], v.extra["full_name"]))
    reports = rowlists.rows_of(ProgressReport, row["list_reports"])
    for r in reports:
        ProgressReport.reported_by.field.set_cached_value(r, _person(
            r.reported_by_id, r.extra["username"], r.extra["full_name"]))
        r.photo_list = rowlists.rows_of(ReportPhoto, r.extra["photos"])
    return {
        "report_count": row["report_count"] or 0,
        "milestones": rowlists.rows_of(Milestone, row["list_milestones"]),
        "chart": [(datetime.date.fromisoformat(p["day"]), Decimal(p["percent"])) for p in chart],
        "obstacles": obstacles, "hazards": hazards,
        "flags": rowlists.rows_of(Flag, row["list_flags"]), "action_items": items,
        "findings": findings, "team": team, "plan_versions": versions, "reports": reports,
        "notices": rowlists.rows_of(Notice, row["list_notices" if supervisor
                                                else "list_published_notices"]),
    }


#: How many of the reader's campaigns (latest first) project_cached reads the versions of.
LIKELY_CAMPAIGNS = 3


def _with_reader(projects, reader: int):
    return projects.annotate(
        reader_on_team=Exists(Assignment.objects.filter(project=OuterRef("pk"), user_id=reader)))


#: The project page's project with its campaign, leader and listing unit, and whether the reader
#: is on its team; whether they may read it is decided from its campaign (campaign.access, the
#: rule projects.access.visible_projects applies in SQL).
_PAGE_PROJECT = prepared.Statement(
    lambda pk, reader: _with_reader(_page_projects().filter(pk=pk), reader), pk=int, reader=int)


def _project_for_page(user, pk, projects=None) -> tuple[Project, bool]:
    """The project (with its campaign) and whether the reader may write to it; a 404 (logged)
    when they may not read it. The rules (projects.access, campaign.access) are decided on every
    request, for this reader; what they are decided from — the project, its campaign and the
    ids of its team — comes from the shared cache (core.pagecache.project_cached, no query on a
    hit), else from one query, which also reads what the page shows of the project (projects,
    the project page's by default)."""
    if not pagecache.enabled():
        if projects is not None:
            project = project_access.get_project_for_read(user, pk, _with_reader(projects, user.pk))
        else:  # the project page's own read: its SQL built once (core.prepared)
            found = _PAGE_PROJECT(pk=pk, reader=user.pk)
            project = found[0] if found else None
            _refuse_unless_readable(user, pk, project)
        return project, (project.leader_id == user.pk or project.reader_on_team
                         or access.may_administer(user, project.campaign))

    def compute():
        project = Project.objects.select_related("campaign").filter(pk=pk).first()
        if project is None:
            return None
        return project.campaign_id, (project, frozenset(project.assignments.values_list(
            "user_id", flat=True)))

    # The versions of the reader's latest campaigns are read with the entry (one round trip).
    likely = [c.pk for c in access.visible_campaign_list(user)[:LIKELY_CAMPAIGNS]]
    found = pagecache.project_cached(pk, compute, likely)
    _refuse_unless_readable(user, pk, found and found[0])
    project, team = found
    return project, (project.leader_id == user.pk or user.pk in team
                     or access.may_administer(user, project.campaign))


def _refuse_unless_readable(user, pk, project) -> None:
    """A 404 (logged) when there is no such project or the reader may not read its campaign."""
    if project is None or not access.may_read_campaign(user, project.campaign):
        log.warning("refused read user=%s project=%s", user.pk, pk)
        raise Http404


def _project_body(request, project, context, supervisor: bool) -> str:
    """The project page below the menu, with what it shows added to context."""
    as_of = context["as_of"]
    if not hasattr(project, "reader_on_team"):  # the lean project of the shared cache's entry
        project = _page_projects().get(pk=project.pk)
    context.update({"project": project, "campaign": project.campaign})
    lists = _lists(project, supervisor)
    milestones, findings, flags = lists["milestones"], lists["findings"], lists["flags"]
    for f in findings:
        f.overdue = f.is_overdue(as_of)
    # The plan's record: the original (version 1) and every change, who, when and why.
    plan_versions = lists["plan_versions"]
    # The plan's points: its milestones and where a justified pause held it still.
    facts = [m.as_fact() for m in milestones] + (
        PlanVersion.pause_facts(plan_versions[-1].milestones) if plan_versions else [])
    chart_reports = lists["chart"]
    last_on = chart_reports[-1][0] if chart_reports else None
    measured_on = rules.measurement_date(last_on, as_of)
    planned_now = rules.planned_percent(measured_on, project.planned_start, project.planned_end, facts)
    context.update({
        "team": lists["team"],
        "milestones": milestones,
        "overdue_ids": {m.pk for m in milestones if rules.overdue_milestones([m.as_fact()], as_of)},
        "planned_now": rules.shown(planned_now),
        "lag": rules.shown(rules.lag(planned_now, project.progress)),
        "measured_on": measured_on,
        "curve_planned": rules.plan_curve(project.planned_start, project.planned_end, facts),
        "curve_actual": chart_reports,
        "latest_reports": lists["reports"],
        "report_count": lists["report_count"],
        "obstacles": lists["obstacles"],
        "hazards": lists["hazards"],
        "findings": findings,
        "flags": flags,
        # Why the project has its light: its open warnings in words, red first.
        "light_warnings": lights.describe_open(flags),
        "notices": lists["notices"],
        "action_items": lists["action_items"],
        "plan_versions": plan_versions,
        "original_plan": plan_versions[0] if plan_versions else None,
    })
    return render_to_string("projects/_detail_body.html", context, request)
