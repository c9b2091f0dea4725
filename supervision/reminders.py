"""Reminders before things break, and when they have: the weekly report (due tomorrow, due today,
missed) and the items due within rules.DUE_SOON_DAYS (milestones, obstacles, hazards, notices).

Each reminder carries a dedupe key naming the item and its date, so the hourly run sends each one
once. Queries are a fixed handful per run, whatever the number of projects.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from campaign.access import supervisors_by_campaign
from campaign.models import Campaign
from core.dates import local_zone
from core.links import path_to
from projects.models import Assignment, Hazard, Milestone, Obstacle, Project

from . import rules
from .hazards import awaiting_review_messages
from .models import Notice
from .notify import Message, notify_many


def _day(moment: datetime.datetime) -> str:
    return moment.date().isoformat()


def send_reminders(now: datetime.datetime | None = None) -> int:
    """Send every reminder due at now; returns how many notifications were new."""
    now = timezone.localtime(now or timezone.now(), local_zone())
    today = now.date()
    campaigns = {c.pk: c for c in Campaign.objects.filter(status=Campaign.Status.ACTIVE)}
    if not campaigns:
        return 0
    projects = {
        row[0]: row for row in Project.objects.filter(campaign_id__in=list(campaigns))
        .exclude(status=Project.Status.COMPLETED)
        .exclude(Project.paused_with_reason_q())
        .values_list("pk", "campaign_id", "leader_id", "code", "name", "planned_start",
                     "last_reported_at", "resumed_on", "entered_on")
    }
    team = defaultdict(list)
    leads = defaultdict(list)
    for pid, uid, role in Assignment.objects.filter(project_id__in=list(projects)).values_list(
            "project_id", "user_id", "role"):
        team[pid].append(uid)
        if role == Assignment.Role.LEAD:
            leads[pid].append(uid)

    messages: list[Message] = []
    with translation.override(settings.LANGUAGE_CODE):
        messages += _report_reminders(now, campaigns, projects, team)
        messages += _due_soon(today, campaigns, projects, team, leads)
    # Major hazards awaiting 复核: told when they entered review; sent again here only if that
    # announcement was lost (the same dedupe key).
    messages += awaiting_review_messages(campaigns)
    return notify_many(messages)


def _report_reminders(now, campaigns, projects, team) -> list[Message]:
    out = []
    today = now.date()
    missed_by_campaign = defaultdict(list)
    for pid, cid, leader_id, code, name, start, last_at, resumed_on, entered_on in \
            projects.values():
        c = campaigns[cid]
        label = f"{code} {name}"
        people = {leader_id, *team[pid]}
        last_due = rules.report_due_moment(now, c.report_weekday, c.report_due_time)
        next_due = last_due + datetime.timedelta(days=7)
        obliged_from, obliged_until = c.reporting_window(start, resumed_on, entered_on)
        reported_this_week = last_at is not None and last_at > last_due
        if not reported_this_week and obliged_from <= next_due.date() <= obliged_until:
            if next_due.date() - today == datetime.timedelta(days=1):
                title = _("Weekly report for %(project)s is due tomorrow at %(time)s") % {
                    "project": label, "time": c.report_due_time.strftime("%H:%M")}
                out += [Message(uid, "report_due", title, "", path_to("project_detail", pid),
                                f"report-due-tomorrow:{pid}:{_day(next_due)}", cid)
                        for uid in people]
            elif next_due.date() == today:
                title = _("Weekly report for %(project)s is due today at %(time)s") % {
                    "project": label, "time": c.report_due_time.strftime("%H:%M")}
                out += [Message(uid, "report_due", title, "", path_to("project_detail", pid),
                                f"report-due-today:{pid}:{_day(next_due)}", cid)
                        for uid in people]
        if rules.is_report_missing(last_at, now, c.report_weekday, c.report_due_time,
                                   obliged_from, obliged_until) \
                and now - last_due < datetime.timedelta(days=7):
            title = _("Weekly report for %(project)s was not submitted by %(due)s") % {
                "project": label, "due": last_due.strftime("%Y-%m-%d %H:%M")}
            out += [Message(uid, "report_missed", title, "", path_to("project_detail", pid),
                            f"report-missed:{pid}:{_day(last_due)}", cid) for uid in people]
            missed_by_campaign[cid].append((label, last_due))
    if missed_by_campaign:
        supervisors = supervisors_by_campaign({cid: campaigns[cid] for cid in missed_by_campaign})
        for cid, items in missed_by_campaign.items():
            due = items[0][1]
            title = _("%(count)s projects missed the weekly report due %(due)s") % {
                "count": len(items), "due": due.strftime("%Y-%m-%d %H:%M")}
            body = "\n".join(label for label, _d in items)
            out += [Message(uid, "report_missed", title, body,
                            path_to("supervision_overview", query=f"campaign={cid}"),
                            f"report-missed-summary:{cid}:{_day(due)}", cid)
                    for uid in supervisors.get(cid, ())]
    return out


def _due_soon(today, campaigns, projects, team, leads) -> list[Message]:
    out = []
    horizon = today + datetime.timedelta(days=rules.DUE_SOON_DAYS)
    pids = list(projects)

    def label(pid):
        return f"{projects[pid][3]} {projects[pid][4]}"

    for pk, pid, name, due in Milestone.objects.filter(
            project_id__in=pids, completed_on__isnull=True, due_date__range=(today, horizon)
    ).values_list("pk", "project_id", "name", "due_date"):
        title = _("Milestone “%(name)s” of %(project)s is due on %(date)s") % {
            "name": name, "project": label(pid), "date": due}
        out += [Message(uid, "due_soon", title, "", path_to("project_detail", pid),
                        f"due-soon:milestone:{pk}:{due}", projects[pid][1])
                for uid in {projects[pid][2], *leads[pid]}]
    for pk, pid, title_, due, raised_by in Obstacle.objects.filter(
            ~Q(status=Obstacle.Status.RESOLVED), project_id__in=pids,
            due_date__range=(today, horizon)
    ).values_list("pk", "project_id", "title", "due_date", "raised_by_id"):
        title = _("Obstacle “%(name)s” of %(project)s is due on %(date)s") % {
            "name": title_, "project": label(pid), "date": due}
        out += [Message(uid, "due_soon", title, "", path_to("project_detail", pid),
                        f"due-soon:obstacle:{pk}:{due}", projects[pid][1])
                for uid in {projects[pid][2], raised_by} if uid]
    for pk, pid, description, due in Hazard.objects.filter(
            check_record__project_id__in=pids, rectified_on__isnull=True,
            rectify_by__range=(today, horizon)
    ).values_list("pk", "check_record__project_id", "description", "rectify_by"):
        title = _("Safety hazard on %(project)s must be rectified by %(date)s: %(what)s") % {
            "project": label(pid), "date": due, "what": description[:60]}
        out += [Message(uid, "due_soon", title, "", path_to("project_detail", pid),
                        f"due-soon:hazard:{pk}:{due}", projects[pid][1])
                for uid in {projects[pid][2], *team[pid]}]
    for pk, cid, number, issued_to, due in Notice.objects.filter(
            campaign_id__in=list(campaigns), status__in=Notice.AWAITING_RESPONSE,
            respond_by__range=(today, horizon)
    ).values_list("pk", "campaign_id", "number", "issued_to_id", "respond_by"):
        title = _("Supervision notice %(number)s must be answered by %(date)s") % {
            "number": number, "date": due}
        out.append(Message(issued_to, "due_soon", title, "", path_to("notice_detail", pk),
                           f"due-soon:notice:{pk}:{due}", cid))
    return out
