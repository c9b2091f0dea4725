"""In real headless Chromium on a 390×844 phone: after a save, the success message is on the
screen without scrolling, though the page opens further down (at the section just changed), the
section's heading is not hidden under it, and it is in a live region that a screen reader reads
out."""

import pytest
from django.urls import reverse

from projects.models import Obstacle
from tests import factories
from tests.browser.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("plain_http")]

IN_VIEW = """(el) => { const r = el.getBoundingClientRect();
  return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight; }"""


def test_after_adding_an_obstacle_the_message_is_in_view_on_a_phone(phone_page, town):
    for i in range(6):  # a long project page: the obstacles are screens down
        factories.ProgressReportFactory(project=town.project, work_done="完成桩基施工。" * 20)
        factories.MilestoneFactory(project=town.project, name=f"节点{i}")
    login(phone_page, town.team_member.username)
    phone_page.goto(reverse("project_detail", args=[town.project.pk]))
    add = phone_page.locator(f'#obstacles a[href="{reverse("obstacle_create", args=[town.project.pk])}"]')
    add.scroll_into_view_if_needed()
    assert phone_page.evaluate("window.scrollY") > 844  # the form is reached from far down
    add.click()
    phone_page.fill("input[name=title]", "施工用电未接入")
    phone_page.select_option("select[name=category]", index=1)
    phone_page.fill("input[name=due_date]", "2030-01-31")
    phone_page.locator("form [type=submit]").last.click()
    phone_page.wait_for_url("**#obstacles")
    assert Obstacle.objects.filter(project=town.project, title="施工用电未接入").count() == 1

    message = phone_page.locator("main .alert-success")
    assert "问题" in message.inner_text()
    phone_page.wait_for_timeout(400)  # the anchor is scrolled to after load
    screenshot(phone_page, "message-in-view-phone")
    assert phone_page.evaluate("window.scrollY") > 844  # the page opened at the obstacles …
    assert phone_page.evaluate(IN_VIEW, message.element_handle())  # … and the message is seen
    # The obstacles' heading is below the message, not under it.
    heading = phone_page.locator("#obstacles h2, #obstacles .h5, #obstacles h3").first
    assert phone_page.evaluate(IN_VIEW, heading.element_handle())
    assert heading.bounding_box()["y"] >= message.bounding_box()["y"] + message.bounding_box()["height"]
    # Announced: a polite live region, to which the text is added after load.
    box = phone_page.locator("#gj-messages")
    assert box.get_attribute("role") == "status" and box.get_attribute("aria-live") == "polite"
    assert "问题" in box.locator(".visually-hidden").text_content()

    # Closed, it is gone and no longer keeps room at the top.
    message.locator(".btn-close").click()
    message.wait_for(state="detached")
    assert phone_page.evaluate("getComputedStyle(document.documentElement).scrollPaddingTop") == "auto"
