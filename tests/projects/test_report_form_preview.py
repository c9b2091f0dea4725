"""The weekly report form says, before submitting, which week the report is for, what the plan
expects today (序时进度), the last report, and gives the page's script what it needs to show the
lag a typed percent would give. Every figure here is worked out by hand in the test."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.dates import local_date, local_zone
from projects import services
from projects.models import Project
from tests import factories

pytestmark = pytest.mark.django_db


def _form(client, project):
    return client.get(reverse("report_create", args=[project.pk]))


def _attr(body: str, name: str) -> str:
    found = re.search(rf'{name}="([^"]*)"', body)
    assert found, name
    return found.group(1)


@pytest.fixture
def planned(town):
    """HN-01 planned from 30 days ago to 60 days ahead, without milestones: the plan today is
    30 / 90 = 33.333…%; reports due three days from today at 12:00 (no clock edge in the test)."""
    today = local_date()
    campaign = town.campaign
    campaign.start_date = today - datetime.timedelta(days=40)
    campaign.report_weekday = (today + datetime.timedelta(days=3)).weekday()
    campaign.report_due_time = datetime.time(12, 0)
    campaign.save()
    Project.objects.filter(pk=town.project.pk).update(
        planned_start=today - datetime.timedelta(days=30),
        planned_end=today + datetime.timedelta(days=60))
    town.project.milestones.all().delete()
    return town


def test_the_form_names_the_week_the_plan_of_today_and_the_last_report(client, planned):
    today = local_date()
    # Three days ago the plan was 27 / 90 = 30.0 %: a report of 20.0 % was 10.0 points behind.
    three_days_ago = datetime.datetime.combine(today - datetime.timedelta(days=3),
                                               datetime.time(9, 30), tzinfo=local_zone())
    factories.ProgressReportFactory(project=planned.project, percent=Decimal("20.0"),
                                    reported_at=three_days_ago)
    client.force_login(planned.team_member)
    response = _form(client, planned.project)
    body = response.content.decode()

    due = today + datetime.timedelta(days=3)
    assert f"本周（{due:%m-%d}截止）" in body
    assert "12:00" in body
    assert re.search(r'data-testid="plan-today">33\.3%<', body)
    last = re.search(r'data-testid="last-report">(.*?)</dd>', body, re.S).group(1)
    assert f"{three_days_ago:%m-%d} 09:30" in last and "20.0%" in last
    assert "滞后10.0个百分点" in re.sub(r"\s", "", last)
    # ⌊10 × 33.333…⌋ = 333, and the remainder 0.33 of a tenth is below one half.
    assert _attr(body, "data-plan-tenths") == "333"
    assert _attr(body, "data-plan-half") == "-1"
    assert _attr(body, "data-yellow") == "5" and _attr(body, "data-red") == "15"
    assert "按此进度：滞后 {lag} 个百分点" in body
    assert "达到黄灯标准（5个百分点）" in body and "达到红灯标准（15个百分点）" in body
    # What the form checks against is the same last report.
    assert 'data-last-percent="20.0"' in body


def test_a_report_made_after_the_deadline_counts_for_next_week(client, planned):
    today = local_date()
    # The deadline was today at 00:00: it has passed, so a report now is for next week's.
    campaign = planned.campaign
    campaign.report_weekday = today.weekday()
    campaign.report_due_time = datetime.time(0, 0)
    campaign.save()
    client.force_login(planned.team_member)
    body = _form(client, planned.project).content.decode()
    assert f"本周（{today + datetime.timedelta(days=7):%m-%d}截止）" in body


def test_a_plan_on_a_half_tenth_is_marked_so(client, planned):
    today = local_date()
    # 49 of 400 days: 12.25 % exactly, 122.5 tenths: the remainder is exactly one half.
    Project.objects.filter(pk=planned.project.pk).update(
        planned_start=today - datetime.timedelta(days=49),
        planned_end=today + datetime.timedelta(days=351))
    client.force_login(planned.team_member)
    body = _form(client, planned.project).content.decode()
    assert re.search(r'data-testid="plan-today">12\.3%<', body)
    assert _attr(body, "data-plan-tenths") == "122"
    assert _attr(body, "data-plan-half") == "0"


def test_without_a_report_the_form_says_none_yet(client, planned):
    client.force_login(planned.team_member)
    body = _form(client, planned.project).content.decode()
    assert re.search(r'data-testid="last-report">\s*尚无填报', body)
    assert "data-last-percent" not in body


def test_the_form_reads_a_fixed_number_of_queries(client, planned, django_assert_num_queries):
    for days in range(12):
        factories.ProgressReportFactory(
            project=planned.project, percent=Decimal(days),
            reported_at=timezone.now() - datetime.timedelta(days=days))
    client.force_login(planned.team_member)
    # 1 the session, 2 the user, 3 the project with its campaign and 4 whether the reader is on
    # its team (access), 5 the project with its latest report, 6 its milestones, 7 its pause points.
    with django_assert_num_queries(7):
        assert _form(client, planned.project).status_code == 200


def test_a_last_report_ahead_of_plan_is_said_so(client, planned):
    # Three days ago the plan was 30.0 %: a report of 40.0 % was 10.0 points ahead.
    factories.ProgressReportFactory(
        project=planned.project, percent=Decimal("40.0"),
        reported_at=datetime.datetime.combine(local_date() - datetime.timedelta(days=3),
                                              datetime.time(9, 30), tzinfo=local_zone()))
    client.force_login(planned.team_member)
    body = _form(client, planned.project).content.decode()
    last = re.search(r'data-testid="last-report">(.*?)</dd>', body, re.S).group(1)
    assert "（超前10.0个百分点）" in last


@pytest.mark.parametrize(("days_ago", "percent", "words"), [(3, "40.0", "超前10.0个百分点"),
                                                            (3, "30.0", "与序时进度持平"),
                                                            (5, "27.8", "与序时进度持平"),
                                                            (3, "20.0", "滞后10.0个百分点")])
def test_the_project_page_says_ahead_behind_or_on_plan_in_words(client, planned, days_ago,
                                                                percent, words):
    """Three days ago the plan was 27 / 90 = 30.0 %: a report then of 40 % is 10 points ahead —
    never "滞后−10.0". Five days ago it was 25 / 90 = 27.78 %: a report of 27.8 % is 0.02 ahead,
    shown rounded: on plan, never -0.0."""
    services.submit_report(
        planned.project, planned.team_member, percent=Decimal(percent), investment_done=Decimal(0),
        work_done="路基施工",
        reported_at=datetime.datetime.combine(local_date() - datetime.timedelta(days=days_ago),
                                              datetime.time(9, 30), tzinfo=local_zone()))
    client.force_login(planned.team_member)
    body = client.get(reverse("project_detail", args=[planned.project.pk])).content.decode()
    said = re.search(r'data-testid="lag-words">(.*?)</span>', body, re.S).group(1)
    assert said == words
    assert "−" not in said and "-0.0" not in body
