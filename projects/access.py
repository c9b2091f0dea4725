"""Who may read and write a project: the campaign's reading rule (campaign.access) applied to
projects, and the project's own writing rule — being its leader, on its team, or the campaign
office of the project's own town (campaign.access.may_administer: not a town office reading the
county's campaign).

A refused read is a 404 (the project's existence is not revealed); a refused write a 403. Both are
logged.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from campaign.access import may_administer, visible_unit_ids

from .models import Project

log = logging.getLogger("gongjian.access")


def visible_projects(user, queryset=None):
    """Projects the user may read."""
    qs = Project.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return qs.none()
    ids = visible_unit_ids(user)
    return qs if ids is None else qs.filter(campaign__unit_id__in=ids)


def can_write_project(user, project) -> bool:
    """Being its leader, on its team, or the office of its campaign's town (within a visible
    campaign)."""
    if not user.is_authenticated:
        return False
    return visible_projects(user).filter(pk=project.pk).exists() and _may_write(user, project)


def _may_write(user, project) -> bool:
    """The write rule alone, for a project already known to be visible to the user."""
    if project.leader_id == user.pk or may_administer(user, project.campaign):
        return True
    return project.assignments.filter(user=user).exists()


def writable_projects_q(user) -> Q:
    """A filter for the projects the user may write to (leader or team), town_admin aside."""
    return Q(leader=user) | Q(assignments__user=user)


def get_project_for_read(user, pk, queryset=None):
    """The project, or 404 when it does not exist or the user may not see it."""
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
