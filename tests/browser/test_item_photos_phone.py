"""In real headless Chromium on a 390×844 phone: a team member adds an obstacle and records a
safety hazard, each with a phone photo, and the project page shows each as a small thumbnail with
its capture time, never the 12-megapixel original."""

import datetime

import pytest
from django.urls import reverse

from core.dates import local_date, local_zone
from projects.models import HazardPhoto, ObstaclePhoto
from tests.browser.conftest import login, screenshot
from tests.photos import phone_photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IMAGE_BYTES = """() => performance.getEntriesByType('resource')
    .filter((e) => e.initiatorType === 'img').reduce((n, e) => n + e.encodedBodySize, 0)"""


def _thumbnail_width(page, selector) -> int:
    img = page.locator(selector).first
    img.wait_for()
    page.wait_for_function("(el) => el.complete && el.naturalWidth > 0", arg=img.element_handle())
    return page.evaluate("(el) => el.naturalWidth", img.element_handle())


def test_a_team_member_adds_an_obstacle_and_a_hazard_with_phone_photos(phone_page, town, tmp_path):
    taken = datetime.datetime.now(local_zone()).replace(second=0, microsecond=0) - datetime.timedelta(hours=1)
    photo = tmp_path / "IMG_0002.jpg"
    photo.write_bytes(phone_photo(taken))
    project_url = reverse("project_detail", args=[town.project.pk])
    login(phone_page, "cadre1", next_path=project_url)

    phone_page.click(f'#obstacles a[href="{reverse("obstacle_create", args=[town.project.pk])}"]')
    phone_page.fill("input[name=title]", "高压线迁改")
    phone_page.select_option("select[name=category]", "pole_relocation")
    phone_page.fill("input[name=due_date]", (local_date() + datetime.timedelta(days=10)).isoformat())
    phone_page.set_input_files("input[name=photos]", str(photo))
    screenshot(phone_page, "obstacle-form-phone")
    phone_page.click("#item-form [type=submit]")
    phone_page.wait_for_url(f"**{project_url}*")
    assert _thumbnail_width(phone_page, "#obstacles img.gj-photo") == 480
    assert f"拍摄于 {taken:%m-%d %H:%M}" in phone_page.locator("#obstacles").inner_text()
    # What the page's images cost, as the browser measured them: one thumbnail.
    assert 0 < phone_page.evaluate(IMAGE_BYTES) <= 60 * 1024
    assert ObstaclePhoto.objects.filter(obstacle__project=town.project).count() == 1
    screenshot(phone_page, "obstacle-photo-phone")

    phone_page.click(f'#hazards a[href="{reverse("hazard_create", args=[town.project.pk])}"]')
    phone_page.fill("textarea[name=description]", "基坑临边无防护")
    phone_page.fill("input[name=rectify_by]", (local_date() + datetime.timedelta(days=3)).isoformat())
    phone_page.set_input_files("input[name=photos]", str(photo))
    phone_page.click("#item-form [type=submit]")
    phone_page.wait_for_url(f"**{project_url}*")
    assert _thumbnail_width(phone_page, "#hazards img.gj-photo") == 480
    assert f"拍摄于 {taken:%m-%d %H:%M}" in phone_page.locator("#hazards").inner_text()
    assert HazardPhoto.objects.filter(hazard__check_record__project=town.project).count() == 1
    # The thumbnail fits the phone's width; the screen size opens from it.
    box = phone_page.locator("#hazards img.gj-photo").first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    screenshot(phone_page, "hazard-photo-phone")
    # The original's link under it is one line, big enough for a finger (24 px at least).
    link = phone_page.locator("#hazards a.gj-photo-original").first.bounding_box()
    assert link["height"] >= 24 and link["width"] >= 24
    assert phone_page.locator("#hazards a.gj-photo-original").first.inner_text() == "原图"
