"""One light from every warning: a project's light is its most severe open warning of every kind,
and the project page, the dashboard, My projects, 督查总览 and the bulletin say the same — which
warnings make the light, with the figures and the threshold crossed — in Chinese."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from core.dates import local_date, local_zone
from projects.models import Project
from supervision import bulletins
from supervision.models import Flag, Notice
from supervision.scan import scan_campaign
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese(english, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        yield


def today():
    return local_date()


def fresh_report(project, percent):
    at = timezone.now().astimezone(local_zone()).replace(hour=0, minute=5)
    row = factories.ProgressReportFactory(project=project, percent=Decimal(percent), reported_at=at)
    Project.objects.filter(pk=project.pk).update(progress=row.percent, last_reported_at=at)


def on_plan_at_fifty(project):
    """Planned today−50 … today+50 with no milestone: the plan is exactly 50 % today."""
    Project.objects.filter(pk=project.pk).update(
        planned_start=today() - datetime.timedelta(days=50),
        planned_end=today() + datetime.timedelta(days=50))
    project.refresh_from_db()


def light_of(project):
    project.refresh_from_db()
    return project.health


def kinds(project):
    return {f.kind: f.severity for f in Flag.objects.filter(project=project,
                                                              resolved_at__isnull=True)}


def test_an_obstacle_twelve_days_overdue_makes_a_project_on_plan_red(campaign, project):
    on_plan_at_fifty(project)
    fresh_report(project, "50")
    factories.ObstacleFactory(project=project, due_date=today() - datetime.timedelta(days=12),
                              raised_at=timezone.now() - datetime.timedelta(days=20))
    scan_campaign(campaign.pk)
    assert kinds(project) == {"obstacle_overdue": "red"}  # 12 days > 7 days' grace
    assert light_of(project) == "red"


def test_a_major_hazard_overdue_one_day_is_red_a_general_one_yellow(campaign, project, leader):
    on_plan_at_fifty(project)
    fresh_report(project, "50")
    check = factories.SafetyCheckFactory(project=project, checked_on=today() - datetime.timedelta(days=5))
    hazard = factories.HazardFactory(check_record=check, rectify_by=today() - datetime.timedelta(days=1),
                                     level="general")
    scan_campaign(campaign.pk)
    assert kinds(project) == {"hazard_overdue": "yellow"}
    assert light_of(project) == "yellow"
    hazard.level = "major"
    hazard.save()
    scan_campaign(campaign.pk)
    assert kinds(project) == {"hazard_overdue": "red"}
    assert light_of(project) == "red"


def test_a_notice_five_days_overdue_is_red_two_days_yellow_and_escalated_red(campaign, project):
    on_plan_at_fifty(project)
    fresh_report(project, "50")
    notice = Notice.objects.create(
        campaign=campaign, project=project, issued_to=project.leader, reason="r", required_action="a",
        status=Notice.Status.ISSUED, number="湖督〔2026〕9号", year=2026, sequence=9,
        respond_by=today() - datetime.timedelta(days=2))
    scan_campaign(campaign.pk)
    assert (kinds(project), light_of(project)) == ({"notice_overdue": "yellow"}, "yellow")
    notice.escalated_at = timezone.now() - datetime.timedelta(minutes=1)
    notice.save()
    scan_campaign(campaign.pk)
    assert (kinds(project), light_of(project)) == ({"notice_overdue": "red"}, "red")
    notice.escalated_at = None
    notice.respond_by = today() - datetime.timedelta(days=5)  # 5 > 3 days before escalation
    notice.save()
    scan_campaign(campaign.pk)
    assert (kinds(project), light_of(project)) == ({"notice_overdue": "red"}, "red")


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


SENTENCE = "进度滞后：计划50.0%，实际34.8%，滞后15.2个百分点，达到红灯标准15"


@pytest.fixture
def red_by_lag_and_hazard(campaign, project, leader, other_leader):
    """Project HN-01 red by its lag (15.2 ≥ 15) and yellow by a general hazard; HN-02 on plan but
    red by a major hazard; HN-03 yellow by its lag only."""
    on_plan_at_fifty(project)
    fresh_report(project, "34.8")
    check = factories.SafetyCheckFactory(project=project, checked_on=today() - datetime.timedelta(days=5))
    factories.HazardFactory(check_record=check, rectify_by=today() - datetime.timedelta(days=2),
                            level="general")
    second = factories.ProjectFactory(campaign=campaign, leader=other_leader, code="HN-02")
    on_plan_at_fifty(second)
    fresh_report(second, "50")
    check2 = factories.SafetyCheckFactory(project=second, checked_on=today() - datetime.timedelta(days=5))
    factories.HazardFactory(check_record=check2, rectify_by=today() - datetime.timedelta(days=1),
                            level="major")
    third = factories.ProjectFactory(campaign=campaign, leader=other_leader, code="HN-03")
    on_plan_at_fifty(third)
    fresh_report(third, "43.0")  # 7 behind: yellow
    scan_campaign(campaign.pk)
    return project, second, third


def test_the_project_page_says_which_warnings_make_the_light(client, red_by_lag_and_hazard,
                                                             leader):
    project, second, _third = red_by_lag_and_hazard
    assert light_of(project) == "red"
    client.force_login(leader)
    page = text(client.get(reverse("project_detail", args=[project.pk])))
    assert "亮灯依据（未解除的预警）" in page
    assert SENTENCE in page
    assert "隐患逾期未整改：逾期2天，在宽限期7天内" in page


def test_the_dashboard_and_my_projects_say_the_same(client, red_by_lag_and_hazard, leader,
                                                    town_admin):
    project, second, third = red_by_lag_and_hazard
    client.force_login(town_admin)
    response = client.get(reverse("dashboard"))
    rows = {r["code"]: r for r in response.context["rows"]}
    assert [w["text"] for w in rows["HN-01"]["warnings"]][0] == SENTENCE
    assert rows["HN-02"]["warnings"][0]["text"] == "隐患逾期未整改：重大隐患逾期1天（红灯）"
    assert [w["severity"] for w in rows["HN-03"]["warnings"]] == ["yellow"]
    page = text(response)
    assert SENTENCE in page and "重大隐患逾期1天（红灯）" in page
    # The headline counts lights by project: 2 red (HN-01, HN-02), 1 yellow (HN-03).
    counts = response.context["figures"]["health_counts"]
    assert (counts["red"], counts["yellow"]) == (2, 1)

    client.force_login(leader)
    assert SENTENCE in text(client.get(reverse("my_projects")))


def test_the_overview_counts_lights_by_project_beside_the_warnings(client, red_by_lag_and_hazard,
                                                                   supervisor, town_admin):
    client.force_login(town_admin)
    dashboard = client.get(reverse("dashboard")).context["figures"]["health_counts"]
    client.force_login(supervisor)
    page = client.get(reverse("supervision_overview")).content.decode()

    def count(element_id):
        return int(re.search(rf'id="{element_id}">(\d+)<', page).group(1))

    assert count("count-red-projects") == dashboard["red"] == 2
    assert count("count-yellow-projects") == dashboard["yellow"] == 1
    # Warnings, labelled as such: HN-01 has a red and a yellow one, HN-02 a red, HN-03 a yellow.
    assert (count("count-red"), count("count-yellow")) == (2, 2)
    assert "红灯项目" in page and "未解除红色预警（条）" in page


def test_the_bulletin_counts_the_same_lights_and_lists_the_warnings(client, red_by_lag_and_hazard,
                                                                    supervisor):
    bulletin = bulletins.generate_bulletin(supervisor and red_by_lag_and_hazard[0].campaign,
                                           today() - datetime.timedelta(days=6), today())
    s = bulletin.snapshot
    assert (s["headline"]["health_counts"]["red"], s["headline"]["health_counts"]["yellow"]) == (2, 1)
    assert [r["code"] for r in s["red"]] == ["HN-01", "HN-02"]
    client.force_login(supervisor)
    page = text(client.get(reverse("bulletin_detail", args=[bulletin.pk])))
    assert "预警：" + SENTENCE in page
    assert "重大隐患逾期1天（红灯）" in page
