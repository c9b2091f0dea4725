"""Plans that change, on the record: a justified pause moves the plan when the project resumes,
and the campaign office re-plans a project with a reason. Each change keeps a PlanVersion (the
first change keeps the original too), with who, when and why; the rules read the version in force
on the date they assess (plan_in_force), so a scan for a past date gives the answer it gave then.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from core import pagecache, prepared
from core.dates import local_date
from core.queue import enqueue_on_commit

from . import plan
from .models import Milestone, PlanVersion, Project


def _changed(project: Project) -> None:
    Project.review_now([project.pk])
    enqueue_on_commit("supervision.scan_project", project.pk)
    pagecache.bump_campaigns([project.campaign_id])


@transaction.atomic
def shift_for_pause(project: Project, paused_on: datetime.date, resumed_on: datetime.date,
                    user=None) -> PlanVersion | None:
    """Project.shift_plan_for_pause (the project's save calls it when it resumes)."""
    return project.shift_plan_for_pause(paused_on, resumed_on, user)


@transaction.atomic
def replan(project: Project, user, *, planned_end: datetime.date,
           milestone_dates: dict[int, datetime.date], reason: str) -> PlanVersion:
    """The campaign office re-plans a project (调整计划): a new planned end and milestone dates,
    with a reason; in force from today. Field errors (ValidationError by field) for a missing
    reason, an end before the start, a milestone outside the new plan."""
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("Say why the plan changes (the approval, the cause).")
    if planned_end < project.planned_start:
        errors["planned_end"] = _("The planned end cannot be before the planned start.")
    milestones = list(Milestone.objects.select_for_update().filter(project=project))
    for m in milestones:
        due = milestone_dates.get(m.pk, m.due_date)
        if not errors.get("planned_end") and not project.planned_start <= due <= planned_end:
            errors[f"milestone_{m.pk}"] = _(
                "The due date must be within the project's planned dates (%(start)s to %(end)s)."
            ) % {"start": project.planned_start, "end": planned_end}
    if errors:
        raise ValidationError(errors)
    PlanVersion.keep_original(project, milestones)
    for m in milestones:
        m.due_date = milestone_dates.get(m.pk, m.due_date)
    Milestone.objects.bulk_update(milestones, ["due_date"])
    project.planned_end = planned_end
    Project.objects.filter(pk=project.pk).update(planned_end=planned_end)
    version = PlanVersion.record(project, milestones, kind=PlanVersion.Kind.REPLAN,
                                 in_force_from=local_date(), reason=reason, user=user)
    _changed(project)
    return version


def version_plan(version: PlanVersion, completed: dict[int, datetime.date | None]):
    """(planned_start, planned_end, [MilestoneFact]) of a version, with its pause points;
    completed gives the milestones' completion dates by id (facts of the work, not of the plan)."""
    facts = [plan.MilestoneFact(datetime.date.fromisoformat(m["due_date"]),
                                Decimal(m["planned_percent"]), completed.get(m["id"]))
             for m in version.milestones if not m.get("pause")]
    return version.planned_start, version.planned_end, facts + PlanVersion.pause_facts(
        version.milestones)


def plans_in_force(versions, as_of: datetime.date, current: dict, completed: dict) -> dict:
    """Per project with a recorded plan change: (planned_start, planned_end, [MilestoneFact]) of
    the plan in force on as_of — the version with the latest in_force_from on or before it; when
    that is the latest version, the project's own fields and milestones (``current``: pid →
    (start, end, facts); they may be newer, an edit in the admin) with the version's pause
    points. versions: PlanVersion rows of any projects; completed: pid → {milestone id: date}."""
    by_project: dict[int, list[PlanVersion]] = {}
    for v in versions:
        by_project.setdefault(v.project_id, []).append(v)
    out = {}
    for pid, rows in by_project.items():
        rows.sort(key=lambda v: v.number)
        in_force = [v for v in rows if v.in_force_from <= as_of]
        if not in_force or pid not in current:
            continue
        version = max(in_force, key=lambda v: (v.in_force_from, v.number))
        if version.number == rows[-1].number:
            start, end, facts = current[pid]
            out[pid] = (start, end, [*facts, *PlanVersion.pause_facts(version.milestones)])
        else:
            out[pid] = version_plan(version, completed.get(pid, {}))
    return out


def current_pause_facts(project_ids=None, *, campaign_id=None) -> dict[int, list[plan.MilestoneFact]]:
    """Per project (of project_ids, or of the campaign), the pause points of its current plan
    (its latest version), for the pages' curves. One query."""
    out: dict[int, list] = {}
    rows = (_LATEST_VERSIONS(campaign_id=campaign_id) if campaign_id is not None
            else _latest_versions(PlanVersion.objects.filter(project_id__in=list(project_ids))))
    for project_id, milestones in rows:
        if project_id not in out:
            out[project_id] = PlanVersion.pause_facts(milestones)
    return out


def _latest_versions(versions):
    """(project id, milestones) of these versions, each project's latest first (the only one on
    PostgreSQL)."""
    if connection.vendor == "postgresql":
        versions = versions.order_by("project_id", "-number").distinct("project_id")
    else:
        versions = versions.order_by("-number")
    return versions.values_list("project_id", "milestones")


_LATEST_VERSIONS = prepared.Statement(
    lambda campaign_id: _latest_versions(PlanVersion.objects.filter(project__campaign_id=campaign_id)),
    campaign_id=int)
