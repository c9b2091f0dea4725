"""In real headless Chromium on a 390×844 phone: a team member logs in, lands on 待办 with the
unread count on the menu toggle, reports from one tap, and sends a phone photo that the project
page shows as a small thumbnail with its capture time."""

import datetime

import pytest
from django.urls import reverse

from core.dates import local_zone
from projects.models import ReportPhoto
from supervision.models import Notification
from tests.browser.conftest import login, screenshot
from tests.photos import phone_photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_team_member_s_day_starts_on_todo_and_a_photo_costs_little(phone_page, town, tmp_path):
    for i in range(2):
        Notification.objects.create(user=town.team_member, kind="report_due", title=f"提醒{i}")
    taken = datetime.datetime.now(local_zone()).replace(second=0, microsecond=0) - datetime.timedelta(hours=1)
    photo = tmp_path / "IMG_0001.jpg"
    photo.write_bytes(phone_photo(taken))

    login(phone_page, "cadre1")
    assert phone_page.url.endswith(reverse("todo"))
    badge = phone_page.locator("#gj-toggler-count")
    assert badge.is_visible() and badge.inner_text().startswith("2")
    screenshot(phone_page, "todo-phone")

    report_url = reverse("report_create", args=[town.project.pk])
    phone_page.locator(f'#todo-list a[href="{report_url}"]').first.click()
    phone_page.wait_for_url(f"**{report_url}")
    phone_page.fill("input[name=percent]", "12")
    phone_page.fill("input[name=investment_done]", "100")
    phone_page.fill("textarea[name=work_done]", "清表完成")
    phone_page.set_input_files("input[name=photos]", str(photo))
    phone_page.click("#report-form [type=submit]")
    phone_page.wait_for_url(f"**{reverse('project_detail', args=[town.project.pk])}")

    img = phone_page.locator("#reports img.gj-photo").first
    img.wait_for()
    phone_page.wait_for_function("(el) => el.complete && el.naturalWidth > 0", arg=img.element_handle())
    assert phone_page.evaluate("(el) => el.naturalWidth", img.element_handle()) == 480
    # What the page's images cost, as the browser measured them.
    image_bytes = phone_page.evaluate("""() => performance.getEntriesByType('resource')
        .filter((e) => e.initiatorType === 'img').reduce((n, e) => n + e.encodedBodySize, 0)""")
    assert 0 < image_bytes <= 60 * 1024
    assert f"拍摄于 {taken:%m-%d %H:%M}" in phone_page.locator("#reports").inner_text()
    assert ReportPhoto.objects.filter(report__project=town.project).count() == 1
    screenshot(phone_page, "project-page-photo-phone")
