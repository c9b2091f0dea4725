"""A project code typed full-width on the setup form is kept as the Excel import keeps it,
half-width: ＪＴ－１０ is JT-10, one project, not two."""

import pytest
from django.urls import reverse

from projects.models import Project

from .test_setup_projects import project_form

pytestmark = pytest.mark.django_db


def test_a_code_typed_full_width_is_saved_half_width(office_client, town_campaign, zhang):
    office_client.post(reverse("setup_project_new", args=[town_campaign.pk]),
                       project_form(town_campaign, zhang, code="ＪＴ－１０"))
    assert list(Project.objects.values_list("code", flat=True)) == ["JT-10"]


def test_the_same_code_typed_in_the_other_width_is_refused_as_a_duplicate(
        office_client, town_campaign, zhang):
    office_client.post(reverse("setup_project_new", args=[town_campaign.pk]),
                       project_form(town_campaign, zhang, code="JT-10"))
    response = office_client.post(reverse("setup_project_new", args=[town_campaign.pk]),
                                  project_form(town_campaign, zhang, code=" ＪＴ－１０ ",
                                               name="另一个"))
    assert "JT-10" in response.context["form"].errors["code"][0]
    assert Project.objects.count() == 1
