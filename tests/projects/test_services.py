"""projects.services beyond submit_report: obstacles, hazards, meetings and action items."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from projects import services
from projects.models import Obstacle, SafetyCheck
from tests import factories

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 20)


def test_recording_an_obstacle_rescans_the_project_once_committed(
        project, celery_eager, django_capture_on_commit_callbacks):
    from projects.models import Project

    Project.objects.filter(pk=project.pk).update(health=Project.Health.DONE)
    with django_capture_on_commit_callbacks(execute=True):
        obstacle = services.record_obstacle(project, project.leader, title="用电未接入",
                                            category="water_power", due_date=DAY)
        project.refresh_from_db()
        assert project.health == Project.Health.DONE, "nothing is scanned before the commit"
    assert obstacle.status == Obstacle.Status.OPEN and obstacle.raised_by == project.leader
    project.refresh_from_db()
    assert project.health != Project.Health.DONE


def test_an_obstacle_is_resolved_once_and_then_frozen(project):
    # Raised before the day it is resolved (a close-out never precedes the obstacle).
    obstacle = factories.ObstacleFactory(project=project, raised_at=datetime.datetime(
        2026, 11, 1, 9, tzinfo=datetime.UTC))
    services.resolve_obstacle(obstacle, project.leader, resolution="已接电", resolved_on=DAY)
    assert Obstacle.objects.get().resolved_on == DAY
    with pytest.raises(ValidationError):
        services.resolve_obstacle(obstacle, project.leader, resolution="again")
    with pytest.raises(ValidationError):
        services.update_obstacle(obstacle, project.leader, title="改名")


def test_update_cannot_resolve_an_obstacle_by_the_back_door(project):
    obstacle = factories.ObstacleFactory(project=project)
    with pytest.raises(ValidationError):
        services.update_obstacle(obstacle, project.leader, status=Obstacle.Status.RESOLVED)


def test_hazards_of_one_day_and_one_checker_share_the_check(project):
    first = services.record_hazard(project, project.leader, checked_on=DAY, description="临边",
                                   level="major", rectify_by=DAY)
    second = services.record_hazard(project, project.leader, checked_on=DAY, description="用电",
                                    level="general", rectify_by=DAY)
    assert first.check_record_id == second.check_record_id and SafetyCheck.objects.count() == 1
    services.rectify_hazard(first, project.leader, rectification="已整改", rectified_on=DAY)
    with pytest.raises(ValidationError):
        services.rectify_hazard(first, project.leader, rectification="again")
    with pytest.raises(ValidationError):
        services.update_hazard(first, project.leader, description="x")


def test_an_action_item_must_be_of_the_meeting_campaign(project):
    meeting = factories.MeetingFactory(campaign=project.campaign)
    elsewhere = factories.ProjectFactory(campaign=factories.CampaignFactory(
        unit=factories.UnitFactory(name="潭头镇")))
    with pytest.raises(ValidationError):
        services.add_action_item(meeting, project.leader, description="x", owner=project.leader,
                                 due_date=DAY, project=elsewhere)
    item = services.add_action_item(meeting, project.leader, description="接电", owner=project.leader,
                                    due_date=DAY, project=project)
    services.complete_action_item(item, project.leader, done_on=DAY)
    assert item.done and item.history.count() == 2
    with pytest.raises(ValidationError):
        services.complete_action_item(item, project.leader)
