"""The supervision group's overview: what is open and late across a campaign, and issuing several
draft notices at once."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from campaign.access import is_supervisor, may_supervise, visible_campaigns
from campaign.people import name_of as person
from core.dates import local_date
from projects.models import ActionItem, Hazard, Obstacle, Project

from . import hazards as hazard_service
from . import notices as notice_service
from .bulletins import days_in_red
from .forms import BulkIssueForm, OverviewFilterForm
from .models import Flag, Notice, Severity
from .views_common import (
    pick_campaign,
    refuse_unless_supervises,
    supervision_reader_required,
    supervisor_required,
)
from .views_notices import _with_overdue_first

#: How many projects the "most days in red" list shows.
TOP_RED = 10


def _drafts(campaign):
    return Notice.objects.filter(campaign=campaign, status=Notice.Status.DRAFT).select_related(
        "project", "issued_to__profile").order_by("created_at", "pk")


def _overview_context(request, campaign, bulk_form=None):
    as_of = local_date()
    leaders = get_user_model().objects.filter(led_projects__campaign=campaign).select_related(
        "profile").distinct().order_by("username")
    filters = OverviewFilterForm(request.GET or None, leaders=leaders)
    f = filters.cleaned_data if filters.is_valid() else {}
    project_q = Q()
    if f.get("level"):
        project_q &= Q(project__level=f["level"])
    if f.get("leader"):
        project_q &= Q(project__leader=f["leader"])

    # Lights are counted by project (Project.health, as the dashboard and the bulletin count them);
    # warnings (flags) are counted beside them: a red project can have several red warnings.
    light_filter = {key: f[key] for key in ("level", "leader") if f.get(key)}
    light_counts = dict(Project.objects.filter(campaign=campaign, **light_filter)
                        .values_list("health").annotate(n=Count("pk")).order_by())

    flags = Flag.objects.filter(project_q, project__campaign=campaign, resolved_at__isnull=True)
    flag_counts = dict(flags.values_list("severity").annotate(n=Count("pk")).order_by())
    if f.get("severity"):
        flags = flags.filter(severity=f["severity"])
    if f.get("kind"):
        flags = flags.filter(kind=f["kind"])
    open_flags = list(flags.select_related("project__leader__profile"))
    # Red first, then the oldest first: what has been waiting longest is at the top.
    open_flags.sort(key=lambda fl: (fl.severity != Severity.RED, fl.opened_at))
    for fl in open_flags:
        # Calendar days it has been open, the day it opened included, as the bulletin counts its
        # days in red: a flag opened this morning has been open 1 day, on both pages.
        fl.age_days = (as_of - local_date(fl.opened_at)).days + 1

    notices_qs = Notice.objects.filter(project_q, campaign=campaign)
    notice_counts = dict(notices_qs.values_list("status").annotate(n=Count("pk")).order_by())
    open_notices = list(_with_overdue_first(
        notices_qs.exclude(status__in=[Notice.Status.DRAFT, Notice.Status.CLOSED])
        .select_related("project", "issued_to__profile"), as_of))
    for n in open_notices:
        n.overdue = n.is_overdue(as_of)
        n.days_overdue = (as_of - n.respond_by).days if n.overdue else 0
    drafts = _drafts(campaign).filter(project_q)
    bulk_form = bulk_form or BulkIssueForm(drafts=drafts)

    obstacles = (Obstacle.objects.filter(project_q, project__campaign=campaign, due_date__lt=as_of)
                 .exclude(status=Obstacle.Status.RESOLVED)
                 .select_related("project", "responsible_unit").order_by("due_date"))
    hazards = (Hazard.objects.filter(Q(check_record__project__campaign=campaign), rectify_by__lt=as_of,
                                     rectified_on__isnull=True)
               .filter(**({"check_record__project__level": f["level"]} if f.get("level") else {}))
               .filter(**({"check_record__project__leader": f["leader"]} if f.get("leader") else {}))
               .select_related("check_record__project").order_by("rectify_by"))
    actions = (ActionItem.objects.filter(meeting__campaign=campaign, due_date__lt=as_of,
                                         done_on__isnull=True)
               .filter(**({"project__level": f["level"]} if f.get("level") else {}))
               .filter(**({"project__leader": f["leader"]} if f.get("leader") else {}))
               .select_related("project", "owner__profile", "meeting").order_by("due_date"))

    awaiting = list(hazard_service.awaiting_review(campaign)
                    .filter(**({"check_record__project__level": f["level"]} if f.get("level") else {}))
                    .filter(**({"check_record__project__leader": f["leader"]} if f.get("leader") else {})))

    red_days = days_in_red(campaign, as_of)
    top = sorted(((d, pk) for pk, d in red_days.items() if d), key=lambda t: (-t[0], t[1]))[:TOP_RED]
    projects = Project.objects.filter(pk__in=[pk for _d, pk in top]).filter(
        **({"level": f["level"]} if f.get("level") else {}),
        **({"leader": f["leader"]} if f.get("leader") else {}),
    ).select_related("leader__profile").in_bulk()
    most_red = [{"project": projects[pk], "days": d, "leader": person(projects[pk].leader)}
                for d, pk in top if pk in projects]

    return {
        "campaign": campaign,
        "campaigns": visible_campaigns(request.user).order_by("-start_date"),
        "filters": filters,
        "light_counts": {"red": light_counts.get(Project.Health.RED, 0),
                         "yellow": light_counts.get(Project.Health.YELLOW, 0)},
        "flag_counts": {"red": flag_counts.get(Severity.RED, 0),
                        "yellow": flag_counts.get(Severity.YELLOW, 0)},
        "open_flags": open_flags,
        "notice_counts": [(value, label, notice_counts.get(value, 0))
                          for value, label in Notice.Status.choices],
        "open_notices": open_notices,
        "overdue_notice_count": sum(1 for n in open_notices if n.overdue),
        "bulk_form": bulk_form,
        "obstacles": obstacles,
        "hazards": hazards,
        "awaiting_review": awaiting,
        "may_review": may_supervise(request.user, campaign),
        "actions": actions,
        "most_red": most_red,
        "today": as_of,
        "is_supervisor": is_supervisor(request.user),
    }


@supervision_reader_required
def overview(request):
    """The supervision group's overview; the higher office (observer) reads it without its
    drafts and buttons."""
    campaign = pick_campaign(request, required=False)
    if campaign is None:
        return render(request, "supervision/overview.html", {"campaign": None})
    return render(request, "supervision/overview.html", _overview_context(request, campaign))


def _confirm_bulk_issue(request, campaign, form):
    """The confirmation step of issuing in bulk: each notice and the leader it notifies, with the
    ticks and the date carried to the button that issues them."""
    chosen = list(form.cleaned_data["notices"].select_related("project__leader__profile"))
    respond_by = form.cleaned_data.get("respond_by")
    hidden = [("campaign", campaign.pk), ("confirmed", "1")]
    hidden += [("notices", n.pk) for n in chosen]
    if respond_by:
        hidden.append(("respond_by", respond_by.isoformat()))
    return render(request, "supervision/confirm.html", {
        "campaign": campaign,
        "title": _("Issue %(count)s notices") % {"count": len(chosen)},
        "action": reverse("supervision_bulk_issue"),
        "cancel": f"{reverse('supervision_overview')}?campaign={campaign.pk}",
        "submit": _("Issue and notify the leaders"),
        "warning": _("Issued notices are numbered and sent to the leaders at once; they cannot "
                     "be taken back."),
        "details": [(_("Respond by"), respond_by.isoformat() if respond_by else
                     _("the campaign's days to respond from today"))],
        "notified": sorted({person(n.project.leader) for n in chosen}),
        "row_headers": [_("Project"), _("Leader notified")],
        "rows": [(str(n.project), person(n.project.leader)) for n in chosen],
        "hidden": hidden,
    })


@supervisor_required
@require_POST
def bulk_issue(request):
    """Issue several draft notices at once; each is issued by the same service as one by one, and a
    refused one is reported without stopping the others."""
    campaign = pick_campaign(request)
    if (refusal := refuse_unless_supervises(request, campaign)) is not None:
        return refusal
    form = BulkIssueForm(request.POST, drafts=_drafts(campaign))
    if not form.is_valid():
        return render(request, "supervision/overview.html",
                      _overview_context(request, campaign, bulk_form=form), status=400)
    if request.POST.get("confirmed") != "1":
        return _confirm_bulk_issue(request, campaign, form)
    issued, refused_msgs = [], []
    colon = pgettext("label separator", ": ")
    for notice in form.cleaned_data["notices"]:
        try:
            notice_service.issue_notice(notice, request.user,
                                        respond_by=form.cleaned_data.get("respond_by"))
        except notice_service.NoticeStepRefused as exc:
            refused_msgs.append(f"{notice.project}{colon}{exc.message}")
        except ValidationError as exc:
            refused_msgs.append(f"{notice.project}{colon}{' '.join(exc.messages)}")
        else:
            issued.append(notice.number)
    if issued:
        messages.success(request, _("Issued %(count)s notices: %(numbers)s")
                         % {"count": len(issued), "numbers": "、".join(issued)})
    for msg in refused_msgs:
        messages.error(request, msg)
    return redirect(f"{reverse('supervision_overview')}?campaign={campaign.pk}")
