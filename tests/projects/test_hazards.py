"""Safety hazards (安全隐患): record, update and rectify (销号), for the project's writers only."""

import datetime

import pytest
from django.urls import reverse

from core.dates import local_date
from projects.models import Hazard, SafetyCheck
from tests import factories
from tests.projects.conftest import REFUSED_WRITERS, WRITERS

pytestmark = pytest.mark.django_db

NEW = {"checked_on": "2026-11-20", "description": "基坑临边防护缺失", "level": "major",
       "rectify_by": "2026-11-23"}


@pytest.mark.parametrize("role", WRITERS)
def test_writers_record_update_and_rectify_a_general_hazard(client, town, role):
    client.force_login(town.user(role))
    response = client.post(reverse("hazard_create", args=[town.project.pk]), {**NEW, "level": "general"})
    assert response.status_code == 302
    hazard = Hazard.objects.get(check_record__project=town.project)
    assert hazard.check_record.checked_by == town.user(role)
    response = client.post(reverse("hazard_update", args=[hazard.pk]),
                           {"description": "基坑临边防护缺失（东侧）", "level": "general",
                            "rectify_by": "2026-11-24"})
    assert response.status_code == 302
    response = client.post(reverse("hazard_rectify", args=[hazard.pk]),
                           {"rectification": "已加装防护栏", "rectified_on": "2026-11-22"})
    assert response.status_code == 302
    hazard.refresh_from_db()
    # A general hazard is closed by the team itself.
    assert hazard.rectified_on == datetime.date(2026, 11, 22) and hazard.status == "rectified"
    assert hazard.description == "基坑临边防护缺失（东侧）"


@pytest.mark.parametrize("role", ["leader", "team_member"])
def test_the_team_cannot_lower_a_major_hazard_to_general(client, town, role):
    client.force_login(town.user(role))
    client.post(reverse("hazard_create", args=[town.project.pk]), NEW)
    hazard = Hazard.objects.get(check_record__project=town.project)
    response = client.post(reverse("hazard_update", args=[hazard.pk]),
                           {"description": NEW["description"], "level": "general",
                            "rectify_by": "2026-11-24"})
    assert response.status_code == 200
    assert response.context["form"].errors["level"] == ["只有督查组可以将重大隐患降为一般隐患。"]
    hazard.refresh_from_db()
    assert hazard.level == "major"


def test_the_town_office_may_lower_a_major_hazard(client, town):
    client.force_login(town.town_admin)
    client.post(reverse("hazard_create", args=[town.project.pk]), NEW)
    hazard = Hazard.objects.get(check_record__project=town.project)
    response = client.post(reverse("hazard_update", args=[hazard.pk]),
                           {"description": NEW["description"], "level": "general",
                            "rectify_by": "2026-11-24"})
    assert response.status_code == 302
    hazard.refresh_from_db()
    assert hazard.level == "general"


def test_two_hazards_of_one_check_share_it(client, town):
    client.force_login(town.leader)
    client.post(reverse("hazard_create", args=[town.project.pk]), NEW)
    client.post(reverse("hazard_create", args=[town.project.pk]), {**NEW, "description": "配电箱无门"})
    assert SafetyCheck.objects.count() == 1 and Hazard.objects.count() == 2


def test_the_rectify_date_cannot_be_before_the_check(client, town):
    client.force_login(town.leader)
    response = client.post(reverse("hazard_create", args=[town.project.pk]),
                           {**NEW, "rectify_by": "2026-11-01"})
    assert response.status_code == 200 and response.context["form"].errors["rectify_by"]


@pytest.mark.parametrize("role", REFUSED_WRITERS)
def test_others_of_the_campaign_get_a_403(client, town, role):
    hazard = factories.HazardFactory(check_record=factories.SafetyCheckFactory(project=town.project))
    client.force_login(town.user(role))
    assert client.post(reverse("hazard_create", args=[town.project.pk]), NEW).status_code == 403
    assert client.get(reverse("hazard_update", args=[hazard.pk])).status_code == 403
    assert client.get(reverse("hazard_rectify", args=[hazard.pk])).status_code == 403


def test_a_user_of_another_town_gets_a_404(client, town):
    hazard = factories.HazardFactory(check_record=factories.SafetyCheckFactory(project=town.project))
    client.force_login(town.outsider)
    assert client.get(reverse("hazard_create", args=[town.project.pk])).status_code == 404
    assert client.get(reverse("hazard_rectify", args=[hazard.pk])).status_code == 404


def test_a_hazard_is_neither_found_nor_rectified_on_a_day_still_to_come(client, town):
    tomorrow = (local_date() + datetime.timedelta(days=1)).isoformat()
    client.force_login(town.team_member)
    response = client.post(reverse("hazard_create", args=[town.project.pk]),
                           {**NEW, "checked_on": tomorrow, "rectify_by": tomorrow})
    assert response.status_code == 200
    assert response.context["form"].errors["checked_on"] == ["日期不能晚于今天。"]
    assert not Hazard.objects.exists()

    hazard = factories.HazardFactory(check_record=factories.SafetyCheckFactory(project=town.project))
    response = client.post(reverse("hazard_rectify", args=[hazard.pk]),
                           {"rectification": "已加装防护栏", "rectified_on": tomorrow})
    assert response.status_code == 200
    assert response.context["form"].errors["rectified_on"] == ["日期不能晚于今天。"]
    hazard.refresh_from_db()
    assert hazard.rectified_on is None


def test_the_rectify_and_edit_pages_say_which_hazard_they_are_for(client, town):
    """A team with several hazards must see on the 销号 page which one it is closing: what it is,
    its level and its deadline (as the obstacle's page names its obstacle)."""
    client.force_login(town.team_member)
    client.post(reverse("hazard_create", args=[town.project.pk]), {**NEW, "level": "general"})
    hazard = Hazard.objects.get(check_record__project=town.project)
    for name in ("hazard_rectify", "hazard_update"):
        body = client.get(reverse(name, args=[hazard.pk])).content.decode()
        assert "基坑临边防护缺失（一般隐患，整改时限2026-11-23）" in body, name
