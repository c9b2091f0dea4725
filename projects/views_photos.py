"""Photos that prove the work, served in one of their stored sizes to those who may read what
they belong to (the same rule as the page that shows it), a 404 to everyone else.

A page shows the thumbnail and links to the screen size; the original only on request. Each kind
of photo has its three URLs (photo_urls) and a view that finds the photo among those the reader
may read, then hands it to serve_photo. The supervision photos (findings, responses) use the same
two pieces with their own readers.
"""

import logging

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.urls import path

from . import access as project_access
from .models import HazardPhoto, ObstaclePhoto, ReportPhoto

log = logging.getLogger("gongjian.access")

#: The size asked for in the URL → the stored copy (StoredPhoto.file_for).
SIZES = {"screen": "screen", "thumb": "thumbnail", "original": "image"}


def photo_urls(route: str, view, name: str) -> list:
    """The three URLs of one kind of photo: `name` the screen size, `name_thumb` the thumbnail,
    `name_original` the original (StoredPhoto.thumbnail_url and the others build them)."""
    return [
        path(f"{route}<int:pk>/", view, {"size": "screen"}, name=name),
        path(f"{route}<int:pk>/thumb/", view, {"size": "thumb"}, name=f"{name}_thumb"),
        path(f"{route}<int:pk>/original/", view, {"size": "original"}, name=f"{name}_original"),
    ]


def readable_photo(user, queryset, pk, what: str):
    """The photo of that pk in `queryset` (already narrowed to what the user may read), else a
    logged 404: a photo never tells an outsider that its parent exists."""
    photo = queryset.filter(pk=pk).only("image", "screen", "thumbnail").first()
    if photo is None:
        log.warning("refused read user=%s %s=%s", user.pk, what, pk)
        raise Http404
    return photo


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def serve_photo(photo, size: str) -> FileResponse:
    """The stored copy of that size (a key of SIZES), never served as anything but an image."""
    try:
        handle = photo.file_for(SIZES.get(size, "screen")).open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    content_type = _sniff(handle.read(16))
    handle.seek(0)
    if content_type is None:
        handle.close()
        log.warning("photo not an image %s=%s", type(photo).__name__, photo.pk)
        raise Http404
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
def report_photo(request, pk, size="screen"):
    """A report photo, to those who may read its project."""
    visible = project_access.visible_projects(request.user)
    return serve_photo(readable_photo(request.user, ReportPhoto.objects.filter(
        report__project__in=visible), pk, "report_photo"), size)


@login_required
def obstacle_photo(request, pk, size="screen"):
    """An obstacle's photo, to those who may read its project."""
    visible = project_access.visible_projects(request.user)
    return serve_photo(readable_photo(request.user, ObstaclePhoto.objects.filter(
        obstacle__project__in=visible), pk, "obstacle_photo"), size)


@login_required
def hazard_photo(request, pk, size="screen"):
    """A safety hazard's photo, to those who may read its project."""
    visible = project_access.visible_projects(request.user)
    return serve_photo(readable_photo(request.user, HazardPhoto.objects.filter(
        hazard__check_record__project__in=visible), pk, "hazard_photo"), size)
