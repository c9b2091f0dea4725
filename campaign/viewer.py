"""The signed-in user of a request, read from the shared cache in one round trip.

Every signed-in page needs the user (the session is checked against their password hash), their
profile (the name in the header, their unit), their roles (the menu and the access rules), the
units whose campaigns they may read, and the bell's unread count: five queries. With Redis these
are one cache entry per user, holding the user as read from the database with the rest attached
(the attributes campaign.access and the bell read), and read together with the two generations
that validate it:

- the user's own generation, bumped at once and on commit of every write that changes what the
  entry holds: the user row (password, active flag, superuser, last login), their groups, their
  profile, a notification of theirs created, read or deleted (signals below, and the bulk writes
  of supervision.notify and the notification views);
- the global generation of campaign.cache, bumped when a unit or a profile changes (the unit
  scope) and here when a group is renamed or deleted.

An entry is used only under the generations it was computed after, so a write that commits while
an entry is being computed cannot leave it in place (the same argument as campaign.cache). The
entry is one user's own and is only ever read back for that user id; access is still decided on
every request, from it. Entries also expire after ENTRY_SECONDS, the net under a bump lost while
Redis was unreachable. Without a shared cache, or with Redis away, the user is read from the
database as Django's ModelBackend does (with the profile in the same query) and the rest is read
when first needed.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache as django_cache
from django.db.models.signals import m2m_changed, post_delete, post_save

from . import cache

log = logging.getLogger("gongjian.cache")

ENTRY_SECONDS = 5 * 60


def _entry_key(user_id: int) -> str:
    return f"gj:user:{user_id}"


def load(user_id: int):
    """The user with this id (any active flag) or None; with the shared cache, with their roles,
    unit scope and unread count attached."""
    if not cache.enabled():
        return _read(user_id)
    keys = [_entry_key(user_id), cache.user_generation_key(user_id), cache.GLOBAL_KEY]
    try:
        found = cache.fill_generations(django_cache.get_many(keys), keys[1:])
    except cache.UNREACHABLE as exc:
        log.warning("cache unreachable, user read from the database error=%s", exc)
        return _read(user_id)
    generations = (found[keys[1]], found[keys[2]])
    entry = found.get(keys[0])
    if entry is not None and entry["generations"] == generations:
        return entry["user"]
    user = _read(user_id)
    if user is None:
        return None
    _attach_everything(user)
    user._gongjian_generations = generations
    try:
        django_cache.set(keys[0], {"generations": generations, "user": user}, ENTRY_SECONDS)
    except cache.UNREACHABLE as exc:
        log.warning("cache unreachable, user not stored error=%s", exc)
    return user


def generations(user) -> tuple | None:
    """The generations the request's user was validated under, or None (no shared cache, or
    not read through load()). What the header shows of the user is a function of them."""
    return getattr(user, "_gongjian_generations", None)


def _read(user_id: int):
    try:
        return get_user_model()._default_manager.select_related("profile").get(pk=user_id)
    except get_user_model().DoesNotExist:
        return None


def _attach_everything(user) -> None:
    from supervision.models import Notification

    from . import access

    access.roles_of(user)
    access.visible_unit_ids(user)
    user._gongjian_unread = Notification.objects.filter(user=user, read_at__isnull=True).count()


def unread_count(user) -> int:
    """The bell's number: attached by load() with the shared cache, else one indexed COUNT."""
    unread = getattr(user, "_gongjian_unread", None)
    if unread is None:
        unread = user._gongjian_unread = user.notifications.filter(read_at__isnull=True).count()
    return unread


class CachedModelBackend(ModelBackend):
    """Django's ModelBackend (passwords, permissions), whose get_user — the session's user on
    every request — reads through load()."""

    def get_user(self, user_id):
        user = load(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


# --- Invalidation through the models' signals -------------------------------------------------

def _user_changed(sender, instance, **kwargs):
    if not kwargs.get("raw"):
        cache.bump_users([instance.pk])


def _owner_changed(sender, instance, **kwargs):
    if not kwargs.get("raw"):
        cache.bump_users([instance.user_id])


def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if not reverse:  # user.groups.add(…): this user's roles
        cache.bump_users([instance.pk])
    elif pk_set:  # group.user_set.add(…): these users'
        cache.bump_users(pk_set)
    else:  # group.user_set.clear(): its former members are not known any more
        cache.bump_all()


def _group_changed(sender, instance, **kwargs):
    if not kwargs.get("raw"):
        cache.bump_all()


def connect() -> None:
    from django.contrib.auth.models import Group

    from supervision.models import Notification

    from .models import Profile

    user_model = get_user_model()
    for signal in (post_save, post_delete):
        kind = "save" if signal is post_save else "delete"
        signal.connect(_user_changed, sender=user_model, dispatch_uid=f"gj-viewer-user-{kind}")
        signal.connect(_owner_changed, sender=Profile, dispatch_uid=f"gj-viewer-profile-{kind}")
        signal.connect(_owner_changed, sender=Notification,
                       dispatch_uid=f"gj-viewer-notification-{kind}")
        signal.connect(_group_changed, sender=Group, dispatch_uid=f"gj-viewer-group-{kind}")
    m2m_changed.connect(_groups_changed, sender=user_model.groups.through,
                        dispatch_uid="gj-viewer-groups")
