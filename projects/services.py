"""Every write to a project goes through here, in a transaction."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Milestone, ProgressReport, Project, ReportPhoto


@transaction.atomic
def submit_report(
    project: Project,
    user,
    *,
    percent: Decimal,
    investment_done: Decimal,
    work_done: str,
    next_steps: str = "",
    problems: str = "",
    needs_coordination: str = "",
    decrease_reason: str = "",
    photos=(),
    reported_at: datetime.datetime | None = None,
) -> ProgressReport:
    """Save a weekly report and bring the project's derived fields up to date.

    A percent lower than the last report needs a written reason. Milestones whose planned percent
    the report reaches are marked completed today. The project is re-scanned once this commits.
    """
    from supervision.tasks import enqueue_project_scan

    locked = Project.objects.select_for_update().get(pk=project.pk)
    reported_at = reported_at or timezone.now()
    last = locked.reports.order_by("-reported_at", "-pk").only("percent").first()
    if last is not None and percent < last.percent and not decrease_reason.strip():
        raise ValidationError({"decrease_reason": _(
            "Progress is lower than the last report (%(last)s%%): please give the reason."
        ) % {"last": last.percent}})

    report = ProgressReport.objects.create(
        project=locked, percent=percent, investment_done=investment_done, work_done=work_done,
        next_steps=next_steps, problems=problems, needs_coordination=needs_coordination,
        decrease_reason=decrease_reason, reported_by=user, reported_at=reported_at,
    )
    ReportPhoto.objects.bulk_create([ReportPhoto(report=report, image=photo) for photo in photos])

    report_day = timezone.localdate(reported_at)
    Milestone.objects.filter(project=locked, completed_on__isnull=True,
                             planned_percent__lte=percent).update(completed_on=report_day)

    locked.progress = percent
    locked.investment_done = investment_done
    locked.last_reported_at = reported_at
    fields = ["progress", "investment_done", "last_reported_at"]
    if percent >= 100 and locked.status != Project.Status.COMPLETED:
        locked.status = Project.Status.COMPLETED
        fields.append("status")
    elif percent > 0 and locked.status == Project.Status.NOT_STARTED:
        locked.status = Project.Status.IN_PROGRESS
        fields.append("status")
    locked.save(update_fields=fields)

    enqueue_project_scan(locked.pk)
    return report
