"""The weekly report form (its photos are served by views_photos).

Every view reads through projects.access: a project the user may not see is a 404, one they may
see but not write a 403; both are logged there.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign import once

from . import access as project_access
from . import figures, services
from .forms import ReportForm
from .models import Project


@login_required
def report_create(request, pk):
    """The weekly report form, which says before submitting which week it is for, the plan of
    today, the last report and (static/js/gongjian.js) the lag the typed percent would give.
    Saving goes through services.submit_report, which updates the project in the same
    transaction and enqueues its re-scan on commit."""
    project = project_access.get_project_for_write(
        request.user, pk, Project.objects.select_related("campaign"))
    preview = figures.report_form_figures(project, timezone.now())
    last = preview["last_percent"]
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, last_percent=last)
        if form.is_valid():
            data = form.cleaned_data
            outcome = once.submit(request, form, lambda: services.submit_report(
                project, request.user,
                percent=data["percent"], investment_done=data["investment_done"],
                work_done=data["work_done"], next_steps=data["next_steps"],
                problems=data["problems"], needs_coordination=data["needs_coordination"],
                decrease_reason=data["decrease_reason"], photos=data["photos"],
            ), lambda _report: reverse("project_detail", args=[project.pk]))
            if outcome is not None:
                return once.respond(request, outcome, _("Report saved: %(project)s is at %(percent)s%%.")
                                    % {"project": project.name, "percent": data["percent"]})
    else:
        initial = {}
        if last is not None:
            initial = {"percent": last, "investment_done": project.investment_done}
        form = ReportForm(initial=initial, last_percent=last)
    return render(request, "projects/report_form.html", {
        "project": project, "form": form, "last_percent": last, "preview": preview,
    })
