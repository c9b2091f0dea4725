"""axe-core (vendored in tests/browser/vendor/, from the npm registry) finds no serious or
critical accessibility violation on the pages people use every day, at desktop size (1366×768)
and on a phone (390×844): the dashboard, 待办, a project page, the report form, the supervision
overview, a notice, a bulletin and the wall (through its wall link).

On a phone the ☰ menu is opened first, so the navigation links are checked too."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import Hazard, Project
from supervision import bulletins
from supervision.models import Flag, Notification, Severity
from supervision.notices import create_draft_notice, issue_notice
from tests import factories
from tests.browser.conftest import login
from web import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("plain_http")]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
SIZES = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
#: What must not be found; the issue named these four kinds of defect on every page.
BLOCKING_IMPACTS = {"serious", "critical"}
NAMED_RULES = {"color-contrast", "scrollable-region-focusable", "empty-table-header", "meta-refresh"}

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(' '), impact: n.impact,
                                summary: n.failureSummary}))}));
}"""


@pytest.fixture
def busy_town(town):
    """A town in the middle of its campaign: lights of every colour, reports, an overdue
    milestone, an obstacle and a major hazard, open warnings, an issued notice and a draft, a
    bulletin, unread notifications and a wall link."""
    campaign, today = town.campaign, timezone.localdate()
    now = timezone.now()
    town.project.health = Project.Health.RED
    town.project.save(update_fields=["health"])
    town.other_project.health = Project.Health.YELLOW
    town.other_project.save(update_fields=["health"])
    for code, health in (("HN-03", Project.Health.GREEN), ("HN-04", Project.Health.DONE)):
        factories.ProjectFactory(campaign=campaign, code=code, name=f"项目{code}", leader=town.leader,
                                 health=health)
    for project, percent in ((town.project, "18"), (town.other_project, "35")):
        factories.ProgressReportFactory(project=project, percent=Decimal(percent),
                                        problems="征迁交地滞后", next_steps="倒排工期",
                                        reported_by=town.team_member,
                                        reported_at=now - datetime.timedelta(days=3))
    factories.MilestoneFactory(project=town.project, name="主体结构完成",
                               due_date=today - datetime.timedelta(days=3))
    factories.MilestoneFactory(project=town.project, name="竣工验收",
                               due_date=today + datetime.timedelta(days=20))
    factories.ObstacleFactory(project=town.project, due_date=today - datetime.timedelta(days=2))
    factories.HazardFactory(check_record__project=town.project, level=Hazard.Level.MAJOR,
                            rectify_by=today - datetime.timedelta(days=1))
    red = Flag.objects.create(project=town.project, kind=Flag.Kind.BEHIND_PLAN, severity=Severity.RED,
                              opened_at=now - datetime.timedelta(days=6), details={"lag": "27.0"})
    Flag.objects.create(project=town.other_project, kind=Flag.Kind.MILESTONE_OVERDUE,
                        severity=Severity.YELLOW, opened_at=now - datetime.timedelta(days=2),
                        details={})
    notice = create_draft_notice(town.project, [red], reason="进度滞后27个百分点",
                                 required_action="三日内制定赶工计划", created_by=town.supervisor)
    issue_notice(notice, town.supervisor)
    create_draft_notice(town.other_project, reason="节点逾期", required_action="说明原因",
                        created_by=town.supervisor)
    for user in (town.leader, town.team_member):
        Notification.objects.create(user=user, kind="report_due", title="本周进度待填报")
    bulletin = bulletins.generate_bulletin(campaign, today - datetime.timedelta(days=6), today)
    _link, token = services.create_wall_link(campaign, town.town_admin, label="大厅")
    return {
        town.town_admin.username: [("dashboard", reverse("dashboard"))],
        town.leader.username: [("todo", reverse("todo")),
                               ("notice (leader)", reverse("notice_detail", args=[notice.pk]))],
        town.team_member.username: [
            ("project page", reverse("project_detail", args=[town.project.pk])),
            ("report form", reverse("report_create", args=[town.project.pk]))],
        town.supervisor.username: [
            ("overview", reverse("supervision_overview")),
            ("notice (supervisor)", reverse("notice_detail", args=[notice.pk])),
            ("bulletin", reverse("bulletin_detail", args=[bulletin.pk]))],
        None: [("wall", reverse("wall_by_link", args=[token]))],
    }


def _violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE)


def _describe(found: list[tuple[str, dict]]) -> str:
    lines = []
    for where, v in found:
        lines.append(f"[{where}] {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    {node['target']} — {summary}")
    return "\n".join(lines)


def _axe_pages(browser, live_server, pages_by_user: dict, size: str) -> list[tuple[str, dict]]:
    """(page, violation) for every page of pages_by_user ({username or None: [(name, url)]}),
    each user signed in in their own browser context of the given size."""
    found = []
    for username, pages in pages_by_user.items():
        # Playwright adds axe as an inline script, which the site's CSP (rightly) refuses.
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", bypass_csp=True,
                                      viewport=SIZES[size], is_mobile=size == "phone",
                                      has_touch=size == "phone")
        context.set_default_timeout(15_000)
        page = context.new_page()
        try:
            if username:
                login(page, username)
            for name, url in pages:
                response = page.goto(url)
                assert response.status == 200 and page.url.endswith(url), (name, url, page.url)
                toggler = page.locator(".navbar-toggler")
                if toggler.count() and toggler.is_visible():
                    toggler.click()
                    page.wait_for_selector("#gj-nav.show")
                    page.wait_for_selector("#gj-nav.collapsing", state="detached")
                found += [(f"{name} {size}", v) for v in _violations(page)]
        finally:
            context.close()
    return found


def _assert_none_blocking(found: list[tuple[str, dict]]) -> None:
    print(_describe(found))
    blocking = [(w, v) for w, v in found if v["impact"] in BLOCKING_IMPACTS or v["id"] in NAMED_RULES]
    assert not blocking, "axe-core violations:\n" + _describe(blocking)


@pytest.mark.parametrize("size", SIZES)
def test_axe_finds_no_serious_or_critical_violation(browser, live_server, busy_town, size):
    _assert_none_blocking(_axe_pages(browser, live_server, busy_town, size))


@pytest.fixture
def other_pages(busy_town, town):
    """The other pages of each role: lists, forms, setup, the login page."""
    meeting = factories.MeetingFactory(campaign=town.campaign)
    factories.ActionItemFactory(meeting=meeting, owner=town.leader)
    project = town.project.pk
    return {
        town.team_member.username: [
            ("my projects", reverse("my_projects")), ("meetings", reverse("meeting_list")),
            ("meeting", reverse("meeting_detail", args=[meeting.pk])),
            ("notifications", reverse("notifications:list")),
            ("obstacle form", reverse("obstacle_create", args=[project])),
            ("hazard form", reverse("hazard_create", args=[project])),
            ("earlier reports", reverse("project_reports", args=[project])),
            ("change history", reverse("project_changes", args=[project])),
            ("password", reverse("password_change"))],
        town.leader.username: [("my notices", reverse("notice_list"))],
        town.supervisor.username: [
            ("notices", reverse("notice_list")), ("new notice", reverse("notice_new")),
            ("spot checks", reverse("spotcheck_list")),
            ("new inspection", reverse("spotcheck_new", args=["scheduled"])),
            ("criticism", reverse("criticism_list")), ("new criticism", reverse("criticism_new")),
            ("highlights", reverse("highlight_list")), ("new highlight", reverse("highlight_new")),
            ("bulletins", reverse("bulletin_list"))],
        town.town_admin.username: [
            ("setup", reverse("setup_home")), ("people", reverse("setup_people")),
            ("new person", reverse("setup_person_new")),
            ("setup projects", reverse("setup_projects", args=[town.campaign.pk])),
            ("setup project", reverse("setup_project_edit", args=[project])),
            ("campaign", reverse("setup_campaign_edit", args=[town.campaign.pk])),
            ("import", reverse("setup_import", args=[town.campaign.pk])),
            ("wall links", reverse("wall_links")), ("wall signed in", reverse("dashboard_wall"))],
        town.observer.username: [("overview (higher office)", reverse("supervision_overview"))],
        None: [("login", reverse("login"))],
    }


def test_axe_finds_no_serious_or_critical_violation_on_the_other_pages(browser, live_server,
                                                                       other_pages):
    # On the phone only: the colours are the same at any size, and there the menu is open and
    # the tables scroll sideways.
    _assert_none_blocking(_axe_pages(browser, live_server, other_pages, "phone"))
