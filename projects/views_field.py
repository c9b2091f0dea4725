"""Obstacles (问题清单) and safety hazards (安全隐患): create, update and close out (销号), for
those who may write to the project (its leader, its team, town_admin)."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from campaign import once
from core.dates import local_date
from core.forms import apply_service

from . import access as project_access
from . import services
from .forms import HazardForm, ObstacleForm, RectifyHazardForm, ResolveObstacleForm
from .models import Hazard, Obstacle

log = logging.getLogger("gongjian.access")


def _writable(user, queryset, pk, project_of, what: str):
    """The object of a project the user may read, else 404; may write, else 403. Both logged."""
    obj = queryset.filter(**{f"{project_of}__in": project_access.visible_projects(user)}, pk=pk).first()
    if obj is None:
        log.warning("refused read user=%s %s=%s", user.pk, what, pk)
        raise Http404
    project = obj.project if what == "obstacle" else obj.check_record.project
    if not project_access.can_write_project(user, project):
        log.warning("refused write user=%s %s=%s", user.pk, what, pk)
        raise PermissionDenied
    return obj, project


def _detail(project) -> str:
    return reverse("project_detail", args=[project.pk])


def _form_page(request, project, form, title, submit, back_anchor, obj=None):
    return render(request, "projects/item_form.html", {
        "project": project, "form": form, "title": title, "submit": submit, "object": obj,
        "back_url": f"{_detail(project)}#{back_anchor}",
    })


@login_required
def obstacle_create(request, pk):
    project = project_access.get_project_for_write(request.user, pk)
    form = ObstacleForm(request.POST or None, request.FILES or None, town=project.campaign.unit)
    if request.method == "POST" and form.is_valid() and (outcome := once.submit(
            request, form, lambda: services.record_obstacle(project, request.user, **form.cleaned_data),
            lambda _obstacle: f"{_detail(project)}#obstacles")):
        return once.respond(request, outcome, _("Obstacle added to the problem list."))
    return _form_page(request, project, form, _("New obstacle"), _("Add obstacle"), "obstacles")


@login_required
def obstacle_update(request, pk):
    obstacle, project = _writable(request.user, Obstacle.objects.select_related("project"), pk,
                                  "project", "obstacle")
    if obstacle.status == Obstacle.Status.RESOLVED:
        messages.info(request, _("This obstacle is resolved and can no longer be changed."))
        return redirect(f"{_detail(project)}#obstacles")
    form = ObstacleForm(request.POST or None, instance=obstacle, town=project.campaign.unit)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        obstacle.refresh_from_db()
        if apply_service(form, lambda: services.update_obstacle(obstacle, request.user, **data)):
            messages.success(request, _("Obstacle updated."))
            return redirect(f"{_detail(project)}#obstacles")
    return _form_page(request, project, form, _("Edit obstacle: %(title)s") % {
        "title": obstacle.title}, _("Save"), "obstacles", obstacle)


@login_required
def obstacle_resolve(request, pk):
    obstacle, project = _writable(request.user, Obstacle.objects.select_related("project"), pk,
                                  "project", "obstacle")
    form = ResolveObstacleForm(request.POST or None, request.FILES or None,
                               initial={"resolved_on": local_date()})
    if request.method == "POST" and form.is_valid() and apply_service(form, lambda: services.resolve_obstacle(
            obstacle, request.user, **form.cleaned_data)):
        messages.success(request, _("Obstacle resolved (closed out)."))
        return redirect(f"{_detail(project)}#obstacles")
    return _form_page(request, project, form, _("Resolve obstacle: %(title)s") % {"title": obstacle.title},
                      _("Resolve"), "obstacles", obstacle)


@login_required
def hazard_create(request, pk):
    project = project_access.get_project_for_write(request.user, pk)
    form = HazardForm(request.POST or None, request.FILES or None, initial={"checked_on": local_date()})
    if request.method == "POST" and form.is_valid() and (outcome := once.submit(
            request, form, lambda: services.record_hazard(project, request.user, **form.cleaned_data),
            lambda _hazard: f"{_detail(project)}#hazards")):
        return once.respond(request, outcome, _("Safety hazard recorded."))
    return _form_page(request, project, form, _("New safety hazard"), _("Record hazard"), "hazards")


@login_required
def hazard_update(request, pk):
    hazard, project = _writable(request.user, Hazard.objects.select_related("check_record__project"),
                                pk, "check_record__project", "hazard")
    if hazard.status != Hazard.Status.OPEN:
        messages.info(request, _("This hazard's rectification is already awaiting review.")
                      if hazard.status == Hazard.Status.AWAITING_REVIEW
                      else _("This hazard is rectified and can no longer be changed."))
        return redirect(f"{_detail(project)}#hazards")
    form = HazardForm(request.POST or None, editing=True, initial={
        "description": hazard.description, "level": hazard.level, "rectify_by": hazard.rectify_by})
    if request.method == "POST" and form.is_valid() and apply_service(form, lambda: services.update_hazard(
            hazard, request.user, **form.cleaned_data)):
        messages.success(request, _("Safety hazard updated."))
        return redirect(f"{_detail(project)}#hazards")
    return _form_page(request, project, form, _("Edit safety hazard: %(hazard)s") % {
        "hazard": _hazard_named(hazard)}, _("Save"), "hazards", hazard)


@login_required
def hazard_rectify(request, pk):
    hazard, project = _writable(request.user, Hazard.objects.select_related("check_record__project"),
                                pk, "check_record__project", "hazard")
    if request.method == "GET" and hazard.status != Hazard.Status.OPEN:
        messages.info(request, _("This hazard's rectification is already awaiting review.")
                      if hazard.status == Hazard.Status.AWAITING_REVIEW
                      else _("This hazard is already rectified."))
        return redirect(f"{_detail(project)}#hazard-{hazard.pk}")
    form = RectifyHazardForm(request.POST or None, request.FILES or None,
                             initial={"rectified_on": local_date()})
    if request.method == "POST" and form.is_valid() and apply_service(form, lambda: services.rectify_hazard(
            hazard, request.user, **form.cleaned_data)):
        if hazard.status == Hazard.Status.AWAITING_REVIEW:
            messages.success(request, _("Rectification reported: the supervision group will review "
                                        "this major hazard before it is closed."))
        else:
            messages.success(request, _("Safety hazard rectified (closed out)."))
        return redirect(f"{_detail(project)}#hazards")
    return _form_page(request, project, form, _("Rectify safety hazard: %(hazard)s") % {
        "hazard": _hazard_named(hazard)}, _("Rectified"), "hazards", hazard)


def _hazard_named(hazard) -> str:
    """Which hazard a page is about, in its title: what it is, its level and its deadline."""
    return _("%(description)s (%(level)s hazard, rectify by %(date)s)") % {
        "description": Truncator(hazard.description).chars(40),
        "level": hazard.get_level_display(), "date": hazard.rectify_by.isoformat()}

