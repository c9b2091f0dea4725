"""Who may see and write what. One place, called by every view and queryset.

- Everyone works inside the campaigns of their own town: a campaign is visible when its unit is
  the user's unit, above it (a village cadre sees the town's campaign) or below it (an observer of
  the city sees every town's campaign). A user of another town sees nothing of ours.
- Writing to a project needs being its leader, on its team, or town_admin (DESIGN.md).
- Observers only read. Supervisors and town_admin run the supervision work.

A refused read is a 404 (the object's existence is not revealed); a refused write a 403.
Both are logged.
"""

import hashlib
import logging

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from .models import Campaign, Role, Unit

log = logging.getLogger("gongjian.access")


def roles_of(user) -> set[str]:
    """The role code names of a user, cached on the user object for the request."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_gongjian_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached.add(Role.TOWN_ADMIN.value)
        user._gongjian_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & {str(r) for r in roles})


def is_town_admin(user) -> bool:
    return has_role(user, Role.TOWN_ADMIN)


def is_supervisor(user) -> bool:
    """The supervision group's powers: supervisors and the campaign office."""
    return has_role(user, Role.SUPERVISOR, Role.TOWN_ADMIN)


def visible_unit_ids(user) -> set[int] | None:
    """Units whose campaigns the user may read; None means every unit (superuser)."""
    if user.is_superuser:
        return None
    cached = getattr(user, "_gongjian_units", None)
    if cached is not None:
        return cached
    profile = getattr(user, "profile", None)
    ids: set[int] = set()
    if profile is not None and profile.unit_id:
        ids = unit_scope(profile.unit_id)
    user._gongjian_units = ids
    return ids


def unit_scope(unit_id: int) -> set[int]:
    """A unit, the units below it and the units above it: whose campaigns its people read.
    Shared through the cache until any unit or profile changes (a few queries otherwise)."""
    from . import cache

    def compute():
        unit = Unit.objects.get(pk=unit_id)
        return unit.descendant_ids() | {u.pk for u in unit.ancestors()}

    return set(cache.global_cached("unit_scope", compute, unit_id))


def visible_campaigns(user):
    if not user.is_authenticated:
        return Campaign.objects.none()
    ids = visible_unit_ids(user)
    qs = Campaign.objects.all()
    return qs if ids is None else qs.filter(unit_id__in=ids)


def visible_campaign_list(user) -> list[Campaign]:
    """visible_campaigns with their units, latest first. Shared through the cache by everyone
    with the same unit scope until a campaign, a unit or a profile changes (each bumps the
    global generation); one query otherwise."""
    from . import cache

    if not user.is_authenticated:
        return []
    ids = visible_unit_ids(user)
    scope = "all" if ids is None else hashlib.sha256(
        ",".join(map(str, sorted(ids))).encode()).hexdigest()[:32]
    return cache.global_cached("campaigns", lambda: list(
        visible_campaigns(user).select_related("unit").order_by("-start_date", "pk")), scope)


def may_read_campaign(user, campaign) -> bool:
    """The rule of visible_campaigns for one campaign already read (no query)."""
    if not user.is_authenticated:
        return False
    ids = visible_unit_ids(user)
    return ids is None or campaign.unit_id in ids


def visible_projects(user, queryset=None):
    """Projects the user may read."""
    from projects.models import Project

    qs = Project.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return qs.none()
    ids = visible_unit_ids(user)
    return qs if ids is None else qs.filter(campaign__unit_id__in=ids)


def can_write_project(user, project) -> bool:
    """Being its leader, on its team, or town_admin (within a visible campaign)."""
    if not user.is_authenticated:
        return False
    return visible_projects(user).filter(pk=project.pk).exists() and _may_write(user, project)


def _may_write(user, project) -> bool:
    """The write rule alone, for a project already known to be visible to the user."""
    if is_town_admin(user) or project.leader_id == user.pk:
        return True
    return project.assignments.filter(user=user).exists()


def writable_projects_q(user) -> Q:
    """A filter for the projects the user may write to (leader or team), town_admin aside."""
    return Q(leader=user) | Q(assignments__user=user)


def get_project_for_read(user, pk, queryset=None):
    """The project, or 404 when it does not exist or the user may not see it."""
    from projects.models import Project

    qs = visible_projects(user, queryset if queryset is not None else Project.objects.all())
    try:
        return qs.get(pk=pk)
    except Project.DoesNotExist:
        log.warning("refused read user=%s project=%s", user.pk, pk)
        raise Http404 from None


def get_project_for_write(user, pk, queryset=None):
    """The project, 404 when the user may not see it, 403 when they may see but not write."""
    project = get_project_for_read(user, pk, queryset)
    if not _may_write(user, project):
        log.warning("refused write user=%s project=%s", user.pk, pk)
        raise PermissionDenied
    return project


def require_supervisor(user):
    if not is_supervisor(user):
        log.warning("refused supervision user=%s", user.pk)
        raise PermissionDenied


