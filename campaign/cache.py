"""Derived figures kept in Django's cache until a write that changes them commits.

An entry is keyed by its campaign's *generation*: a counter per campaign (bumped by any write to
the campaign, its projects and what hangs off them) and a global one (bumped when a person's or a
unit's name changes, which every page shows). A bump happens at once and again on commit, so a
reader never keeps figures older than the last committed write: a page computed between the two
is stored under the first bump's generation and dropped by the second. Writes through model
``save()``/``delete()`` (services, admin) bump through the signals below; queryset ``update()``s
that change figures call ``bump_campaigns`` themselves (the scan's lights). Entries also expire
after ENTRY_SECONDS, a net under anything else that writes around the models.

The cache is a help, never a need: when Redis cannot be reached the pages are computed from the
database and a write still commits (its bump is logged as lost; the entries it should have
dropped expire within ENTRY_SECONDS).

Only a cache that every process shares (Redis, REDIS_URL) is used. A worker's in-process cache
would not hear of a report saved through another worker or of the Celery scan, so without Redis
nothing is cached and every page reads the database.

What is cached is the same for every reader of the campaign (access is checked before, per
request, and what depends on the user — write buttons, draft notices, the menu — is never cached).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import translation
from redis.exceptions import RedisError

log = logging.getLogger("gongjian.cache")
#: What a cache backend raises when its server is away.
UNREACHABLE = (RedisError, OSError)

ENTRY_SECONDS = 15 * 60
#: What access is decided from (project_cached) is kept a shorter time: the net under a lost bump.
PROJECT_SECONDS = 5 * 60
GLOBAL_KEY = "gj:gen:all"
#: Backends whose storage lives in one process; with them nothing is cached (see above).
PROCESS_LOCAL = ("django.core.cache.backends.locmem.LocMemCache",
                 "django.core.cache.backends.dummy.DummyCache")


def enabled() -> bool:
    return settings.CACHES["default"]["BACKEND"] not in PROCESS_LOCAL


def _campaign_key(campaign_id: int) -> str:
    return f"gj:gen:campaign:{campaign_id}"


def _project_key(project_id: int) -> str:
    return f"gj:gen:project:{project_id}"


def _bump_keys(keys: list[str]) -> None:
    try:
        for key in keys:
            try:
                cache.incr(key)
            except ValueError:  # never read yet, or evicted: any fresh value is a new generation
                cache.set(key, time.time_ns(), None)
    except UNREACHABLE as exc:
        log.error("cache bump lost keys=%s error=%s", ",".join(keys), exc)


def _bump(keys: list[str]) -> None:
    if not enabled() or not keys:
        return
    _bump_keys(keys)
    transaction.on_commit(lambda: _bump_keys(keys))


def bump_campaigns(campaign_ids: Iterable[int]) -> None:
    """Figures of these campaigns change with the current transaction."""
    _bump([_campaign_key(pk) for pk in set(campaign_ids) if pk is not None])


def bump_projects(project_ids: Iterable[int]) -> None:
    """The rows of these projects, their teams or their campaigns change (project_cached)."""
    _bump([_project_key(pk) for pk in set(project_ids) if pk is not None])


def bump_all() -> None:
    _bump([GLOBAL_KEY])


def user_generation_key(user_id: int) -> str:
    return f"gj:gen:user:{user_id}"


def bump_users(user_ids: Iterable[int]) -> None:
    """What the header shows of these users (campaign.viewer) changes with the transaction."""
    _bump([user_generation_key(pk) for pk in set(user_ids) if pk is not None])


def fill_generations(found: dict, keys: list[str]) -> dict:
    """found (from a get_many of these keys among others) with every missing generation key
    created: a key never read yet, or evicted, starts at a fresh value (a new generation)."""
    for key in keys:
        if found.get(key) is None:
            cache.add(key, time.time_ns(), None)
            found[key] = cache.get(key)
    return found


def _generation(campaign) -> str:
    keys = [GLOBAL_KEY, _campaign_key(campaign.pk)]
    found = fill_generations(cache.get_many(keys), keys)
    # created_at tells apart two campaigns that had the same id (a re-created database).
    return f"{found[GLOBAL_KEY]}.{found[keys[1]]}.{campaign.created_at.timestamp()}"


def campaign_cached(campaign, name: str, compute: Callable[[], object], *parts) -> object:
    """compute(), or what it returned for the same campaign generation, name, parts and language."""
    return _cached(name, compute, lambda: ["gj:fig", str(campaign.pk), _generation(campaign), name,
                                           translation.get_language() or "", *map(str, parts)])


def global_cached(name: str, compute: Callable[[], object], *parts) -> object:
    """compute(), or what it returned for the same global generation (bumped when a unit or a
    person's profile changes), name and parts: for what every campaign's pages share."""

    def key_parts():
        generation = cache.get(GLOBAL_KEY)
        if generation is None:
            cache.add(GLOBAL_KEY, time.time_ns(), None)
            generation = cache.get(GLOBAL_KEY)
        return ["gj:global", str(generation), name, *map(str, parts)]

    return _cached(name, compute, key_parts)


def project_cached(project_id: int, compute: Callable[[], object]) -> object:
    """compute() — what a project page needs to decide access: the project's row, its campaign's
    and its team — or what it returned under the project's current generation, which a write to
    the project, its team or its campaign bumps (signals below). One round trip on a hit; the
    database answers whenever the cache does not."""
    if not enabled():
        return compute()
    keys = [f"gj:project:{project_id}", _project_key(project_id)]
    try:
        found = fill_generations(cache.get_many(keys), keys[1:])
    except UNREACHABLE as exc:
        log.warning("cache unreachable, computing name=project error=%s", exc)
        return compute()
    entry = found.get(keys[0])
    if entry is not None and entry[0] == found[keys[1]]:
        return entry[1]
    value = compute()
    try:
        cache.set(keys[0], (found[keys[1]], value), PROJECT_SECONDS)
    except UNREACHABLE as exc:
        log.warning("cache unreachable, not stored name=project error=%s", exc)
    return value


def _cached(name: str, compute: Callable[[], object], key_parts: Callable[[], list[str]]):
    """The stored value under the key, else compute() stored there; the database answers
    whenever the cache does not."""
    if not enabled():
        return compute()
    try:
        key = ":".join(key_parts())
        value = cache.get(key)
    except UNREACHABLE as exc:
        log.warning("cache unreachable, computing name=%s error=%s", name, exc)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, ENTRY_SECONDS)
        except UNREACHABLE as exc:
            log.warning("cache unreachable, not stored name=%s error=%s", name, exc)
    return value


# --- Invalidation through the models' signals -------------------------------------------------

def _campaign_of(instance) -> int | None:
    from campaign.models import Campaign
    from projects.models import Hazard, Project

    if isinstance(instance, Campaign):
        return instance.pk
    if hasattr(instance, "campaign_id"):  # a project, meeting or notice
        return instance.campaign_id
    if isinstance(instance, Hazard):
        return Project.objects.filter(safety_checks__pk=instance.check_record_id).values_list(
            "campaign_id", flat=True).first()
    if instance.project_id is None:  # an action item of a meeting, not of a project
        return None
    if type(instance).project.is_cached(instance):
        return instance.project.campaign_id
    return Project.objects.filter(pk=instance.project_id).values_list(
        "campaign_id", flat=True).first()


def _campaign_changed(sender, instance, **kwargs):
    if enabled() and not kwargs.get("raw"):
        bump_campaigns([_campaign_of(instance)])
        _projects_changed(instance)


def _projects_changed(instance) -> None:
    """Bump the projects whose access facts (project_cached) this row is part of."""
    from campaign.models import Campaign
    from projects.models import Assignment, Project

    if isinstance(instance, Project):
        bump_projects([instance.pk])
    elif isinstance(instance, Assignment):
        bump_projects([instance.project_id])
    elif isinstance(instance, Campaign):  # its unit decides who reads its projects
        bump_projects(Project.objects.filter(campaign_id=instance.pk).values_list("pk", flat=True))


def _names_changed(sender, instance, **kwargs):
    if enabled() and not kwargs.get("raw"):
        bump_all()


def connect() -> None:
    """Hook the invalidation to every model whose rows the cached figures read."""
    from campaign.models import Campaign, Profile, Unit
    from projects.models import (
        ActionItem,
        Assignment,
        Hazard,
        Meeting,
        Milestone,
        Obstacle,
        ProgressReport,
        Project,
        SafetyCheck,
    )
    from supervision.models import Notice

    for model in (Campaign, Project, Milestone, ProgressReport, Assignment, Obstacle, SafetyCheck,
                  Hazard, Meeting, ActionItem, Notice):
        for signal in (post_save, post_delete):
            signal.connect(_campaign_changed, sender=model,
                           dispatch_uid=f"gj-cache-{model.__name__}-{signal is post_save}")
    for model in (Profile, Unit):
        for signal in (post_save, post_delete):
            signal.connect(_names_changed, sender=model,
                           dispatch_uid=f"gj-cache-{model.__name__}-{signal is post_save}")
