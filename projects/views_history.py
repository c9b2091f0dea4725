"""The change history of a project page: its own records and those of its milestones, team,
obstacles, hazards and action items (django-simple-history), newest first.

One query per tracked model (six), each capped, whatever the length of the history; what changed
is worked out in Python between consecutive records of the same object.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from campaign.people import name_of

from .models import ActionItem, Assignment, Hazard, Milestone, Obstacle, Project

#: Newest records read per model; the page shows the newest HISTORY_SHOWN of all of them.
HISTORY_PER_MODEL = 60
HISTORY_SHOWN = 40
ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
SKIPPED = {"id", "history_id", "history_date", "history_change_reason", "history_type",
           "history_user", "project", "check_record", "meeting"}


@dataclass
class Change:
    when: object
    who: str
    model: str
    subject: str
    action: str
    fields: list[str] = field(default_factory=list)


def _label(record, model) -> str:
    if model is Assignment:
        return name_of(record.user) if record.user_id else ""
    if model is Project:
        return record.name
    text = getattr(record, "title", None) or getattr(record, "name", None) or record.description
    return text[:40]


def _who(record) -> str:
    return name_of(record.history_user, str(_("system")))


def project_history(project, check_ids) -> list[Change]:
    sources = [
        (Project, Project.history.filter(id=project.pk)),
        (Milestone, Milestone.history.filter(project_id=project.pk)),
        (Assignment, Assignment.history.filter(project_id=project.pk).select_related("user__profile")),
        (Obstacle, Obstacle.history.filter(project_id=project.pk)),
        (Hazard, Hazard.history.filter(check_record_id__in=list(check_ids) or [0])),
        (ActionItem, ActionItem.history.filter(project_id=project.pk)),
    ]
    changes = []
    for model, qs in sources:
        records = list(qs.select_related("history_user__profile")
                       .order_by("-history_date", "-history_id")[:HISTORY_PER_MODEL])
        fields = [f for f in qs.model._meta.concrete_fields if f.name not in SKIPPED]
        newer_of: dict[int, object] = {}
        # Newest first: each record is the "before" of the newer one seen just before it.
        for record in records:
            newer = newer_of.get(record.id)
            if newer is not None and newer.history_type == "~":
                newer._changed = [str(f.verbose_name) for f in fields
                                  if getattr(newer, f.attname) != getattr(record, f.attname)]
            newer_of[record.id] = record
        for record in records:
            changes.append(Change(
                when=record.history_date, who=_who(record), model=str(model._meta.verbose_name),
                subject=_label(record, model), action=str(ACTIONS.get(record.history_type, "")),
                fields=getattr(record, "_changed", []),
            ))
    changes.sort(key=lambda c: c.when, reverse=True)
    return changes[:HISTORY_SHOWN]
