"""The campaign office creates and edits its own town's campaigns in 设置."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from campaign.models import Campaign, Role

from .conftest import placed

pytestmark = pytest.mark.django_db


def form(**changes):
    data = {"name": "湖南镇百日攻坚行动", "status": "active", "start_date": "2026-09-01",
            "end_date": "2026-12-09", "declared_project_count": "13", "yellow_lag_points": "5",
            "red_lag_points": "15", "milestone_grace_days": "7", "report_weekday": "4",
            "report_due_time": "18:00", "notice_prefix": "湖督", "notice_response_days": "3",
            "escalate_after_days": "3", "auto_issue_notices": "on",
            "webhook_url": "https://101.226.0.10/cgi-bin/webhook/send?key=x"}
    data.update(changes)
    return data


def test_the_menu_offers_setup_to_the_office_only(office_client, client, town, town_campaign):
    assert 'id="nav-setup"' in office_client.get(reverse("dashboard")).content.decode()
    client.force_login(placed("leader9", Role.LEADER, town))
    assert 'id="nav-setup"' not in client.get(reverse("dashboard")).content.decode()


def test_the_office_creates_a_campaign_of_its_own_town(office_client, town):
    response = office_client.post(reverse("setup_campaign_new"), form())
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert campaign.unit == town and campaign.declared_project_count == 13
    assert campaign.auto_issue_notices and campaign.report_weekday == 4
    assert campaign.history.count() == 1
    assert office_client.get(reverse("setup_home")).content.decode().count(campaign.name) >= 1


def test_a_campaign_ending_before_it_starts_is_refused_beside_the_field_in_chinese(office_client):
    response = office_client.post(reverse("setup_campaign_new"), form(end_date="2026-08-01"))
    assert response.status_code == 200
    assert response.context["form"].errors["end_date"] == ["结束日期不能早于开始日期。"]
    assert 'value="湖南镇百日攻坚行动"' in response.content.decode()  # nothing typed is lost
    assert not Campaign.objects.exists()


def test_a_red_threshold_below_yellow_is_refused(office_client):
    response = office_client.post(reverse("setup_campaign_new"),
                                  form(yellow_lag_points="20", red_lag_points="10"))
    assert "红灯阈值不能低于黄灯阈值" in response.context["form"].errors["red_lag_points"][0]


def test_editing_the_webhook_and_thresholds_is_kept_in_the_history(office_client, town_campaign):
    response = office_client.post(reverse("setup_campaign_edit", args=[town_campaign.pk]),
                                  form(name=town_campaign.name, red_lag_points="20",
                                       webhook_url="https://101.226.0.11/hook"))
    assert response.status_code == 302
    town_campaign.refresh_from_db()
    assert town_campaign.red_lag_points == 20
    assert town_campaign.webhook_url == "https://101.226.0.11/hook"
    assert town_campaign.unit_id == town_campaign.history.earliest().unit_id
    assert town_campaign.history.count() == 2


def test_a_posted_unit_does_not_move_the_campaign_to_another_town(office_client, town_campaign):
    other = town_campaign.unit.parent.children.create(name="潭头镇", kind="town")
    office_client.post(reverse("setup_campaign_edit", args=[town_campaign.pk]),
                       form(name=town_campaign.name, unit=other.pk))
    town_campaign.refresh_from_db()
    assert town_campaign.unit.name == "湖南镇"


def test_new_thresholds_change_the_lights_once_saved_not_at_the_next_hourly_scan(
        office_client, town_campaign, zhang, celery_eager, django_capture_on_commit_callbacks):
    """A project planned from 50 days ago to 50 days ahead (the plan today: 50 %) that reports 42
    % is 8 points behind: yellow under 5 / 15, red under 3 / 5 — as soon as the office saves."""
    from core.dates import local_date
    from projects import services
    from projects.models import Project
    from supervision.scan import scan_project
    from tests import factories

    today = local_date()
    project = factories.ProjectFactory(
        campaign=town_campaign, leader=zhang, planned_start=today - datetime.timedelta(days=50),
        planned_end=today + datetime.timedelta(days=50))
    project.milestones.all().delete()
    services.submit_report(project, zhang, percent=Decimal("42"), investment_done=Decimal(0),
                           work_done="路基施工")
    office_client.post(reverse("setup_campaign_edit", args=[town_campaign.pk]), form(
        name=town_campaign.name, start_date=(today - datetime.timedelta(days=60)).isoformat(),
        end_date=(today + datetime.timedelta(days=60)).isoformat(), report_weekday=str(
            (today + datetime.timedelta(days=3)).weekday()), webhook_url=""))
    scan_project(project.pk)
    assert Project.objects.get(pk=project.pk).health == "yellow"

    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post(
            reverse("setup_campaign_edit", args=[town_campaign.pk]),
            form(name=town_campaign.name, yellow_lag_points="3", red_lag_points="5",
                 start_date=(today - datetime.timedelta(days=60)).isoformat(),
                 end_date=(today + datetime.timedelta(days=60)).isoformat(),
                 report_weekday=str((today + datetime.timedelta(days=3)).weekday()),
                 webhook_url=""))
    assert response.status_code == 302
    assert Project.objects.get(pk=project.pk).health == "red"


def test_the_office_sets_what_its_documents_print_without_the_admin(office_client, town_campaign):
    """发文机关, its short name, 主送, 联系人 and 电话 are the campaign office's to set in 设置."""
    page = office_client.get(reverse("setup_campaign_edit", args=[town_campaign.pk]))
    for name in ("issuing_body", "issuing_short_name", "recipients", "contact_person",
                 "contact_phone"):
        assert f'name="{name}"' in page.content.decode(), name
    response = office_client.post(
        reverse("setup_campaign_edit", args=[town_campaign.pk]),
        form(name=town_campaign.name, webhook_url="", issuing_body="湖南镇人民政府",
             issuing_short_name="湖南镇", recipients="各村（社区）、镇直各单位",
             contact_person="林晓", contact_phone="0591-28888888"))
    assert response.status_code == 302
    town_campaign.refresh_from_db()
    assert (town_campaign.issuing_body, town_campaign.issuing_short_name,
            town_campaign.recipients, town_campaign.contact_person,
            town_campaign.contact_phone) == ("湖南镇人民政府", "湖南镇", "各村（社区）、镇直各单位",
                                             "林晓", "0591-28888888")


def test_a_new_campaign_offers_its_own_towns_notice_prefix(office_client, town):
    """Found setting up 江田镇: the form offered the demo town's 湖督, so its notices would have
    been numbered 湖督〔2026〕N号. Now the town's first character and 督; required."""
    from campaign.models import Unit

    page = office_client.get(reverse("setup_campaign_new"))
    field = page.context["form"]["notice_prefix"]
    assert field.value() == f"{town.name[:1]}督"
    Unit.objects.filter(pk=town.pk).update(name="江田镇")
    page = office_client.get(reverse("setup_campaign_new"))
    assert page.context["form"]["notice_prefix"].value() == "江督"
    response = office_client.post(reverse("setup_campaign_new"), form(notice_prefix=""))
    assert response.status_code == 200 and "notice_prefix" in response.context["form"].errors
