"""Writes of the site's own pages: wall links (web.models.WallLink), each in a transaction."""

import datetime
import secrets

from django.db import transaction
from django.utils import timezone

from .models import WallLink, token_hash

#: A wall screen that has been used within this long is not counted again (one write a period).
LAST_USED_GRANULARITY = datetime.timedelta(minutes=10)


@transaction.atomic
def create_wall_link(campaign, user, *, label: str) -> tuple[WallLink, str]:
    """A new wall link and its token (returned once: only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    link = WallLink.objects.create(campaign=campaign, label=label, token_hash=token_hash(token),
                                   created_by=user)
    return link, token


@transaction.atomic
def revoke_wall_link(link: WallLink, user) -> bool:
    """Revoke a link (a conditional update: revoking twice changes nothing). True if it did."""
    return WallLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()) == 1


def link_of(token: str) -> WallLink | None:
    """The link of this token, with its campaign, revoked or not (revoked_at says); None for an
    unknown one."""
    if not token or len(token) > 100:
        return None
    return WallLink.objects.select_related("campaign").filter(token_hash=token_hash(token)).first()


def note_use(link: WallLink) -> None:
    """When the screen last loaded the wall, at most one write per LAST_USED_GRANULARITY."""
    now = timezone.now()
    if link.last_used_at is None or now - link.last_used_at > LAST_USED_GRANULARITY:
        WallLink.objects.filter(pk=link.pk).update(last_used_at=now)
