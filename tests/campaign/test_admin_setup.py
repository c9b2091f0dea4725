"""The campaign office sets up the campaign, its units and its people in the admin: refused input
is explained beside the field in Chinese, and roles are picked by their Chinese labels."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from campaign.models import Campaign, Unit
from tests import factories

pytestmark = pytest.mark.django_db


def campaign_form(campaign: Campaign, **changes) -> dict:
    data = {
        "unit": campaign.unit_id, "name": campaign.name,
        "start_date": campaign.start_date.isoformat(), "end_date": campaign.end_date.isoformat(),
        "status": campaign.status, "declared_project_count": campaign.declared_project_count,
        "yellow_lag_points": campaign.yellow_lag_points, "red_lag_points": campaign.red_lag_points,
        "milestone_grace_days": campaign.milestone_grace_days,
        "report_weekday": campaign.report_weekday,
        "report_due_time": campaign.report_due_time.strftime("%H:%M"),
        "notice_prefix": campaign.notice_prefix,
        "notice_response_days": campaign.notice_response_days,
        "escalate_after_days": campaign.escalate_after_days, "webhook_url": "",
    }
    data.update(changes)
    return data


def test_a_campaign_ending_before_it_starts_is_refused_beside_the_end_date(admin_client):
    campaign = factories.CampaignFactory()
    response = admin_client.post(reverse("admin:campaign_campaign_change", args=[campaign.pk]),
                                 campaign_form(campaign, end_date="2020-01-01"))
    form = response.context["adminform"].form
    assert form.errors["end_date"] == ["结束日期不能早于开始日期。"]
    assert "campaign_ends_after_start" not in response.content.decode()


def test_a_red_threshold_below_the_yellow_one_is_refused_beside_it(admin_client):
    campaign = factories.CampaignFactory()
    response = admin_client.post(reverse("admin:campaign_campaign_change", args=[campaign.pk]),
                                 campaign_form(campaign, yellow_lag_points=20, red_lag_points=15))
    form = response.context["adminform"].form
    assert form.errors["red_lag_points"] == ["红灯阈值不能低于黄灯阈值（20个百分点）。"]
    assert form.non_field_errors() == []


def test_a_second_top_level_unit_of_the_same_name_is_refused(admin_client):
    Unit.objects.create(name="福州市", kind=Unit.Kind.CITY)
    response = admin_client.post(reverse("admin:campaign_unit_add"),
                                 {"name": "福州市", "kind": Unit.Kind.CITY, "parent": ""})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"] == ["同级已有单位“福州市”，请勿重复添加。"]
    assert Unit.objects.filter(name="福州市").count() == 1


def test_the_user_form_offers_roles_by_their_chinese_labels(admin_client):
    user = factories.UserFactory(username="cadre99")
    page = admin_client.get(reverse("admin:auth_user_change", args=[user.pk]))
    choices = dict(page.context["adminform"].form.fields["groups"].choices)
    town_admin = Group.objects.get(name="town_admin")
    assert choices[town_admin.pk] == "攻坚办（town_admin）"
    html = page.content.decode()
    assert 'name="first_name"' not in html  # the name is the profile's 姓名, asked once
    assert "姓名、单位和职务" in html


@pytest.mark.parametrize("url,message", [
    ("ftp://robot.example/send", "群机器人地址须以 https:// 开头。"),
    ("https://169.254.169.254/latest/meta-data/",
     "群机器人地址指向内部地址 169.254.169.254：只能填写互联网上的群机器人地址。"),
])
def test_a_webhook_that_cannot_be_a_robot_is_refused_beside_the_field(admin_client, url, message):
    campaign = factories.CampaignFactory()
    response = admin_client.post(reverse("admin:campaign_campaign_change", args=[campaign.pk]),
                                 campaign_form(campaign, webhook_url=url))
    assert response.status_code == 200
    assert message in response.context["adminform"].form.errors["webhook_url"]
    campaign.refresh_from_db()
    assert campaign.webhook_url == ""


def test_campaign_dates_in_year_1_are_refused_beside_the_field(admin_client):
    campaign = factories.CampaignFactory()
    response = admin_client.post(reverse("admin:campaign_campaign_change", args=[campaign.pk]),
                                 campaign_form(campaign, start_date="0001-01-01"))
    assert response.status_code == 200
    assert "之间" in " ".join(response.context["adminform"].form.errors["start_date"])
