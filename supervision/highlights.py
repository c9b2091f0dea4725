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
