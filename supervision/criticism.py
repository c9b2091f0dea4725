"""Notices of criticism (通报批评): drafted by the escalation of an overdue notice
(supervision/notices.py) or by hand, confirmed by the supervision group, then listed in the next
bulletin that is generated."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import day_end
from core.links import path_to

from . import notify
from .models import Bulletin, Criticism


@transaction.atomic
def draft_criticism(project, *, person, reason: str) -> Criticism:
    """A draft criticism of a person (by default the project's leader) on a project."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the criticism.")})
    if person.pk != project.leader_id and not project.assignments.filter(user=person).exists():
        # A bulletin names the person against the project: only its leader or team can be meant.
        raise ValidationError({"person": _("This person is neither the leader nor on the team of "
                                           "the project.")})
    return Criticism.objects.create(campaign_id=project.campaign_id, project=project,
                                    person=person, reason=reason)


@transaction.atomic
def confirm_criticism(criticism: Criticism, actor) -> Criticism:
    """Confirm a draft; a confirmed criticism goes into the next bulletin, and the person named
    is told now (not first by the published bulletin). Confirming twice is a no-op, so a double
    click does not move the date nor tell them twice."""
    now = timezone.now()
    won = Criticism.objects.filter(pk=criticism.pk, status=Criticism.Status.DRAFT).update(
        status=Criticism.Status.CONFIRMED, confirmed_at=now, confirmed_by=actor)
    criticism.refresh_from_db(fields=["status", "confirmed_at", "confirmed_by"])
    if won:
        project = criticism.project
        notify.notify([criticism.person_id], kind="criticism_confirmed",
                      title=_("Notice of criticism on %(project)s: it will be in the next "
                              "bulletin") % {"project": f"{project.code} {project.name}"},
                      body=criticism.reason, url=path_to("project_detail", project.pk),
                      campaign=criticism.campaign_id, dedupe_key=f"criticism:{criticism.pk}")
    return criticism


@transaction.atomic
def withdraw_criticism(criticism: Criticism, actor=None) -> Criticism:
    """Withdraw a draft (an escalation may draft a criticism the group decides not to publish).
    It stays on the record, marked withdrawn with who and when, and is never in a bulletin."""
    won = Criticism.objects.filter(pk=criticism.pk, status=Criticism.Status.DRAFT).update(
        status=Criticism.Status.WITHDRAWN, withdrawn_at=timezone.now(), withdrawn_by=actor)
    if not won:
        raise ValidationError(_("Only a draft can be withdrawn."))
    criticism.refresh_from_db(fields=["status", "withdrawn_at", "withdrawn_by"])
    return criticism


def in_published_bulletin():
    return Exists(Bulletin.criticisms.through.objects.filter(
        criticism_id=OuterRef("pk"), bulletin__status=Bulletin.Status.PUBLISHED))


def awaiting_bulletin(campaign, until):
    """Confirmed criticism not yet in a published bulletin, confirmed before the end of `until`."""
    end = day_end(until)
    return (Criticism.objects.filter(campaign=campaign, status=Criticism.Status.CONFIRMED,
                                     confirmed_at__lte=end)
            .exclude(in_published_bulletin())
            .select_related("project", "person__profile", "notice")
            .order_by("confirmed_at", "pk"))
