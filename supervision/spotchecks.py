"""Spot checks (检查, 抽查): scheduled inspections and random draws that anyone can redraw.

A random spot check stores its seed, its sample size and whether red projects were weighted. The
draw is a pure function of those and of its candidates: the campaign's projects (a hundred-day
campaign has a fixed list) and, for the weighting, the projects that had a red flag open at the
moment of the draw — read from the flags' history, so a later change of lights does not change a
redraw.
"""

from __future__ import annotations

import datetime
import random
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import pagecache
from core.dates import local_date
from projects import photos as photo_copies
from projects.models import Project

from . import notices
from .models import Finding, FindingPhoto, Flag, Severity, SpotCheck

#: A project in red is this many times as likely to be drawn as another, when weighting is on.
RED_WEIGHT = 3
#: Seeds are stored in a signed 64-bit column; drawn ones stay well inside it.
MAX_SEED = 2**53 - 1


@dataclass(frozen=True)
class Candidate:
    pk: int
    red: bool = False


def draw_sample(projects: Iterable, k: int, seed: int, weight_red: bool) -> list:
    """k of the projects, drawn without replacement by random.Random(seed).

    Candidates are ordered by pk first, so the input order does not matter. With weight_red a
    candidate whose `red` attribute is true weighs RED_WEIGHT, the others 1. Returns the drawn
    candidates in the order they were drawn; all of them when k is at least their number.
    """
    pool = sorted(projects, key=lambda p: p.pk)
    if k <= 0:
        return []
    rng = random.Random(seed)  # nosec B311  # a redrawable seeded draw
    if not weight_red:
        return rng.sample(pool, min(k, len(pool)))
    weights = [RED_WEIGHT if getattr(p, "red", False) else 1 for p in pool]
    drawn = []
    while pool and len(drawn) < k:
        point = rng.random() * sum(weights)
        index = len(pool) - 1
        for i, weight in enumerate(weights):
            if point < weight:
                index = i
                break
            point -= weight
        drawn.append(pool.pop(index))
        weights.pop(index)
    return drawn


def new_seed() -> int:
    return secrets.randbelow(MAX_SEED) + 1


def candidates(campaign, at: datetime.datetime) -> list[Candidate]:
    """The campaign's projects, each marked red when a red flag of it was open at `at`."""
    red_ids = set(
        Flag.objects.filter(project__campaign=campaign, severity=Severity.RED, opened_at__lte=at)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gt=at))
        .values_list("project_id", flat=True)
    )
    ids = Project.objects.filter(campaign=campaign).values_list("pk", flat=True)
    return [Candidate(pk, pk in red_ids) for pk in ids]


def redraw(spot_check: SpotCheck) -> list[int]:
    """The project ids a redraw of a random spot check gives, in draw order."""
    if spot_check.kind != SpotCheck.Kind.RANDOM:
        return []
    pool = candidates(spot_check.campaign, spot_check.created_at)
    return [c.pk for c in draw_sample(pool, spot_check.sample_size, spot_check.seed,
                                      spot_check.weight_red)]


def _within_campaign(campaign, day: datetime.date, field: str, message) -> None:
    if not campaign.start_date <= day <= campaign.end_date:
        raise ValidationError({field: message % {"start": campaign.start_date.isoformat(),
                                                 "end": campaign.end_date.isoformat()}})


def check_planned_on(campaign, planned_on: datetime.date) -> None:
    """A check is planned within the campaign: its findings' deadlines must be (check_rectify_by),
    and a check dated outside it could take none."""
    _within_campaign(campaign, planned_on, "planned_on", _(
        "The check must be within the campaign (%(start)s to %(end)s)."))


def _check_projects(campaign, projects: Sequence[Project]) -> None:
    if any(p.campaign_id != campaign.pk for p in projects):
        raise ValidationError({"projects": _("Every project must be in the campaign.")})


@transaction.atomic
def plan_inspection(campaign, *, title: str, planned_on: datetime.date, projects: Sequence[Project],
                    created_by) -> SpotCheck:
    """A scheduled inspection (定期检查) of the chosen projects."""
    projects = list(projects)
    if not projects:
        raise ValidationError({"projects": _("Choose at least one project to inspect.")})
    check_planned_on(campaign, planned_on)
    _check_projects(campaign, projects)
    check = SpotCheck.objects.create(campaign=campaign, kind=SpotCheck.Kind.SCHEDULED, title=title,
                                     planned_on=planned_on, created_by=created_by)
    check.projects.set(projects)
    return check


@transaction.atomic
def draw_spot_check(campaign, *, title: str, planned_on: datetime.date, sample_size: int,
                    weight_red: bool = False, seed: int | None = None, created_by=None,
                    now: datetime.datetime | None = None) -> SpotCheck:
    """A random spot check (不定期抽查): sample_size projects drawn with the stored seed."""
    now = now or timezone.now()
    pool = candidates(campaign, now)
    check_planned_on(campaign, planned_on)
    if sample_size < 1:
        raise ValidationError({"sample_size": _("Draw at least one project.")})
    if sample_size > len(pool):
        raise ValidationError({"sample_size": _(
            "The campaign has only %(count)s projects.") % {"count": len(pool)}})
    seed = new_seed() if seed is None else seed
    check = SpotCheck.objects.create(
        campaign=campaign, kind=SpotCheck.Kind.RANDOM, title=title, planned_on=planned_on,
        seed=seed, sample_size=sample_size, weight_red=weight_red, created_by=created_by,
        created_at=now,
    )
    check.projects.set([c.pk for c in draw_sample(pool, sample_size, seed, weight_red)])
    return check


def check_rectify_by(spot_check: SpotCheck, rectify_by: datetime.date | None) -> None:
    """A finding's deadline (整改时限) lies within the campaign and not before the check."""
    if rectify_by is None:
        raise ValidationError({"rectify_by": _("Give the rectification deadline.")})
    if rectify_by < spot_check.planned_on:
        raise ValidationError({"rectify_by": _(
            "The deadline cannot be before the spot check (%(day)s).") % {
                "day": spot_check.planned_on.isoformat()}})
    _within_campaign(spot_check.campaign, rectify_by, "rectify_by", _(
        "The deadline must be within the campaign (%(start)s to %(end)s)."))


@transaction.atomic
def record_finding(spot_check: SpotCheck, project: Project, description: str, recorded_by,
                   rectify_by: datetime.date | None = None, photos=()) -> Finding:
    """A finding on one of the spot check's projects, with photos of it, to be rectified by its
    deadline."""
    if not spot_check.projects.filter(pk=project.pk).exists():
        raise ValidationError({"project": _("The project is not part of this check.")})
    if not description.strip():
        raise ValidationError({"description": _("Describe what was found.")})
    check_rectify_by(spot_check, rectify_by)
    finding = Finding.objects.create(spot_check=spot_check, project=project,
                                     description=description, recorded_by=recorded_by,
                                     rectify_by=rectify_by)
    photo_copies.store(FindingPhoto, photos, finding=finding,
                       since=photo_copies.period_start(spot_check.campaign, local_date()))
    pagecache.bump_campaigns([spot_check.campaign_id])
    return finding


@transaction.atomic
def mark_finding_rectified(finding: Finding, actor) -> Finding:
    """The supervision group confirms a finding rectified (today); once — the row is locked and
    read again, so a second click changes nothing."""
    locked = Finding.objects.select_for_update().get(pk=finding.pk)
    if locked.rectified_on is not None:
        raise ValidationError(_("This finding is already rectified."))
    locked.rectified_on = local_date()
    locked.save(update_fields=["rectified_on"])
    pagecache.bump_campaigns([finding.spot_check.campaign_id])
    finding.rectified_on = locked.rectified_on
    return finding


@transaction.atomic
def finding_to_notice(finding: Finding, actor, *, required_action: str):
    """Turn a finding into a draft supervision notice to the project's leader (once)."""
    locked = Finding.objects.select_for_update().select_related("project", "spot_check").get(
        pk=finding.pk)
    if locked.notice_id is not None:
        raise ValidationError(_("This finding already has a notice."))
    reason = _("Found on %(check)s (%(date)s): %(finding)s") % {
        "check": locked.spot_check.title, "date": locked.spot_check.planned_on,
        "finding": locked.description}
    notice = notices.create_draft_notice(locked.project, (), reason=reason,
                                         required_action=required_action, created_by=actor)
    locked.notice = notice
    locked.save(update_fields=["notice"])
    finding.notice = notice
    return notice


@transaction.atomic
def mark_done(spot_check: SpotCheck) -> SpotCheck:
    SpotCheck.objects.filter(pk=spot_check.pk).update(status=SpotCheck.Status.DONE)
    spot_check.status = SpotCheck.Status.DONE
    return spot_check
