"""调整计划: the campaign office re-plans a project with a reason (projects.plans.replan)."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from campaign.access import is_town_admin

from . import access as project_access
from . import plans
from .forms import ReplanForm

log = logging.getLogger("gongjian.access")


@login_required
def replan(request, pk):
    project = project_access.get_project_for_read(request.user, pk)
    if not is_town_admin(request.user):
        log.warning("refused replan user=%s project=%s", request.user.pk, pk)
        raise PermissionDenied
    milestones = project.milestones.order_by("due_date", "pk")
    form = ReplanForm(request.POST or None, project=project, milestones=milestones)
    if request.method == "POST" and form.is_valid():
        try:
            plans.replan(project, request.user, planned_end=form.cleaned_data["planned_end"],
                         milestone_dates=form.milestone_dates(),
                         reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The plan is changed and kept on the record."))
            return redirect(reverse("project_detail", args=[project.pk]) + "#plan")
    return render(request, "projects/item_form.html", {
        "project": project, "form": form, "title": _("Re-plan the project"),
        "submit": _("Save the new plan"),
        "back_url": reverse("project_detail", args=[project.pk]) + "#plan"})
