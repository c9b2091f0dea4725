"""Derived figures kept in Django's cache until a write that changes them commits.

An entry is stored with the *generations* it was computed under and used only while they are
current: a counter per campaign (bumped by any write to the campaign, its projects and what hangs
off them), a global one (bumped when a person's or a unit's name changes, which every page shows,
and when a campaign is saved, which changes who sees which campaigns), one per project (its row,
team and campaign: what access to its page is decided from) and one per user (campaign.viewer). The
entry and its generations are read in one round trip. A bump drops the generation keys (the next
reader starts a fresh one); it happens at once and again on commit, so a reader never keeps figures
older than the last committed write: the generations are read before the figures are computed, and
a page computed between the two bumps is stored under the first one and dropped by the second.
Writes through model ``save()``/``delete()`` (services, admin) bump through the signals below;
queryset ``update()``s that change figures call ``bump_campaigns`` themselves (the scan's lights).
Entries also expire after ENTRY_SECONDS (what access is decided from: PROJECT_SECONDS), a net under
anything else that writes around the models.

The cache is a help, never a need: when Redis cannot be reached the pages are computed from the
database and a write still commits (its bump is logged as lost; the entries it should have
dropped expire within ENTRY_SECONDS).

Only a cache that every process shares (Redis, REDIS_URL) is used. A worker's in-process cache
would not hear of a report saved through another worker or of the Celery scan, so without Redis
nothing is cached and every page reads the database.

What is cached here is the same for every reader of the campaign (access is checked before, per
request, and what depends on the user — write buttons, draft notices, the menu — is never cached
under a key another user reads).
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
    # A generation key that is missing is created by its next reader with a fresh value
    # (fill_generations), so dropping the keys is a bump: one round trip however many there
    # are (the scan notifies thousands of leaders at once).
    try:
        cache.delete_many(keys)
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
    created: a key never read yet, dropped by a bump or evicted starts at a fresh value (a new
    generation)."""
    for key in keys:
        if found.get(key) is None:
            cache.add(key, time.time_ns(), None)
            found[key] = cache.get(key)
    return found


def campaign_cached(campaign, name: str, compute: Callable[[], object], *parts) -> object:
    """compute(), or what it returned for the same campaign generation, name, parts and language."""
    # created_at tells apart two campaigns that had the same id (a re-created database).
    key = ":".join(["gj:fig", str(campaign.pk), str(campaign.created_at.timestamp()), name,
                    translation.get_language() or "", *map(str, parts)])
    return _cached(name, compute, key, [GLOBAL_KEY, _campaign_key(campaign.pk)], ENTRY_SECONDS)


def global_cached(name: str, compute: Callable[[], object], *parts) -> object:
    """compute(), or what it returned for the same global generation (bumped when a unit or a
    person's profile changes), name and parts: for what every campaign's pages share."""
    key = ":".join(["gj:global", name, *map(str, parts)])
    return _cached(name, compute, key, [GLOBAL_KEY], ENTRY_SECONDS)


def project_cached(project_id: int, compute: Callable[[], object]) -> object:
    """compute() — what a project page needs to decide access: the project's row, its campaign's
    and its team — or what it returned under the project's current generation, which a write to
    the project, its team or its campaign bumps (signals below)."""
    return _cached("project", compute, f"gj:project:{project_id}", [_project_key(project_id)],
                   PROJECT_SECONDS)


def _cached(name: str, compute: Callable[[], object], key: str, generation_keys: list[str],
            seconds: int):
    """The value stored under key if it was computed under the current generations, else
    compute() stored there with them: one round trip (the entry and its generations together)
    on a hit. The generations are read before compute() reads the database, so a write that
    commits meanwhile (and bumps them again on commit) leaves an entry nobody uses. The database
    answers whenever the cache does not."""
    if not enabled():
        return compute()
    try:
        found = fill_generations(cache.get_many([key, *generation_keys]), generation_keys)
    except UNREACHABLE as exc:
        log.warning("cache unreachable, computing name=%s error=%s", name, exc)
        return compute()
    generations = tuple(found[k] for k in generation_keys)
    entry = found.get(key)
    if entry is not None and entry[0] == generations:
        return entry[1]
    value = compute()
    try:
        cache.set(key, (generations, value), seconds)
    except UNREACHABLE as exc:
        log.warning("cache unreachable, not stored name=%s error=%s", name, exc)
    return value


# --- Invalidation through the models' signals -------------------------------------------------

def campaign_of(instance) -> int | None:
    """The campaign a saved or deleted row belongs to. Both this module's signals and the scan's
    watermark (supervision.scanstate) ask on every save; a row that needs a query to tell keeps
    the answer, so the query is made once."""
    from campaign.models import Campaign

    if isinstance(instance, Campaign):
        return instance.pk
    if hasattr(instance, "campaign_id"):  # a project, meeting or notice
        return instance.campaign_id
    # Kept with the foreign key it was found from: a row moved to another project asks again.
    via = getattr(instance, "check_record_id", None) or instance.project_id
    known = getattr(instance, "_gongjian_campaign_of", None)
    if known is None or known[0] != via:
        known = instance._gongjian_campaign_of = (via, _campaign_by_project(instance))
    return known[1]


def _campaign_by_project(instance) -> int | None:
    from projects.models import Hazard, Project

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
        from campaign.models import Campaign

        bump_campaigns([campaign_of(instance)])
        _projects_changed(instance)
        if isinstance(instance, Campaign):  # the lists of visible campaigns (access)
            bump_all()


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
