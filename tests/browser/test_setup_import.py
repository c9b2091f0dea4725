"""In real headless Chromium: the campaign office (攻坚办) sets up a new campaign in 设置,
imports its project list from a workbook, gives a project its team, and the leader then finds
the project under 我的项目."""

import datetime

import pytest
from django.urls import reverse
from openpyxl import Workbook

from campaign.models import Campaign, Role, Unit
from projects.models import Assignment, Project
from tests.browser.conftest import login, screenshot
from tests.setup.conftest import placed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_office_sets_up_a_campaign_from_a_workbook_and_the_leader_sees_it(page, tmp_path):
    county = Unit.objects.create(name="长乐市", kind=Unit.Kind.COUNTY)
    town = Unit.objects.create(name="湖南镇", kind=Unit.Kind.TOWN, parent=county)
    village = Unit.objects.create(name="湖南村", kind=Unit.Kind.VILLAGE, parent=town)
    placed("hn_office", Role.TOWN_ADMIN, town, "王主任", "攻坚办主任")
    placed("zhangming", Role.LEADER, town, "张明", "副镇长")
    cadre = placed("lihua", Role.TEAM_MEMBER, village, "李华", "村支书")
    today = datetime.date.today()

    wb = Workbook()
    ws = wb.active
    ws.title = "项目"
    ws.append(["序号", "项目编号", "项目名称", "级别", "项目业主", "包项目领导", "计划投资（万元）",
               "计划开工", "计划完工", "攻坚目标", "节点1名称", "节点1日期", "节点1进度（%）"])
    ws.append([1, "HN-01", "滨海大道", "镇级", "城投公司", "张明", 1200, today,
               today + datetime.timedelta(days=90), "完成路基", "开工", today, 5])
    ws.append([2, "HN-02", "安置房一期", "镇级", "城投公司", "张明", 800, today,
               today + datetime.timedelta(days=90), "主体封顶", "", "", ""])
    workbook = tmp_path / "清单.xlsx"
    wb.save(workbook)

    login(page, "hn_office")
    page.click("#nav-setup")
    page.click("#new-campaign")
    page.fill("input[name=name]", "湖南镇百日攻坚行动")
    page.select_option("select[name=status]", "active")
    page.fill("input[name=start_date]", today.isoformat())
    page.fill("input[name=end_date]", (today + datetime.timedelta(days=99)).isoformat())
    page.fill("input[name=declared_project_count]", "2")
    page.click("#item-form [type=submit]")
    campaign = Campaign.objects.get()
    page.wait_for_url(f"**{reverse('setup_projects', args=[campaign.pk])}")

    page.click(f'a[href="{reverse("setup_import", args=[campaign.pk])}"]')
    page.set_input_files("input[name=workbook]", str(workbook))
    page.click("form [type=submit]")
    page.locator("#import-preview").wait_for()
    screenshot(page, "setup-import-preview")
    page.click("#confirm-import")
    page.wait_for_url(f"**{reverse('setup_projects', args=[campaign.pk])}")
    assert Project.objects.filter(campaign=campaign).count() == 2

    project = Project.objects.get(code="HN-01")
    page.goto(reverse("setup_project_edit", args=[project.pk]))
    page.fill('input[type=search]:near(select[name="team-0-user"])', "李华")
    page.select_option("select[name=team-0-user]", label="李华（湖南村·村支书）")
    page.select_option("select[name=team-0-role]", "lead")
    screenshot(page, "setup-project-team")
    page.click("#project-form [type=submit]")
    page.wait_for_url(f"**{reverse('setup_projects', args=[campaign.pk])}")
    assignment = Assignment.objects.get(project=project)
    assert (assignment.user, assignment.role) == (cadre, "lead")

    page.context.clear_cookies()
    login(page, "zhangming")
    page.goto(reverse("my_projects"))
    assert page.locator('[data-project="HN-01"]').is_visible()
    screenshot(page, "setup-leader-my-projects")
