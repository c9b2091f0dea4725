"""Figures kept in the shared cache under one version per campaign.

A cached entry is stored with the versions it was computed under — its campaign's and a global
one — and is used only while both are current. The writers say when figures change, explicitly:
the services and the scan call ``bump_campaigns`` for what they wrote, and a change to what every
page shows (a person's name, a unit, who sees which campaign) calls ``bump_everything``. A bump
drops the version keys at once and again when the transaction commits; the next reader starts a
fresh version.
Because the versions are read before the figures are computed, a page computed while a write
commits is stored under the old version and never used. Entries also expire after ENTRY_SECONDS,
the net under anything that writes around the services (raw SQL, a shell).

The cache is a help, never a need: it is django-redis with IGNORE_EXCEPTIONS (settings), so when
Redis cannot be reached every read misses, nothing is stored, and the pages come from the
database. Only a cache every process shares is used: an in-process cache would not hear of a
write made by another worker or by the Celery scan, so with it nothing is cached at all.

What a campaign entry holds is the same for every reader of the campaign: access is checked
before, on every request, from the reader's own state and the facts a page decides access from.
A project entry (project_cached: the project, its campaign and team, from which the project page
decides access) is kept under the version of the campaign the project is in; writing a project's
campaign or team bumps it (the services, and Project, Assignment and Campaign save and delete for
the admin and scripts). A user entry (user_cached: the roles, unit scope and unread count the
header and the access rules read) is only ever read back for its own user, under a version per
user that the notifications, the notification pages and the setup of people bump.
A page entry (page_cached: the whole HTML of a signed-in page, its CSRF tokens left out) is kept
per reader under all three — the global version, its campaign's and the reader's — so a second
look at the dashboard or a project page renders nothing; the body inside it is the campaign
entry every reader with the same rights shares.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

ENTRY_SECONDS = 15 * 60
EVERYTHING = "v:all"
#: Backends whose storage lives in one process: with them nothing is cached (see above).
PROCESS_LOCAL = ("django.core.cache.backends.locmem.LocMemCache",
                 "django.core.cache.backends.dummy.DummyCache")


def enabled() -> bool:
    return settings.CACHES["default"]["BACKEND"] not in PROCESS_LOCAL


def _campaign_version_key(campaign_id: int) -> str:
    return f"v:campaign:{campaign_id}"


def _drop_on_commit(keys: list[str]) -> None:
    # At once (this transaction's own later reads, and a test's) and again on commit: a page
    # computed in between from the data before the commit is stored under a version the second
    # drop makes stale.
    if enabled() and keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def bump_campaigns(campaign_ids: Iterable[int | None]) -> None:
    """The figures of these campaigns change with the current transaction."""
    _drop_on_commit(sorted({_campaign_version_key(pk) for pk in campaign_ids if pk is not None}))


def bump_everything() -> None:
    """What every campaign's pages show changes with the current transaction."""
    _drop_on_commit([EVERYTHING])


def _user_version_key(user_id: int) -> str:
    return f"v:user:{user_id}"


def bump_users(user_ids: Iterable[int | None]) -> None:
    """What the header shows of these users (their roles, unit, unread count) changes with the
    current transaction: their notifications, groups or profile."""
    _drop_on_commit(sorted({_user_version_key(pk) for pk in user_ids if pk is not None}))


def user_cached(user_id: int, name: str, compute: Callable[[], object]) -> object:
    """compute(), or what it returned for this user under their version and the global one.
    Only ever read back for the same user id."""
    return _cached(compute, _key("user", user_id, name), [EVERYTHING, _user_version_key(user_id)])


def campaign_cached(campaign_id: int, name: str, compute: Callable[[], object], *parts) -> object:
    """compute(), or what it returned for the same campaign version, name, parts and language."""
    return _cached(compute, _key("fig", campaign_id, name, *parts),
                   [EVERYTHING, _campaign_version_key(campaign_id)])


def project_cached(project_id: int, compute: Callable[[], tuple[int, object] | None],
                   likely_campaigns: Iterable[int] = ()) -> object:
    """compute() returns (the project's campaign id, a value), or None when there is no such
    project; this is its value (or None), or what it returned under the same versions: the
    global one and the version of the campaign the project was in. One round trip on a hit when
    its campaign is among likely_campaigns (their versions are read with the entry: the reader's
    own campaigns), else two (the entry, then its campaign's version); on a miss compute() runs
    twice, once to learn the campaign whose version to read before the value that is stored is
    computed."""
    if not enabled():
        found = compute()
        return None if found is None else found[1]
    key = _key("project", project_id)
    found = cache.get_many([key, EVERYTHING, *map(_campaign_version_key, likely_campaigns)])
    entry = found.get(key)
    if entry is not None:
        campaign_id, versions, value = entry
        if _versions([EVERYTHING, _campaign_version_key(campaign_id)], found) == versions:
            return value
    located = compute()
    if located is None:
        return None
    versions = _versions([EVERYTHING, _campaign_version_key(located[0])], found)
    if versions is None:  # the cache cannot be reached: the database answers
        return located[1]
    computed = compute()
    if computed is None:
        return None
    if computed[0] == located[0]:  # not moved to another campaign in between
        cache.set(key, (computed[0], versions, computed[1]), ENTRY_SECONDS)
    return computed[1]


#: What a kept page holds where its CSRF tokens were: each answer puts the reader's own token in.
CSRF_MARK = "gj-csrf-token-of-this-request"


def page_cached(request, campaign_id: int, name: str,
                render: Callable[[dict], HttpResponse], *parts) -> HttpResponse:
    """The whole page for this reader: render(extra_context) on a miss, kept under the global
    version, the campaign's and the reader's own (what the header shows of them), for this
    address, language and parts; on a hit nothing is rendered. One round trip on a hit.

    Only for a GET page whose content is decided by those: its access is checked before, for
    every request. The page's CSRF tokens are kept as CSRF_MARK and each answer puts the
    request's own token in; a page with messages to show, or a form typed before signing in to
    fill in again, is rendered and not kept (they are shown once). Only a 200 is kept; render
    must return a page, not a stream."""
    if not enabled() or request.method != "GET" or len(get_messages(request)) \
            or getattr(request, "restored_form", None):  # a form to fill in again, once
        return render({})
    user_id = request.user.pk
    address = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    rendered = []

    def compute():
        rendered.append(render({"csrf_token": CSRF_MARK}))
        return rendered[0].content.decode() if rendered[0].status_code == 200 else None

    content = _cached(compute, _key("page", user_id, name, campaign_id, address, *parts),
                      [EVERYTHING, _campaign_version_key(campaign_id), _user_version_key(user_id)])
    if not rendered:  # kept: nothing rendered
        return HttpResponse(content.replace(CSRF_MARK, get_token(request)))
    response = rendered[0]  # rendered now (kept if a 200)
    response.content = response.content.decode().replace(CSRF_MARK, get_token(request))
    return response


def global_cached(name: str, compute: Callable[[], object], *parts) -> object:
    """compute(), or what it returned under the same global version, name and parts."""
    return _cached(compute, _key("all", name, *parts), [EVERYTHING])


def _key(*parts) -> str:
    return ":".join([*map(str, parts), translation.get_language() or ""])


def _cached(compute: Callable[[], object], key: str, version_keys: list[str]) -> object:
    """The entry under key if it was computed under the current versions, else compute() stored
    there with them. One round trip on a hit (the entry and its versions together)."""
    if not enabled():
        return compute()
    found = cache.get_many([key, *version_keys])
    versions = _versions(version_keys, found)
    if versions is None:  # the cache cannot be reached: the database answers
        return compute()
    entry = found.get(key)
    if entry is not None and entry[0] == versions:
        return entry[1]
    value = compute()
    if value is not None:  # None is not kept: computed again next time
        cache.set(key, (versions, value), ENTRY_SECONDS)
    return value


def _versions(version_keys: list[str], found: dict) -> list | None:
    """The current value of each version key (from found, else read, else started afresh);
    None when the cache cannot be reached."""
    versions = []
    for version_key in version_keys:
        version = found.get(version_key)
        if version is None:
            version = cache.get(version_key)
        if version is None:  # never read yet, bumped or evicted: a fresh version
            cache.add(version_key, time.time_ns(), None)
            version = cache.get(version_key)
        if version is None:
            return None
        versions.append(version)
    return versions
