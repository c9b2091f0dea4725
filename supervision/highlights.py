"""Highlights (宣传): good practices, exemplary people and deeds, with a photo, for the bulletin."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from core.dates import day_end
from projects import photos as photo_copies
from projects.models import Highlight

from .models import Bulletin


@transaction.atomic
def create_highlight(campaign, *, kind: str, title: str, body: str, project=None,
                     person_name: str = "", photo=None, created_by=None) -> Highlight:
    if project is not None and project.campaign_id != campaign.pk:
        raise ValidationError({"project": _("The project must be in the campaign.")})
    if kind == Highlight.Kind.PERSON and not person_name.strip():
        raise ValidationError({"person_name": _("Name the exemplary person.")})
    highlight = Highlight(campaign=campaign, kind=kind, title=title, body=body, project=project,
                          person_name=person_name, created_by=created_by)
    if photo:
        # Published in bulletins that leave the town: kept as every photo is, upright and
        # without its metadata (a phone's GPS position, its camera), never as uploaded.
        prepared = photo_copies.prepare(photo)
        highlight.photo.save(prepared.original.name, prepared.original, save=False)
    highlight.save()
    return highlight


@transaction.atomic
def strip_photo(highlight_pk: int) -> bool:
    """A highlight's photo kept as uploaded (before create_highlight re-encoded it), re-encoded
    without its metadata; the old file, which kept the phone's GPS position, is deleted once this
    commits. False without a photo or with no metadata left (safe to run twice)."""
    locked = Highlight.objects.select_for_update().filter(pk=highlight_pk).first()
    if locked is None or not locked.photo:
        return False
    with locked.photo.open("rb") as handle:
        if not photo_copies.has_metadata(handle):
            return False
        prepared = photo_copies.prepare(handle)
    old_name, storage = locked.photo.name, locked.photo.storage
    locked.photo.save(prepared.original.name, prepared.original, save=False)
    locked.save(update_fields=["photo"])
    transaction.on_commit(lambda: storage.delete(old_name))
    return True


def in_published_bulletin():
    return Exists(Bulletin.highlights.through.objects.filter(
        highlight_id=OuterRef("pk"), bulletin__status=Bulletin.Status.PUBLISHED))


def awaiting_bulletin(campaign, until):
    """Highlights not yet in a published bulletin, written before the end of `until`."""
    end = day_end(until)
    return (Highlight.objects.filter(campaign=campaign, created_at__lte=end)
            .exclude(in_published_bulletin())
            .select_related("project")
            .order_by("created_at", "pk"))
