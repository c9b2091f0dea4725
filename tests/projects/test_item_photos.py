"""Obstacles and hazards take photos as reports do: stored without GPS or camera in three sizes,
the capture time kept and shown, a photo older than what it proves marked 非本期照片, the page
loading only thumbnails, and each photo served only to those who may read its project."""

import datetime
import io

import pytest
from django.urls import reverse
from PIL import Image

from core.dates import local_date, local_zone
from projects.models import Hazard, HazardPhoto, Obstacle, ObstaclePhoto
from tests.photos import bytes_of_images, image_sources, phone_photo, stored_sizes
from tests.projects.conftest import bomb_png, upload

pytestmark = pytest.mark.django_db


def _now_minus(**delta) -> datetime.datetime:
    return datetime.datetime.now(local_zone()).replace(microsecond=0, second=0) - datetime.timedelta(**delta)


def _add_obstacle(client, town, *photos):
    client.force_login(town.team_member)
    response = client.post(reverse("obstacle_create", args=[town.project.pk]), {
        "title": "高压线迁改", "category": "pole_relocation", "description": "10kV线路需迁改",
        "due_date": (local_date() + datetime.timedelta(days=10)).isoformat(),
        "photos": [upload(f"IMG_{i}.jpg", p) for i, p in enumerate(photos)]})
    assert response.status_code == 302, response.content.decode()[:3000]
    return Obstacle.objects.get(project=town.project)


def _add_hazard(client, town, *photos, checked_on=None):
    client.force_login(town.team_member)
    response = client.post(reverse("hazard_create", args=[town.project.pk]), {
        "checked_on": (checked_on or local_date()).isoformat(), "description": "基坑临边无防护",
        "level": "general", "rectify_by": (local_date() + datetime.timedelta(days=3)).isoformat(),
        "photos": [upload(f"IMG_{i}.jpg", p) for i, p in enumerate(photos)]})
    assert response.status_code == 302, response.content.decode()[:3000]
    return Hazard.objects.get(check_record__project=town.project)


def _page(client, town, user=None) -> str:
    client.force_login(user or town.leader)
    client.cookies["django_language"] = "zh-hans"
    return client.get(reverse("project_detail", args=[town.project.pk])).content.decode()


def test_an_obstacle_s_phone_photo_is_stored_in_three_sizes_without_gps_or_camera(client, town):
    taken = _now_minus(hours=2)
    obstacle = _add_obstacle(client, town, phone_photo(taken))
    photo = obstacle.photos.get()
    sizes = stored_sizes(photo)
    assert sizes["image"] == (4000, 3000)
    assert max(sizes["screen"]) == 1600 and max(sizes["thumbnail"]) == 480
    assert photo.stage == ObstaclePhoto.Stage.RAISED
    assert photo.taken_at == taken and not photo.taken_before_period
    assert photo.image.name.startswith("obstacles/")


def test_a_hazard_s_photos_are_stored_as_found_and_as_rectified_without_metadata(client, town):
    found = _now_minus(hours=3)
    hazard = _add_hazard(client, town, phone_photo(found, size=(1200, 900)))
    fixed = _now_minus(minutes=30)
    response = client.post(reverse("hazard_rectify", args=[hazard.pk]), {
        "rectification": "已设置防护栏", "rectified_on": local_date().isoformat(),
        "photos": [upload("after.jpg", phone_photo(fixed, size=(1200, 900)))]})
    assert response.status_code == 302
    photos = {p.stage: p for p in hazard.photos.all()}
    assert set(photos) == {HazardPhoto.Stage.FOUND, HazardPhoto.Stage.RECTIFIED}
    for photo in photos.values():
        assert max(stored_sizes(photo)["thumbnail"]) == 480
    assert photos["found"].taken_at == found and photos["rectified"].taken_at == fixed
    hazard.refresh_from_db()
    assert hazard.rectified_on == local_date()


def test_the_project_page_shows_only_thumbnails_with_the_capture_time_at_most_60_kb(client, town):
    taken = _now_minus(hours=1)
    obstacle = _add_obstacle(client, town, phone_photo(taken))
    hazard = _add_hazard(client, town, phone_photo(taken))
    body = _page(client, town)
    obstacle_photo, hazard_photo = obstacle.photos.get(), hazard.photos.get()
    assert sorted(image_sources(body)) == sorted([
        reverse("obstacle_photo_thumb", args=[obstacle_photo.pk]),
        reverse("hazard_photo_thumb", args=[hazard_photo.pk])])
    # Two 12-megapixel phone photos cost two thumbnails.
    total = bytes_of_images(client, body)
    assert total <= 2 * 60 * 1024, f"{total} bytes of images on the project page"
    assert body.count(f"拍摄于 {taken:%m-%d %H:%M}") == 2
    # The thumbnail links to the screen size; the original only behind its own link.
    for name, photo in (("obstacle_photo", obstacle_photo), ("hazard_photo", hazard_photo)):
        assert f'href="{reverse(name, args=[photo.pk])}"' in body
        assert f'href="{reverse(name + "_original", args=[photo.pk])}"' in body
    screen = b"".join(client.get(reverse("hazard_photo", args=[hazard_photo.pk])).streaming_content)
    with Image.open(io.BytesIO(screen)) as img:
        assert img.size == (1600, 1200)
    assert "非本期照片" not in body


def test_one_4000_by_3000_obstacle_photo_costs_at_most_60_kb_on_the_project_page(client, town):
    _add_obstacle(client, town, phone_photo(_now_minus(hours=1)))
    body = _page(client, town)
    assert len(image_sources(body)) == 1
    assert bytes_of_images(client, body) <= 60 * 1024


def test_an_old_photo_of_an_obstacle_is_marked_not_this_period(client, town):
    old = _now_minus(days=20)
    obstacle = _add_obstacle(client, town, phone_photo(old, size=(800, 600)))
    assert obstacle.photos.get().taken_before_period
    body = _page(client, town)
    assert "非本期照片" in body and f"拍摄于 {old:%m-%d %H:%M}" in body


def test_a_rectification_photo_taken_before_the_hazard_was_found_is_marked(client, town):
    # Found yesterday (the same reporting week or not), "rectified" with a photo from before that.
    yesterday = local_date() - datetime.timedelta(days=1)
    hazard = _add_hazard(client, town, checked_on=yesterday)
    before = datetime.datetime.combine(yesterday - datetime.timedelta(days=1), datetime.time(9, 0),
                                       tzinfo=local_zone())
    client.post(reverse("hazard_rectify", args=[hazard.pk]), {
        "rectification": "已整改", "rectified_on": local_date().isoformat(),
        "photos": [upload("old.jpg", phone_photo(before, size=(800, 600)))]})
    photo = hazard.photos.get(stage=HazardPhoto.Stage.RECTIFIED)
    assert photo.taken_before_period
    assert "非本期照片" in _page(client, town)


def test_an_obstacle_resolved_with_a_photo_shows_it_under_the_resolution(client, town):
    obstacle = _add_obstacle(client, town)
    response = client.post(reverse("obstacle_resolve", args=[obstacle.pk]), {
        "resolution": "线路已迁改", "resolved_on": local_date().isoformat(),
        "photos": [upload("done.png", phone_photo(_now_minus(hours=1), size=(640, 480)))]})
    assert response.status_code == 302
    photo = obstacle.photos.get()
    assert photo.stage == ObstaclePhoto.Stage.RESOLVED
    body = _page(client, town)
    assert body.index("线路已迁改") < body.index(reverse("obstacle_photo_thumb", args=[photo.pk]))


@pytest.mark.parametrize("size", ["screen", "thumb", "original"])
def test_an_obstacle_or_hazard_photo_is_a_404_to_a_user_of_another_town(client, town, size):
    obstacle = _add_obstacle(client, town, phone_photo(_now_minus(hours=1), size=(640, 480)))
    hazard = _add_hazard(client, town, phone_photo(_now_minus(hours=1), size=(640, 480)))
    suffix = "" if size == "screen" else f"_{size}"
    urls = [reverse(f"obstacle_photo{suffix}", args=[obstacle.photos.get().pk]),
            reverse(f"hazard_photo{suffix}", args=[hazard.photos.get().pk])]
    client.force_login(town.observer)  # the higher office reads the project, and its photos
    assert [client.get(u).status_code for u in urls] == [200, 200]
    client.force_login(town.outsider)
    assert [client.get(u).status_code for u in urls] == [404, 404]
    client.logout()
    assert [client.get(u).status_code for u in urls] == [302, 302]


def test_a_file_that_is_not_a_photo_is_refused_beside_the_field_and_the_text_is_kept(client, town):
    client.force_login(town.team_member)
    client.cookies["django_language"] = "zh-hans"
    response = client.post(reverse("hazard_create", args=[town.project.pk]), {
        "checked_on": local_date().isoformat(), "description": "脚手架未验收", "level": "major",
        "rectify_by": local_date().isoformat(),
        "photos": [upload("shell.jpg", b"<?php system($_GET['c']); ?>"), upload("big.png", bomb_png())]})
    assert response.status_code == 200
    page = response.content.decode()
    assert "shell.jpg" in page and "big.png" in page and "脚手架未验收" in page
    assert 'id="photos-lost"' in page
    assert not Hazard.objects.exists() and not HazardPhoto.objects.exists()


def test_at_most_nine_photos_at_once(client, town):
    client.force_login(town.team_member)
    client.cookies["django_language"] = "zh-hans"
    small = phone_photo(_now_minus(hours=1), size=(40, 30))
    response = client.post(reverse("obstacle_create", args=[town.project.pk]), {
        "title": "用地", "category": "land", "due_date": local_date().isoformat(),
        "photos": [upload(f"{i}.jpg", small) for i in range(10)]})
    assert response.status_code == 200
    assert response.context["form"].errors["photos"] == ["一次最多上传9张照片，您选择了10张。"]
    assert not Obstacle.objects.exists()


def test_the_forms_send_photos_as_multipart(client, town):
    client.force_login(town.team_member)
    for url in (reverse("obstacle_create", args=[town.project.pk]),
                reverse("hazard_create", args=[town.project.pk])):
        page = client.get(url).content.decode()
        assert 'enctype="multipart/form-data"' in page and 'name="photos"' in page
        assert 'accept="image/jpeg,image/png"' in page
