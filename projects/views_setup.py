"""设置 of a campaign's projects by the campaign office: the list, a project with its milestones
and team on one form, suspending, resuming and completing, and the Excel import.

Only the office of the campaign's own town (campaign.access.get_campaign_for_setup); every write
is one service call (projects.services)."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.access import get_campaign_for_setup
from campaign.people import name_of

from . import imports, services
from .access import get_project_for_read
from .forms_setup import (
    XLSX,
    ImportForm,
    MilestoneFormSet,
    ProjectSetupForm,
    SuspendForm,
    TeamFormSet,
    formset_rows,
)
from .models import Project


def _project_for_setup(user, pk) -> Project:
    project = get_project_for_read(user, pk, Project.objects.select_related("campaign__unit"))
    get_campaign_for_setup(user, project.campaign_id)
    return project


def _add_errors(form, exc: ValidationError) -> dict[str, list[str]]:
    """A service's refusal beside its field: project fields on the form; milestone and team
    problems returned, to be shown above their rows."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return {}
    above = {}
    for field, errors in exc.error_dict.items():
        if field in ("milestones", "team"):
            above[field] = [m for e in errors for m in e.messages]
        else:
            form.add_error(field if field in form.fields else None, errors)
    return above


@login_required
def project_list(request, pk):
    campaign = get_campaign_for_setup(request.user, pk)
    projects = list(campaign.projects.select_related("leader__profile__unit")
                    .prefetch_related("assignments").order_by("code"))
    return render(request, "setup/projects.html", {"campaign": campaign, "projects": projects})


def _project_page(request, campaign, project=None):
    instance = project or Project(campaign=campaign)
    form = ProjectSetupForm(request.POST or None, instance=instance, campaign=campaign)
    milestones = MilestoneFormSet(request.POST or None, instance=instance, prefix="milestones")
    team = TeamFormSet(request.POST or None, instance=instance, prefix="team",
                       form_kwargs={"campaign": campaign})
    above = {}
    if request.method == "POST":
        valid = form.is_valid()  # first: the milestones are checked against the dates it sets
        if valid & milestones.is_valid() & team.is_valid():
            try:
                saved, _changed = services.save_project(
                    campaign, request.user, project=project,
                    milestones=formset_rows(milestones), team=formset_rows(team, False),
                    baseline=form.baseline(), **form.cleaned_data)
            except ValidationError as exc:
                above = _add_errors(form, exc)
            else:
                messages.success(request, _("Project %(code)s saved.") % {"code": saved.code})
                return redirect("setup_projects", pk=campaign.pk)
    title = _("Project %(code)s") % {"code": project.code} if project else _("New project")
    return render(request, "setup/project_form.html", {
        "campaign": campaign, "project": project, "form": form, "milestones": milestones,
        "team": team, "title": title, "above": above,
        "back_url": reverse("setup_projects", args=[campaign.pk])})


@login_required
def project_new(request, pk):
    return _project_page(request, get_campaign_for_setup(request.user, pk))


@login_required
def project_edit(request, pk):
    project = _project_for_setup(request.user, pk)
    return _project_page(request, project.campaign, project)


@login_required
def project_suspend(request, pk):
    project = _project_for_setup(request.user, pk)
    form = SuspendForm(request.POST or None, initial={"reason": project.pause_reason})
    if request.method == "POST" and form.is_valid():
        try:
            services.suspend_project(project, request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Project %(code)s suspended.") % {"code": project.code})
            return redirect("setup_projects", pk=project.campaign_id)
    return render(request, "setup/form.html", {
        "form": form, "title": _("Suspend %(project)s") % {"project": project},
        "submit": _("Suspend"), "back_url": reverse("setup_projects", args=[project.campaign_id])})


def _status_step(request, pk, step, done_message):
    project = _project_for_setup(request.user, pk)
    try:
        step(project, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done_message % {"code": project.code})
    return redirect("setup_projects", pk=project.campaign_id)


@login_required
@require_POST
def project_resume(request, pk):
    return _status_step(request, pk, services.resume_project, _("Project %(code)s resumed."))


@login_required
@require_POST
def project_complete(request, pk):
    return _status_step(request, pk, services.complete_project,
                        _("Project %(code)s marked completed."))


# --- Import from Excel --------------------------------------------------------------------------

def _pending_key(campaign) -> str:
    return f"setup-import:{campaign.pk}"


@login_required
def import_template(request, pk):
    campaign = get_campaign_for_setup(request.user, pk)
    response = HttpResponse(imports.template_workbook(campaign), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        True, f"{campaign.name}-项目清单模板.xlsx")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def import_upload(request, pk):
    """Upload → the preview of what the workbook would do; nothing is written yet. The rows read
    wait in the session (never the file) for the confirm step."""
    campaign = get_campaign_for_setup(request.user, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    plan = None
    if request.method == "POST" and form.is_valid():
        try:
            rows = imports.read_workbook(form.cleaned_data["workbook"])
        except imports.ImportRefused as exc:
            form.add_error("workbook", str(exc))
        else:
            plan = imports.plan_import(campaign, rows)
            token = secrets.token_urlsafe(16)
            request.session[_pending_key(campaign)] = {"token": token, "rows": rows}
            return render(request, "setup/import_preview.html", {
                "campaign": campaign, "plan": plan, "token": token})
    return render(request, "setup/import.html", {"campaign": campaign, "form": form})


@login_required
@require_POST
def import_confirm(request, pk):
    """Apply the previewed rows in one transaction, or nothing."""
    campaign = get_campaign_for_setup(request.user, pk)
    pending = request.session.get(_pending_key(campaign))
    if not pending or pending.get("token") != request.POST.get("token"):
        messages.error(request, _("This preview is no longer current: upload the workbook again."))
        return redirect("setup_import", pk=campaign.pk)
    try:
        plan, created = imports.apply_import(campaign, request.user, pending["rows"])
    except imports.ImportNotApplied as exc:
        return render(request, "setup/import_preview.html", {
            "campaign": campaign, "plan": exc.plan, "token": pending["token"], "refused": True},
            status=400)
    del request.session[_pending_key(campaign)]
    messages.success(request, _("Imported: %(created)d created, %(changed)d changed, "
                                "%(unchanged)d unchanged.") % {
        "created": plan.count("create"), "changed": plan.count("change"),
        "unchanged": plan.count("unchanged")})
    if created:
        return render(request, "setup/import_done.html", {
            "campaign": campaign, "created": [(name_of(u), u.username, pw) for u, pw in created]})
    return redirect("setup_projects", pk=campaign.pk)
