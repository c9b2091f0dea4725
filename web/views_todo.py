"""待办: what a team member or leader has to do, most urgent first, each one tap from its form.

A team member or leader (and nobody with an official's role) lands here after login and at "/";
officials, supervisors and observers keep the dashboard (landing).
"""

import datetime

from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, Q, Subquery
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import local_date, local_zone
from projects import access as project_access
from projects.models import ActionItem, Hazard, Milestone, Obstacle, Project
from supervision import notices as notice_service
from supervision.models import Finding, HazardReview, Notice

from .landing import lands_on_todo
from .views import dashboard
from .views_projects import DUE_WINDOW_DAYS, _report_state


@login_required
def home(request):
    """"/": 待办 for a team member or leader, the dashboard for everyone else."""
    if lands_on_todo(request.user):
        return redirect("todo")
    return dashboard(request)


def _item(kind, label, project, title, due, overdue, url, action, *, strong=False) -> dict:
    return {"kind": kind, "label": label, "project": project, "title": title, "due": due,
            "overdue": overdue, "url": url, "action": action, "strong": strong}


def _due_day(due) -> datetime.date:
    if isinstance(due, datetime.datetime):
        return timezone.localtime(due, local_zone()).date()
    return due


def _report_items(projects, now) -> list[dict]:
    """This week's report of each project that owes one (the scan's and reminders' rules)."""
    items = []
    for p in projects:
        if p.status == Project.Status.COMPLETED:
            continue
        state = _report_state(p, now)
        obliged_from, obliged_until = p.campaign.reporting_window(p.planned_start, p.resumed_on,
                                                                  p.entered_on)
        url = reverse("report_create", args=[p.pk])
        if state["missing"]:
            # One report now clears last week's gap and makes this week's (the scan's rule).
            due = timezone.localtime(state["next_due"], local_zone()).strftime("%m-%d %H:%M")
            title = " ".join([_("Last week's report is missing."),
                              _("Report now; this week's is due %(due)s.") % {"due": due}])
            items.append(_item("report", _("Weekly report"), p, title,
                               state["next_due"] - datetime.timedelta(days=7), True, url,
                               _("Report now")))
        elif not state["done"] and obliged_from <= state["next_due"].date() <= obliged_until:
            items.append(_item("report", _("Weekly report"), p, _("This week's report"),
                               state["next_due"], False, url, _("Report")))
    return items


def todo_items(user, as_of: datetime.date, now: datetime.datetime) -> list[dict]:
    """Everything due within DUE_WINDOW_DAYS or overdue on the user's projects, overdue first.

    Queries (flat in the number of projects): the projects with their campaigns, then the open
    milestones, obstacles, hazards (with the note of a 复核 that returned one), spot-check
    findings, notices and the user's action items due in the window."""
    horizon = as_of + datetime.timedelta(days=DUE_WINDOW_DAYS)
    mine = project_access.visible_projects(user).filter(
        project_access.writable_projects_q(user)).distinct()
    projects = list(mine.select_related("campaign").order_by("campaign_id", "code"))
    by_id = {p.pk: p for p in projects}
    items = _report_items(projects, now)

    for m in Milestone.objects.filter(project_id__in=by_id, completed_on__isnull=True,
                                      due_date__lte=horizon).order_by("due_date"):
        items.append(_item("milestone", _("Milestone"), by_id[m.project_id],
                           f"{m.name}（{m.planned_percent}%）", m.due_date, m.due_date < as_of,
                           reverse("report_create", args=[m.project_id]), _("Report progress")))
    for o in (Obstacle.objects.filter(project_id__in=by_id, due_date__lte=horizon)
              .exclude(status=Obstacle.Status.RESOLVED).order_by("due_date")):
        items.append(_item("obstacle", _("Obstacle"), by_id[o.project_id], o.title, o.due_date,
                           o.due_date < as_of, reverse("obstacle_resolve", args=[o.pk]),
                           _("Resolve")))
    # Open hazards due in the window, and every hazard the supervision group's 复核 returned.
    last_note = (HazardReview.objects.filter(hazard=OuterRef("pk")).order_by("-round")
                 .values("note")[:1])
    for h in (Hazard.objects.filter(Q(rectify_by__lte=horizon) | Q(review_round__gt=0),
                                    check_record__project_id__in=by_id, status=Hazard.Status.OPEN)
              .annotate(return_note=Subquery(last_note))
              .select_related("check_record").order_by("rectify_by")):
        if h.was_returned:
            items.append(_item("hazard", _("Safety hazard returned on review"),
                               by_id[h.check_record.project_id],
                               _("%(what)s — returned: %(note)s") % {"what": h.description,
                                                                     "note": h.return_note},
                               h.rectify_by, h.rectify_by < as_of,
                               reverse("hazard_rectify", args=[h.pk]), _("Rectify"), strong=True))
        else:
            items.append(_item("hazard", _("Safety hazard"), by_id[h.check_record.project_id],
                               h.description, h.rectify_by, h.rectify_by < as_of,
                               reverse("hazard_rectify", args=[h.pk]), _("Rectify")))
    for f in (Finding.objects.filter(project_id__in=by_id, rectified_on__isnull=True,
                                     rectify_by__lte=horizon)
              .select_related("spot_check").order_by("rectify_by")):
        items.append(_item("finding", _("Spot-check finding"), by_id[f.project_id],
                           f"{f.spot_check.title}：{f.description}", f.rectify_by,
                           f.is_overdue(as_of),
                           reverse("project_detail", args=[f.project_id]) + f"#finding-{f.pk}",
                           _("View")))
    notices = list(Notice.objects.filter(project_id__in=by_id,
                                         status__in=Notice.AWAITING_RESPONSE).order_by("respond_by"))
    returned = notice_service.return_comments([n for n in notices
                                               if n.status == Notice.Status.RETURNED])
    for n in notices:
        mine_to_answer = n.issued_to_id == user.pk
        if not mine_to_answer:
            action = _("View")
        elif n.status == Notice.Status.ISSUED:
            action = _("Sign for it")
        else:
            action = _("Respond")
        title = f"{n.number or ''} {n.reason}".strip()
        if n.pk in returned:  # answered, not accepted: why, as a returned hazard says
            title = _("%(what)s — returned: %(note)s") % {"what": n.number, "note": returned[n.pk]}
        items.append(_item("notice", _("Notice"), by_id[n.project_id], title, n.respond_by,
                           n.is_overdue(as_of), reverse("notice_detail", args=[n.pk]), action,
                           strong=mine_to_answer))
    for a in (ActionItem.objects.filter(owner=user, done_on__isnull=True, due_date__lte=horizon)
              .select_related("project").order_by("due_date")):
        items.append(_item("action_item", _("Action item"), a.project, a.description, a.due_date,
                           a.due_date < as_of, reverse("action_item_complete", args=[a.pk]),
                           _("Mark done")))

    # Overdue first, then by date; a notice without a deadline goes last among its kind.
    far = datetime.date.max
    items.sort(key=lambda i: (not i["overdue"], _due_day(i["due"]) if i["due"] else far,
                              not i["strong"]))
    return items


@login_required
def todo(request):
    """待办. Queries: the session, the user (access units), then todo_items, the menu's groups and
    the bell's unread count — the same for 2 projects as for 20."""
    as_of = local_date()
    items = todo_items(request.user, as_of, timezone.now())
    return render(request, "web/todo.html", {
        "items": items, "as_of": as_of,
        "overdue_count": sum(1 for i in items if i["overdue"]),
        "horizon": as_of + datetime.timedelta(days=DUE_WINDOW_DAYS),
    })
