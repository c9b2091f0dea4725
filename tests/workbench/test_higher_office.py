"""The higher office (上级督查, observer) reads the supervision work of the towns below it: the
overview, the notices, the criticism and the bulletins — without a button, and without the
menu entries it has no use for (我的项目, 专题会)."""

import pytest
from django.urls import reverse

from supervision import criticism
from supervision.models import Criticism
from tests import factories

pytestmark = pytest.mark.django_db


def _menu(body: str) -> str:
    return body[body.index('id="gj-nav"'):body.index("</nav>")]


def test_the_higher_office_s_menu_offers_what_it_reads(client, observer, project):
    client.force_login(observer)
    menu = _menu(client.get(reverse("dashboard")).content.decode())
    for name in ("supervision_overview", "notice_list", "criticism_list", "bulletin_list"):
        assert f'href="{reverse(name)}"' in menu, name
    assert f'href="{reverse("my_projects")}"' not in menu
    assert f'href="{reverse("meeting_list")}"' not in menu
    assert 'id="nav-todo"' not in menu


def test_a_leader_s_menu_keeps_my_projects_and_meetings(client, leader, project):
    client.force_login(leader)
    menu = _menu(client.get(reverse("todo")).content.decode())
    assert f'href="{reverse("my_projects")}"' in menu and f'href="{reverse("meeting_list")}"' in menu
    assert f'href="{reverse("supervision_overview")}"' not in menu


def test_the_higher_office_reads_the_overview_without_drafts_or_buttons(
        client, observer, project, red_flag, supervisor):
    client.force_login(observer)
    body = client.get(reverse("supervision_overview")).content.decode()
    assert project.name in body
    assert 'id="draft-notices"' not in body and reverse("supervision_bulk_issue") not in body
    assert reverse("notice_new") not in body
    client.force_login(supervisor)
    body = client.get(reverse("supervision_overview")).content.decode()
    assert 'id="draft-notices"' in body and reverse("notice_new") in body


def test_the_higher_office_reads_confirmed_criticism_only_and_cannot_act(
        client, observer, project, leader, supervisor):
    draft = criticism.draft_criticism(project, person=leader, reason="草稿理由")
    confirmed = criticism.draft_criticism(project, person=leader, reason="已确认理由")
    criticism.confirm_criticism(confirmed, supervisor)
    assert Criticism.objects.get(pk=confirmed.pk).status == Criticism.Status.CONFIRMED
    client.force_login(observer)
    response = client.get(reverse("criticism_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "已确认理由" in body and "草稿理由" not in body
    assert reverse("criticism_new") not in body
    assert reverse("criticism_confirm", args=[draft.pk]) not in body
    assert client.post(reverse("criticism_confirm", args=[draft.pk])).status_code == 403
    assert client.get(reverse("criticism_new")).status_code == 403


def test_the_higher_office_sees_nothing_of_a_town_outside_its_unit(client, observer, project):
    other = factories.CampaignFactory(unit=factories.UnitFactory(name="别处镇"), name="别处镇百日攻坚")
    client.force_login(observer)
    assert client.get(reverse("supervision_overview") + f"?campaign={other.pk}").status_code == 404
    assert client.get(reverse("criticism_list") + f"?campaign={other.pk}").status_code == 404
