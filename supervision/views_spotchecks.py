"""Spot checks: planning a scheduled inspection, drawing a random sample with a stored seed,
redrawing it, recording findings and turning a finding into a notice."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign import once
from campaign.access import is_supervisor, may_supervise, visible_campaigns
from core.dates import local_date
from core.forms import add_service_errors
from projects.access import visible_projects
from projects.models import Project
from projects.views_photos import readable_photo, serve_photo

from . import notices as notice_service
from . import spotchecks
from .forms import FindingForm, FindingNoticeForm, InspectionForm, RandomDrawForm
from .models import Finding, FindingPhoto, SpotCheck
from .views_common import (
    pick_campaign,
    refuse_unless_supervises,
    refused,
    supervision_reader_required,
    supervisor_required,
)
from .views_notices import readable_notices


def _get_check(user, pk) -> SpotCheck:
    try:
        return SpotCheck.objects.select_related("campaign", "created_by__profile").get(
            pk=pk, campaign__in=visible_campaigns(user))
    except SpotCheck.DoesNotExist:
        raise Http404 from None


@supervision_reader_required
def spotcheck_list(request):
    campaign = pick_campaign(request, required=False)
    checks = []
    if campaign is not None:
        checks = (SpotCheck.objects.filter(campaign=campaign)
                  .select_related("created_by__profile")
                  .annotate(project_count=Count("projects", distinct=True),
                            finding_count=Count("findings", distinct=True),
                            overdue_count=Count("findings", distinct=True, filter=Q(
                                findings__rectify_by__lt=local_date(),
                                findings__rectified_on__isnull=True)))
                  .order_by("-planned_on", "-pk"))
    return render(request, "supervision/spotcheck_list.html", {
        "campaign": campaign, "checks": checks, "is_supervisor": is_supervisor(request.user),
        "may_write": campaign is not None and may_supervise(request.user, campaign)})


def _projects(request, campaign):
    return visible_projects(request.user).filter(campaign=campaign).order_by("code")


@supervisor_required
def spotcheck_new(request, kind):
    """Plan a scheduled inspection (kind "scheduled") or draw a random spot check ("random")."""
    campaign = pick_campaign(request)
    if (refusal := refuse_unless_supervises(request, campaign)) is not None:
        return refusal
    if kind == SpotCheck.Kind.SCHEDULED:
        form = InspectionForm(request.POST or None, projects=_projects(request, campaign),
                              initial={"planned_on": local_date()})
    elif kind == SpotCheck.Kind.RANDOM:
        form = RandomDrawForm(request.POST or None, initial={"planned_on": local_date(), "sample_size": 3})
    else:
        raise Http404
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def save():
            if kind == SpotCheck.Kind.SCHEDULED:
                return spotchecks.plan_inspection(campaign, title=data["title"],
                                                  planned_on=data["planned_on"],
                                                  projects=data["projects"], created_by=request.user)
            return spotchecks.draw_spot_check(
                campaign, title=data["title"], planned_on=data["planned_on"],
                sample_size=data["sample_size"], weight_red=data["weight_red"],
                seed=data.get("seed"), created_by=request.user)
        outcome = once.submit(request, form, save,
                              lambda check: reverse("spotcheck_detail", args=[check.pk]))
        if outcome is not None:
            return once.respond(request, outcome, _("Spot check saved."))
    return render(request, "supervision/spotcheck_new.html", {
        "form": form, "kind": kind, "campaign": campaign, "is_supervisor": True})


def _detail_context(request, check, finding_form=None, notice_forms=None):
    projects = list(check.projects.select_related("leader__profile").order_by("code"))
    findings = list(check.findings.select_related("project", "notice", "recorded_by__profile")
                    .prefetch_related(Prefetch("photos", queryset=FindingPhoto.objects.order_by("pk")))
                    .order_by("recorded_at", "pk"))
    redraw = spotchecks.redraw(check) if check.kind == SpotCheck.Kind.RANDOM else None
    redrawn = Project.objects.in_bulk(redraw) if redraw else {}
    notice_forms = notice_forms or {}
    today = local_date()
    for f in findings:
        f.notice_form = notice_forms.get(f.pk) or FindingNoticeForm(prefix=f"finding-{f.pk}")
        f.overdue = f.is_overdue(today)
    return {
        "check": check,
        "campaign": check.campaign,
        "projects": projects,
        "findings": findings,
        "redraw": redraw,
        "redraw_list": [redrawn[p] for p in redraw or [] if p in redrawn],
        "redraw_matches": redraw is not None and set(redraw) == {p.pk for p in projects},
        "finding_form": finding_form or FindingForm(projects=check.projects.order_by("code")),
        "is_supervisor": is_supervisor(request.user),
        # The higher office reads the checks; only the town's own group records and decides.
        "may_write": may_supervise(request.user, check.campaign),
    }


@supervision_reader_required
def spotcheck_detail(request, pk):
    check = _get_check(request.user, pk)
    return render(request, "supervision/spotcheck_detail.html", _detail_context(request, check))


@supervisor_required
@require_POST
def finding_add(request, pk):
    check = _get_check(request.user, pk)
    if (refusal := refuse_unless_supervises(request, check.campaign)) is not None:
        return refusal
    form = FindingForm(request.POST, request.FILES, projects=check.projects.all())
    if form.is_valid():
        outcome = once.submit(request, form, lambda: spotchecks.record_finding(
            check, form.cleaned_data["project"], form.cleaned_data["description"], request.user,
            rectify_by=form.cleaned_data["rectify_by"], photos=form.cleaned_data["photos"]),
            lambda _finding: reverse("spotcheck_detail", args=[check.pk]))
        if outcome is not None:
            return once.respond(request, outcome, _("Finding recorded."))
    context = _detail_context(request, check, finding_form=form)
    return render(request, "supervision/spotcheck_detail.html", context, status=400)


@supervisor_required
@require_POST
def finding_notice(request, pk, finding_pk):
    check = _get_check(request.user, pk)
    if (refusal := refuse_unless_supervises(request, check.campaign)) is not None:
        return refusal
    try:
        finding = check.findings.get(pk=finding_pk)
    except Finding.DoesNotExist:
        raise Http404 from None
    form = FindingNoticeForm(request.POST, prefix=f"finding-{finding.pk}")
    if form.is_valid():
        try:
            notice = spotchecks.finding_to_notice(finding, request.user,
                                                  required_action=form.cleaned_data["required_action"])
        except notice_service.NoticeStepRefused as exc:
            return refused(request, exc.message, back=reverse("spotcheck_detail", args=[check.pk]))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Draft notice made from the finding: review it and issue it."))
            return redirect("notice_detail", pk=notice.pk)
    context = _detail_context(request, check, notice_forms={finding.pk: form})
    return render(request, "supervision/spotcheck_detail.html", context, status=400)


@supervisor_required
@require_POST
def finding_rectified(request, pk, finding_pk):
    """The supervision group confirms a finding rectified (a second click changes nothing)."""
    check = _get_check(request.user, pk)
    if (refusal := refuse_unless_supervises(request, check.campaign)) is not None:
        return refusal
    try:
        finding = check.findings.select_related("spot_check").get(pk=finding_pk)
    except Finding.DoesNotExist:
        raise Http404 from None
    try:
        spotchecks.mark_finding_rectified(finding, request.user)
    except ValidationError as exc:
        messages.info(request, exc.messages[0])
    else:
        messages.success(request, _("Finding confirmed rectified."))
    return redirect(reverse("spotcheck_detail", args=[check.pk]) + f"#finding-{finding.pk}")


@supervisor_required
@require_POST
def spotcheck_done(request, pk):
    check = _get_check(request.user, pk)
    if (refusal := refuse_unless_supervises(request, check.campaign)) is not None:
        return refusal
    spotchecks.mark_done(check)
    messages.success(request, _("Spot check marked as done."))
    return redirect("spotcheck_detail", pk=check.pk)



@login_required
def finding_photo(request, pk, size="screen"):
    """A finding's photo, to those who may read its spot check (the supervision group of a visible
    campaign, as its page) or the notice made from it (which shows it); a 404 to anyone else."""
    user = request.user
    readable = Q(finding__notice__in=readable_notices(user))
    if is_supervisor(user):
        readable |= Q(finding__spot_check__campaign__in=visible_campaigns(user))
    return serve_photo(readable_photo(user, FindingPhoto.objects.filter(readable), pk,
                                      "finding_photo"), size)
