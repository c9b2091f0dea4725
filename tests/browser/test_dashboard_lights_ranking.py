"""In real headless Chromium: the office taps the red count on the dashboard and sees only the red
projects, clears the filter, and opens the ranking, which on a phone scrolls sideways."""

import datetime

import pytest
from django.utils import timezone

from projects.models import Project
from tests import factories
from tests.browser.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_red_count_filters_the_table_and_the_ranking_opens_on_a_phone(phone_page, town):
    Project.objects.filter(pk=town.other_project.pk).update(health="red")
    factories.ProjectFactory(campaign=town.campaign, code="HN-03", health="yellow",
                             owner="长乐市水务集团")
    # Lights set by hand, as the scan would have left them: not due again before tomorrow (a
    # page assesses a project whose moment has passed, supervision.scan.scan_for_page).
    Project.objects.filter(campaign=town.campaign).update(
        review_at=timezone.now() + datetime.timedelta(days=1))
    login(phone_page, "gjb", next_path="/dashboard/")
    rows = phone_page.locator("#project-table tbody tr[data-code]")
    assert rows.count() == 3
    phone_page.locator('#headline-figures a[data-light="red"]').click()
    phone_page.wait_for_url("**light=red**")
    assert [rows.nth(i).get_attribute("data-code") for i in range(rows.count())] == ["HN-02"]
    screenshot(phone_page, "dashboard-red-only-phone")
    phone_page.locator("#clear-filters").click()
    phone_page.wait_for_load_state("load")
    assert rows.count() == 3

    phone_page.locator("#ranking-link").click()
    phone_page.wait_for_url("**/ranking/**")
    leaders = phone_page.locator("#rank-leaders tbody tr")
    assert leaders.count() == 3
    # The leader of the red project ranks first.
    assert leaders.first.get_attribute("data-key") == str(town.other_project.leader_id)
    units = phone_page.locator("#rank-units tbody tr")
    assert units.first.get_attribute("data-key") == town.other_project.owner
    # The table scrolls inside its box; the page itself does not get wider than the phone.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "ranking-phone")
