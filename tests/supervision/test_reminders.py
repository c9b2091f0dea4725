"""Reminders: the weekly report the day before, on the day and when missed; items due soon."""

import datetime

import pytest

from supervision.models import Notice, Notification
from supervision.reminders import send_reminders
from tests import factories

from .conftest import NOW, day, report

pytestmark = pytest.mark.django_db

THURSDAY = NOW - datetime.timedelta(days=1)  # 11-19, 12:00: the report is due tomorrow 18:00


def kinds_for(user):
    return list(Notification.objects.filter(user=user).values_list("dedupe_key", flat=True))


def test_the_team_and_leader_hear_the_day_before_and_on_the_day_once(project, team_member):
    report(project, "30", day(11, 12))
    assert send_reminders(THURSDAY) == 2
    assert send_reminders(THURSDAY) == 0
    assert kinds_for(team_member) == [f"report-due-tomorrow:{project.pk}:2026-11-20"]
    send_reminders(NOW)
    assert f"report-due-today:{project.pk}:2026-11-20" in kinds_for(project.leader)


def test_a_project_that_reported_this_week_is_not_reminded(project):
    report(project, "30", day(11, 19), hour=9)
    send_reminders(NOW)
    assert kinds_for(project.leader) == []


def test_a_missed_report_is_told_to_the_team_the_leader_and_the_supervisors(
        project, team_member, supervisor_in_town):
    report(project, "30", day(11, 5))
    send_reminders(NOW)  # the report due 11-13 18:00 is missing
    assert f"report-missed:{project.pk}:2026-11-13" in kinds_for(team_member)
    summary = Notification.objects.get(user=supervisor_in_town)
    assert project.code in summary.body


def test_items_due_within_three_days_are_announced_before_they_break(project):
    report(project, "40", day(11, 19), hour=9)
    factories.MilestoneFactory(project=project, due_date=day(11, 22))
    factories.MilestoneFactory(project=project, due_date=day(11, 30))  # too far
    factories.ObstacleFactory(project=project, due_date=day(11, 23))
    check = factories.SafetyCheckFactory(project=project)
    factories.HazardFactory(check_record=check, rectify_by=day(11, 20))
    Notice.objects.create(campaign=project.campaign, project=project, issued_to=project.leader,
                          reason="r", required_action="a", status="issued", number="湖督〔2026〕3号",
                          year=2026, sequence=3, respond_by=day(11, 21))
    send_reminders(NOW)
    keys = [k for k in kinds_for(project.leader) if k.startswith("due-soon:")]
    assert sorted(k.split(":")[1] for k in keys) == ["hazard", "milestone", "notice", "obstacle"]
