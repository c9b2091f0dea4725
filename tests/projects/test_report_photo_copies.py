"""Photos that prove the work: a phone photo is stored as an original, a screen size and a
thumbnail, none of them with its GPS position or camera; its capture time is kept and shown, and a
photo from before the reporting week is marked for the reader."""

import datetime
import io
import os
import re

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from PIL import ExifTags, Image

from core.dates import local_date, local_zone
from projects.models import ReportPhoto
from tests import factories
from tests.photos import phone_photo
from tests.projects.conftest import upload

pytestmark = pytest.mark.django_db

REPORT = {"percent": "35.5", "investment_done": "420", "work_done": "完成路基填筑",
          "next_steps": "", "problems": "", "needs_coordination": "", "decrease_reason": ""}


def _submit(client, town, content: bytes):
    client.force_login(town.team_member)
    response = client.post(reverse("report_create", args=[town.project.pk]),
                           {**REPORT, "photos": [upload("IMG_2026.jpg", content)]})
    assert response.status_code == 302
    return ReportPhoto.objects.get(report__project=town.project)


def test_the_source_photo_really_carries_gps(town):
    taken = datetime.datetime.now(local_zone()).replace(microsecond=0)
    with Image.open(io.BytesIO(phone_photo(taken))) as img:
        assert img.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert img.getexif()[ExifTags.Base.Make] == "HUAWEI"


def test_a_phone_photo_is_stored_in_three_sizes_without_gps_or_camera(client, town):
    taken = datetime.datetime.now(local_zone()).replace(microsecond=0) - datetime.timedelta(hours=2)
    photo = _submit(client, town, phone_photo(taken))
    sizes = {}
    for field in ("image", "screen", "thumbnail"):
        stored = getattr(photo, field)
        with stored.open("rb") as handle:
            data = handle.read()
        assert b"Exif" not in data[:65536] and b"HUAWEI" not in data
        with Image.open(io.BytesIO(data)) as img:
            exif = img.getexif()
            assert not exif.get_ifd(ExifTags.IFD.GPSInfo) and ExifTags.Base.Make not in exif
            assert "exif" not in img.info
            sizes[field] = img.size
    assert sizes["image"] == (4000, 3000)
    assert max(sizes["screen"]) == 1600 and max(sizes["thumbnail"]) == 480
    assert photo.taken_at == taken and not photo.taken_before_period


def test_the_project_page_costs_at_most_60_kb_of_images_and_shows_the_capture_time(client, town):
    taken = datetime.datetime.now(local_zone()).replace(microsecond=0, second=0) - datetime.timedelta(hours=1)
    photo = _submit(client, town, phone_photo(taken))
    body = client.get(reverse("project_detail", args=[town.project.pk])).content.decode()
    sources = re.findall(r'<img[^>]+src="([^"]+)"', body)
    assert sources == [reverse("report_photo_thumb", args=[photo.pk])]
    total = sum(len(b"".join(client.get(src).streaming_content)) for src in sources)
    assert total <= 60 * 1024, f"{total} bytes of images on the project page"
    assert f"拍摄于 {taken:%m-%d %H:%M}" in body
    # The thumbnail links to the screen size; the original is a separate link on request.
    assert f'href="{reverse("report_photo", args=[photo.pk])}"' in body
    assert f'href="{reverse("report_photo_original", args=[photo.pk])}"' in body
    screen = b"".join(client.get(reverse("report_photo", args=[photo.pk])).streaming_content)
    with Image.open(io.BytesIO(screen)) as img:
        assert img.size == (1600, 1200)
    assert "非本期照片" not in body


def test_a_photo_taken_before_the_reporting_week_is_marked_not_this_period(client, town):
    old = datetime.datetime.combine(local_date() - datetime.timedelta(days=20), datetime.time(9, 30),
                                    tzinfo=local_zone())
    photo = _submit(client, town, phone_photo(old, size=(800, 600)))
    assert photo.taken_before_period and photo.taken_at == old
    body = client.get(reverse("project_detail", args=[town.project.pk])).content.decode()
    assert "非本期照片" in body and f"拍摄于 {old:%m-%d %H:%M}" in body


def test_a_sideways_phone_photo_is_stored_upright(client, town):
    taken = datetime.datetime.now(local_zone()).replace(microsecond=0) - datetime.timedelta(hours=1)
    photo = _submit(client, town, phone_photo(taken, size=(800, 600), orientation=6))
    with photo.thumbnail.open("rb") as handle, Image.open(handle) as img:
        assert img.size == (360, 480)


def test_a_photo_without_exif_has_no_capture_time_and_is_not_marked(client, town):
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 120, 60)).save(out, "PNG")
    client.force_login(town.team_member)
    client.post(reverse("report_create", args=[town.project.pk]),
                {**REPORT, "photos": [upload("a.png", out.getvalue(), "image/png")]})
    photo = ReportPhoto.objects.get(report__project=town.project)
    assert photo.taken_at is None and not photo.taken_before_period
    assert photo.image.name.endswith(".png") and photo.thumbnail.name.endswith(".jpg")


def test_old_photos_get_their_copies_and_lose_their_gps_by_the_command(
        town, django_capture_on_commit_callbacks):
    report = factories.ProgressReportFactory(project=town.project)
    taken = datetime.datetime.now(local_zone()).replace(microsecond=0) - datetime.timedelta(hours=3)
    old = ReportPhoto(report=report)
    old.image.save("old.jpg", ContentFile(phone_photo(taken, size=(1200, 900))), save=True)
    old_path = old.image.path
    with django_capture_on_commit_callbacks(execute=True):
        call_command("make_photo_copies")
        call_command("make_photo_copies")  # a second run changes nothing
    old.refresh_from_db()
    assert old.taken_at == taken and old.thumbnail and old.screen
    with old.image.open("rb") as handle, Image.open(handle) as img:
        assert not img.getexif().get_ifd(ExifTags.IFD.GPSInfo) and img.size == (1200, 900)
    assert not os.path.exists(old_path)  # the file with the GPS position is gone
