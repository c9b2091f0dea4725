"""In real headless Chromium: the project form shows one empty milestone row at a time with a
button for the next, so a project's whole plan is typed and saved at once."""

import datetime

import pytest
from django.urls import reverse

from campaign.models import Role, Unit
from projects.models import Project
from tests import factories
from tests.browser.conftest import login, screenshot
from tests.setup.conftest import placed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_office_adds_rows_and_saves_five_milestones_at_once(page):
    county = Unit.objects.create(name="长乐市", kind=Unit.Kind.COUNTY)
    town = Unit.objects.create(name="湖南镇", kind=Unit.Kind.TOWN, parent=county)
    placed("hn_office", Role.TOWN_ADMIN, town, "王主任", "攻坚办主任")
    zhang = placed("zhangming", Role.LEADER, town, "张明", "副镇长")
    campaign = factories.CampaignFactory(unit=town)
    start = campaign.start_date

    login(page, "hn_office")
    page.goto(reverse("setup_project_new", args=[campaign.pk]))
    rows = page.locator('[data-gj-rows="milestones"] > [data-gj-empty-row]')
    assert rows.count() == 6
    assert [rows.nth(i).is_visible() for i in range(6)] == [True] + [False] * 5
    add = page.locator('button[data-gj-add-row-for="milestones"]')
    assert add.inner_text() == "添加一行"

    page.fill("input[name=code]", "HN-01")
    page.fill("input[name=name]", "滨海大道")
    page.select_option("select[name=level]", "town")
    page.select_option("select[name=listed_by]", str(town.pk))
    page.fill("input[name=owner]", "城投公司")
    page.fill("textarea[name=goal]", "完成路基")
    page.fill("input[name=planned_start]", start.isoformat())
    page.fill("input[name=planned_end]", (start + datetime.timedelta(days=90)).isoformat())
    page.fill("input[name=planned_investment]", "1200")
    page.select_option("select[name=leader]", str(zhang.pk))
    for i, percent in enumerate((10, 30, 50, 80, 100)):
        if i:
            add.click()
            focused = page.evaluate("document.activeElement.name")
            assert focused == f"milestones-{i}-name"
        page.fill(f"input[name=milestones-{i}-name]", f"节点{i + 1}")
        page.fill(
            f"input[name=milestones-{i}-due_date]",
            (start + datetime.timedelta(days=15 * (i + 1))).isoformat(),
        )
        page.fill(f"input[name=milestones-{i}-planned_percent]", str(percent))
    assert rows.nth(5).is_hidden() and add.is_visible()
    add.click()
    assert rows.nth(5).is_visible() and add.count() == 0  # no more rows to add: no button
    screenshot(page, "setup-project-rows")
    page.click("#project-form [type=submit]")
    page.wait_for_url(f"**{reverse('setup_projects', args=[campaign.pk])}")
    project = Project.objects.get(code="HN-01")
    assert [m.name for m in project.milestones.order_by("due_date")] == [
        "节点1",
        "节点2",
        "节点3",
        "节点4",
        "节点5",
    ]
